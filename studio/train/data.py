"""The rows a run trains and evaluates on, tokenised under the model's chat template with the
assistant-only mask (trl builds the labels from `assistant_masks`). Raw text (continued pretraining)
is cut into passages before the split and packed into blocks of max_length after it, every token
trained."""
from __future__ import annotations

import functools
from pathlib import Path

from studio import paths, presets
from studio.config import DataSpec, RunConfig
from studio.data.passages import CHARS_PER_TOKEN, pack, passages
from studio.data.stats import split
from studio.data.tokenize import is_text_row, tokenize_row
from studio.data.validate import validate_file
from studio.text import Said


class DataError(Said, ValueError):
    """The run's data cannot be used; the message names the file and the problem (in the UI's language)."""


def _rows_from_file(path: str, method: str = "sft", mapping: dict[str, str] | None = None) -> list[dict]:
    """The file's usable rows, read through the user's column mapping: the rows the Data step counted, which
    are the rows that train (its problem rows were shown there, and the worker's log says how many it left
    out). Read once per change of the file: the Train step's plan asks on every edit of a setting."""
    rows, problems, first = _checked(path, method, mapping)
    if not rows and problems:
        raise DataError("err_data_problems", count=problems, first=first)
    return with_database(list(rows), Path(path))


SQLITE = ".sqlite"
"""A user's SQL data meets its tables in a SQLite file beside it: train.sqlite beside train.jsonl."""


def database_for(data: Path) -> Path:
    """The SQLite file a data file's rows run on when they name none: the same name with SQLITE."""
    return data.with_suffix(SQLITE)


def with_database(rows: list[dict], data: Path) -> list[dict]:
    """Each row with the SQLite file its SQL runs on, as meta.sqlite (an absolute path): the file its meta names
    (meta.sqlite, a name inside the data's folder), else the file with the data's name (database_for), where one
    is there. Rows with their own tables (meta.schema) and rows of data without a database are left as they
    are; a name that leaves the folder stays unresolved, which the SQL rewards refuse as a missing file."""
    beside = database_for(data)
    default = str(beside.resolve()) if beside.is_file() else None
    out = []
    for row in rows:
        meta = row.get("meta") or {}
        if "messages" not in row or isinstance(meta.get("schema"), str) \
                or not (default or isinstance(meta.get("sqlite"), str)):
            out.append(row)
            continue
        name = meta.get("sqlite")
        out.append({**row, "meta": {**meta, "sqlite": _inside(data.parent, name) if isinstance(name, str)
                                    else default}})
    return out


def _inside(folder: Path, name: str) -> str:
    try:
        return str(paths.inside(folder, name))
    except paths.UnsafePathError:
        return name


def problems(data: DataSpec, method: str = "sft") -> int:
    """How many problems the training file has (its rows with them are left out of the run)."""
    return _checked(data.train_path, method, data.mapping)[1] if data.train_path else 0


def _checked(path: str, method: str, mapping: dict[str, str] | None) -> tuple[tuple[dict, ...], int, str]:
    method = "sft" if method == "grpo" else method  # GRPO's prompts and references are an SFT file's rows
    file = Path(path)
    try:
        st = file.stat()
    except OSError:
        raise DataError("err_data_unreadable", path=path) from None
    return _read_checked(str(file.resolve()), st.st_mtime_ns, st.st_size, method,
                         tuple(sorted((mapping or {}).items())))


@functools.lru_cache(maxsize=16)
def _read_checked(path: str, _mtime: int, _size: int, method: str, mapping: tuple) -> tuple[tuple[dict, ...], int, str]:
    """(usable rows, problems, the first problem) of a file as it is on disk now (the key holds its stat)."""
    report = validate_file(Path(path), method=method, mapping=dict(mapping) or None)
    return tuple(report.usable), report.error_count, str(report.errors[0]) if report.errors else ""


def usable(data: DataSpec, method: str = "sft") -> list[dict]:
    """Every usable row of the chosen data, before the eval split: what the Data step shows, what the advisor
    reads and what the suggested settings (epochs, rank) are chosen from, in the UI and the CLI alike."""
    if data.train_path:
        return _rows_from_file(data.train_path, method, data.mapping)
    return presets.load(data.preset).train_rows() if data.preset else []


def usable_rows(data: DataSpec, method: str = "sft") -> int:
    return len(usable(data, method))


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
        train = _text_passages(_rows_from_file(d.train_path, method, d.mapping), d.max_length)
        evals = _text_passages(_rows_from_file(d.eval_path, method, d.mapping), d.max_length) if d.eval_path else []
        if is_text_task(train) != is_text_task(evals or train):
            raise DataError("err_data_eval_kind")
        if not d.eval_path:
            train, evals = split(train, d.eval_fraction, cfg.train.seed)
    elif d.preset:
        if cfg.train.method in ("dpo", "kto"):
            raise DataError("err_data_preset_pairs", method=cfg.train.method.upper(), preset=d.preset)
        p = presets.load(d.preset)
        train, evals = p.train_rows(), p.eval_rows()
    else:
        raise DataError("err_data_none")
    if d.max_rows:
        train = train[: d.max_rows]
    if not train:
        raise DataError("err_data_empty")
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
        raise DataError("err_data_no_tokens", max_length=max_length)
    return Dataset.from_dict({"input_ids": ids, "assistant_masks": masks})
