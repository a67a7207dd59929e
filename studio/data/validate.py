"""Validate a dataset file: every problem becomes an `Issue` naming the file, the line and the fix
(`data/report.py` says what a line is in each kind of file, and how alike problems are said once).

Beyond the rows themselves, the file as a whole gets a verdict: preference and KTO files are named as
such and never trained as SFT; rows holding images, audio or video are refused in one message; keys
that the format does not read are named in a warning, and so are the traps every row passes alone (a template's
unfilled placeholders, one answer to many prompts: data/traps.py).

`validate_file` never raises for bad content, and a record with any error is never in `usable`.
"""
from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from studio.data import formats, stats, traps
from studio.data.formats import FORMAT_NAMES, MediaError, RecordError
from studio.data.readers import BAD, SUPPORTED, HubError, Source, load_hub, open_source
from studio.data.report import MAX_ISSUES, Issue, Report
from studio.data.template import rendering
from studio.data.turns import short, type_name
from studio.text import t

MAX_BYTES = 200 * 1024 * 1024
MAX_ROWS = 200_000
__all__ = ["MAX_ISSUES", "SUPPORTED", "Issue", "Report", "validate_file", "validate_hub", "validate_records"]


def validate_file(path: str | Path, *, mapping: Mapping[str, str] | None = None,
                  tokenizer: Any = None, max_length: int | None = None, max_bytes: int = MAX_BYTES,
                  max_rows: int = MAX_ROWS, method: str = "sft") -> Report:
    """Read, detect, normalise and check one file. See the module docstring. With method dpo or kto,
    preference data is read into DPO/KTO rows (by its reader in data/formats/) and anything else is refused."""
    path = Path(path)
    report = Report(file=str(path))
    try:
        source = open_source(path, report.say, max_bytes)
        if source is not None:
            report.place = source.place
            _check(source, report, mapping, max_rows, method)
            _check_lengths(report, tokenizer, max_length)
    # last guard: even a bug here must not crash the UI with a traceback
    except Exception as exc:  # noqa: BLE001
        report.error(None, "internal", f"{type(exc).__name__}: {exc}", "please report this file")
    return report.finish()


def validate_records(records: Iterable[Any], *, file: str = "<records>",
                     mapping: Mapping[str, str] | None = None, tokenizer: Any = None,
                     max_length: int | None = None, max_rows: int = MAX_ROWS) -> Report:
    """The same checks over records already in memory (a hub dataset, generated rows); a
    record's place is its 1-based number."""
    report = Report(file=file, place=_record_number)
    try:
        _check(Source(iter(enumerate(records))), report, mapping, max_rows)
        _check_lengths(report, tokenizer, max_length)
    except Exception as exc:  # noqa: BLE001
        report.error(None, "internal", f"{type(exc).__name__}: {exc}", "please report this dataset")
    return report.finish()


def _record_number(index: int) -> tuple[None, int]:
    return None, index + 1


def validate_hub(dataset_id: str, split: str = "train", *, max_rows: int = MAX_ROWS,
                 **options: Any) -> Report:
    """A hub dataset through `datasets.load_dataset` (options as for validate_records); an
    unreachable hub is an error in the report, not a crash."""
    try:
        records = load_hub(dataset_id, split, max_rows)
    except HubError as exc:
        report = Report(file=dataset_id)
        report.error(None, "hub", str(exc), t("en", "err_hub_dataset_hint"), exc.key, **exc.fields)
        return report.finish()
    return validate_records(records, file=dataset_id, max_rows=max_rows, **options)


# --- checking: records -> usable rows ---------------------------------------------------------

def _check(source: Source, report: Report, mapping: Mapping | None, max_rows: int, method: str = "sft") -> None:
    records = _collect(source.items, report, max_rows)
    if not records:
        if not report.errors:
            report.say(None, "file", "no_records")
        return
    fmt = _choose_format(source, records, report, mapping)
    report.format = fmt
    if fmt is None:
        return
    if method != "sft":
        _check_preference(records, fmt, method, report)
        return
    if fmt in formats.REFUSED:
        _refuse_preference(records, fmt, report)
        return
    per_record = source.columns is None and mapping is None
    media = [(key, exc) for key, record in records
             if (exc := _normalise_one(key, record, fmt, report, per_record)) is not None]
    _refuse_media(media, report)
    if source.columns is None:
        _warn_unused(records, fmt, report)
    _warn_duplicates(report)
    traps.warn_traps(report)


