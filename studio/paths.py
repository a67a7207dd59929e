"""Where the studio keeps its files, and the one gate every user-given path goes through."""
from __future__ import annotations

import os
import re
from pathlib import Path

from studio.text import Said, Term

REPO_ROOT = Path(__file__).resolve().parent.parent
PRESETS_DIR = REPO_ROOT / "presets"
ASSETS_DIR = REPO_ROOT / "assets"

_SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,79}$")


class UnsafePathError(Said, ValueError):
    """A user-given name or path would leave the place it belongs to."""


def studio_home() -> Path:
    """The data home: $STUDIO_HOME, else ~/.katachi-studio. Created on first use."""
    home = Path(os.environ.get("STUDIO_HOME") or Path.home() / ".katachi-studio").expanduser()
    home.mkdir(parents=True, exist_ok=True)
    return home


def runs_dir() -> Path:
    d = studio_home() / "runs"
    d.mkdir(parents=True, exist_ok=True)
    return d


def model_cache_dir() -> Path:
    """Converted embedded models. $STUDIO_MODEL_CACHE lets several data homes (tests) share one."""
    override = os.environ.get("STUDIO_MODEL_CACHE")
    d = Path(override).expanduser() if override else studio_home() / "models"
    d.mkdir(parents=True, exist_ok=True)
    return d


def check_name(name: str, what: str = "name") -> str:
    """A run id, preset or file name: letters, digits, '.', '_' and '-' only; never '..'."""
    if not isinstance(name, str) or not _SAFE_NAME.match(name) or ".." in name:
        what = Term.of(f"err_what_{what.replace(' ', '_')}", what)  # "run id" in the UI's language too
        raise UnsafePathError("err_name_unsafe", what=what, name=name)
    return name


def inside(base: Path, *parts: str) -> Path:
    """Join parts under base and refuse anything that resolves outside it (../, symlinks)."""
    base = base.resolve()
    try:
        target = base.joinpath(*parts).resolve()
    except (OSError, ValueError, RuntimeError):  # a NUL byte, a name too long, a symlink loop
        raise UnsafePathError("err_path_unusable", path="/".join(map(str, parts))) from None
    if target != base and base not in target.parents:
        raise UnsafePathError("err_path_outside", path=target, base=base)
    return target
