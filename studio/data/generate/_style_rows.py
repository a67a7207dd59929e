"""Shared plumbing for the style generators (gozaru, shakespeare): the question/answer corpus format,
composing n distinct rows from it, splitting it into a preset whose eval and probes are held out, and
`Style`: a tone's generator (check_row, generate, build_preset) from its rewriter and its test.

Corpus files (studio/data/generate/corpus/*.txt) hold one pair a line, `question|answer`, under
`# category` headings; blank lines and lines starting with `;` are ignored.
"""
from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import NamedTuple

from studio.data.generate import GeneratorError
from studio.data.generate._struct_common import (
    check_shape,
    gold_text,
    make_row,
    user_text,
)
from studio.data.generate.preset import CORPUS_DIR, write_preset

__all__ = [
    "Pair",
    "Style",
    "build_preset",
    "check_shape",
    "compose",
    "gold_text",
    "load_corpus",
    "make_row",
    "user_text",
]

RowFactory = Callable[[str, str, str], dict]  # (question, plain answer, category) -> row
RowCheck = Callable[[dict], str | None]


class Pair(NamedTuple):
    category: str
    question: str
    answer: str


@cache
def load_corpus(name: str) -> tuple[Pair, ...]:
    """Pairs of corpus/<name>.txt, in file order. A question that repeats is an authoring error."""
    pairs: list[Pair] = []
    category = "misc"
    text = (CORPUS_DIR / f"{name}.txt").read_text(encoding="utf-8")
    for number, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line or line.startswith(";"):
            continue
        if line.startswith("#"):
            category = line.lstrip("# ").strip()
            continue
        question, sep, answer = line.partition("|")
        if not sep or not question.strip() or not answer.strip():
            raise GeneratorError("err_style_corpus_line", name=name, number=number)
        pairs.append(Pair(category, question.strip(), answer.strip()))
    if len({p.question for p in pairs}) != len(pairs):
        raise GeneratorError("err_style_corpus_repeats", name=name)
    return tuple(pairs)


def _candidates(pairs: Sequence[Pair], framings: Sequence[str], rng: random.Random):
    """Every pair in its plain wording first, then the other wordings, then two-question rows.

    The plain pass comes first so that a small n already covers as many topics as possible."""
    order = list(pairs)
    rng.shuffle(order)
    yield from ((framings[0].format(q=p.question), p) for p in order)
    rest = [(f, p) for p in order for f in framings[1:]]
    rng.shuffle(rest)
    yield from ((f.format(q=p.question), p) for f, p in rest)
    while True:  # unbounded: pairs of pairs are plentiful (n is capped at 100,000 upstream)
        a, b = rng.sample(order, 2)
        yield None, (a, b)


def compose(pairs: Sequence[Pair], n: int, seed: int, framings: Sequence[str], joiner: str,
            make: RowFactory, check: RowCheck) -> list[dict]:
    """n rows with distinct prompts; every row passes `check` (a failing candidate is skipped)."""
    rows: list[dict] = []
    seen: set[str] = set()
    for prompt, item in _candidates(pairs, framings, random.Random(seed)):
        if len(rows) >= n:
            break
        if prompt is None:  # a two-question row: both answers, in order
            a, b = item
            prompt = f"{a.question}{joiner}{b.question}"
            row = make(prompt, _join_answers(a.answer, b.answer, joiner), f"{a.category}+{b.category}")
        else:
            row = make(prompt, item.answer, item.category)
        if prompt not in seen and check(row) is None:
            seen.add(prompt)
            rows.append(row)
    return rows


def _join_answers(first: str, second: str, joiner: str) -> str:
    # Japanese runs sentences together; English needs a space.
    return first + ("" if joiner.strip() == joiner else " ") + second


def split_pairs(pairs: Sequence[Pair], seed: int, n_probes: int, n_eval: int):
    """(probe pairs, eval pairs, train pairs), disjoint by question, from one seeded shuffle."""
    order = list(pairs)
    random.Random(seed).shuffle(order)
    return order[:n_probes], order[n_probes:n_probes + n_eval], order[n_probes + n_eval:]


def build_preset(out_dir: str | Path, spec: dict, pairs: Sequence[Pair], seed: int, make: RowFactory,
                 check: RowCheck, n_probes: int = 20, n_eval: int = 60) -> Path:
    """Write a style preset: train, eval and probes come from disjoint pairs of the corpus."""
    probes, evals, train = split_pairs(pairs, seed, n_probes, n_eval)
    rows = {name: [make(p.question, p.answer, p.category) for p in part]
            for name, part in (("train", train), ("eval", evals))}
    bad = [r for part in rows.values() for r in part if check(r) is not None]
    if bad:
        raise GeneratorError("err_style_rows_fail", count=len(bad), why=check(bad[0]))
    return write_preset(out_dir, spec, rows["train"], rows["eval"], [p.question for p in probes])


@dataclass(frozen=True)
class Style:
    """A tone's generator: plain corpus pairs, framed as users ask them, answered in the tone by `rewrite`;
    every answer must pass `in_tone` (`tone` names it in a row's problem). The gozaru and shakespeare modules
    are each one Style and expose its check_row, generate and build_preset."""

    pairs: Callable[[], Sequence[Pair]]
    framings: Sequence[str]
    joiner: str
    rewrite: Callable[[str], str]
    in_tone: Callable[[str], bool]
    tone: str

    def check_row(self, row: dict) -> str | None:
        reason = check_shape(row)
        if reason:
            return reason
        answer = gold_text(row)
        if not self.in_tone(answer):
            return f"assistant answer is not {self.tone}: {answer[:60]!r}"
        return None

    def make(self, question: str, answer: str, category: str) -> dict:
        return make_row(question, self.rewrite(answer), {"category": category, "source": answer})

    def generate(self, n: int, seed: int = 0) -> list[dict]:
        """n distinct rows: a neutral question → its plain answer rewritten in the tone."""
        return compose(self.pairs(), n, seed, self.framings, self.joiner, self.make, self.check_row)

    def build_preset(self, out_dir: str | Path, spec: dict, seed: int) -> Path:
        """The tone's preset (fixed seed): topics are split, so eval and probes ask about things the
        training rows never mention."""
        return build_preset(out_dir, spec, self.pairs(), seed, self.make, self.check_row)
