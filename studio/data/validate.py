"""Validate a dataset file: every problem becomes an `Issue` naming the file, the line and the fix.

Line numbers: JSONL — the text line (1-based); JSON — the index of the record in the list
(0-based, as in `data[3]`); CSV/TSV — the row, the header being row 1; parquet and hub
datasets — the row index (0-based). `None` means the whole file. Encoding problems give the
text line of the first bad byte.

`validate_file` never raises for bad content, and a record with any error is never in `usable`.
"""
from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from studio.data import formats, stats
from studio.data.formats import FORMAT_NAMES, RecordError, short, type_name
from studio.data.readers import BAD, SUPPORTED, Source, open_source

MAX_BYTES = 200 * 1024 * 1024
MAX_ROWS = 200_000
MAX_ISSUES = 200  # kept per list; the rest are only counted
__all__ = ["SUPPORTED", "Issue", "Report", "validate_file", "validate_hub", "validate_records"]


@dataclass(frozen=True)
class Issue:
    file: str
    line: int | None  # see the module docstring; None = the whole file
    field: str
    message: str
    hint: str = ""

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        return f"{where}: {self.field}: {self.message}" + (f" ({self.hint})" if self.hint else "")


@dataclass
class Report:
    file: str
    format: str | None = None
    rows: int = 0  # records read (including broken ones)
    usable: list[dict] = field(default_factory=list)
    lines: list[int | None] = field(default_factory=list)  # where each usable row came from
    errors: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)
    errors_dropped: int = 0
    warnings_dropped: int = 0
    mapping: dict[str, str] | None = None
    token_stats: dict | None = None  # stats.summarise() of usable rows when a tokenizer was given

    @property
    def error_count(self) -> int:
        return len(self.errors) + self.errors_dropped

    @property
    def ok(self) -> bool:
        """Clean: no error at all and something to train on. Training on the usable rows of a
        file with errors is allowed only as an explicit choice (see `partial`)."""
        return not self.error_count and bool(self.usable)

    @property
    def partial(self) -> bool:
        return bool(self.error_count) and bool(self.usable)

    def error(self, line: int | None, where: str, message: str, hint: str = "") -> None:
        if len(self.errors) < MAX_ISSUES:
            self.errors.append(Issue(self.file, line, where, message, hint))
        else:
            self.errors_dropped += 1

    def warn(self, line: int | None, where: str, message: str, hint: str = "") -> None:
        if len(self.warnings) < MAX_ISSUES:
            self.warnings.append(Issue(self.file, line, where, message, hint))
        else:
            self.warnings_dropped += 1

    def summary(self) -> str:
        name = FORMAT_NAMES.get(self.format or "", "unknown format")
        text = (f"{self.file}: {name}, {self.rows} rows, {len(self.usable)} usable, "
                f"{_plural(self.error_count, 'error')}, "
                f"{_plural(len(self.warnings) + self.warnings_dropped, 'warning')}")
        if self.mapping:
            text += "\ncolumns: " + ", ".join(f"{k}={v}" for k, v in self.mapping.items())
        if self.errors_dropped:
            text += f"\n(only the first {MAX_ISSUES} errors are listed)"
        return text

    def to_dict(self) -> dict:
        """JSON-ready, without the rows themselves (they can be 200k)."""
        return {
            "file": self.file, "format": self.format, "rows": self.rows,
            "usable_rows": len(self.usable),
            "ok": self.ok, "mapping": self.mapping, "token_stats": self.token_stats,
            "errors": [asdict(i) for i in self.errors], "errors_dropped": self.errors_dropped,
            "warnings": [asdict(i) for i in self.warnings],
            "warnings_dropped": self.warnings_dropped,
        }


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def validate_file(path: str | Path, *, mapping: Mapping[str, str] | None = None,
                  tokenizer: Any = None, max_length: int | None = None, max_bytes: int = MAX_BYTES,
                  max_rows: int = MAX_ROWS) -> Report:
    """Read, detect, normalise and check one file. See the module docstring."""
    path = Path(path)
    report = Report(file=str(path))
    try:
        source = open_source(path, report.error, max_bytes)
        if source is not None:
            _check(source, report, mapping, max_rows)
            _check_lengths(report, tokenizer, max_length)
    # last guard: even a bug here must not crash the UI with a traceback
    except Exception as exc:  # noqa: BLE001
        report.error(None, "internal", f"{type(exc).__name__}: {exc}", "please report this file")
    return _in_line_order(report)


def validate_records(records: Iterable[Any], *, file: str = "<records>",
                     mapping: Mapping[str, str] | None = None, tokenizer: Any = None,
                     max_length: int | None = None, max_rows: int = MAX_ROWS) -> Report:
    """The same checks over records already in memory (a hub dataset, generated rows); a
    record's line is its index."""
    report = Report(file=file)
    try:
        _check(Source(iter(enumerate(records))), report, mapping, max_rows)
        _check_lengths(report, tokenizer, max_length)
    except Exception as exc:  # noqa: BLE001
        report.error(None, "internal", f"{type(exc).__name__}: {exc}", "please report this dataset")
    return _in_line_order(report)


def validate_hub(dataset_id: str, split: str = "train", *, max_rows: int = MAX_ROWS,
                 **options: Any) -> Report:
    """A hub dataset through `datasets.load_dataset` (options as for validate_records); an
    unreachable hub is an error in the report, not a crash."""
    try:
        records = formats.load_hub(dataset_id, split, max_rows)
    except formats.HubError as exc:
        report = Report(file=dataset_id)
        report.error(None, "hub", str(exc), "use a local file instead")
        return report
    return validate_records(records, file=dataset_id, max_rows=max_rows, **options)


