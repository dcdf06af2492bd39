"""Where a params file's sources may be read from: the path policy (params/README.md, "Where source files may
live").

A source path resolves inside the project (the folder holding the params folder) or under a data root the user
names (`--data-root DIR`, or the params key `data_root:`), and nowhere else: not `/etc/passwd`, not
`../../../../etc/passwd`, not a symlink whose target is outside. A relative path is tried against the params
folder, then the project, then the data roots, never against the working directory, so it resolves the same way
from a shell and from the notebook's kernel (which runs in `notebooks/`).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from trustreport.errors import ParamsError


@dataclass(frozen=True)
class Root:
    """A folder sources may be read from, and what it is (said in error messages)."""

    folder: Path
    what: str

    def holds(self, path: Path) -> bool:
        return path == self.folder or self.folder in path.parents


def allowed_roots(params_path: Path, data_roots: Sequence[str | Path] = ()) -> list[Root]:
    """The project (the params folder's parent) and each data root; a relative data root is taken from the
    params folder. Each is resolved (symlinks followed), so containment is judged on real locations."""
    params_dir = params_path.absolute().parent
    roots = [Root(params_dir.parent.resolve(), "the project")]
    for given in data_roots:
        folder = Path(given).expanduser()
        folder = folder if folder.is_absolute() else params_dir / folder
        roots.append(Root(folder.resolve(), "the data root"))
    return list({r.folder: r for r in roots}.values())


def resolve_source(text: str, params_path: Path, key: str, roots: Sequence[Root]) -> Path | None:
    """The real path of a source file inside one of `roots`, or None when no candidate exists.

    Raises `ParamsError` naming the params file, `key` and the allowed folders when the path (or the target of
    a symlink on it) lies outside them."""
    given = Path(text).expanduser()
    if given.is_absolute():
        candidates = [given]
    else:
        candidates = [params_path.absolute().parent / given, *(r.folder / given for r in roots)]
    for candidate in dict.fromkeys(Path(os.path.normpath(c)) for c in candidates):
        if not any(r.holds(candidate) for r in roots):
            raise _outside(text, candidate, params_path, key, roots)
        if candidate.exists():
            real = candidate.resolve()
            if not any(r.holds(real) for r in roots):
                raise _outside(text, real, params_path, key, roots)
            return real
    return None


def folders_tried(text: str, params_path: Path, roots: Sequence[Root]) -> list[Path]:
    """The folders a relative source path was looked for in, in order (for the "not found" message)."""
    if Path(text).expanduser().is_absolute():
        return []
    return list(dict.fromkeys([params_path.absolute().parent, *(r.folder for r in roots)]))


def describe(roots: Sequence[Root]) -> str:
    """'/home/a/project (the project), /data (the data root)'."""
    return ", ".join(f"{r.folder} ({r.what})" for r in roots)


def _outside(text: str, where: Path, params_path: Path, key: str, roots: Sequence[Root]) -> ParamsError:
    return ParamsError(
        params_path,
        key,
        f"{text} resolves to {where}, outside the folders sources may be read from: {describe(roots)}; "
        "name another folder with --data-root or the `data_root` key",
    )
