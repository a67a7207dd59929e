"""Why a line is not JSON, in the catalogue's words: the json module says it in English only ("Expecting
value"), which read as a foreign phrase inside a Japanese sentence. Its messages are a small fixed set, so
each kind has its own catalogue text; the line and column are said beside it by the caller."""
from __future__ import annotations

import json

from studio.text import Phrase

KINDS: tuple[tuple[str, str], ...] = (
    ("Expecting value", "json_why_value"),
    ("Expecting property name", "json_why_key"),
    ("Expecting ':'", "json_why_colon"),
    ("Expecting ','", "json_why_comma"),
    ("Unterminated string", "json_why_unterminated"),
    ("Invalid control character", "json_why_control"),
    ("Invalid \\uXXXX", "json_why_unicode"),
    ("Invalid \\escape", "json_why_escape"),
    ("Extra data", "json_why_extra"),
    ("Illegal trailing comma", "json_why_trailing_comma"),
)
"""The start of the json module's message -> its catalogue key (the \\uXXXX one before the wider \\escape)."""


def json_why(error: json.JSONDecodeError) -> Phrase:
    """The reason of a JSON error as a Phrase: its English as a str, said in any language. A message this list
    does not know (a newer Python's) is kept as it is."""
    for start, key in KINDS:
        if error.msg.startswith(start):
            return Phrase(key)
    return Phrase("json_why_other", why=error.msg)
