"""Property tests (hypothesis) over the dataset readers, the record converters and the other parsers
of user input. Arbitrary input never raises anything but the project's own error type (or, for the
file validator, nothing at all: every problem is an Issue), and valid rows written in every supported
format and file type always come back exactly.

data/test_validate.py holds the whole-file properties for JSONL in the messages format; these go one
level down (readers, converters, config, names, settings) and across every format and file type."""
from __future__ import annotations

import csv
import io
import json
import math
import os
import tempfile
from datetime import datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from studio import fsutil
from studio.data import formats
from studio.data.readers import BAD, SUPPORTED, open_source
from studio.data.validate import validate_file, validate_records
from studio.text import TEXT, t

# STUDIO_PROPERTY_EXAMPLES=2000 for a long hunt; the defaults keep this file at ~10 s
_N = int(os.environ.get("STUDIO_PROPERTY_EXAMPLES", "120"))
FAST = settings(max_examples=_N, deadline=None, suppress_health_check=[HealthCheck.too_slow])
FEW = settings(max_examples=max(10, _N // 3), deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _write(data: bytes, suffix: str) -> tuple[tempfile.TemporaryDirectory, Path]:
    folder = tempfile.TemporaryDirectory()
    path = Path(folder.name) / f"data{suffix}"
    path.write_bytes(data)
    return folder, path


# --- anything in, only the project's own errors out ----------------------------------------------

_BYTES = st.one_of(
    st.binary(max_size=400),
    st.text(max_size=200).map(lambda t: t.encode("utf-8", "surrogatepass")),
    st.lists(st.sampled_from([b"{", b"}", b"[", b"]", b'"', b",", b":", b"\n", b"\r", b"\t", b"\\u",
                              b"\\ud800", b"null", b"1e999", b"prompt", b"messages", b"\xff", b"\x00",
                              b"\xef\xbb\xbf", b"role", b"content"]), max_size=60).map(b"".join),
)


@FAST
@given(data=_BYTES, suffix=st.sampled_from(SUPPORTED))
def test_the_readers_report_every_problem_and_raise_nothing(data, suffix):
    issues: list[tuple] = []
    folder, path = _write(data, suffix)
    with folder:
        source = open_source(path, lambda line, field, what, **words: issues.append((line, field, what, words)),
                             max_bytes=10_000)
        items = list(source.items) if source is not None else []
    assert source is not None or issues  # a file refused is a file explained
    for line, record in items:
        assert record is BAD or isinstance(record, (dict, list, str, int, float, bool, type(None)))
        assert line is None or isinstance(line, int)
    for _, field, what, words in issues:  # every problem has a field and words in the catalogue
        assert isinstance(field, str) and field and f"e_{what}" in TEXT["en"] and f"e_{what}" in TEXT["ja"]
        assert t("ja", f"e_{what}", **words) and t("en", f"e_{what}", **words)


_KEYS = st.sampled_from(["messages", "conversations", "instruction", "input", "output", "prompt", "completion",
                         "question", "answer", "system", "history", "meta", "role", "content", "from", "value",
                         "text", "type"])
_ANY_VALUE = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=10), st.binary(max_size=4),
              st.datetimes(), st.sampled_from(["user", "assistant", "system", "human", "gpt", "", " "])),
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.tuples(inner, inner),
                            st.dictionaries(st.one_of(_KEYS, st.text(max_size=3), st.integers()), inner,
                                            max_size=4)),
    max_leaves=16,
)
_RECORD = st.dictionaries(st.one_of(_KEYS, st.integers()), _ANY_VALUE, max_size=5)


@FAST
@given(record=_RECORD, fmt=st.sampled_from([*formats.FORMATS, "nonsense"]),
       mapping=st.one_of(st.none(), st.dictionaries(st.sampled_from(["prompt", "response", "system"]),
                                                    st.one_of(_KEYS, st.text(max_size=3)), max_size=3)))
