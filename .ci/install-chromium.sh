#!/bin/sh
# Installs what the accessibility check (kompetensrapport check-site, tests/test_a11y.py) needs,
# only when it is missing:
#   - Debian's chromium and chromium-driver (apt-get; needs root, as in CI), never a browser build
#     downloaded by Playwright;
#   - axe-core from npm, at the version pinned in package-lock.json (npm ci);
#   - Debian's poppler-utils (pdftotext), with which tests/test_site.py reads the rendered PDFs
#     when Quarto is installed.
# Run from anywhere: sh .ci/install-chromium.sh
set -eu
cd "$(dirname "$0")/.."

if ! command -v chromium >/dev/null 2>&1 || ! command -v pdftotext >/dev/null 2>&1; then
    if [ "$(id -u)" -ne 0 ]; then
        SUDO="sudo -n"
    else
        SUDO=
    fi
    echo "install-chromium: installing Debian's chromium, chromium-driver and poppler-utils ..."
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -q
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
        chromium chromium-driver poppler-utils
fi

if [ ! -f node_modules/axe-core/axe.min.js ]; then
    if ! command -v npm >/dev/null 2>&1; then
        echo "install-chromium: npm is missing; install Node.js and npm (apt-get install nodejs npm)" >&2
        exit 1
    fi
    echo "install-chromium: installing axe-core with npm ci ..."
    npm ci --no-audit --no-fund --loglevel=error
fi
