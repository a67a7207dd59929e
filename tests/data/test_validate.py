"""Validation: every malformed file gets a clear Issue at the right line; the CLI exits 2 on errors
and 0 on good files without a traceback; property tests over random input."""

from __future__ import annotations

import itertools
import json
import re
import string
import sys
import tempfile
import types
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from studio.data.validate import MAX_ISSUES, validate_file, validate_records
from studio.fsutil import write_jsonl
from tests.helpers import FIXTURES
from tests.helpers.tiny_tokenizer import tiny_tokenizer

DATA = FIXTURES
MALFORMED = DATA / "malformed"
GOOD = DATA / "good"
MAPPING = {"prompt": "question", "response": "answer"}


def chat(user: str, answer: str) -> dict:
    return {
        "messages": [{"role": "user", "content": user}, {"role": "assistant", "content": answer}]
    }


GOOD_ROW = chat("hi", "yo")
# Options a file needs to show its fault; "tokenizer" is filled in with the tiny tokenizer.
OPTIONS = {
    "too_long.jsonl": {"tokenizer": True, "max_length": 64},
    "too_many_rows.jsonl": {"max_rows": 3},
    "too_large.jsonl": {"max_bytes": 64},
    "csv_missing_mapped.csv": {"mapping": MAPPING},
}
# file -> (line, field, words of the message or hint, rows still usable). line None = whole file.
EXPECTED = {
    "empty.jsonl": (None, "file", "empty file", 0),
    "whitespace_only.jsonl": (None, "file", "empty file", 0),
    "binary_nul.jsonl": (None, "file", "not a text file", 0),
    "control_chars.jsonl": (None, "file", "not a text file", 0),
    "shift_jis.jsonl": (2, "encoding", "looks like Shift_JIS", 0),
    "latin1.csv": (2, "encoding", "Latin-1", 0),
    "utf16.jsonl": (None, "encoding", "UTF-16", 0),
    "bad_json_line.jsonl": (3, "json", "bad JSON at column 49", 2),
    "not_object.jsonl": (2, "record", "expected a JSON object, got a list", 2),
    "unknown_format.jsonl": (1, "record", "unknown format: keys found: 'foo', 'bar'", 0),
    "missing_role.jsonl": (1, "messages[0]", "missing role", 0),
    "unknown_role.jsonl": (1, "messages[1].role", "unknown role 'bot'", 0),
    "assistant_first.jsonl": (2, "messages[0].content", "no user turn before it", 1),
    "two_assistants.jsonl": (1, "messages[2].content", "two assistant turns in a row", 0),
    "user_user.jsonl": (3, "messages[1].content", "two user turns in a row", 2),
    "system_not_first.jsonl": (1, "messages[1].content", "system turn must come first", 0),
    "empty_answer.jsonl": (2, "messages[1].content", "empty answer", 1),
    "no_assistant.jsonl": (1, "messages[1].content", "no assistant turn", 0),
    "ends_with_user.jsonl": (1, "messages[2].content", "ends with a user turn", 0),
    "number_content.jsonl": (1, "messages[1].content", "expected a string, got a number", 0),
    "null_content.jsonl": (2, "messages[0].content", "expected a string, got null", 1),
    "list_content.jsonl": (1, "messages[0].content[0]", "expected a content part", 0),
    "deep_nesting.jsonl": (2, "json", "nested too deeply", 1),
    "huge_int.jsonl": (2, "json", "unreadable JSON value", 1),
    "too_long.jsonl": (2, "messages", "max_length is 64", 1),
    "too_many_rows.jsonl": (4, "file", "too many rows: more than 3", 3),
    "too_large.jsonl": (None, "file", "too large", 0),
    "mixed_formats.jsonl": (2, "record", "mixed formats", 2),
    "sharegpt_bad_from.jsonl": (2, "conversations[1].from", "unknown role 'robot'", 1),
    "alpaca_missing_output.jsonl": (1, "output", "missing", 0),
    "prompt_completion_list.jsonl": (1, "completion[0]", "expected a content part", 0),
    "pretty_printed.jsonl": (None, "json", "one JSON document, not JSON Lines", 0),
    "bad_document.json": (4, "json", "bad JSON at line 4 column 3", 0),
    "json_not_list.json": (None, "json", "expected a list of records", 0),
    "json_record_not_object.json": (1, "record", "expected a JSON object, got a string", 2),
    "csv_missing_mapped.csv": (1, "mapping", "mapped column(s) not in the file", 0),
    "csv_unguessable.csv": (1, "header", "cannot tell which columns", 0),
    "csv_ragged.csv": (3, "row", "has 3 fields but the header has 2", 1),
    "csv_header_only.csv": (None, "file", "no records", 0),
    "tsv_empty_answer.tsv": (3, "output", "empty answer", 1),
    "broken.parquet": (None, "parquet", "unreadable parquet file", 0),
    "unsupported.xlsx": (None, "file", "not supported", 0),
}
MALFORMED_FILES = sorted(p.name for p in MALFORMED.iterdir())
GOOD_FILES = sorted(p.name for p in GOOD.iterdir())