def _collect(items: Iterator[tuple[Any, Any]], report: Report, max_rows: int) -> list[tuple[Any, dict]]:
    records = []
    for key, record in items:
        if report.rows == max_rows:
            report.say(key, "file", "too_many_rows", n=max_rows)
            break
        report.rows += 1
        if record is BAD:
            continue
        if not isinstance(record, dict):
            report.say(key, "record", "not_object", got=type_name(record))
            continue
        records.append((key, record))
    return records


def _choose_format(source: Source, records: list, report: Report,
                   mapping: Mapping | None) -> str | None:
    if mapping is not None:
        return _use_mapping(dict(mapping), source, report)
    if source.columns is not None:  # a table: the header decides, once
        fmt = formats.detect_format(dict.fromkeys(source.columns))
        if fmt is None:
            report.say(source.header_line, "header", "header_guess", columns=_names(source.columns))
            return None
        keys: Iterable[str] = source.columns
    else:
        counts = Counter(f for f in (formats.detect_format(r) for _, r in records) if f)
        if not counts:  # every record is unknown: one error per record, said once when alike
            for key, record in records:
                _unknown(key, record, report)
            return None
        fmt = counts.most_common(1)[0][0]
        keys = next(r for _, r in records if formats.detect_format(r) == fmt)
    if fmt == "columns":
        return _use_mapping(formats.guess_mapping(keys) or {}, source, report)
    return fmt


def _use_mapping(mapping: dict, source: Source, report: Report) -> str | None:
    try:
        report.mapping = formats.clean_mapping(mapping)
    except RecordError as exc:
        _record_error(report, None, exc)
        return None
    if source.columns is None:
        return "columns"
    missing = [f"{k}={v!r}" for k, v in report.mapping.items() if v not in source.columns]
    if missing:
        report.say(source.header_line, "mapping", "mapped_missing", missing=", ".join(missing),
                   columns=_names(source.columns))
        return None
    unused = [c for c in source.columns if c not in report.mapping.values()]
    if unused:
        report.say_warning(source.header_line, "columns", "columns_unused", columns=_names(unused))
    return "columns"


def _unknown(key: Any, record: Mapping, report: Report) -> None:
    keys = _names(list(record)) or "(none)"
    report.say(key, "record", "unknown_format", keys=keys, expected=formats.EXPECTED_KEYS)


def _normalise_one(key: Any, record: dict, fmt: str, report: Report, per_record: bool) -> MediaError | None:
    """Adds the row to `usable` or an error to the report; a media refusal is returned instead, so
    the file's verdict can name it once."""
    if per_record:  # JSON sources: each record announces its own format
        own = formats.detect_format(record)
        if own is None:
            _unknown(key, record, report)
            return None
        if own != fmt:
            report.say(key, "record", "mixed", own=FORMAT_NAMES[own], fmt=FORMAT_NAMES[fmt])
            return None
    try:
        row = formats.normalise(record, fmt, report.mapping)
    except MediaError as exc:
        return exc
    except RecordError as exc:
        _record_error(report, key, exc)
        return None
    report.usable.append(row)
    report.lines.append(key)
    return None


def _refuse_preference(records: list[tuple[Any, dict]], fmt: str, report: Report) -> None:
    kind = {"preference": "pref"}.get(fmt, fmt)
    shape = formats.reader(fmt).shape(records[0][1])
    words = {"shape": shape, "n": sum(formats.detect_format(r) == fmt for _, r in records)}
    report.error(None, "file", t("en", f"data_{kind}", **words), t("en", f"data_{kind}_hint"),
                 text_key=f"data_{kind}", **words)


