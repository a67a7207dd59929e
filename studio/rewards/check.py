"""The pre-flight check of a GRPO run's rewards, before the model loads: each reward scores the data's own reference
answers and the same answers deliberately broken (cut in half, half the JSON keys dropped, another label). A
reward that gives both about the same score cannot tell the model a better answer from a worse one, and is refused
with its figures."""
from __future__ import annotations

import json
import random
from collections.abc import Sequence
from dataclasses import dataclass

from studio.config import RunConfig
from studio.data.generate import gold_text
from studio.evaluate import meters, structure
from studio.rewards import PENALTIES, Reward, RewardError, check_apply, parse, score
from studio.train.data import usable

MIN_GAP = 0.1
"""The least the references must score above the broken answers for a reward to guide training."""
SAMPLE = 200
"""Rows the check scores at most: enough to tell a gap, quick on any data."""


@dataclass(frozen=True)
class Figures:
    """One reward's scores on the references and on the broken answers (means)."""

    name: str
    weight: float
    good: float
    broken: float

    @property
    def tells_apart(self) -> bool:
        return self.good - self.broken >= MIN_GAP


def _truncated(text: str) -> str:
    return text[: len(text) // 2]


def _keys_dropped(text: str) -> str | None:
    obj = structure.extract_json(text)
    if not obj or len(obj) < 2:
        return None
    keys = list(obj)
    return json.dumps({k: obj[k] for k in keys[: len(keys) // 2]})


def _wrong_label(text: str, labels: Sequence[str]) -> str | None:
    mine = structure.normalize_label(text)
    if mine not in labels:
        return None
    others = [label for label in labels if label != mine]
    return random.Random(mine).choice(others) if others else None


def broken(rows: Sequence[dict]) -> list[tuple[str, dict]]:
    """(a broken answer, its row) for every way each reference can be broken: truncated always; keys dropped where
    it is a JSON object; another label where it is one of the data's labels."""
    labels = structure.label_set(rows) if meters.guess_meter(rows)[0] == "classify" else []  # else none to swap in
    out = []
    for row in rows:
        gold = gold_text(row)
        for made in (_truncated(gold), _keys_dropped(gold), _wrong_label(gold, labels) if labels else None):
            if made is not None and made != gold:
                out.append((made, row))
    return out


def figures(chosen: Sequence[Reward], rows: Sequence[dict]) -> list[Figures]:
    """Each reward's mean score on the references and on the broken answers (a sample of rows, fixed)."""
    sample = list(rows) if len(rows) <= SAMPLE else random.Random(0).sample(list(rows), SAMPLE)
    bad = broken(sample)
    found = []
    for reward in chosen:
        good = score(reward, [gold_text(r) for r in sample], sample)
        worse = score(reward, [t for t, _ in bad], [r for _, r in bad]) if bad else good
        found.append(Figures(reward.name, reward.weight, _mean(good), _mean(worse)))
    return found


def check(chosen: Sequence[Reward], rows: Sequence[dict]) -> list[Figures]:
    """The figures of rewards that all apply and all tell the references from broken answers; else RewardError."""
    check_apply(chosen, rows)
    found = figures(chosen, rows)
    for f in found:
        if f.name not in PENALTIES and not f.tells_apart:
            raise RewardError("err_reward_blind", name=f.name, good=f"{f.good:.2f}", broken=f"{f.broken:.2f}")
    return found


def preflight(cfg: RunConfig) -> list[Figures]:
    """A GRPO config's rewards checked on its data's usable rows, before a run exists (the Train step's Start)."""
    return check(parse(cfg.train.reward), usable(cfg.data, cfg.train.method))


def table(found: Sequence[Figures]) -> list[str]:
    """The figures as lines (`studio rewards`, the worker's log)."""
    return [f"{f.name:<24} weight {f.weight:g}  references {f.good:.2f}  broken {f.broken:.2f}" for f in found]


def _mean(values: Sequence[float]) -> float:
    return sum(values) / len(values) if values else 0.0