def options_for(name: str) -> dict:
    opts = dict(OPTIONS.get(name, {}))
    if opts.get("tokenizer"):
        opts["tokenizer"] = tiny_tokenizer()
    return opts


def assert_well_formed(row: dict) -> None:
    """The row contract, written independently of the validator."""
    if "text" in row:  # raw text (continued pretraining)
        assert set(row) <= {"text", "meta"} and isinstance(row["text"], str) and row["text"].strip()
        return
    assert set(row) <= {"messages", "tools", "meta"}
    roles = [m["role"] for m in row["messages"]]
    for message in row["messages"]:
        assert {"role", "content"} <= set(message) <= {"role", "content", "tool_calls", "weight", "tool_call_id"}
        assert isinstance(message["content"], str)
        assert message["content"].strip() or message.get("tool_calls")
    body = roles[1:] if roles[0] == "system" else roles
    assert body and body[0] == "user" and body[-1] == "assistant"
    assert "system" not in body
    assert all(a != b or a == "tool" for a, b in itertools.pairwise(body))


def run_cli(argv: list[str], capsys) -> tuple[int, str]:
    """`studio data ...` through the studio's own entry (its one exit-code policy)."""
    from studio.cli import main

    code = main(argv)
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def test_the_corpus_is_complete():
    assert len(MALFORMED_FILES) >= 24
    assert set(MALFORMED_FILES) == set(EXPECTED)


@pytest.mark.parametrize("name", MALFORMED_FILES)
def test_malformed_file_is_reported_at_its_line(name):
    line, field, words, usable = EXPECTED[name]
    path = MALFORMED / name
    report = validate_file(path, **options_for(name))
    hits = [i for i in report.errors if i.line == line and i.field == field and words in str(i)]
    assert hits, f"expected {line}/{field}/{words!r}, got: {[str(i) for i in report.errors]}"
    assert hits[0].file == str(path) and hits[0].hint  # names the file and says what to do
    assert not report.ok
    assert len(report.usable) == usable
    assert all(i.field != "internal" for i in report.errors)
    for row in report.usable:
        assert_well_formed(row)


@pytest.mark.parametrize("name", MALFORMED_FILES)
def test_records_with_an_error_are_never_usable(name):
    report = validate_file(MALFORMED / name, **options_for(name))
    error_places = {(i.line, i.record) for i in report.errors}
    assert not error_places & set(zip(report.lines, report.records))


