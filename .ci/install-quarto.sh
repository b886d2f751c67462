#!/bin/sh
# Finds or installs the Quarto the tests (tests/test_site.py, tests/test_a11y.py) render with, and
# prints the folder to put on PATH for them (nothing when a `quarto` command is already on PATH).
#
#   - A `quarto` on PATH (pip's quarto-cli, conda's quarto, an official release) is used as it is.
#   - Otherwise, when ../shared/tools/quarto/install.sh exists beside the repository (as it does in
#     CI), Quarto 1.10.18 assembled from its public source is installed by that script into a cache
#     folder outside the repository, $KOMPETENSRAPPORT_QUARTO_DIR, by default
#     ${XDG_CACHE_HOME:-$HOME/.cache}/kompetensrapport/quarto-1.10.18. A complete install there is
#     reused (the installer returns at once).
#   - Otherwise nothing is printed, and the Quarto tests skip (outside CI) or fail (in CI).
#
# Progress goes to stderr; stdout carries only the folder. Exit status 1 when the install fails.
# Run from anywhere: sh .ci/install-quarto.sh
set -eu
cd "$(dirname "$0")/.."

if command -v quarto >/dev/null 2>&1; then
    exit 0
fi
INSTALLER=../shared/tools/quarto/install.sh
if [ ! -f "$INSTALLER" ]; then
    echo "install-quarto: no quarto on PATH and no $INSTALLER beside the repository;" \
         "the tests that render the site will be skipped (install Quarto 1.8+ to run them)" >&2
    exit 0
fi
DEST=${KOMPETENSRAPPORT_QUARTO_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/kompetensrapport/quarto-1.10.18}
if ! bash "$INSTALLER" "$DEST" >/dev/null; then
    echo "install-quarto: installing Quarto from $INSTALLER into $DEST failed (see above)" >&2
    exit 1
fi
echo "$DEST/bin"
