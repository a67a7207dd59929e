"""Preference pairs made by the task meter: the tuned model answers each training prompt k times (sampled),
the run's meter scores every answer (schema-valid JSON, SQL execution match, gozaru/Shakespeare form, the
right class...), and the best answer is paired against the worst. A DPO run on these pairs pushes the
model toward what the meter rewards, on its own kind of output. Every pair keeps all k scores, so a user
can see why it exists; prompts whose answers all score the same make no pair.
"""
from __future__ import annotations

import random
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from studio import runs
from studio.chat import GenSettings
from studio.compare.engine import Comparer, build_columns
from studio.data.store import datasets_dir
from studio.evaluate import EvalError, meters
from studio.evaluate.run_eval import (
    BATCH_SIZE,
    Progress,
    gen_settings,
    gold,
    meter_for,
    split_prompt,
    without_system,
)
from studio.fsutil import write_jsonl
from studio.paths import check_name, inside
from studio.text import Term
from studio.train.data import load_rows

K = 4
LIMIT = 64


@dataclass
class PairSet:
    path: Path
    meter: str
    prompts: int
    pairs: int
    mean_best: float
    mean_worst: float
    """The meter's mean over the best and the worst answer of each prompt that made a pair."""


def answer_score(meter_id: str, answer: str, row: dict) -> float:
    """One answer's score: the meter's primary share, plus a tenth of its other shares as a tie-break
    (two schema-valid answers: the one with more right fields is better)."""
    result = meters.score(meter_id, [answer], [row])
    others = [v for k, v in result.items() if k in meters.PERCENT_KEYS and k != "primary"]
    return result["primary"] + 0.1 * (statistics.fmean(others) if others else 0.0)


def meter_pairs(run_id: str, *, k: int = K, limit: int = LIMIT, temperature: float = 0.9, seed: int = 0,
                out: Path | None = None, progress: Progress | None = None) -> PairSet:
    """Sample, score and pair (see the module docstring); the pairs are written as JSONL (TRL's
    conversational prompt/chosen/rejected, with the scores under "meta")."""
    if not 2 <= k <= 16:
        raise EvalError("err_flag_range", flag=Term("err_what_answers_per_prompt"), low=2, high=16)
    run = runs.get(run_id)
    cfg = run.config()
    rows = load_rows(cfg)[0]
    rows = random.Random(seed).sample(rows, min(limit, len(rows)))
    kind, meter_id = meter_for(run, rows)
    comparer = Comparer(cfg.model.name, trust_remote_code=cfg.model.trust_remote_code)
    settings = gen_settings(kind, [gold(r) for r in rows], comparer.chat.tokenizer)
    settings = GenSettings(max_new_tokens=settings.max_new_tokens, temperature=temperature, top_p=0.95,
                           repetition_penalty=settings.repetition_penalty, seed=seed)
    answers = _sample(comparer, run_id, rows, k, settings, progress)
    pairs = [p for p in (_pair(meter_id, row, texts, run_id) for row, texts in zip(rows, answers)) if p]
    path = out or inside(datasets_dir(), f"pairs-{check_name(run_id, 'run id')}.jsonl")
    write_jsonl(path, pairs)
    best = [p["meta"]["chosen_score"] for p in pairs]
    worst = [p["meta"]["rejected_score"] for p in pairs]
    return PairSet(path, meter_id, len(rows), len(pairs), _mean(best), _mean(worst))


def _sample(comparer: Comparer, run_id: str, rows: Sequence[dict], k: int, settings: GenSettings,
            progress: Progress | None) -> list[list[str]]:
    """k sampled answers of the run's adapter per row; k copies of a prompt share a batch."""
    jobs = []
    system = runs.get(run_id).config().data.system_prompt
    for i, row in enumerate(rows):
        prompt, history = split_prompt(without_system(row, system))  # the tuned column adds it back
        column = build_columns(comparer.model_name, prompt, ["tuned"], run_id=run_id, history=history)[0]
        jobs += [(i, column)] * k
    out: list[list[str]] = [[] for _ in rows]
    for start in range(0, len(jobs), BATCH_SIZE):
        chunk = jobs[start:start + BATCH_SIZE]
        settings.seed += 1  # each batch its own draw, reproducible from the seed
        for (i, _), text in zip(chunk, comparer.generate([c for _, c in chunk], settings)):
            out[i].append(text)
        if progress:
            progress(min(1.0, (start + len(chunk)) / len(jobs)), "sampling answers")
    return out


def _pair(meter_id: str, row: dict, texts: list[str], run_id: str) -> dict | None:
    scores = [round(answer_score(meter_id, text, row), 4) for text in texts]
    best, worst = max(range(len(texts)), key=scores.__getitem__), min(range(len(texts)), key=scores.__getitem__)
    if scores[best] <= scores[worst] or texts[best].strip() == texts[worst].strip():
        return None
    # the prompt: the system prompt, the history and the question (the gold answer left out)
    return {"prompt": row["messages"][:-1], "chosen": [{"role": "assistant", "content": texts[best]}],
            "rejected": [{"role": "assistant", "content": texts[worst]}],
            "meta": {"meter": meter_id, "scores": scores, "answers": texts, "chosen_score": scores[best],
                     "rejected_score": scores[worst], "source_run": run_id}}


def _mean(values: list[float]) -> float:
    return round(statistics.fmean(values), 4) if values else 0.0
