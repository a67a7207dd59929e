"""The studio's meters as GRPO rewards: each scores one sampled answer against its row (the prompt's reference
answer and meta stay beside it) with the same judgement `studio eval` counts, so RL sharpens exactly the form the
Evaluate step measures. A reward is chosen as NAME or NAME:WEIGHT (`json_schema:1,json_fields:0.5`)."""
from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from statistics import fmean

from studio.data.generate import gold_text
from studio.data.generate.sql_task import parses
from studio.data.tokenize import is_text_row
from studio.evaluate import meters, structure, style
from studio.text import Said

__all__ = ["LATEST", "REWARDS", "Reward", "RewardError", "applicable", "fits", "parse", "score", "style_meter"]

Judge = Callable[[str, dict], float]
LATEST = "completions.json"
"""A GRPO run's latest sampled answers with each reward's score, in its run folder (the Train step's table)."""
LENGTH_SLACK = 1.5
"""An answer may run to this many times its reference before the length penalty starts."""
FIT_SHARE = 0.5
"""A reward fits data when at least this share of its references can be judged by it."""


class RewardError(Said, ValueError):
    """A reward the user chose that cannot guide this run; said in the UI's language, before anything loads."""


@dataclass(frozen=True)
class Reward:
    name: str
    """As chosen: json_schema, regex:PATTERN…"""
    weight: float = 1.0

    @property
    def key(self) -> str:
        """The registry key: "regex" for every regex reward."""
        return meters.meter_key(self.name)


def _json_field(key: str) -> Judge:
    return lambda text, row: structure.json_mr([text], [row])[key]


def _sql_field(key: str) -> Judge:
    return lambda text, row: structure.sql([text], [row])[key]


def _label(text: str, row: dict) -> float:
    return float(structure.normalize_label(text) == structure.normalize_label(gold_text(row)))


def _length(text: str, row: dict) -> float:
    """0 up to LENGTH_SLACK x the reference's length, then down to -1 at twice that: rambling costs."""
    allowed = LENGTH_SLACK * max(1, len(gold_text(row)))
    return -min(1.0, max(0.0, len(text) - allowed) / allowed)


REWARDS: dict[str, Judge | None] = {
    "json_parses": lambda text, row: float(structure.extract_json(text) is not None),
    "json_schema": _json_field("schema_valid"),
    "json_fields": _json_field("field_accuracy"),
    "sql_parses": _sql_field("parse_rate"),
    "sql_executes": _sql_field("exec_rate"),
    "sql_matches": _sql_field("primary"),
    "style": None,  # the data's own style meter (style_meter), chosen from its references
    "label": _label,
    "regex": None,  # regex:PATTERN
    "length": _length,
}
"""Every reward by name: a judge (answer, row) -> score in 0..1 (length: a penalty in -1..0)."""
PENALTIES = {"length"}
"""Rewards that take points off rather than judge form: the pre-flight check does not ask them to tell apart."""


def parse(spec: str | None) -> list[Reward]:
    """`json_schema:1,json_fields:0.5` -> Rewards; a regex keeps its colons (`regex:^\\d+$:2` weighs 2)."""
    found = []
    for part in (p.strip() for p in (spec or "").split(",")):
        if not part:
            continue
        name, weight = part, 1.0
        head, _, tail = part.rpartition(":")
        if head and re.fullmatch(r"-?\d+(\.\d+)?", tail) and (head.startswith(meters.REGEX_PREFIX) or ":" not in head):
            name, weight = head, float(tail)
        if meters.meter_key(name) not in REWARDS:
            raise RewardError("err_reward_unknown", name=name, known=", ".join([*REWARDS][:-2] + ["regex:PATTERN",
                                                                                                 "length"]))
        if name.startswith(meters.REGEX_PREFIX):
            _compiles(name)
        found.append(Reward(name, weight))
    if not found:
        raise RewardError("err_reward_none")
    return found


