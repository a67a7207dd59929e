"""Dataset generators. Each module exposes

    generate(n: int, seed: int = 0) -> list[dict]      # rows: {"messages": [...]} (+ optional "meta")
    check_row(row: dict) -> str | None                  # None when the row is valid, else the reason

and every row a generator returns has passed its own check_row.
"""
from __future__ import annotations

import importlib
from types import ModuleType

from studio.config import is_number
from studio.text import Said, Term

KINDS: dict[str, str] = {
    "gozaru": "studio.data.generate.gozaru",
    "shakespeare": "studio.data.generate.shakespeare",
    "json": "studio.data.generate.json_task",
    "sql": "studio.data.generate.sql_task",
    "classify": "studio.data.generate.classify_task",
}


class GeneratorError(Said, ValueError):
    """A generator or its settings cannot be used; said in the UI's language."""


def generator(kind: str) -> ModuleType:
    if kind not in KINDS:
        raise GeneratorError("err_generator_kind", kind=repr(kind), kinds=", ".join(KINDS))
    return importlib.import_module(KINDS[kind])


MAX_ROWS = 100_000
MAX_SEED = 2**32 - 1


def check_settings(n: object, seed: object = 0) -> tuple[int, int]:
    """(n, seed) as ints, or ValueError: the UI hands over floats or None from its number fields."""
    return _whole(n, Term("err_what_rows"), 1, MAX_ROWS), _whole(seed, Term("err_what_seed"), 0, MAX_SEED)


def _whole(value: object, what: Term, low: int, high: int) -> int:
    """A whole number in [low, high]; a number field's 400.0 counts (config.is_number: no bools, finite)."""
    if not is_number(value) or value != int(value) or not low <= value <= high:
        raise GeneratorError("err_generator_whole", what=what, low=low, high=high, got=repr(value))
    return int(value)


def generate(kind: str, n: int, seed: int = 0) -> list[dict]:
    n, seed = check_settings(n, seed)
    return generator(kind).generate(n, seed=seed)
