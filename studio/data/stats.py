"""Token statistics of a dataset and a leak-free train/eval split."""
from __future__ import annotations

import math
import random
import statistics
from collections.abc import Mapping, Sequence
from typing import Any

from studio.config import ConfigError
from studio.data.tokenize import count_tokens

__all__ = ["count_tokens", "split", "summarise", "token_lengths"]


def token_lengths(tokenizer: Any, rows: Sequence[Mapping]) -> list[int]:
    return [count_tokens(tokenizer, row) for row in rows]


def summarise(lengths: Sequence[int], max_length: int | None = None) -> dict:
    """count, min, mean, median, p95 (nearest rank), max, and how many exceed max_length."""
    if not lengths:
        return {"count": 0, "min": 0, "mean": 0.0, "median": 0.0, "p95": 0, "max": 0, "over_max": 0}
    ordered = sorted(lengths)
    return {
        "count": len(ordered),
        "min": ordered[0],
        "mean": round(statistics.fmean(ordered), 2),
        "median": statistics.median(ordered),
        "p95": ordered[math.ceil(0.95 * len(ordered)) - 1],
        "max": ordered[-1],
        "over_max": sum(n > max_length for n in ordered) if max_length else 0,
    }


def _prompt_key(text: str) -> str:
    return " ".join(text.split())  # whitespace differences do not make a prompt new


def _prompts(row: Mapping) -> list[str]:
    """The user turns of a chat row or of a preference row's prompt; a raw-text passage is its own prompt."""
    turns = row.get("messages") or row.get("prompt")
    if isinstance(turns, list):
        return [m["content"] for m in turns if m["role"] == "user"]
    return [row["text"]]


def _groups(rows: Sequence[Mapping]) -> list[list[int]]:
    """Row indices grouped so that rows sharing any user prompt fall in one group (union-find)."""
    parent = list(range(len(rows)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    owner: dict[str, int] = {}
    for i, row in enumerate(rows):
        for prompt in _prompts(row):
            j = owner.setdefault(_prompt_key(prompt), i)
            parent[root(i)] = root(j)
    groups: dict[int, list[int]] = {}
    for i in range(len(rows)):
        groups.setdefault(root(i), []).append(i)
    return list(groups.values())


def split(rows: Sequence[Mapping], eval_fraction: float, seed: int = 0) -> tuple[list, list]:
    """Deterministic (train, eval) split; rows sharing a user prompt always stay on one side.
    Eval gets about eval_fraction of the rows (whole groups, so it may fall a little short)."""
    if not 0 <= eval_fraction < 1:
        raise ConfigError("err_eval_fraction", got=eval_fraction)
    groups = _groups(rows)
    target = round(len(rows) * eval_fraction)
    if eval_fraction > 0 and len(groups) > 1:
        target = max(target, 1)
    random.Random(seed).shuffle(groups)
    chosen: set[int] = set()
    for group in groups:
        if len(chosen) >= target:
            break
        if len(chosen) + len(group) <= target:
            chosen.update(group)
    if target and not chosen and len(groups) > 1:  # every group is bigger than the target
        chosen.update(min(groups, key=len))
    train = [row for i, row in enumerate(rows) if i not in chosen]
    return train, [row for i, row in enumerate(rows) if i in chosen]
