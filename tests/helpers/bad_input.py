"""What the bad-input tests share: a snapshot of the data home (to prove nothing changed), the message
of an error as the user sees it, and uploads placed where gradio leaves them."""
from __future__ import annotations

import contextlib
import hashlib
import json
from collections.abc import Iterator
from pathlib import Path

import gradio as gr

GOOD_ROW = {"messages": [{"role": "user", "content": "Greet me"}, {"role": "assistant", "content": "Hail!"}]}


def snapshot(root: Path) -> dict[str, str]:
    """Every file under root with a hash of its bytes (empty folders the studio makes on first use,
    such as runs/, do not count as a change)."""
    if not root.exists():
        return {}
    return {str(p.relative_to(root)): hashlib.sha1(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


@contextlib.contextmanager
def nothing_changes(root: Path) -> Iterator[None]:
    before = snapshot(root)
    yield
    assert snapshot(root) == before, "the data home changed"


def message(exc: BaseException) -> str:
    return exc.message if isinstance(exc, gr.Error) else str(exc)


def upload(tmp_path: Path, name: str, data: bytes) -> str:
    """A file where gradio leaves an upload: its own folder, under the name the browser sent."""
    folder = tmp_path / "gradio-upload"
    folder.mkdir(exist_ok=True)
    path = folder / name
    path.write_bytes(data)
    return str(path)


def jsonl(*rows: object) -> bytes:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows).encode("utf-8")
