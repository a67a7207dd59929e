"""Dataset formats: one reader per source format, one module each (its detection, its conversion, its
errors), registered in `READERS` below. A new format is a new module with a `READER` and its place there.

  messages           {"messages": [{"role": "user", "content": "..."}, ...], "tools"?}      OpenAI / HF
  sharegpt           {"conversations": [{"from": "human", "value": "..."}, ...], "system"?, "tools"?}
  alpaca             {"instruction", "input"?, "output", "system"?, "history"?}
  prompt_completion  {"prompt": str | messages, "completion": str | messages}                TRL
  query_response     {"query", "response", "history"?, "system"?}                             ms-swift
  columns            a flat record read through a column mapping {"prompt": COL, "response": COL, "system"?}
  text               {"text": "..."} rows, or a .txt / .md file: continued pretraining, every token trained

Recognised and refused as SFT data: `preference` pairs and `kto` rows (read into DPO/KTO rows instead) and
`stepwise` supervision. Every shape goes through the same detection and conversion; `data/turns.py` reads
one turn and holds the order rules every conversation obeys.

`normalise` returns `{"messages": [...], "tools"?: [...], "meta"?: {...}}` (or `{"text": ...}`) or raises
`RecordError` naming the field at fault; it never returns a half-converted row.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from studio.data.formats import (
    alpaca,
    columns,
    kto,
    messages,
    preference,
    prompt_completion,
    query_response,
    sharegpt,
    stepwise,
    text,
)
from studio.data.formats._common import MEDIA_KEYS, Reader, refuse_media
from studio.data.formats.columns import MAPPING_KEYS, clean_mapping, guess_mapping
from studio.data.turns import MediaError, RecordError, fail, type_name, unused_turn_keys

__all__ = [
    "EXPECTED_KEYS", "FORMATS", "FORMAT_NAMES", "MAPPING_KEYS", "READERS", "REFUSED", "MediaError", "Reader",
    "RecordError", "clean_mapping", "detect_format", "guess_mapping", "normalise", "reader", "refuse_media",
    "row_problem", "unused_keys",
]

# The order is the precedence: the first reader whose `detect` holds names the record's format. Pairs and
# labels come first (they extend the chat shapes), complete key sets before the column guess and raw text.
READERS: tuple[Reader, ...] = tuple(m.READER for m in (
    kto, preference, stepwise, messages, sharegpt, alpaca, prompt_completion, query_response, columns, text))
_BY_NAME = {r.name: r for r in READERS}
FORMATS = tuple(r.name for r in READERS if not r.refused)  # trained as SFT
REFUSED = tuple(r.name for r in READERS if r.refused)  # recognised, named, never trained as SFT
FORMAT_NAMES = {r.name: r.label for r in READERS}
EXPECTED_KEYS = (
    "'messages', 'conversations' (ShareGPT), 'instruction'+'output' (Alpaca), "
    "'prompt'+'completion', 'query'+'response', 'text' (raw text), or a column pair such as question/answer"
)


def reader(name: str) -> Reader:
    """The reader of format `name` (KeyError for a name no module registers)."""
    return _BY_NAME[name]


def detect_format(record: Mapping) -> str | None:
    """The format a record's keys announce, or None. A complete key set anywhere in the precedence wins
    over an incomplete one, so that a record missing its answer is told as its format, not as unknown."""
    for found in READERS:
        if found.detect(record):
            return found.name
    for found in READERS:
        if found.incomplete and found.incomplete(record):
            return found.name
    return None


def normalise(record: Mapping, fmt: str, mapping: Mapping[str, str] | None = None) -> dict:
    """One record in `fmt` as a training row. Raises RecordError (MediaError for images & co.)."""
    refuse_media(record)
    found = _BY_NAME.get(fmt)
    if found is None:
        fail("record", "unknown_fmt", fmt=repr(fmt), formats=", ".join(FORMATS))
    if found.to_row is None:
        fail("record", "refused_row", fmt=found.label)
    row = found.to_row(record, mapping)
    meta = record.get("meta")
    if meta is not None:
        if not isinstance(meta, Mapping):
            fail("meta", "meta", got=type_name(meta))
        row["meta"] = dict(meta)
    return row


def unused_keys(record: Mapping, fmt: str, mapping: Mapping[str, str] | None = None) -> list[str]:
    """Keys of a record its format does not read, turns' keys as `messages[].key`."""
    found = _BY_NAME.get(fmt)
    reads = (found.reads if found else None) or {*(mapping or {}).values(), "meta"}
    out = [k for k in record if k not in reads and k not in MEDIA_KEYS and record[k] not in (None, "", [], {})]
    for list_key in ("messages", "conversations"):
        turns = record.get(list_key) if list_key in reads else None
        if isinstance(turns, list):
            names = dict.fromkeys(k for item in turns for k in unused_turn_keys(item))
            out += [f"{list_key}[].{name}" for name in names]
    return out


def row_problem(row: Any) -> str | None:
    """None when `row` is a well-formed studio row ({"messages": [...]}), else the reason."""
    if not isinstance(row, Mapping):
        return f"expected an object, got {type_name(row)}"
    try:
        normalise(row, "messages")
    except RecordError as exc:
        return str(exc)
    return None
