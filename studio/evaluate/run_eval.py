"""`studio eval`: a run's base and tuned model answer the eval rows it never trained on, greedily, and
the preset's meter scores both (plus the assistant-token loss and perplexity of each on the same rows).

Generation goes through studio.compare.engine (the same columns and prompts the Compare step shows); the rows
of several prompts and columns share one batched `generate` call."""
from __future__ import annotations

import contextlib
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from studio import presets, runs
from studio.chat import GenSettings
from studio.compare.adapters import adapter_for
from studio.compare.columns import same_time_run
from studio.compare.engine import Comparer, adapter_name, build_columns
from studio.data.passages import opening
from studio.data.tokenize import tokenize_row
from studio.evaluate import EvalError, meters
from studio.evaluate.structure import confusion
from studio.fsutil import atomic_write_json, read_json
from studio.models import compute
from studio.models.loss import answer_loss as loss_of
from studio.train.data import is_text_task, load_rows, with_system

EVAL_FILE = "eval.json"
N_SAMPLES = 10
BATCH_SIZE = 16
"""Sequences per generate call (prompts x columns): past ~16 the CPU gains little and memory grows."""
LOSS_COLUMNS = ("base", "tuned", "parent", "sametime")
"""Loss is measured only where the prompt is the trained one (alternatives add text to the prompt)."""
STRUCTURED = ("json", "sql", "classify")
Progress = Callable[[float, str], None]


@dataclass
class EvalResult:
    run: str
    kind: str
    meter: str
    meters: dict[str, dict[str, float]]
    """Per column ("base", "tuned", ...): the meter's dict, plus eval_loss/perplexity where measured."""
    n: int
    seconds: float
    samples: list[dict] = field(default_factory=list)
    settings: dict[str, Any] = field(default_factory=dict)
    confusion: dict[str, Any] | None = None
    """classify only: {"labels": [...], "<column>": matrix} (rows gold, columns answered)."""

    def delta(self, key: str = "primary", before: str = "base", after: str = "tuned") -> float | None:
        a, b = self.meters.get(before, {}).get(key), self.meters.get(after, {}).get(key)
        return None if a is None or b is None else b - a

    def to_dict(self) -> dict:
        return asdict(self)


# ---- rows and prompts --------------------------------------------------------------------------

def task_run(run):
    """The run whose data defines the task: a DPO/KTO run started from an SFT run is measured on that
    run's held-out rows with its meter (base -> SFT -> DPO on one yardstick)."""
    seen = {run.id}
    while run.config().train.method != "sft" and run.config().train.start_from not in (None, *seen):
        run = runs.get(run.config().train.start_from)
        seen.add(run.id)
    return run


def eval_rows(run, limit: int | None = None) -> list[dict]:
    """The run's eval split (the rows its worker held out: the preset's eval.jsonl, the user's eval
    file, or the seeded split of the training file), without the system prompt the run added. For a
    preference run, those of the run it started from; without one, its held-out pairs' chosen answers."""
    run = task_run(run)
    cfg = run.config()
    _, rows = load_rows(cfg)
    if cfg.train.method in ("dpo", "kto"):  # GRPO's rows are an SFT file's: prompts with their references
        rows = [{"messages": r["prompt"] + r.get("chosen", r.get("completion", []))} for r in rows
                if r.get("label", True)]
    if is_text_task(rows):
        rows = [r for r in map(continuation_row, rows) if r is not None]
    if not rows:
        raise EvalError("err_eval_no_rows", run=run.id)
    rows = [without_system(r, cfg.data.system_prompt) for r in rows]
    return rows[:limit] if limit else rows


def continuation_row(row: dict, gold_words: int = 48) -> dict | None:
    """A held-out passage of a raw-text run as an eval row: its opening is the prompt (continued without
    the chat template), its next words the gold answer; the whole passage is kept for the loss."""
    prompt, rest = opening(row["text"])
    words = rest.split()
    gold_text = " ".join(words[:gold_words]) if len(words) > 1 else rest.strip()[:120]  # Japanese: no spaces
    if not gold_text:
        return None
    return {"messages": [{"role": "user", "content": prompt}, {"role": "assistant", "content": gold_text}],
            "passage": row["text"]}


def without_system(row: dict, system: str | None) -> dict:
    msgs = row["messages"]
    if system and msgs and msgs[0]["role"] == "system" and msgs[0]["content"] == system:
        return {**row, "messages": msgs[1:]}
    return row


