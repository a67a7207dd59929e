"""ms-swift's query/response: {"query", "response", "history"?: [[user, assistant], ...], "system"?}."""
from __future__ import annotations

from collections.abc import Mapping

from studio.data.formats._common import Reader, chat_row, history_turns, require, system_turns
from studio.data.turns import Turn, text

LABEL = "query/response (ms-swift)"


def detect(record: Mapping) -> bool:
    """Both query and response."""
    return "query" in record and "response" in record


def to_row(record: Mapping, mapping: Mapping[str, str] | None = None) -> dict:
    """System, history, then the query and its response."""
    user = text(require(record, "query", LABEL), "query")
    answer = text(require(record, "response", LABEL), "response")
    last = [Turn("user", user, "query"), Turn("assistant", answer, "response")]
    return chat_row(system_turns(record, "system") + history_turns(record.get("history")) + last)


READER = Reader("query_response", LABEL, detect, to_row,
                frozenset({"query", "response", "history", "system", "meta"}))
