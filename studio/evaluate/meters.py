"""The meter registry: one id per task meter (the `meter` key of a preset), loss helpers, and a guess
of the meter for a user's own data. Meters are pure and fast (no model); see style.py and structure.py
for what each one counts."""
from __future__ import annotations

import functools
import math
import re
from collections.abc import Callable, Sequence

from studio.data.generate import gold_text
from studio.evaluate import structure, style
from studio.text import TEXT, Said, t

Meter = Callable[[list[str], list[dict]], dict[str, float]]

METERS: dict[str, Meter] = {
    "gozaru": style.gozaru,
    "shakespeare": style.shakespeare,
    "nonempty": style.nonempty,
    "fact_recall": style.fact_recall,
    "json_mr": structure.json_mr,
    "sql": structure.sql,
    "classify": structure.classify,
}
REGEX_PREFIX = "regex:"
"""A user's own style test: "regex:PATTERN" scores the share of answers where PATTERN matches."""

# Which task kind a meter judges (the `task` of a preset); "regex" is a style.
METER_KIND: dict[str, str] = {"gozaru": "style", "shakespeare": "style", "regex": "style",
                              "nonempty": "chat", "fact_recall": "facts", "json_mr": "json",
                              "sql": "sql", "classify": "classify"}

MAX_PERPLEXITY = 1e6  # exp() of a diverged loss: shown as "huge", never as inf


class MeterError(Said, ValueError):
    """A meter the user named that the studio cannot use; said in the UI's language."""


def get_meter(meter_id: str) -> Meter:
    """The meter for an id, or a regex meter for "regex:PATTERN"; unknown ids raise ValueError."""
    if meter_id.startswith(REGEX_PREFIX):
        pattern = meter_id[len(REGEX_PREFIX):]
        try:
            re.compile(pattern)
        except re.error as e:
            raise MeterError("err_meter_regex", pattern=repr(pattern), why=e) from None
        return functools.partial(style.regex_style, pattern=pattern)
    if meter_id not in METERS:
        raise MeterError("err_meter_unknown", meter=repr(meter_id), meters=", ".join(METERS))
    return METERS[meter_id]


def meter_key(meter_id: str) -> str:
    """The registry key ("regex" for every regex meter): for labels and kinds."""
    return "regex" if meter_id.startswith(REGEX_PREFIX) else meter_id


# How each measure reads: shares in 0..1 as percentages, counts as integers, the rest as numbers.
PERCENT_KEYS = {"primary", "parse_rate", "schema_valid", "field_accuracy", "exec_match", "exact_match",
                "accuracy", "new_fact", "old_fact", "empty", "first_person_sessha"}
COUNT_KEYS = {"n", "scored"}


SHARE_OF_ROWS = {"primary", "parse_rate", "schema_valid", "exact_match", "exec_rate", "valid_label_rate"}
"""Measures that count rows (each held-out row 0 or 1): their interval is a binomial one. Field accuracy (a mean
of per-row shares) is not."""
Z95 = 1.959964


def wilson(hits: float, n: float, z: float = Z95) -> tuple[float, float]:
    """The Wilson score interval of hits/n (n may be fractional: an effective sample size)."""
    if n <= 0:
        return 0.0, 1.0
    p = hits / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def format_measure(key: str, value: float | None, n: float | None = None) -> str:
    """One measure as a table cell (the Evaluate tab and the model card); a share of n rows with its 95% interval
    (Wilson's), so two columns' figures are read with what n rows can tell apart."""
    if value is None:
        return "—"
    if key in PERCENT_KEYS or key.endswith(("_rate", "_share")):
        if n and key in SHARE_OF_ROWS:
            lo, hi = wilson(value * n, n)
            return f"{100 * value:.1f}% [{100 * lo:.1f}–{100 * hi:.1f}]"
        return f"{100 * value:.1f}%"
    if key in COUNT_KEYS:
        return str(int(value))
    return f"{value:.3f}" if isinstance(value, float) else str(value)


def primary_label(meter_id: str, lang: str = "en") -> str:
    """The headline measure's name in lang (studio.text meter_<key>); an unknown id is its own name."""
    key = f"meter_{meter_key(meter_id)}"
    return t(lang, key) if key in TEXT["en"] else meter_id


def score(meter_id: str, outputs: Sequence[str], rows: Sequence[dict]) -> dict[str, float]:
    """The meter's dict for these answers; "primary" is always there (a share in 0..1)."""
    if len(outputs) != len(rows):
        raise MeterError("err_eval_outputs", outputs=len(outputs), rows=len(rows))
    result = get_meter(meter_id)(list(outputs), list(rows))
    return {k: float(v) for k, v in result.items()}


# ---- loss ---------------------------------------------------------------------------------------

def perplexity(loss: float | None) -> float | None:
    """exp(loss), the mean branching factor per answer token; capped so a diverged run stays a number."""
    if loss is None or not math.isfinite(loss):
        return None
    return MAX_PERPLEXITY if loss >= math.log(MAX_PERPLEXITY) else math.exp(loss)


def last_eval_loss(metrics: Sequence[dict]) -> float | None:
    """The last eval_loss a run logged (metrics.jsonl rows), or None when it logged none."""
    found = [m["eval_loss"] for m in metrics if m.get("eval_loss") is not None]
    return float(found[-1]) if found else None


def eval_loss_near(metrics: Sequence[dict], step: int) -> float | None:
    """The eval_loss logged at the latest eval step <= `step` (a checkpoint's own loss, as logged)."""
    found = [(m["step"], m["eval_loss"]) for m in metrics
             if m.get("eval_loss") is not None and m.get("step", 0) <= step]
    return float(max(found)[1]) if found else None


# ---- a meter for a user's own data --------------------------------------------------------------

def guess_meter(rows: Sequence[dict]) -> tuple[str, str]:
    """(task kind, meter id) for rows that came without a preset, judged from their gold answers:
    JSON objects -> json_mr; SQL with a schema in meta -> sql; a small label set -> classify;
    answers naming a meta "answer" -> fact_recall; anything else -> nonempty (a floor)."""
    golds = [gold_text(r) for r in rows]
    if not golds:
        return "chat", "nonempty"
    metas = [r.get("meta") or {} for r in rows]
    if _share(structure.extract_json(g) is not None for g in golds) >= 0.8:
        return "json", "json_mr"
    if _share(isinstance(m.get("schema"), str) for m in metas) >= 0.8:
        return "sql", "sql"
    if _share(m.get("answer") for m in metas) >= 0.8:
        return "facts", "fact_recall"
    labels = {structure.normalize_label(g) for g in golds}
    short = _share(len(g.split()) <= 3 for g in golds) >= 0.95
    if short and 2 <= len(labels) <= max(2, min(30, len(golds) // 3)):
        return "classify", "classify"
    return "chat", "nonempty"


def _share(flags) -> float:
    flags = [bool(f) for f in flags]
    return sum(flags) / len(flags) if flags else 0.0
