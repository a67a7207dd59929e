"""The rows a run trains and evaluates on, tokenised under the model's chat template with the
assistant-only mask (trl builds the labels from `assistant_masks`). Raw text (continued pretraining)
is cut into passages before the split and packed into blocks of max_length after it, every token
trained."""
from __future__ import annotations

import functools
from pathlib import Path

from studio import presets
from studio.config import RunConfig
from studio.data.passages import CHARS_PER_TOKEN, pack, passages
from studio.data.stats import split
from studio.data.tokenize import is_text_row, tokenize_row
from studio.data.validate import validate_file


class DataError(ValueError):
    """The run's data cannot be used; the message names the file and the problem."""


def _rows_from_file(path: str, method: str = "sft") -> list[dict]:
    report = validate_file(Path(path), method=method)
    if report.errors:
        first = report.errors[0]
        raise DataError(f"{report.error_count} problem(s) in the data, first: {first}")
    return report.usable


def is_text_run(cfg: RunConfig) -> bool:
    """The run trains on raw text (continued pretraining): told from its training file's first record."""
    path = cfg.data.train_path
    if not path or not Path(path).is_file():
        return False
    return _file_format(path, Path(path).stat().st_mtime) == "text"


@functools.lru_cache(maxsize=64)
def _file_format(path: str, mtime: float) -> str | None:
    return validate_file(Path(path), max_rows=1).format


def is_text_task(rows: list[dict]) -> bool:
    """Raw text rows: continued pretraining (no chat template, every token trained)."""
    return bool(rows) and is_text_row(rows[0])


def with_system(rows: list[dict], system: str | None) -> list[dict]:
    """Every row with the system prompt first (a chat row's messages, a preference row's prompt)."""
    if not system or is_text_task(rows):  # raw text has no turns to put a system prompt before
        return rows
    out = []
    for r in rows:
        key = "messages" if "messages" in r else "prompt"
        msgs = r[key]
        if msgs and msgs[0]["role"] == "system":
            out.append(r)
        else:
            out.append({**r, key: [{"role": "system", "content": system}, *msgs]})
    return out


def load_rows(cfg: RunConfig) -> tuple[list[dict], list[dict]]:
    d = cfg.data
    if d.train_path:
        method = cfg.train.method
        train = _text_passages(_rows_from_file(d.train_path, method), d.max_length)
        evals = _text_passages(_rows_from_file(d.eval_path, method), d.max_length) if d.eval_path else []
        if is_text_task(train) != is_text_task(evals or train):
            raise DataError("the eval file must be of the same kind as the training file (both raw text, or "
                            "both chat rows)")
        if not d.eval_path:
            train, evals = split(train, d.eval_fraction, cfg.train.seed)
    elif d.preset:
        if cfg.train.method != "sft":
            raise DataError(f"{cfg.train.method.upper()} trains on preference pairs, and preset {d.preset} holds "
                            "answers: give a preference file (--data), the votes of a run (--votes RUN_ID) or pairs "
                            "made with the task meter (studio eval pairs)")
        p = presets.load(d.preset)
        train, evals = p.train_rows(), p.eval_rows()
    else:
        raise DataError("no data: choose a preset or a training file")
    if d.max_rows:
        train = train[: d.max_rows]
    if not train:
        raise DataError("the training set is empty")
    return with_system(train, d.system_prompt), with_system(evals, d.system_prompt)


def _text_passages(rows: list[dict], max_length: int) -> list[dict]:
    return passages(rows, max_length * CHARS_PER_TOKEN) if is_text_task(rows) else rows


def to_dataset(tokenizer, rows: list[dict], max_length: int):
    """A datasets.Dataset with input_ids and assistant_masks; rows with nothing to train are dropped."""
    from datasets import Dataset

    if is_text_task(rows):
        ids = pack(tokenizer, rows, max_length)
        return Dataset.from_dict({"input_ids": ids, "assistant_masks": [[1] * len(b) for b in ids]})
    ids, masks = [], []
    for r in rows:
        t = tokenize_row(tokenizer, r, max_length)
        if t.trained:
            ids.append(t.input_ids)
            masks.append(t.mask)
    if not ids:
        raise DataError("no row has an assistant answer left after truncation: raise max_length")
    return Dataset.from_dict({"input_ids": ids, "assistant_masks": masks})
