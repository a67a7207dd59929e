"""The rows a run trains and evaluates on, tokenised under the model's chat template with the
assistant-only mask (trl builds the labels from `assistant_masks`)."""
from __future__ import annotations

from pathlib import Path

from studio import presets
from studio.config import RunConfig
from studio.data.stats import split
from studio.data.tokenize import tokenize_messages
from studio.data.validate import validate_file


class DataError(ValueError):
    """The run's data cannot be used; the message names the file and the problem."""


def _rows_from_file(path: str) -> list[dict]:
    report = validate_file(Path(path))
    if report.errors:
        first = report.errors[0]
        raise DataError(f"{len(report.errors)} problem(s) in the data, first: {first.file}:{first.line}: "
                        f"{first.message}")
    return report.usable


def with_system(rows: list[dict], system: str | None) -> list[dict]:
    if not system:
        return rows
    out = []
    for r in rows:
        msgs = r["messages"]
        if msgs and msgs[0]["role"] == "system":
            out.append(r)
        else:
            out.append({**r, "messages": [{"role": "system", "content": system}, *msgs]})
    return out


def load_rows(cfg: RunConfig) -> tuple[list[dict], list[dict]]:
    d = cfg.data
    if d.train_path:
        train = _rows_from_file(d.train_path)
        evals = _rows_from_file(d.eval_path) if d.eval_path else []
        if not d.eval_path:
            train, evals = split(train, d.eval_fraction, cfg.train.seed)
    elif d.preset:
        p = presets.load(d.preset)
        train, evals = p.train_rows(), p.eval_rows()
    else:
        raise DataError("no data: choose a preset or a training file")
    if d.max_rows:
        train = train[: d.max_rows]
    if not train:
        raise DataError("the training set is empty")
    return with_system(train, d.system_prompt), with_system(evals, d.system_prompt)


def to_dataset(tokenizer, rows: list[dict], max_length: int):
    """A datasets.Dataset with input_ids and assistant_masks; rows with nothing to train are dropped."""
    from datasets import Dataset

    ids, masks = [], []
    for r in rows:
        t = tokenize_messages(tokenizer, r["messages"], max_length)
        if t.trained:
            ids.append(t.input_ids)
            masks.append(t.mask)
    if not ids:
        raise DataError("no row has an assistant answer left after truncation: raise max_length")
    return Dataset.from_dict({"input_ids": ids, "assistant_masks": masks})
