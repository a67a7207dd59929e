"""TRL's prompt-completion: {"prompt": str | messages, "completion": str | messages}, with `tools` as TRL's
conversational form carries them (mlx-lm's completions files have the same shape)."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from studio.data.formats._common import Reader, chat_row, require, side
from studio.data.turns import fail

LABEL = "prompt/completion"


def detect(record: Mapping) -> bool:
    """Both prompt and completion."""
    return "prompt" in record and "completion" in record


def incomplete(record: Mapping) -> bool:
    """A prompt alone (TRL's prompt-only files, for GRPO): read here so the error says what is missing."""
    return "prompt" in record


def to_row(record: Mapping, mapping: Mapping[str, str] | None = None) -> dict:
    """The prompt's turns, then the completion's, with the record's tools."""
    prompt = side(require(record, "prompt", LABEL), "prompt", "user")
    return chat_row(prompt + side(_completion(record), "completion", "assistant"), record)


def _completion(record: Mapping) -> Any:
    """The completion; its absence is said as a prompt-only file, which is a dataset for another method."""
    if "completion" not in record:
        fail("completion", "prompt_only", fmt=LABEL, name="completion")
    return record["completion"]


READER = Reader("prompt_completion", LABEL, detect, to_row, frozenset({"prompt", "completion", "tools", "meta"}),
                incomplete)
