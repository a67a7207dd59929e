"""Where the studio keeps its files, and the one gate every user-given path goes through."""
from __future__ import annotations

import os
import re
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
PRESETS_DIR = REPO_ROOT / "presets"
ASSETS_DIR = REPO_ROOT / "assets"

_SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,79}$")


class UnsafePathError(ValueError):
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
        raise UnsafePathError(
            f"{what} {name!r} is not allowed: use letters, digits, '.', '_' or '-' (at most 80)."
        )
    return name


def inside(base: Path, *parts: str) -> Path:
    """Join parts under base and refuse anything that resolves outside it (../, symlinks)."""
    base = base.resolve()
    try:
        target = base.joinpath(*parts).resolve()
    except (OSError, ValueError, RuntimeError):  # a NUL byte, a name too long, a symlink loop
        raise UnsafePathError(f"{'/'.join(map(str, parts))!r} is not a usable path.") from None
    if target != base and base not in target.parents:
        raise UnsafePathError(f"{target} is outside {base}.")
    return target