def _check_preference(records: list[tuple[Any, dict]], fmt: str, method: str, report: Report) -> None:
    """DPO or KTO rows from preference data, line by line; any other kind of file is refused once."""
    if fmt == "stepwise":
        _refuse_preference(records, fmt, report)
        return
    if fmt not in ("preference", "kto"):
        report.say(None, "file", "needs_pairs", method=method.upper(), fmt=FORMAT_NAMES[fmt])
        return
    if method == "dpo" and fmt == "kto":
        report.say(None, "file", "kto_not_dpo")
        return
    reader = formats.reader(fmt)
    for key, record in records:
        own = formats.detect_format(record)
        if own != fmt:
            report.say(key, "record", "mixed", own=FORMAT_NAMES.get(own or "", "?"), fmt=FORMAT_NAMES[fmt])
            continue
        try:
            formats.refuse_media(record)
            rows = [reader.dpo_row(record)] if method == "dpo" else reader.kto_rows(record)
        except RecordError as exc:
            _record_error(report, key, exc)
            continue
        report.usable += rows
        report.lines += [key] * len(rows)
    traps.warn_traps(report)


def _refuse_media(media: list[tuple[Any, MediaError]], report: Report) -> None:
    if not media:
        return
    key, first = media[0]
    kinds = sorted({exc.kind for _, exc in media})
    words = {"n": len(media), "kind": "/".join(kinds), "place": f"{first.field}, first at {report.where(key)}"}
    issue = report.issue(key, first.field, t("en", "data_media", **words), t("en", "data_media_hint"),
                         text_key="data_media", **words)
    report.errors.append(replace(issue, more=tuple(report.issue(k, "", "").line for k, _ in media[1:])))


def _warn_unused(records: list[tuple[Any, dict]], fmt: str, report: Report) -> None:
    seen: dict[str, list] = {}
    for key, record in records:
        if formats.detect_format(record) != fmt:
            continue  # already an error of its own
        for name in formats.unused_keys(record, fmt, report.mapping):
            seen.setdefault(name, []).append(key)
    for name, keys in seen.items():
        words = {"name": short(name), "n": len(keys), "fmt": FORMAT_NAMES[fmt]}
        report.warn(keys[0], name, t("en", "data_unused", **words), t("en", "data_unused_hint"),
                    text_key="data_unused", **words)


def _record_error(report: Report, key: Any, exc: RecordError) -> None:
    report.error(key, exc.field, exc.message, exc.hint, exc.key, **exc.words)


def _names(columns: list) -> str:
    return ", ".join(map(short, columns[:20])) + (", …" if len(columns) > 20 else "")


def _warn_duplicates(report: Report) -> None:
    seen: dict[str, Any] = {}
    for row, key in zip(report.usable, report.lines):
        text = json.dumps({k: v for k, v in row.items() if k != "meta"}, ensure_ascii=False, sort_keys=True)
        if text in seen:
            report.say_warning(key, "record", "duplicate", place=report.where(seen[text]))
        else:
            seen[text] = key


def _check_lengths(report: Report, tokenizer: Any, max_length: int | None) -> None:
    """Count tokens with the chat template; rows over max_length leave `usable` (the trainer would
    cut them, and a cut answer teaches the model to stop mid-sentence). Raw text is exempt: it is
    cut into passages of max_length on purpose. Then the keys become lines for good."""
    if tokenizer is None or not report.usable or report.task == "preference":  # trl cuts pairs to max_length
        _settle(report, report.lines)
        return
    report.rendering = rendering(tokenizer, report.usable)
    keep: list[tuple[dict, Any]] = []
    lengths: list[int] = []
    for row, key in zip(report.usable, report.lines):
        try:
            n = stats.count_tokens(tokenizer, row)
        # a chat template may refuse a row (raise_exception in Jinja)
        except Exception as exc:  # noqa: BLE001
            report.say(key, "messages", "template_refused", why=str(exc))
            continue
        lengths.append(n)
        if max_length and n > max_length and "messages" in row:
            report.say(key, "messages", "too_long", n=n, limit=max_length)
        else:
            keep.append((row, key))
    report.usable = [r for r, _ in keep]
    _settle(report, [k for _, k in keep])
    report.token_stats = stats.summarise(lengths, max_length)


def _settle(report: Report, keys: list) -> None:
    """Where each usable row came from, as a user reads it: the line (else the record number), and
    the record number where a line holds several records."""
    places = [report.place(k) if report.place else (k, None) for k in keys]
    report.lines = [line if line is not None else record for line, record in places]
    report.records = [record for _, record in places]
