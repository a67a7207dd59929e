"""A flat record read through a column mapping {"prompt": COL, "response": COL, "system"?: COL}: CSV, TSV,
parquet and JSON rows such as question/answer. The mapping is guessed from the header names, or given."""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from studio.data.formats._common import Reader, chat_row
from studio.data.turns import Turn, fail, short, text

LABEL = "columns"
MAPPING_KEYS = ("prompt", "response", "system")
# Header names guessed for a column mapping, most specific first.
PROMPT_COLUMNS = (
    "prompt", "question", "instruction", "input", "query", "text", "user", "source", "q",
)
RESPONSE_COLUMNS = (
    "response", "answer", "output", "completion", "label", "target", "assistant", "reply", "a",
)
SYSTEM_COLUMNS = ("system", "system_prompt", "system_message")


def detect(record: Mapping) -> bool:
    """Keys from which a prompt/response mapping can be guessed."""
    return guess_mapping(record) is not None


def guess_mapping(columns: Iterable[str]) -> dict[str, str] | None:
    """Guess {"prompt", "response", "system"?} from header names; None when no pair is found."""
    by_name = {str(c).strip().lower(): c for c in columns}
    prompt = next((by_name[n] for n in PROMPT_COLUMNS if n in by_name), None)
    response = next(
        (by_name[n] for n in RESPONSE_COLUMNS if n in by_name and by_name[n] != prompt), None)
    if prompt is None or response is None:
        return None
    mapping = {"prompt": prompt, "response": response}
    system = next((by_name[n] for n in SYSTEM_COLUMNS if n in by_name), None)
    if system is not None:
        mapping["system"] = system
    return mapping


def clean_mapping(mapping: Mapping[str, Any]) -> dict[str, str]:
    """Check a user-given mapping; drops an empty system entry. Raises RecordError."""
    unknown = sorted(set(mapping) - set(MAPPING_KEYS))
    if unknown:
        fail("mapping", "mapping_keys", keys=unknown)
    out = {k: v for k, v in mapping.items() if v not in (None, "")}
    for key in ("prompt", "response"):
        if not isinstance(out.get(key), str):
            fail("mapping", "mapping_missing", role=repr(key))
    return out


def to_row(record: Mapping, mapping: Mapping[str, str] | None = None) -> dict:
    """The mapped columns as system?, user and assistant turns; without a whole mapping, a RecordError."""
    if not mapping:
        fail("mapping", "mapping_missing", role="prompt")
    return chat_row(_turns(record, clean_mapping(mapping)))


def _turns(record: Mapping, mapping: Mapping[str, str]) -> list[Turn]:
    turns: list[Turn] = []
    system = mapping.get("system")
    if system and record.get(system) not in (None, ""):
        turns.append(Turn("system", text(record[system], system), system))
    for key, role in (("prompt", "user"), ("response", "assistant")):
        column = mapping[key]
        if column not in record:
            fail(column, "missing_column", column=short(column), role=key)
        turns.append(Turn(role, text(record[column], column), column))
    return turns


READER = Reader("columns", LABEL, detect, to_row)  # reads: the mapping's columns
