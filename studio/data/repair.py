"""One-step fixes for mistakes a real file carries that the studio can undo without guessing: tool-call
`arguments` JSON-encoded twice, as some rows of OpenAI's own fine-tuning examples hold them (a string whose
content is another JSON string). OpenAI's `arguments` is a string holding a JSON object; decoded once more
it is that again."""
from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from studio.fsutil import atomic_write_text, json_line
from studio.text import Said


class RepairError(Said, ValueError):
    """A fix that cannot be written as asked; said in the UI's language."""


def twice_encoded(value: Any) -> dict | None:
    """The object inside arguments encoded twice ('"{\\"city\\": \\"Paris\\"}"'), else None."""
    if not isinstance(value, str):
        return None
    try:
        inner = json.loads(value)
        if not isinstance(inner, str):
            return None
        obj = json.loads(inner)
    except ValueError:
        return None
    return obj if isinstance(obj, dict) else None


def fix_record(record: Any) -> tuple[Any, int]:
    """(the record with every twice-encoded `arguments` decoded once, how many were)."""
    if not isinstance(record, Mapping) or not isinstance(record.get("messages"), list):
        return record, 0
    fixed, count = [], 0
    for message in record["messages"]:
        calls = message.get("tool_calls") if isinstance(message, Mapping) else None
        if not isinstance(calls, list):
            fixed.append(message)
            continue
        new_calls = []
        for call in calls:
            fn = call.get("function") if isinstance(call, Mapping) else None
            obj = twice_encoded(fn.get("arguments")) if isinstance(fn, Mapping) else None
            if obj is None:
                new_calls.append(call)
                continue
            count += 1
            new_calls.append({**call, "function": {**fn, "arguments": json.dumps(obj, ensure_ascii=False)}})
        fixed.append({**message, "tool_calls": new_calls})
    return ({**record, "messages": fixed} if count else record), count


def fix_file(path: Path, out: Path) -> tuple[int, int]:
    """Write path's JSONL records to out with twice-encoded arguments decoded once: (rows changed, calls
    fixed). Lines that are not JSON are kept as they were read (the check then names them, as before)."""
    if out.resolve() == path.resolve():
        raise RepairError("err_fix_onto_source", out=out)
    rows, changed, calls = [], 0, 0
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except ValueError:
            rows.append(_Raw(line))
            continue
        record, n = fix_record(record)
        rows.append(record)
        changed, calls = changed + bool(n), calls + n
    atomic_write_text(out, "".join((r.line if isinstance(r, _Raw) else json_line(r)) + "\n" for r in rows))
    return changed, calls


class _Raw:
    """A line that is not JSON, carried through unchanged."""

    def __init__(self, line: str) -> None:
        self.line = line
