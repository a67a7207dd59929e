"""Shared plumbing for the structure generators (json, sql, classify): row building, distinct
sampling, and splitting rows into a preset's train, eval and probes (`preset.write_preset` writes them).
Each task module then holds only what is its own."""
from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

from studio.text import Said

# One candidate row from (rng, index); the index lets a generator rotate classes or directions.
RowMaker = Callable[[random.Random, int], dict]
RowChecker = Callable[[dict], str | None]


class GeneratorFault(Said, RuntimeError):
    """A generator that could not make what was asked (its own fault, not a setting's): a RuntimeError, so the
    command line ends with status 1; said in the UI's language. studio.data.generate exports it beside
    GeneratorError."""


def make_row(user: str, assistant: str, meta: dict[str, Any]) -> dict:
    return {
        "messages": [
            {"role": "user", "content": user},
            {"role": "assistant", "content": assistant},
        ],
        "meta": meta,
    }


def user_text(row: dict) -> str:
    """The last user turn (the prompt a model sees)."""
    turns = [m for m in row.get("messages", []) if m.get("role") == "user"]
    return str(turns[-1].get("content", "")) if turns else ""


def gold_text(row: dict) -> str:
    """The reference answer: the last assistant turn."""
    turns = [m for m in row.get("messages", []) if m.get("role") == "assistant"]
    return str(turns[-1].get("content", "")) if turns else ""


def article(phrase: str) -> str:
    """'a' or 'an' for the phrase (by its first letter; good enough for these vocabularies)."""
    return "an" if phrase[:1].lower() in "aeiou" else "a"


def check_shape(row: dict) -> str | None:
    """Checks every structure row shares: ends user then assistant, non-empty, a one-line prompt."""
    if not isinstance(row, dict) or not isinstance(row.get("messages"), list):
        return "row has no messages list"
    roles = [m.get("role") for m in row["messages"] if isinstance(m, dict)]
    if roles[-2:] != ["user", "assistant"]:
        return "row must end with a user turn then an assistant turn"
    if not user_text(row).strip() or not gold_text(row).strip():
        return "empty user or assistant turn"
    if "\n" in user_text(row):
        return "user prompt must be one line (probes.txt holds one prompt per line)"
    if not isinstance(row.get("meta"), dict):
        return "row has no meta dict"
    return None


def distinct_rows(make: RowMaker, check: RowChecker, n: int, seed: int) -> list[dict]:
    """n rows whose prompts are distinct where the generator allows it; every row passes `check`.

    Candidates are drawn until n distinct prompts are found; after a generous number of tries
    duplicates are accepted so a tiny vocabulary can never make this loop forever."""
    rng = random.Random(seed)
    rows: list[dict] = []
    seen: set[str] = set()
    tries = 0
    while len(rows) < n:
        row = make(rng, len(rows))
        tries += 1
        if check(row) is not None:
            continue  # never reached by a sound generator; the tests check_row every row anyway
        prompt = user_text(row)
        if prompt in seen and tries < 20 * n + 100:
            continue
        seen.add(prompt)
        rows.append(row)
    return rows


def held_out(candidates: list[dict], taken: set[str], n: int) -> list[dict]:
    """The first n candidates whose prompt is not in `taken` (nor repeated): no leak into eval."""
    out: list[dict] = []
    for row in candidates:
        prompt = user_text(row)
        if prompt in taken:
            continue
        taken.add(prompt)
        out.append(row)
        if len(out) == n:
            break
    if len(out) < n:
        raise GeneratorFault("err_generator_held_out", found=len(out), wanted=n)
    return out


def split_preset(
    generate: Callable[[int, int], list[dict]],
    sizes: tuple[int, int, int],
    seed: int,
    keep_eval: Callable[[dict], bool] = lambda row: True,
) -> tuple[list[dict], list[dict], list[str]]:
    """Train rows, eval rows and probe prompts, pairwise disjoint by user prompt."""
    n_train, n_eval, n_probes = sizes
    train = generate(n_train, seed)
    taken = {user_text(r) for r in train}
    pool = [r for r in generate(4 * (n_eval + n_probes), seed + 1) if keep_eval(r)]
    evals = held_out(pool, taken, n_eval)
    probes = [user_text(r) for r in held_out(pool, taken, n_probes)]
    return train, evals, probes
