"""Raw text: {"text": "..."} rows, or a .txt / .md file (readers.py makes it one such record). Continued
pretraining: every token is trained, so the row stays text and is never a conversation."""
from __future__ import annotations

from collections.abc import Mapping

from studio.data.formats._common import Reader, require
from studio.data.turns import fail, text

LABEL = "raw text"


def detect(record: Mapping) -> bool:
    """A `text` key (a text/label pair is told first, as columns)."""
    return "text" in record


def to_row(record: Mapping, mapping: Mapping[str, str] | None = None) -> dict:
    """{"text": ...}; a blank one is an error, as it would train nothing."""
    value = text(require(record, "text", LABEL), "text")
    if not value.strip():
        fail("text", "empty_text")
    return {"text": value}


READER = Reader("text", LABEL, detect, to_row, frozenset({"text", "meta"}))
