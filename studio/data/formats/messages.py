"""OpenAI / Hugging Face chat: {"messages": [{"role": "user", "content": "..."}, ...], "tools"?: [...]}, with
tool_calls, role "tool" and OpenAI fine-tuning's "weight". It is also the studio's own row shape."""
from __future__ import annotations

from collections.abc import Mapping

from studio.data.formats._common import Reader, chat_row, require, turn_list

LABEL = "messages (OpenAI/HF)"


def detect(record: Mapping) -> bool:
    """A `messages` key, whatever else the record holds (pairs and labels are told before it)."""
    return "messages" in record


def to_row(record: Mapping, mapping: Mapping[str, str] | None = None) -> dict:
    """The conversation as it stands, with its tools (`tools`, or OpenAI's legacy `functions`)."""
    return chat_row(turn_list(require(record, "messages", LABEL), "messages"), record)


READER = Reader("messages", LABEL, detect, to_row, frozenset({"messages", "tools", "functions", "meta"}))
