"""ShareGPT: {"conversations": [{"from": "human", "value": "..."}, ...], "system"?, "tools"?}. Its
function_call / observation turns are LLaMA-Factory's tool format (read by `turns.turn`)."""
from __future__ import annotations

from collections.abc import Mapping

from studio.data.formats._common import Reader, chat_row, require, system_turns, turn_list

LABEL = "ShareGPT"


def detect(record: Mapping) -> bool:
    """A `conversations` key (with no `messages`: those are told first)."""
    return "conversations" in record


def to_row(record: Mapping, mapping: Mapping[str, str] | None = None) -> dict:
    """The top-level system prompt, then the conversation; LLaMA-Factory's tools travel with the row."""
    turns = system_turns(record, "system") + turn_list(require(record, "conversations", LABEL), "conversations")
    return chat_row(turns, record)


READER = Reader("sharegpt", LABEL, detect, to_row, frozenset({"conversations", "system", "tools", "meta"}))