def test_normalise_raises_only_record_errors_and_returns_only_whole_rows(record, fmt, mapping):
    assert formats.detect_format(record) in (*formats.FORMATS, None)
    try:
        row = formats.normalise(record, fmt, mapping)
    except formats.RecordError as e:
        assert e.field and e.message
        return
    if fmt == "text":  # raw text (continued pretraining): one passage, not a conversation
        assert set(row) == {"text"} and isinstance(row["text"], str) and row["text"].strip()
        return
    assert formats.row_problem({"messages": row["messages"]}) is None


@FAST
@given(records=st.lists(st.one_of(_RECORD, _ANY_VALUE), max_size=6))
def test_in_memory_records_from_a_hub_dataset_never_break_the_validator(records):
    """A hub dataset hands over Python values JSON never has: bytes, tuples, datetimes, int keys."""
    report = validate_records(records)
    assert all(i.field != "internal" for i in report.errors), report.errors
    assert len(report.usable) == len(report.lines) == len(report.records)
    assert not {(i.line, i.record) for i in report.errors} & set(zip(report.lines, report.records))


@FAST
@given(mapping=st.dictionaries(st.text(max_size=8), _ANY_VALUE, max_size=4))
def test_a_column_mapping_is_clean_or_a_record_error(mapping):
    try:
        clean = formats.clean_mapping(mapping)
    except formats.RecordError:
        return
    assert set(clean) <= set(formats.MAPPING_KEYS) and isinstance(clean["prompt"], str)


@FAST
@given(text=st.text(max_size=60))
def test_the_mapping_fields_of_the_cli_and_the_ui_parse_or_say_how(text):
    import argparse

    from studio.data.choice import MappingError
    from studio.data.choice import parse_mapping as ui_mapping
    from studio.data.cli import parse_mapping as cli_mapping

    try:
        assert {"prompt", "response"} <= set(cli_mapping(text))
    except argparse.ArgumentTypeError as e:
        assert "COL" in str(e)
    try:
        parsed = ui_mapping(text)  # the Data step's and `studio train --map`'s
        assert isinstance(parsed, dict) and all(k and v for k, v in parsed.items())
    except MappingError as e:
        assert "prompt=question" in str(e)


_JSONISH = st.recursive(st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=8)),
                        lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                st.dictionaries(st.text(max_size=12), inner, max_size=4)),
                        max_leaves=12)
_CONFIG = st.fixed_dictionaries({}, optional={
    "model": st.one_of(_JSONISH, st.fixed_dictionaries({}, optional={"name": _JSONISH,
                                                                     "trust_remote_code": _JSONISH})),
    "train": st.one_of(_JSONISH, st.dictionaries(st.sampled_from(["epochs", "learning_rate", "batch_size",
                                                                  "seed", "quant", "bogus"]), _JSONISH)),
    "lora": st.one_of(_JSONISH, st.dictionaries(st.sampled_from(["r", "alpha", "dropout"]), _JSONISH)),
    "data": _JSONISH, "name": _JSONISH, "extra": _JSONISH,
})


@FAST
@given(raw=st.one_of(_CONFIG, _JSONISH))
def test_a_config_from_yaml_is_built_and_checked_or_refused_with_a_config_error(raw):
    from studio.config import ConfigError, RunConfig, check

    try:
        cfg = RunConfig.from_dict(raw)
    except ConfigError as e:
        assert str(e)
        return
    except TypeError:  # a non-mapping at the top: from_yaml hands `or {}`, callers give dicts
        assume(False)
    try:
        problems = check(cfg)
    except TypeError:
        pytest.fail(f"check() raised on {raw!r}")
    assert all(":" in p for p in problems)


@FAST
@given(name=st.text(max_size=120))
def test_a_user_given_name_or_path_stays_inside_or_is_refused(name):
    from studio.data.store import safe_filename
    from studio.paths import UnsafePathError, check_name, inside

    with tempfile.TemporaryDirectory() as folder:
        base = Path(folder).resolve()
        try:
            target = inside(base, name)
        except UnsafePathError:
            target = None
        assert target is None or target == base or base in target.parents
        try:
            assert check_name(name) == name and ".." not in name and "/" not in name
        except UnsafePathError:
            pass
        stored = safe_filename(name)
        assert inside(base, stored).parent == base and "/" not in stored and not stored.startswith(".")