@pytest.mark.parametrize(
    "name",
    [
        n
        for n in MALFORMED_FILES
        if n not in OPTIONS or n == "too_long.jsonl" or n == "csv_missing_mapped.csv"
    ],
)
def test_cli_exits_2_with_file_line_messages(name, capsys, monkeypatch):
    monkeypatch.setattr("studio.models.load_tokenizer", lambda model: tiny_tokenizer())
    argv = ["data", "validate", str(MALFORMED / name)]
    argv += {
        "too_long.jsonl": ["--model", "tiny", "--max-length", "64"],
        "csv_missing_mapped.csv": ["--map", "prompt=question,response=answer"],
    }.get(name, [])
    code, output = run_cli(argv, capsys)
    line, field, words, _ = EXPECTED[name]
    where = str(MALFORMED / name) + ("" if line is None else f":{line}")
    assert code == 2
    assert "Traceback" not in output
    assert re.search(re.escape(where) + r"( \(record \d+\))?: " + re.escape(field) + ": ", output), output
    assert words in output


@pytest.mark.parametrize("name", GOOD_FILES)
def test_cli_exits_0_on_good_files(name, capsys, monkeypatch):
    monkeypatch.setattr("studio.models.load_tokenizer", lambda model: tiny_tokenizer())
    code, output = run_cli(["data", "validate", str(GOOD / name), "--model", "tiny"], capsys)
    assert code == 0, output
    assert "2 rows, 2 usable, 0 errors" in output
    assert "tokens: min " in output


def test_cli_json_report(capsys):
    code, output = run_cli(
        ["data", "validate", str(MALFORMED / "mixed_formats.jsonl"), "--json"], capsys
    )
    report = json.loads(output)
    assert code == 2
    assert report["format"] == "alpaca" and report["usable_rows"] == 2 and not report["ok"]
    assert [(e["line"], e["field"]) for e in report["errors"]] == [(2, "record")]


def test_cli_tokenizer_failure_is_one_line(capsys, monkeypatch):
    def broken(model):
        raise OSError(f"no such model {model}")

    monkeypatch.setattr("studio.models.load_tokenizer", broken)
    code, output = run_cli(
        ["data", "validate", str(GOOD / "alpaca.jsonl"), "--model", "nope"], capsys
    )
    assert code == 2  # a model name the user can fix
    assert output.strip() == "error: no such model nope"


def test_cli_bad_mapping_is_an_argument_error(capsys):
    with pytest.raises(SystemExit) as stop:
        run_cli(["data", "validate", str(GOOD / "columns.csv"), "--map", "prompt=question"], capsys)
    assert stop.value.code == 2
    assert "response=COL" in capsys.readouterr().err


def test_cli_preview(capsys):
    code, output = run_cli(["data", "preview", str(GOOD / "alpaca.jsonl"), "--n", "1"], capsys)
    assert code == 0
    assert output.splitlines() == [
        "[1] user: Rewrite in the samurai style. ⏎  ⏎ I am hungry. / assistant: 拙者、腹が減ったでござる。"
    ]
    code, output = run_cli(["data", "preview", str(MALFORMED / "empty.jsonl")], capsys)
    assert code == 2 and "Traceback" not in output


@pytest.fixture
def fake_kind(monkeypatch):
    """A generator module registered under a kind of its own, so these tests do not depend on the
    real generators' contents. `mode` switches it to produce a bad row."""
    module = types.ModuleType("fake_generator")
    module.mode = "good"

    def generate(n, seed=0):
        answer = "" if module.mode == "bad" else f"answer {seed}"
        return [chat(f"q{i}", answer) for i in range(n)]

    module.generate = generate
    monkeypatch.setitem(sys.modules, "fake_generator", module)
    monkeypatch.setitem(
        __import__("studio.data.generate").data.generate.KINDS, "fake", "fake_generator"
    )
    return module