def _compiles(name: str) -> None:
    """A regex reward's pattern must compile: refused here, with Python's reason and how to write one."""
    try:
        re.compile(name[len(meters.REGEX_PREFIX):])
    except re.error as e:
        raise RewardError("err_reward_regex", name=name, why=e) from None


def style_meter(rows: Sequence[dict]) -> str | None:
    """gozaru or shakespeare, whichever the references are written in (None: neither)."""
    golds = [gold_text(r) for r in rows]
    for name, judge in (("gozaru", style.is_gozaru), ("shakespeare", style.is_shakespearean)):
        if golds and _mean([float(judge(g)) for g in golds]) >= FIT_SHARE:
            return name
    return None


def judge_for(reward: Reward, rows: Sequence[dict]) -> Judge:
    """The function that scores one answer for this reward on these rows."""
    if reward.key == "regex":
        regex = meters.get_meter(reward.name)
        return lambda text, row: regex([text], [row])["primary"]
    if reward.key == "style":
        meter = meters.get_meter(style_meter(rows) or "nonempty")
        return lambda text, row: meter([text], [row])["primary"]
    return REWARDS[reward.key]


def score(reward: Reward, texts: Sequence[str], rows: Sequence[dict]) -> list[float]:
    """One score per answer; texts[i] answers rows[i]."""
    judge = judge_for(reward, rows)
    return [float(judge(text, row)) for text, row in zip(texts, rows)]


def applicable(key: str, rows: Sequence[dict]) -> bool:
    """Whether a reward can judge these rows: their references are what it reads (JSON, SQL with its tables in
    meta, labels, a style); regex and length fit any data."""
    golds = [gold_text(r) for r in rows]
    if not golds:
        return False
    if key.startswith("json"):
        return _mean([float(structure.extract_json(g) is not None) for g in golds]) >= FIT_SHARE
    if key.startswith("sql"):
        return _mean([float(structure.sql_runner(r) is not None) for r in rows]) >= FIT_SHARE
    if key == "label":
        return meters.guess_meter(rows)[0] == "classify"
    if key == "style":
        return style_meter(rows) is not None
    return True


def fits(rows: Sequence[dict]) -> list[str]:
    """The rewards that apply to these rows, in the registry's order (regex shown as regex:PATTERN); none for raw
    text, which has no prompts to answer."""
    if rows and is_text_row(rows[0]):
        return []
    return [k if k != "regex" else "regex:PATTERN" for k in REWARDS if applicable(k, rows)]


def check_apply(chosen: Sequence[Reward], rows: Sequence[dict]) -> None:
    """Refuse raw text (no prompts to answer), then the first reward that cannot judge these rows, naming those
    that can, and an SQL reward whose database file is missing or whose SQL has no tables to run on."""
    if rows and is_text_row(rows[0]):
        raise RewardError("err_reward_raw_text")
    for reward in chosen:
        if reward.key.startswith("sql"):
            _check_tables(reward, rows)
        if not applicable(reward.key, rows):
            raise RewardError("err_reward_applies", name=reward.name, fits=", ".join(fits(rows)))


def _check_tables(reward: Reward, rows: Sequence[dict]) -> None:
    """A SQLite file the rows name must be there; SQL references with no tables at all are told where to put them
    (a JSON set's references are not SQL: err_reward_applies says that)."""
    named = {(r.get("meta") or {}).get("sqlite") for r in rows} - {None}
    missing = sorted(str(p) for p in named if not (isinstance(p, str) and Path(p).is_absolute() and Path(p).is_file()))
    if missing:
        raise RewardError("err_reward_sqlite_missing", name=reward.name, path=missing[0])
    golds = [gold_text(r) for r in rows]
    if not applicable(reward.key, rows) and golds and _mean([float(parses(g)) for g in golds]) >= FIT_SHARE:
        raise RewardError("err_reward_sql_tables", name=reward.name)


def _mean(values: Sequence[float]) -> float:
    return fmean(values) if values else 0.0
