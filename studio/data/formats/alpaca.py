"""Alpaca: {"instruction", "input"?, "output", "system"?, "history"?: [[user, assistant], ...]} (the history
and system prompt as LLaMA-Factory writes them)."""
from __future__ import annotations

from collections.abc import Mapping

from studio.data.formats._common import Reader, chat_row, history_turns, require, system_turns
from studio.data.turns import Turn, text

LABEL = "Alpaca"


def detect(record: Mapping) -> bool:
    """Both instruction and output: Dolly's instruction/response columns are columns, not broken Alpaca."""
    return "instruction" in record and "output" in record


def incomplete(record: Mapping) -> bool:
    """An instruction alone: read as Alpaca so the error says 'output is missing', not 'unknown format'."""
    return "instruction" in record


def to_row(record: Mapping, mapping: Mapping[str, str] | None = None) -> dict:
    """System, history, then the instruction (its input after a blank line, as Alpaca's own template
    puts it) and the output."""
    user = text(require(record, "instruction", LABEL), "instruction")
    extra = record.get("input")
    if extra is not None and extra != "":
        user = f"{user}\n\n{text(extra, 'input')}"
    answer = text(require(record, "output", LABEL), "output")
    last = [Turn("user", user, "instruction"), Turn("assistant", answer, "output")]
    return chat_row(system_turns(record, "system") + history_turns(record.get("history")) + last)


READER = Reader("alpaca", LABEL, detect, to_row,
                frozenset({"instruction", "input", "output", "system", "history", "meta"}), incomplete)