@FAST
@given(values=st.fixed_dictionaries({}, optional={
    k: st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=4))
    for k in ("max_new_tokens", "temperature", "top_p", "repetition_penalty", "seed")}))
def test_generation_settings_are_valid_or_a_value_error(values):
    from studio.chat import GenSettings

    try:
        kw = GenSettings(**values).kwargs()
    except ValueError as e:
        assert "out of range" in str(e)
        return
    assert 1 <= kw["max_new_tokens"] <= 8192 and math.isfinite(kw["repetition_penalty"])


@FAST
@given(n=st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=3)),
       seed=st.one_of(st.none(), st.integers(), st.floats()))
def test_generator_settings_are_whole_numbers_in_range_or_a_value_error(n, seed):
    from studio.data.generate import check_settings

    try:
        rows, s = check_settings(n, seed)
    except ValueError as e:
        assert "whole number between" in str(e)
        return
    assert type(rows) is int and type(s) is int and 1 <= rows <= 100_000 and 0 <= s < 2**32


@FAST
@given(text=st.one_of(st.none(), st.text(max_size=50),
                     st.builds(lambda pad, core, n: pad + core * n + pad, st.sampled_from(["", " ", "\n\t"]),
                               st.sampled_from(["a", "語", " b"]), st.integers(6_660, 20_010))))
def test_a_prompt_is_accepted_trimmed_or_refused_with_a_value_error(text):
    from studio.chat import MAX_PROMPT_CHARS, check_prompt

    try:
        out = check_prompt(text)
    except ValueError as e:
        assert "empty" in str(e) or "limit" in str(e)
        return
    assert out == out.strip() and 0 < len(out) <= MAX_PROMPT_CHARS


# --- valid rows always come back -----------------------------------------------------------------

# Text a person could write: any letters, marks, digits, punctuation, symbols and spaces (no control
# characters and no lone surrogates, which the validator rightly refuses), never blank.
_CHARS = st.characters(blacklist_categories=("Cc", "Cs", "Co", "Cn"))
_TEXT = st.text(_CHARS, min_size=1, max_size=24).filter(str.strip)
_LINE_TEXT = st.text(st.characters(blacklist_categories=("Cc", "Cs", "Co", "Cn", "Zl", "Zp")),
                     min_size=1, max_size=24).filter(str.strip)
_PAIRS = st.lists(st.tuples(_TEXT, _TEXT), min_size=1, max_size=3)
_SYSTEM = st.one_of(st.none(), _TEXT)


def _messages(system, pairs) -> list[dict]:
    turns = [{"role": "system", "content": system}] if system else []
    for user, answer in pairs:
        turns += [{"role": "user", "content": user}, {"role": "assistant", "content": answer}]
    return turns


def _as(fmt: str, system, pairs) -> tuple[dict, list[dict]]:
    """(a record in `fmt`, the messages it must come back as)."""
    expected = _messages(system, pairs)
    if fmt == "messages":
        return {"messages": expected}, expected
    if fmt == "sharegpt":
        conv = [{"from": "human" if m["role"] == "user" else "gpt", "value": m["content"]} for m in expected
                if m["role"] != "system"]
        return ({"conversations": conv} | ({"system": system} if system else {})), expected
    if fmt == "alpaca":
        *history, (user, answer) = pairs
        record = {"instruction": user, "input": "", "output": answer, "history": [list(p) for p in history]}
        return record | ({"system": system} if system else {}), expected
    if fmt == "prompt_completion":
        *before, (user, answer) = pairs
        prompt = _messages(system, before) + [{"role": "user", "content": user}]
        return {"prompt": prompt, "completion": [{"role": "assistant", "content": answer}]}, expected
    raise AssertionError(fmt)