def test_cli_generate_writes_and_refuses_to_overwrite(tmp_path, capsys, fake_kind):
    out = tmp_path / "gen.jsonl"
    code, output = run_cli(
        ["data", "generate", "--kind", "fake", "--n", "3", "--out", str(out)], capsys
    )
    assert code == 0, output
    assert validate_file(out).ok and len(validate_file(out).usable) == 3
    before = out.read_bytes()
    argv = ["data", "generate", "--kind", "fake", "--n", "2", "--out", str(out), "--seed", "7"]
    code, output = run_cli(argv, capsys)
    assert code == 2 and "--force" in output and out.read_bytes() == before
    code, _ = run_cli([*argv, "--force"], capsys)
    assert code == 0 and len(out.read_text().splitlines()) == 2 and "answer 7" in out.read_text()


def test_cli_generate_never_writes_bad_rows(tmp_path, capsys, fake_kind):
    fake_kind.mode = "bad"
    out = tmp_path / "gen.jsonl"
    code, output = run_cli(
        ["data", "generate", "--kind", "fake", "--n", "2", "--out", str(out)], capsys
    )
    assert code == 1 and "empty answer" in output and "Traceback" not in output
    assert list(tmp_path.iterdir()) == []


def test_a_problem_every_row_shares_is_said_once_with_its_count(tmp_path):
    path = tmp_path / "many.jsonl"
    path.write_text("not json\n" * (MAX_ISSUES + 50), encoding="utf-8")
    report = validate_file(path)
    assert len(report.errors) == 1 and report.errors[0].line == 1
    assert report.error_count == MAX_ISSUES + 50
    assert f"{MAX_ISSUES + 49} more rows alike: lines 2, 3, 4, 5, 6, …" in str(report.errors[0])


def test_issues_are_capped_and_the_summary_says_how_many_were_not_listed(tmp_path):
    path = tmp_path / "many.jsonl"  # each line its own problem (a different column): nothing collapses
    path.write_text("".join("{" + " " * n + "x\n" for n in range(MAX_ISSUES + 50)), encoding="utf-8")
    report = validate_file(path)
    assert len(report.errors) == MAX_ISSUES and report.errors_dropped == 50
    assert report.error_count == MAX_ISSUES + 50
    assert "not listed: 50 more errors and 0 more warnings" in report.summary()


def test_duplicates_are_warned_but_kept(tmp_path):
    write_jsonl(tmp_path / "dup.jsonl", [GOOD_ROW, GOOD_ROW])
    report = validate_file(tmp_path / "dup.jsonl")
    assert report.ok and len(report.usable) == 2
    assert [(w.line, "duplicate" in w.message) for w in report.warnings] == [(2, True)]


def test_validate_records_places_are_record_numbers():
    report = validate_records([GOOD_ROW, {"messages": []}, GOOD_ROW | {"meta": {"k": 1}}])
    assert report.lines == [1, 3] and report.records == [1, 3]
    assert [(e.line, e.record, e.message) for e in report.errors] == [(None, 2, "no turns")]


def _chat(user: str, answer: str = "ok") -> dict:
    return {
        "messages": [{"role": "user", "content": user}, {"role": "assistant", "content": answer}]
    }


def test_cli_hub_target_goes_to_validate_hub(capsys, monkeypatch):
    calls = []

    def fake_hub(dataset_id, split="train", **options):
        calls.append((dataset_id, split))
        return validate_records([GOOD_ROW], file=dataset_id)

    monkeypatch.setattr("studio.data.validate.validate_hub", fake_hub)
    code, output = run_cli(["data", "validate", "hub:someone/data:test"], capsys)
    assert calls == [("someone/data", "test")]
    assert code == 0 and "someone/data: messages" in output


# --- property tests: the validator never raises, and what it keeps is well formed -----------

