"""``python -m kompetensrapport``."""

from kompetensrapport.cli import console

console()
