"""Quarto: finding the command, and rendering a staging folder's project."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from kompetensrapport.exceptions import QuartoError


def install_quarto_hint() -> str:
    """How to install Quarto, with a pip command for the Python this program runs in (so that it
    works as printed, without an activated virtual environment)."""
    from kompetensrapport.commands import python_command

    return (f"Install Quarto with `{python_command()} -m pip install quarto-cli` or "
            "`conda install -c conda-forge quarto`, then build again. `--no-render` builds "
            "without the site on purpose.")


def find_quarto() -> str | None:
    """The ``quarto`` command: on PATH, or beside this program's Python (pip's ``quarto-cli`` in
    a virtual environment that is not activated, as ``.venv/bin/kompetensrapport`` runs)."""
    return shutil.which("quarto") or shutil.which("quarto", path=os.path.dirname(sys.executable))


def render(quarto: str, staging: Path) -> None:
    """Render the Quarto project in ``staging``; a QuartoError carries the last lines of its output."""
    proc = subprocess.run([quarto, "render", str(staging)], cwd=staging, capture_output=True, text=True)
    if proc.returncode != 0:
        tail = "\n".join((proc.stderr or proc.stdout).strip().splitlines()[-15:])
        raise QuartoError(f"quarto render failed (exit {proc.returncode}); the published site is unchanged.\n{tail}")