def split_prompt(row: dict) -> tuple[str, list[dict]]:
    """(the last user turn, the turns before it): what a column is asked, the gold answer left out."""
    msgs = row["messages"]
    last_user = max(i for i, m in enumerate(msgs) if m["role"] == "user")
    history = [{"role": m["role"], "content": m["content"]} for m in msgs[:last_user]]
    return msgs[last_user]["content"], history


def meter_for(run, rows: Sequence[dict]) -> tuple[str, str]:
    """(task kind, meter id): the preset's, else guessed from the gold answers."""
    cfg = task_run(run).config()
    if cfg.data.preset:
        with contextlib.suppress(KeyError, ValueError):
            p = presets.load(cfg.data.preset)
            return p.task, p.meter
    return meters.guess_meter(rows)


# ---- generation --------------------------------------------------------------------------------

def gen_settings(kind: str, golds: Sequence[str], tokenizer, cap: int = 320):
    """Greedy, with a token budget from the gold answers (90th percentile x 1.5 + 8, at least 16), so
    a base model that rambles costs little. No repetition penalty for structured output: JSON and SQL
    repeat quotes and names by design."""
    lengths = sorted(len(tokenizer(g, add_special_tokens=False)["input_ids"]) for g in golds) or [16]
    p90 = lengths[min(len(lengths) - 1, int(0.9 * len(lengths)))]
    budget = max(16, min(cap, int(p90 * 1.5) + 8))
    return GenSettings(max_new_tokens=budget, temperature=0.0,
                       repetition_penalty=1.0 if kind in STRUCTURED else 1.1)


def answer(comparer, rows: Sequence[dict], kinds: Sequence[str], settings, *, run_id: str | None,
           batch_size: int = BATCH_SIZE, progress: Progress | None = None,
           failed: dict[str, set[int]] | None = None, **column_kw) -> dict[str, list[str]]:
    """Every row through every column kind: {column key: answers in row order}. Prompts are sorted by
    length so a batch pads little; `column_kw` goes to build_columns (notes, train_rows, k, ...). `failed`,
    when given, gets the rows an endpoint column could not answer (its text there says why)."""
    jobs = []
    for i, row in enumerate(rows):
        prompt, history = split_prompt(row)
        cols = build_columns(comparer.model_name, prompt, list(kinds), run_id=run_id, history=history,
                             **column_kw)
        jobs += [(i, col) for col in cols]
    jobs.sort(key=lambda job: sum(len(m["content"]) for m in job[1].messages))
    out: dict[str, list[str]] = {}
    for start in range(0, len(jobs), batch_size):
        chunk = jobs[start:start + batch_size]
        texts = comparer.generate([col for _, col in chunk], settings)
        for j, ((i, col), text) in enumerate(zip(chunk, texts)):
            out.setdefault(col.key, [""] * len(rows))[i] = text
            if failed is not None and j in comparer.last_failed:
                failed.setdefault(col.key, set()).add(i)
        if progress:
            progress(min(1.0, (start + len(chunk)) / len(jobs)), "generating answers")
    return out


# ---- loss --------------------------------------------------------------------------------------

def answer_loss(comparer, rows: Sequence[dict], system: str | None, adapter_dir: str | None,
                max_length: int = 1024) -> float | None:
    """Mean cross-entropy (nats per trained token) of the gold answers under one column's model:
    the run's own eval loss, measured the same way for base and tuned."""
    chat = comparer.chat
    name = _loaded(chat, adapter_dir) if adapter_dir else None
    return compute.run(_loss, chat, name, rows, system, max_length)


def _loss(chat, name: str | None, rows: Sequence[dict], system: str | None, max_length: int) -> float | None:
    with chat.lock, _active(chat, name):
        samples = [tokenize_row(chat.tokenizer, {"text": row["passage"]} if "passage" in row else row, max_length)
                   for row in with_system(list(rows), system)]
        return loss_of(chat.model, samples)


def _loaded(chat, adapter_dir: str) -> str:
    """The adapter's peft name on the chat model (Compare's naming), loading it when it is not there."""
    name = adapter_name(adapter_dir)
    if name not in chat.adapters:
        chat.add_adapter(name, adapter_dir)  # under the model's lock, on the compute thread
    return name


def _active(chat, adapter_name: str | None):
    """The named adapter switched on, or every adapter off (the base model)."""
    if not hasattr(chat.model, "peft_config"):
        return contextlib.nullcontext()
    if adapter_name is None:
        return chat.model.disable_adapter()
    chat.model.set_adapter(adapter_name)
    return contextlib.nullcontext()


