"""Datasets the user brings or generates live under the data home's datasets/ folder. Uploads are
copied there under a checked name, so no user-given path is used beyond this point."""
from __future__ import annotations

import re
import shutil
from pathlib import Path

from studio.data.readers import SUPPORTED
from studio.paths import inside, studio_home

MAX_UPLOAD_BYTES = 200 * 1024 * 1024


def datasets_dir() -> Path:
    d = studio_home() / "datasets"
    d.mkdir(parents=True, exist_ok=True)
    return d


def safe_filename(name: str) -> str:
    stem, dot, ext = Path(name).name.rpartition(".")
    if not dot:
        stem, ext = ext, "jsonl"
    stem = re.sub(r"[^A-Za-z0-9_-]+", "-", stem).strip("-")[:60] or "data"
    return f"{stem}.{ext.lower()}"


def import_upload(tmp_path: str, original_name: str | None = None) -> Path:
    """Copy an uploaded file into the datasets folder; refuse unsupported types and huge files."""
    src = Path(tmp_path)
    name = safe_filename(original_name or src.name)
    if not any(name.endswith(ext) for ext in SUPPORTED):
        raise ValueError(f"{original_name or src.name}: unsupported file type; use one of "
                         f"{', '.join(sorted(SUPPORTED))}")
    size = src.stat().st_size
    if size > MAX_UPLOAD_BYTES:
        raise ValueError(f"{name}: {size / 2**20:.0f} MB is over the {MAX_UPLOAD_BYTES // 2**20} MB limit")
    dest = inside(datasets_dir(), name)
    shutil.copyfile(src, dest)
    return dest


def generated_path(kind: str, n: int, seed: int) -> Path:
    return inside(datasets_dir(), f"generated-{kind}-{n}-{seed}.jsonl")
