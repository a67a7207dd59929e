"""Dataset generators. Each module of KINDS exposes

    generate(n: int, seed: int = 0) -> list[dict]      # rows: {"messages": [...]} (+ optional "meta")
    check_row(row: dict) -> str | None                  # None when the row is valid, else the reason

and every row a generator returns has passed its own check_row. Each module of PRESETS (the KINDS and the
preset-only alpaca, chat and facts) exposes

    build_preset(out_dir) -> Path                       # writes presets/<name>'s files into out_dir, fixed seed

the one way a shipped preset is made (`studio data build-preset NAME|all`).
"""
from __future__ import annotations

import importlib
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

from studio.config import is_number
from studio.data.generate._struct_common import GeneratorFault, gold_text, user_text
from studio.data.generate._struct_sqlite import SqlError, execute, execute_file, result_key
from studio.presets import NoPreset
from studio.text import Said, Term

# gold_text, user_text and the SQL sandbox are public for the meters (studio.evaluate): they judge a row by
# the rules the generators write it by.
__all__ = ["KINDS", "MAX_ROWS", "MAX_SEED", "PRESETS", "GeneratorError", "GeneratorFault", "SqlError",
           "build_preset", "check_settings", "execute", "execute_file", "generate", "generator", "gold_text",
           "preset_builder", "result_key", "user_text"]

KINDS: dict[str, str] = {
    "gozaru": "studio.data.generate.gozaru",
    "shakespeare": "studio.data.generate.shakespeare",
    "json": "studio.data.generate.json_task",
    "sql": "studio.data.generate.sql_task",
    "classify": "studio.data.generate.classify_task",
}
PRESETS: dict[str, str] = {
    **KINDS,
    "chat": "studio.data.generate.chat",
    "alpaca": "studio.data.generate.alpaca",
    "facts": "studio.data.generate.facts",
}
"""Every shipped preset, by name, and the module whose build_preset(out_dir) writes it."""


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


def preset_builder(name: str) -> Callable[[str | Path], Path]:
    """The build_preset of a shipped preset; its module is imported only when asked for."""
    if name not in PRESETS:
        raise NoPreset("err_no_preset", name=repr(name), names=", ".join(PRESETS))
    return importlib.import_module(PRESETS[name]).build_preset


def build_preset(name: str, out_dir: str | Path) -> Path:
    """Write preset `name` into out_dir (a folder it creates if needed): the same bytes as presets/<name>."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    return preset_builder(name)(out)
