"""``python -m kompetensrapport``."""

import sys

from kompetensrapport.cli import main

sys.exit(main())
