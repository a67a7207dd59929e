"""Datasets the user brings or generates live under the data home's datasets/ folder. Uploads are
copied there under a checked name, so no user-given path is used beyond this point."""
from __future__ import annotations

import filecmp
import os
import re
import shutil
import tempfile
from pathlib import Path

from studio.data.readers import SUPPORTED
from studio.paths import UnsafePathError, check_name, inside, studio_home
from studio.text import Said

MAX_UPLOAD_BYTES = 200 * 1024 * 1024
_MAX_SAME_NAME = 1000


class UploadError(Said, ValueError):
    """A file the Data step cannot take: its name, what is wrong and what to do, in the UI's language."""


def datasets_dir() -> Path:
    d = studio_home() / "datasets"
    d.mkdir(parents=True, exist_ok=True)
    return d


def safe_filename(name: str) -> str:
    stem, dot, ext = Path(name).name.rpartition(".")
    if not dot:
        stem, ext = ext, "jsonl"
    stem = re.sub(r"[^A-Za-z0-9_-]+", "-", stem).strip("-")[:60] or "data"
    ext = re.sub(r"[^A-Za-z0-9]+", "-", ext)[:16]  # a NUL or a slash in the extension is no name
    return f"{stem}.{ext.lower()}"


def check_upload(tmp_path: str | Path, original_name: str | None = None) -> tuple[Path, str]:
    """(the uploaded file, the name it will be stored under), or ValueError naming what is wrong:
    an unsupported type, a file that is gone, not a file, empty or over the size limit."""
    src = Path(tmp_path)
    shown = original_name or src.name
    name = safe_filename(shown)
    if not name.endswith(SUPPORTED):
        raise UploadError("err_upload_type", name=shown, types=", ".join(sorted(SUPPORTED)))
    try:
        is_file, size = src.is_file(), src.stat().st_size
    except OSError as e:  # the upload's temporary file is gone, or unreadable
        raise UploadError("err_upload_unreadable", name=shown, why=e.strerror) from None
    if not is_file:
        raise UploadError("err_upload_not_file", name=shown)
    if size == 0:
        raise UploadError("err_upload_empty", name=shown)
    if size > MAX_UPLOAD_BYTES:
        raise UploadError("err_upload_too_big", name=name, mb=f"{size / 2**20:.0f}", limit=MAX_UPLOAD_BYTES // 2**20)
    return src, name


def import_upload(tmp_path: str | Path, original_name: str | None = None) -> Path:
    """Copy an uploaded file into the datasets folder; refuse unsupported types and huge files.

    The copy never replaces an existing dataset: a run may be training on it (or resume from it
    later), so a different file uploaded under the same name is stored as name-2, name-3...
    The same bytes uploaded again reuse the stored file."""
    src, name = check_upload(tmp_path, original_name)
    folder = datasets_dir()
    fd, tmp = tempfile.mkstemp(prefix=".upload-", suffix=".tmp", dir=folder)
    try:
        os.chmod(tmp, 0o644)
        with os.fdopen(fd, "wb") as out, src.open("rb") as f:
            # at most one byte over the limit: a file that grew after the size check is caught too
            shutil.copyfileobj(_limited(f, MAX_UPLOAD_BYTES + 1), out)
            out.flush()
            os.fsync(out.fileno())
        if Path(tmp).stat().st_size > MAX_UPLOAD_BYTES:
            raise UploadError("err_upload_grew", name=name, limit=MAX_UPLOAD_BYTES // 2**20)
        return _claim(folder, name, Path(tmp))
    finally:
        Path(tmp).unlink(missing_ok=True)


class _limited:
    """A reader that stops after `limit` bytes."""

    def __init__(self, f, limit: int) -> None:
        self.f, self.left = f, limit

    def read(self, n: int = -1) -> bytes:
        n = self.left if n < 0 else min(n, self.left)
        data = self.f.read(n) if n else b""
        self.left -= len(data)
        return data


def _claim(folder: Path, name: str, tmp: Path) -> Path:
    """Move tmp to the first free `name`, `stem-2.ext`, ... (or an existing file with the same bytes).
    O_EXCL claims a name atomically: two tabs uploading data.jsonl at once get two files."""
    stem, ext = name.rsplit(".", 1)
    for n in range(1, _MAX_SAME_NAME + 1):
        dest = inside(folder, name if n == 1 else f"{stem}-{n}.{ext}")
        try:
            os.close(os.open(dest, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644))
        except FileExistsError:
            if dest.is_file() and filecmp.cmp(tmp, dest, shallow=False):
                return dest
            continue
        os.replace(tmp, dest)  # replaces only the empty placeholder this call just created
        return dest
    raise UploadError("err_dataset_name_taken", name=name, count=_MAX_SAME_NAME)


def dataset_file(path: str | Path) -> Path:
    """A dataset the UI chose (an upload or a generated set): it must be a file inside datasets/.
    The choice lives in the browser, so it is checked like any other user input."""
    try:
        found = inside(datasets_dir(), str(path))
    except UnsafePathError:
        raise UnsafePathError("err_data_outside", path=path) from None
    if not found.is_file():
        raise UploadError("err_data_gone", name=Path(path).name)
    return found


def generated_path(kind: str, n: int, seed: int) -> Path:
    # inside() alone lets "a/../b" through when it stays in the folder; a kind is a plain name
    check_name(kind, "generator kind")
    return inside(datasets_dir(), f"generated-{kind}-{int(n)}-{int(seed)}.jsonl")


def teacher_path(kind: str, endpoint: str, n: int, seed: int) -> Path:
    """Where the rows an endpoint wrote in a generator's form go: a generated set, named after both."""
    check_name(kind, "generator kind")
    check_name(endpoint, "endpoint")
    return inside(datasets_dir(), f"generated-{kind}-teacher-{endpoint}-{int(n)}-{int(seed)}.jsonl")
