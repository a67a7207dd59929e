"""Small file helpers: everything the studio writes for others to read is written atomically, so a
reader (the UI, a resumed run) never sees half a file, even after a crash or a full disk."""
from __future__ import annotations

import fcntl
import json
import os
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any


def atomic_write_text(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.chmod(tmp, 0o644)  # mkstemp makes 0600; run files are meant to be read by the user's tools
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@contextmanager
def atomic_file(path: Path) -> Iterator[Path]:
    """A temporary path beside `path` for a writer that needs a file name (a GGUF writer); it becomes `path`
    only when the block ends without an error, else it is removed."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        yield Path(tmp)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_write_json(path: Path, obj: Any) -> None:
    atomic_write_text(path, json.dumps(obj, ensure_ascii=False, indent=1))


def read_json(path: Path, default: Any = None) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return default


def read_jsonl(path: Path) -> list[dict]:
    """Lines that parse; a torn last line (a writer killed mid-line) is skipped, not fatal."""
    out = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError:
        return out
    for line in lines:
        try:
            obj = json.loads(line)
        except ValueError:
            continue
        if isinstance(obj, dict):
            out.append(obj)
    return out


def json_line(obj: Any) -> str:
    """One JSONL line's text, without its newline: the one way the studio writes a record."""
    return json.dumps(obj, ensure_ascii=False)


def jsonl_text(rows: Iterable[Any]) -> str:
    return "".join(json_line(row) + "\n" for row in rows)


def append_jsonl(path: Path, obj: dict, durable: bool = False) -> None:
    """One whole line in one write under an exclusive lock: two writers (two tabs voting) never interleave,
    and a reader sees whole lines only (a torn last line after a crash is skipped by read_jsonl). durable:
    on disk before returning (a vote), not only in the page cache (a metrics line)."""
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        os.write(fd, (json_line(obj) + "\n").encode("utf-8"))
        if durable:
            os.fsync(fd)
    finally:
        os.close(fd)  # closing releases the lock


def write_jsonl(path: str | Path, rows: Iterable[Mapping]) -> int:
    """Write rows as UTF-8 JSONL atomically (temp file + rename): a crash leaves no half file. Every row is
    serialised before the file is touched, so a row that cannot be written changes nothing."""
    rows = list(rows)
    atomic_write_text(Path(path), jsonl_text(rows))
    return len(rows)