_TURN_KEYS = st.sampled_from(["role", "content", "from", "value", "text", "type"])
_ROLE = st.sampled_from(["user", "assistant", "system", "human", "gpt", "bot", "", "USER"])
_TEXT = st.one_of(st.text(max_size=8), _ROLE)
_SCALAR = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), _TEXT)
_JSONISH = st.recursive(
    _SCALAR,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.one_of(_TURN_KEYS, st.text(max_size=4)), inner, max_size=4),
    ),
    max_leaves=12,
)
_TURN = st.dictionaries(_TURN_KEYS, st.one_of(_TEXT, _JSONISH), max_size=3)
_FORMAT_KEYS = ["messages", "conversations", "instruction", "input", "output", "prompt"]
_OTHER_KEYS = ["completion", "question", "answer", "system", "history", "meta"]
_RECORD_KEYS = st.sampled_from(_FORMAT_KEYS + _OTHER_KEYS)
_RECORD = st.dictionaries(
    _RECORD_KEYS, st.one_of(_TEXT, st.lists(_TURN, max_size=4), _JSONISH), max_size=4
)
_SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _validate_bytes(data: bytes, suffix: str):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"data{suffix}"
        path.write_bytes(data)
        return validate_file(path)


def _assert_sound(report) -> None:
    assert all(i.field != "internal" for i in report.errors), report.errors
    assert len(report.usable) == len(report.lines) == len(report.records) <= report.rows
    assert not {(i.line, i.record) for i in report.errors} & set(zip(report.lines, report.records))
    for row in report.usable:
        assert_well_formed(row)


@_SETTINGS
@given(
    data=st.binary(max_size=300),
    suffix=st.sampled_from([".jsonl", ".json", ".csv", ".tsv", ".parquet"]),
)
def test_random_bytes_never_raise(data, suffix):
    _assert_sound(_validate_bytes(data, suffix))


@_SETTINGS
@given(records=st.lists(st.one_of(_RECORD, _JSONISH), min_size=1, max_size=6))
def test_random_records_are_kept_only_when_well_formed(records):
    text = "".join(json.dumps(r) + "\n" for r in records)
    report = _validate_bytes(text.encode("utf-8"), ".jsonl")
    _assert_sound(report)
    # every record is accounted for: usable, or named by an error at its line
    errors = {i.line for i in report.errors} | {n for i in report.errors for n in i.more}
    assert set(report.lines) | errors >= set(range(1, len(records) + 1))


@_SETTINGS
@given(lines=st.lists(st.text(alphabet=string.printable + '{}[]":,', max_size=40), max_size=6))
def test_random_text_lines_never_raise(lines):
    for suffix in (".jsonl", ".csv"):
        _assert_sound(_validate_bytes("\n".join(lines).encode("utf-8"), suffix))


_CONTENT = st.text(min_size=1, max_size=20).filter(str.strip)
_PAIRS = st.lists(st.tuples(_CONTENT, _CONTENT), min_size=1, max_size=3)


@_SETTINGS
@given(
    conversations=st.lists(
        st.tuples(st.one_of(st.none(), _CONTENT), _PAIRS), min_size=1, max_size=5
    )
)
def test_valid_conversations_survive_unchanged(conversations):
    rows = []
    for system, pairs in conversations:
        turns = [{"role": "system", "content": system}] if system else []
        for user, assistant in pairs:
            turns += [
                {"role": "user", "content": user},
                {"role": "assistant", "content": assistant},
            ]
        rows.append({"messages": turns})
    text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
    report = _validate_bytes(text.encode("utf-8"), ".jsonl")
    assert report.errors == [] and report.usable == rows


def test_without_max_length_rows_are_checked_against_the_models_context(tiny_model_dir, tmp_path, capsys):
    long_answer = " ".join(f"word{i}" for i in range(600))  # well over the tiny model's 512 positions
    write_jsonl(tmp_path / "long.jsonl", [chat("short", "fine"), chat("long", long_answer)])
    code, output = run_cli(["data", "validate", str(tmp_path / "long.jsonl"), "--model", str(tiny_model_dir)], capsys)
    assert code == 2 and "context of 512 tokens" in output
    assert "long.jsonl:2: messages: too long:" in output and "max_length is 512" in output