def _in_line_order(report: Report) -> Report:
    """Reading and checking find problems in two passes; users read them top to bottom."""
    def key(issue: Issue) -> int:
        return -1 if issue.line is None else issue.line

    report.errors.sort(key=key)
    report.warnings.sort(key=key)
    return report


# --- checking: records -> usable rows ---------------------------------------------------------

def _check(source: Source, report: Report, mapping: Mapping | None, max_rows: int) -> None:
    records = _collect(source.items, report, max_rows)
    if not records:
        if not report.errors:
            report.error(None, "file", "no records", "add at least one record")
        return
    fmt = _choose_format(source, records, report, mapping)
    if fmt is None:
        return
    report.format = fmt
    for line, record in records:
        _normalise_one(line, record, fmt, report, source.columns is None and mapping is None)
    _warn_duplicates(report)


def _collect(items: Iterator[tuple[int | None, Any]], report: Report,
             max_rows: int) -> list[tuple[Any, dict]]:
    records = []
    for line, record in items:
        if report.rows == max_rows:
            report.error(line, "file", f"too many rows: more than {max_rows}",
                         f"only the first {max_rows} were read; split the file")
            break
        report.rows += 1
        if record is BAD:
            continue
        if not isinstance(record, dict):
            report.error(line, "record", f"expected a JSON object, got {type_name(record)}",
                         "each record is an object such as {\"messages\": [...]}")
            continue
        records.append((line, record))
    return records


def _choose_format(source: Source, records: list, report: Report,
                   mapping: Mapping | None) -> str | None:
    if mapping is not None:
        return _use_mapping(dict(mapping), source, report)
    if source.columns is not None:  # a table: the header decides, once
        fmt = formats.detect_format(dict.fromkeys(source.columns))
        if fmt is None:
            report.error(source.header_line, "header", "cannot tell which columns hold the prompt "
                         f"and the answer; columns found: {_names(source.columns)}",
                         "name them prompt/response (or question/answer, input/output), or give a "
                         "mapping such as --map prompt=COL,response=COL")
            return None
        keys: Iterable[str] = source.columns
    else:
        counts = Counter(f for f in (formats.detect_format(r) for _, r in records) if f)
        if not counts:
            fmt, keys = "messages", []  # every record is unknown: each one gets its own error below
        else:
            fmt = counts.most_common(1)[0][0]
            keys = next(r for _, r in records if formats.detect_format(r) == fmt)
    if fmt == "columns":
        return _use_mapping(formats.guess_mapping(keys) or {}, source, report)
    return fmt


def _use_mapping(mapping: dict, source: Source, report: Report) -> str | None:
    try:
        report.mapping = formats.clean_mapping(mapping)
    except RecordError as exc:
        report.error(None, exc.field, exc.message, exc.hint)
        return None
    if source.columns is None:
        return "columns"
    missing = [f"{k}={v!r}" for k, v in report.mapping.items() if v not in source.columns]
    if missing:
        report.error(source.header_line, "mapping", "mapped column(s) not in the file: "
                     f"{', '.join(missing)}; columns found: {_names(source.columns)}",
                     "fix the column mapping")
        return None
    unused = [c for c in source.columns if c not in report.mapping.values()]
    if unused:
        report.warn(source.header_line, "columns", f"not used: {_names(unused)}",
                    "map them or remove them; only prompt, response and system are read")
    return "columns"


def _normalise_one(line: Any, record: dict, fmt: str, report: Report, per_record: bool) -> None:
    if per_record:  # JSON sources: each record announces its own format
        own = formats.detect_format(record)
        if own is None:
            keys = _names(list(record)) or "(none)"
            report.error(line, "record", f"unknown format: keys found: {keys}",
                         f"expected {formats.EXPECTED_KEYS}")
            return
        if own != fmt:
            report.error(line, "record", f"mixed formats: this record is {FORMAT_NAMES[own]} but "
                         f"most of the file is {FORMAT_NAMES[fmt]}", "use one format per file")
            return
    try:
        row = formats.normalise(record, fmt, report.mapping)
    except RecordError as exc:
        report.error(line, exc.field, exc.message, exc.hint)
        return
    report.usable.append(row)
    report.lines.append(line)


def _names(columns: list) -> str:
    return ", ".join(map(short, columns[:20])) + (", …" if len(columns) > 20 else "")


def _warn_duplicates(report: Report) -> None:
    seen: dict[str, Any] = {}
    for row, line in zip(report.usable, report.lines):
        key = json.dumps(row["messages"], ensure_ascii=False, sort_keys=True)
        if key in seen:
            report.warn(line, "record", f"duplicate of the record at {seen[key]}",
                        "duplicates weigh a sample twice")
        else:
            seen[key] = line


def _check_lengths(report: Report, tokenizer: Any, max_length: int | None) -> None:
    """Count tokens with the chat template; rows over max_length leave `usable` (the trainer would
    cut them, and a cut answer teaches the model to stop mid-sentence)."""
    if tokenizer is None or not report.usable:
        return

    keep: list[tuple[dict, Any]] = []
    lengths: list[int] = []
    for row, line in zip(report.usable, report.lines):
        try:
            n = stats.count_tokens(tokenizer, row["messages"])
        # a chat template may refuse a row (raise_exception in Jinja)
        except Exception as exc:  # noqa: BLE001
            report.error(line, "messages", f"the chat template refused this row: {exc}",
                         "check the turn order")
            continue
        lengths.append(n)
        if max_length and n > max_length:
            report.error(line, "messages", f"too long: {n} tokens, max_length is {max_length}",
                         "shorten the row, raise max_length, or drop it")
        else:
            keep.append((row, line))
    report.usable, report.lines = [r for r, _ in keep], [l for _, l in keep]
    report.token_stats = stats.summarise(lengths, max_length)
