"""Dataset generators. Each module exposes

    generate(n: int, seed: int = 0) -> list[dict]      # rows: {"messages": [...]} (+ optional "meta")
    check_row(row: dict) -> str | None                  # None when the row is valid, else the reason

and every row a generator returns has passed its own check_row.
"""
from __future__ import annotations

import importlib
from types import ModuleType

KINDS: dict[str, str] = {
    "gozaru": "studio.data.generate.gozaru",
    "shakespeare": "studio.data.generate.shakespeare",
    "json": "studio.data.generate.json_task",
    "sql": "studio.data.generate.sql_task",
    "classify": "studio.data.generate.classify_task",
}


def generator(kind: str) -> ModuleType:
    if kind not in KINDS:
        raise ValueError(f"unknown generator kind {kind!r}; choose one of: {', '.join(KINDS)}")
    return importlib.import_module(KINDS[kind])


def generate(kind: str, n: int, seed: int = 0) -> list[dict]:
    if not 1 <= int(n) <= 100_000:
        raise ValueError(f"n must be between 1 and 100000, got {n}")
    return generator(kind).generate(int(n), seed=seed)
