"""Paths as messages show them: relative to the project folder when they lie in it."""

from __future__ import annotations

from pathlib import Path


def display_path(path: str | Path, root: str | Path | None) -> str:
    """``path`` relative to ``root`` (with forward slashes) when it lies inside ``root``,
    else ``path`` as given; also as given when ``root`` is None. Both are resolved first, so a
    relative ``path`` is taken from the current folder and symbolic links are followed.

    >>> display_path("/srv/projekt/data/2023/regionbidrag.csv", "/srv/projekt")
    'data/2023/regionbidrag.csv'
    >>> display_path("/srv/annat/budgetmal.csv", "/srv/projekt")
    '/srv/annat/budgetmal.csv'
    >>> display_path("data/2023/kallor.csv", None)
    'data/2023/kallor.csv'
    """
    if root is not None:
        try:
            return Path(path).resolve().relative_to(Path(root).resolve()).as_posix()
        except ValueError:
            pass
    return str(path)


def templates(suffix: str) -> list[str]:
    """The names of the package's template files (``templates/``) ending in ``suffix``, in name
    order: the site's stylesheets (``.css``) and Lua filters (``.lua``)."""
    from importlib import resources

    folder = resources.files("kompetensrapport") / "templates"
    return sorted(f.name for f in folder.iterdir() if f.name.endswith(suffix))
