#!/bin/sh
# The Python of the project's virtual environment, for the Makefile:
#   sh .ci/venv-python.sh VENV [PYTHON]
# An existing VENV is kept and used as it is (when its Python is a supported one); PYTHON then
# only matters for a new one. Without VENV/bin/python it creates VENV with PYTHON when given, else
# with the newest supported Python on PATH: python3.13, python3.12, python3.11, then python3.
# Prints one line saying which Python is used. Exits 1, saying what to do, when there is none.
set -u
venv=$1
python=${2:-}
supported="3.11 3.12 3.13"
supported_text="3.11, 3.12 or 3.13"

# The version (3.12.1) of CPython $1, or nothing when it does not run (a pyenv shim of a version
# that is not selected fails here) or is not CPython.
version_of() {
    "$1" -c 'import sys; sys.implementation.name == "cpython" and print("%d.%d.%d" % sys.version_info[:3])' 2>/dev/null
}

is_supported() {
    case " $supported " in *" ${1%.*} "*) return 0 ;; esac
    return 1
}

if [ -e "$venv/bin/python" ]; then
    have=$(version_of "$venv/bin/python")
    if [ -z "$have" ]; then
        echo "make: $venv/bin/python does not run (was the Python it was made with removed?): run 'make clean-venv', then make again" >&2
        exit 1
    fi
    if ! is_supported "$have"; then
        echo "make: $venv has Python $have; this project needs $supported_text: run 'make clean-venv', then make again" >&2
        exit 1
    fi
    note=""
    if [ -n "$python" ]; then
        wanted=$(version_of "$python")
        if [ "$wanted" != "$have" ]; then
            note="; PYTHON=$python (${wanted:-does not run}) is used only for a new $venv: 'make clean-venv' first to switch"
        fi
    fi
    echo "make: using Python $have of the existing $venv$note"
    exit 0
fi

if [ -n "$python" ]; then
    found=$(command -v "$python" 2>/dev/null) || found=""
    version=""
    [ -n "$found" ] && version=$(version_of "$found")
    if [ -z "$version" ] || ! is_supported "$version"; then
        echo "make: PYTHON=$python is ${version:+Python $version, }not a CPython $supported_text that runs; name another one (make report PYTHON=/path/to/python3.12) or leave PYTHON out to take the newest on PATH" >&2
        exit 1
    fi
else
    found=""
    seen=""
    for name in python3.13 python3.12 python3.11 python3; do
        candidate=$(command -v "$name" 2>/dev/null) || continue
        version=$(version_of "$candidate")
        [ -n "$version" ] && seen="$seen${seen:+, }$name is $version"
        if [ -n "$version" ] && is_supported "$version"; then
            found=$candidate
            break
        fi
    done
    if [ -z "$found" ]; then
        echo "make: no supported Python on PATH: this project needs CPython $supported_text as python3.13, python3.12, python3.11 or python3 (${seen:-none of them runs here}). Install one (for example 'apt-get install python3.12 python3.12-venv', or with pyenv or uv), or name it: make report PYTHON=/path/to/python3.12" >&2
        exit 1
    fi
fi

echo "make: creating $venv with Python $version ($found)"
if ! "$found" -m venv "$venv"; then
    rm -rf "$venv"
    echo "make: '$found -m venv' failed; on Debian or Ubuntu install python${version%.*}-venv, or name another Python: make report PYTHON=/path/to/python3.12" >&2
    exit 1
fi