# ---- the whole evaluation ----------------------------------------------------------------------

def evaluate_run(run_id: str, limit: int = 50, columns: Sequence[str] = ("base", "tuned"), *,
                 meter: str | None = None, losses: bool = True, progress: Progress | None = None,
                 save: bool = True, **column_kw) -> EvalResult:
    """Score base and tuned (and any other Compare column) on the run's eval rows; saves eval.json."""
    t0 = time.time()
    run = runs.get(run_id)
    cfg = run.config()
    rows = eval_rows(run, limit)
    kind, meter_id = meter_for(run, rows)
    meter_id = meter or meter_id
    meters.get_meter(meter_id)  # a bad --meter fails before the model loads
    comparer = Comparer(cfg.model.name, trust_remote_code=cfg.model.trust_remote_code, engine=cfg.model.engine)
    settings = gen_settings(kind, [gold(r) for r in rows], comparer.chat.tokenizer)
    failed: dict[str, set[int]] = {}
    texts = answer(comparer, rows, columns, settings, run_id=run_id, progress=progress, failed=failed,
                   **column_kw)
    scored = {key: score_answered(meter_id, outs, rows, failed.get(key, set())) for key, outs in texts.items()}
    if losses:
        _add_losses(scored, comparer, run, rows, cfg.data.system_prompt)
    result = EvalResult(run_id, kind, meter_id, scored, len(rows), round(time.time() - t0, 1),
                        samples(rows, texts), {**asdict(settings), "engine": _engine(comparer)},
                        _confusion(meter_id, texts, rows))
    if save:
        atomic_write_json(run.path / EVAL_FILE, result.to_dict())
    return result


def _engine(comparer: Comparer) -> str:
    """The engine that wrote the answers (recorded with the settings: a meter read knows what produced it)."""
    return comparer.last_engine.label if comparer.last_engine else "torch"


def score_answered(meter_id: str, outs: Sequence[str], rows: Sequence[dict], failed: set[int]) -> dict:
    """The meter on the rows a column answered: an endpoint that timed out on some rows is measured on the
    others, with how many it left unanswered, never scored 0 on a reason it gave instead of an answer."""
    if not failed:
        return meters.score(meter_id, outs, rows)
    keep = [i for i in range(len(outs)) if i not in failed]
    scored = meters.score(meter_id, [outs[i] for i in keep], [rows[i] for i in keep]) if keep else {}
    return {**scored, "unanswered": len(failed)}


def _add_losses(scored: dict[str, dict], comparer, run, rows, system: str | None) -> None:
    for key, values in scored.items():
        if key.split("@", 1)[0] not in LOSS_COLUMNS:
            continue
        checkpoint = key.split("@", 1)[1] if "@" in key else None
        source = {"parent": lambda: runs.get(run.config().train.start_from),
                  "sametime": lambda: same_time_run(run.id)}.get(key, lambda: run)()
        adapter = None if key == "base" else str(adapter_for(source, checkpoint))
        loss = answer_loss(comparer, rows, system, adapter)
        if loss is not None and math.isfinite(loss):
            values.update(eval_loss=round(loss, 4), perplexity=round(meters.perplexity(loss), 3))


def gold(row: dict) -> str:
    turns = [m["content"] for m in row["messages"] if m["role"] == "assistant"]
    return turns[-1] if turns else ""


def samples(rows: Sequence[dict], texts: dict[str, list[str]], n: int = N_SAMPLES) -> list[dict]:
    """The first n rows: prompt, gold answer and each column's answer, for a quick look (the
    system-prompt column's answer is "prompt_column", so it never hides the prompt)."""
    return [{"prompt": split_prompt(r)[0], "gold": gold(r),
             **{("prompt_column" if k == "prompt" else k): v[i] for k, v in texts.items()}}
            for i, r in enumerate(rows[:n])]


def _confusion(meter_id: str, texts: dict[str, list[str]], rows) -> dict | None:
    if meter_id != "classify":
        return None

    out: dict[str, Any] = {}
    for key, outs in texts.items():
        labels, matrix = confusion(outs, rows)
        out[key] = {"labels": labels, "matrix": matrix}
    return out


def load_saved(run) -> dict | None:
    """The run's last eval.json, or None."""
    return read_json(run.path / EVAL_FILE)
