"""The task meter of Compare's batch mode: one share per column for the prompts in the table.

Probe prompts and pasted lists come without gold answers, while some meters need them. So:
- style meters (gozaru, shakespeare, nonempty, regex:...) judge the answers alone: every prompt counts;
- the other meters (json_mr, sql, classify, fact_recall) judge the prompts the run's data holds a gold
  answer for (its eval and train rows, or a preset's facts.yaml probes);
- with no gold at all, JSON, SQL and classify fall back to a form check that needs none
  (schema-valid JSON, a query that parses, a known label), named as such in the label.
No model here: pure and fast, like the meters themselves."""
from __future__ import annotations

import contextlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import yaml

from studio import presets
from studio.data.generate.classify_task import LABELS
from studio.data.generate.json_task import VALIDATOR
from studio.data.generate.sql_task import parses
from studio.evaluate import EvalError, meters
from studio.evaluate.run_eval import eval_rows, meter_for, split_prompt
from studio.evaluate.structure import extract_json, extract_sql, normalize_label
from studio.train.data import load_rows

GOLD_FREE = {"gozaru", "shakespeare", "nonempty", "regex"}
"""Meters that judge an answer on its own (meters.meter_key ids)."""
PROBES_FALLBACK = 20
"""A run without a preset has no probes.txt: its first eval prompts stand in (they have gold)."""


@dataclass
class MeterLine:
    key: str
    """The label's id: a meter key ("gozaru") or a form check ("json_form", "sql_form", "label_form")."""
    label: str
    """English label (the UI translates `key` where it can)."""
    shares: dict[str, float] = field(default_factory=dict)
    """Column key -> primary share (0..1); empty when nothing could be judged."""
    scored: int = 0
    total: int = 0
    unanswered: dict[str, int] = field(default_factory=dict)
    """Column key -> prompts its endpoint could not answer; its share counts only the others."""


def _json_form(text: str) -> bool:
    obj = extract_json(text)
    return obj is not None and VALIDATOR.is_valid(obj)


def _sql_form(text: str) -> bool:
    sql = extract_sql(text)
    return bool(sql) and parses(sql)


def _label_form(text: str) -> bool:
    return normalize_label(text) in LABELS


FORM_CHECKS: dict[str, tuple[str, str, Callable[[str], bool]]] = {
    "json_mr": ("json_form", "schema-valid JSON rate (form only)", _json_form),
    "sql": ("sql_form", "SQL parse rate (form only)", _sql_form),
    "classify": ("label_form", "valid label rate (form only)", _label_form),
}


def _rows(run) -> list[dict]:
    """The run's eval rows, then its train rows: where gold answers for a prompt may be found."""
    found: list[dict] = []
    with contextlib.suppress(ValueError, KeyError, OSError):
        found += eval_rows(run)
    with contextlib.suppress(ValueError, KeyError, OSError):
        found += load_rows(run.config())[0]
    return found


def _preset(run):
    name = run.config().data.preset
    if not name:
        return None
    try:
        return presets.load(name)
    except (KeyError, ValueError):
        return None  # the preset is gone: no probes, no facts file


def probe_rows(preset) -> tuple[list[dict], str, str]:
    """(rows, old, new): a preset's facts.yaml probes as eval rows whose meta names the new and the old fact
    (Batch's meter asks them beside the preset's own rows)."""
    raw = yaml.safe_load((preset.path / "facts.yaml").read_text(encoding="utf-8")) or {}
    old, new = str(raw.get("old", "Romeo")), str(raw.get("new", "Bob"))
    rows = [{"messages": [{"role": "user", "content": p["prompt"]},
                          {"role": "assistant", "content": str(p.get("answer", new))}],
             "meta": {"answer": str(p.get("answer", new)), "wrong": str(p.get("wrong", old))}}
            for p in raw.get("probes") or []]
    if not rows:
        raise EvalError("err_eval_no_probes", file=preset.path / "facts.yaml")
    return rows, old, new


def known_rows(run) -> dict[str, dict]:
    """Prompt (last user turn) -> a row with its gold answer, from everything the run knows."""
    rows = _rows(run)
    preset = _preset(run)
    if preset is not None and (preset.path / "facts.yaml").is_file():
        with contextlib.suppress(ValueError, OSError):
            rows = probe_rows(preset)[0] + rows
    out: dict[str, dict] = {}
    for row in rows:
        with contextlib.suppress(ValueError, KeyError):  # a row without a user turn has no prompt
            out.setdefault(split_prompt(row)[0].strip(), row)
    return out


def run_prompts(run) -> list[str]:
    """The run's probe prompts: its preset's probes.txt, else the first eval prompts of its data."""
    preset = _preset(run)
    if preset is not None and preset.probes():
        return preset.probes()

    with contextlib.suppress(ValueError, KeyError, OSError):
        return [split_prompt(r)[0] for r in eval_rows(run, PROBES_FALLBACK)]
    return []


def batch_meter(run, prompts: Sequence[str], answers: dict[str, list[str]]) -> MeterLine:
    """The run's task meter on `answers` (column key -> one answer per prompt, in prompt order)."""
    known = known_rows(run)
    matched = [known.get(p.strip()) for p in prompts]
    _, meter_id = meter_for(run, [r for r in known.values()][:200])
    key = meters.meter_key(meter_id)
    if key in GOLD_FREE:
        rows = [r or {"messages": [{"role": "user", "content": p}]} for p, r in zip(prompts, matched)]
        return _scored(key, meters.primary_label(meter_id), meter_id, answers, rows, range(len(prompts)))
    keep = [i for i, r in enumerate(matched) if r is not None]
    if keep:
        rows = [r for r in matched if r is not None]
        return _scored(key, meters.primary_label(meter_id), meter_id, answers, rows, keep)
    if meter_id in FORM_CHECKS:
        form_key, label, check = FORM_CHECKS[meter_id]
        shares = {c: sum(map(check, outs)) / len(outs) for c, outs in answers.items() if outs}
        return MeterLine(form_key, label, shares, len(prompts), len(prompts))
    return MeterLine(key, meters.primary_label(meter_id), {}, 0, len(prompts))


def meter_with_gaps(run, prompts: Sequence[str], answers: dict[str, list[str]],
                    failed: dict[str, set[int]]) -> MeterLine:
    """batch_meter, where an endpoint column that could not answer some prompts is measured on the others
    (a timeout is no answer, so it is not scored as a wrong one)."""
    whole = {col: outs for col, outs in answers.items() if not failed.get(col)}
    line = batch_meter(run, prompts, whole)
    for col, gaps in failed.items():
        keep = [i for i in range(len(prompts)) if i not in gaps]
        if gaps and keep:
            part = batch_meter(run, [prompts[i] for i in keep], {col: [answers[col][i] for i in keep]})
            line.shares.update(part.shares)
        if gaps:
            line.unanswered[col] = len(gaps)
    line.shares = {col: line.shares[col] for col in answers if col in line.shares}
    return line


def _scored(key: str, label: str, meter_id: str, answers: dict[str, list[str]], rows: list[dict],
            keep: Sequence[int]) -> MeterLine:
    total = max((len(v) for v in answers.values()), default=0)
    shares = {col: meters.score(meter_id, [outs[i] for i in keep], rows)["primary"]
              for col, outs in answers.items()}
    return MeterLine(key, label, shares, len(keep), total)
