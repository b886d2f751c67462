"""Commands as a user can run them: messages print the command that runs this program again,
written the way it was started (see :func:`command`)."""

from __future__ import annotations

import os
import sys


def command(*args: str) -> str:
    """The command that runs this program again with ``args``, written as it was started, so
    that a message can print a command that works as printed (from the same folder, with no
    virtual environment activated): ``kompetensrapport`` when that name on PATH is this
    program, else the path it was started by (``.venv/bin/kompetensrapport``), or
    ``<python> -m kompetensrapport`` when it was started so (or used as a library)."""
    import shlex

    started = sys.argv[0] if sys.argv else ""
    if os.path.basename(started) == "kompetensrapport" and os.path.isfile(started):
        head = ["kompetensrapport" if on_path("kompetensrapport", started) else started]
    else:
        head = [python_command(), "-m", "kompetensrapport"]
    return shlex.join([*head, *map(str, args)])


def on_path(name: str, path: str) -> bool:
    """Whether the command ``name`` found on PATH is the file ``path``, in the same folder: a
    virtual environment's ``python`` is a link to the base interpreter's, but only the one in the
    environment's own folder runs with the environment's packages."""
    import shutil

    found = shutil.which(name)
    try:
        return (found is not None and os.path.samefile(found, path)
                and os.path.samefile(os.path.dirname(found), os.path.dirname(path)))
    except OSError:
        return False


def python_command() -> str:
    """How to call the Python this program runs in: ``python`` when that is the one on PATH,
    else its path (relative to the current folder when it lies below it)."""
    if on_path("python", sys.executable):
        return "python"
    relative = os.path.relpath(sys.executable)
    return relative if not relative.startswith("..") else sys.executable