@FAST
@given(rows=st.lists(st.tuples(st.sampled_from(["messages", "sharegpt", "alpaca", "prompt_completion"]),
                               _SYSTEM, _PAIRS), min_size=1, max_size=5),
       as_json=st.booleans())
def test_valid_rows_in_every_json_format_come_back_exactly(rows, as_json):
    fmt = rows[0][0]  # one format per file, as the validator asks
    pairs = [_as(fmt, system, p) for _, system, p in rows]
    records = [r for r, _ in pairs]
    if as_json:
        data, suffix = json.dumps(records, ensure_ascii=False, indent=1).encode("utf-8"), ".json"
    else:
        data, suffix = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records).encode("utf-8"), ".jsonl"
    folder, path = _write(data, suffix)
    with folder:
        report = validate_file(path)
    assert report.errors == [] and report.format == fmt
    assert [r["messages"] for r in report.usable] == [m for _, m in pairs]


@FAST
@given(rows=st.lists(st.tuples(_SYSTEM, _TEXT, _TEXT), min_size=1, max_size=6),
       delimiter=st.sampled_from([",", "\t"]))
def test_valid_rows_in_a_table_come_back_exactly(rows, delimiter):
    """Quotes, delimiters, newlines and any script inside cells: csv quoting carries them all."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\n")
    writer.writerow(["system", "question", "answer"])
    writer.writerows([[system or "", q, a] for system, q, a in rows])
    folder, path = _write(out.getvalue().encode("utf-8"), ".csv" if delimiter == "," else ".tsv")
    with folder:
        report = validate_file(path)
    assert report.errors == [] and report.mapping == {"prompt": "question", "response": "answer",
                                                      "system": "system"}
    assert [r["messages"] for r in report.usable] == [_messages(s, [(q, a)]) for s, q, a in rows]


@FEW
@given(rows=st.lists(st.tuples(_TEXT, _TEXT), min_size=1, max_size=6))
def test_valid_rows_in_parquet_come_back_exactly(rows):
    import pandas as pd

    folder = tempfile.TemporaryDirectory()
    with folder:
        path = Path(folder.name) / "data.parquet"
        pd.DataFrame({"prompt": [q for q, _ in rows], "response": [a for _, a in rows]}).to_parquet(path)
        report = validate_file(path)
    assert report.errors == [] and [r["messages"] for r in report.usable] == [_messages(None, [p]) for p in rows]


@FAST
@given(rows=st.lists(st.tuples(_SYSTEM, _PAIRS), min_size=1, max_size=4), meta=st.booleans())
def test_validated_rows_written_back_validate_to_themselves(rows, meta):
    """What the studio writes (generated sets, exports) reads back unchanged: a fixed point."""
    records = [{"messages": _messages(s, p)} | ({"meta": {"i": i, "when": datetime(2030, 1, 1).isoformat()}}
                                                 if meta else {}) for i, (s, p) in enumerate(rows)]
    first = validate_records(records)
    assert first.errors == []
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "round.jsonl"
        fsutil.write_jsonl(path, first.usable)
        again = validate_file(path)
    assert again.errors == [] and again.usable == first.usable == records


@FEW
@given(lines=st.lists(_LINE_TEXT, min_size=1, max_size=5), suffix=st.sampled_from([".csv", ".jsonl", ".json"]))
def test_cli_validate_never_shows_a_traceback(lines, suffix):
    from contextlib import redirect_stderr, redirect_stdout

    from studio.cli import main

    out, err = io.StringIO(), io.StringIO()
    with tempfile.TemporaryDirectory() as folder, redirect_stdout(out), redirect_stderr(err):
        path = Path(folder) / f"any{suffix}"
        path.write_text("\n".join(lines), encoding="utf-8")
        code = main(["data", "validate", str(path)])
    assert code in (0, 2) and "Traceback" not in out.getvalue() + err.getvalue()
    assert (code == 0) == ("0 errors" in out.getvalue())
