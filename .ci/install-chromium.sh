#!/bin/sh
# Installs what the accessibility check (kompetensrapport check-site, tests/test_a11y.py) needs,
# only when it is missing:
#   - Debian's chromium and chromium-driver (apt-get; needs root, as in CI), never a browser build
#     downloaded by Playwright;
#   - axe-core from npm, at the version pinned in package-lock.json (npm ci);
#   - Debian's poppler-utils (pdftotext), with which tests/test_site.py reads the rendered PDFs;
#   - the W3C Nu HTML checker (npm vnu-jar, pinned in package-lock.json) and Java to run it
#     (Debian's default-jre-headless, only when no java command is there), with which
#     tests/test_site.py validates the rendered pages.
# Run from anywhere: sh .ci/install-chromium.sh
set -eu
cd "$(dirname "$0")/.."

PACKAGES="chromium chromium-driver poppler-utils"
command -v java >/dev/null 2>&1 || PACKAGES="$PACKAGES default-jre-headless"
if ! command -v chromium >/dev/null 2>&1 || ! command -v pdftotext >/dev/null 2>&1 \
        || ! command -v java >/dev/null 2>&1; then
    if [ "$(id -u)" -ne 0 ]; then
        SUDO="sudo -n"
    else
        SUDO=
    fi
    echo "install-chromium: installing Debian's $PACKAGES ..."
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -q
    # shellcheck disable=SC2086 # a list of package names
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $PACKAGES
fi

if [ ! -f node_modules/axe-core/axe.min.js ] || [ ! -f node_modules/vnu-jar/build/dist/vnu.jar ]; then
    if ! command -v npm >/dev/null 2>&1; then
        echo "install-chromium: npm is missing; install Node.js and npm (apt-get install nodejs npm)" >&2
        exit 1
    fi
    echo "install-chromium: installing axe-core and vnu-jar with npm ci ..."
    npm ci --no-audit --no-fund --loglevel=error
fi
