"""Tool-call arguments encoded twice (issue 29): named for what they are, not "expected an object, got a
string", and fixed in one step by `studio data validate --fix` (the original file untouched)."""
from __future__ import annotations

import json

from studio.cli import main
from studio.data import repair
from studio.data.validate import validate_file
from studio.text import t

ROW = {"messages": [
    {"role": "user", "content": "Weather in Paris?"},
    {"role": "assistant", "tool_calls": [{"id": "call_1", "type": "function", "function": {
        "name": "get_weather", "arguments": json.dumps(json.dumps({"city": "Paris"}))}}]},
    {"role": "tool", "tool_call_id": "call_1", "content": "18C, sunny"},
    {"role": "assistant", "content": "It is 18C and sunny in Paris."}]}


def _file(tmp_path, rows):
    path = tmp_path / "tools.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def _once(row: dict) -> dict:
    fixed = json.loads(json.dumps(row))
    fn = fixed["messages"][1]["tool_calls"][0]["function"]
    fn["arguments"] = json.dumps({"city": "Paris"})
    return fixed


def test_twice_encoded_arguments_are_named_with_the_fix(tmp_path):
    report = validate_file(_file(tmp_path, [ROW, _once(ROW)]))
    assert len(report.usable) == 1 and report.error_count == 1
    problem = report.errors[0]
    assert "encoded twice" in str(problem) and "--fix" in problem.hint and "expected an object" not in str(problem)
    assert t("ja", "e_call_args_twice") != t("en", "e_call_args_twice")


def test_validate_fix_writes_a_fixed_copy_that_checks_clean(tmp_path, capsys):
    src = _file(tmp_path, [ROW, _once(ROW), ROW])
    before = src.read_bytes()
    assert main(["data", "validate", str(src), "--fix"]) == 0
    out = tmp_path / "tools.fixed.jsonl"
    assert "2 tool call(s) in 2 row(s)" in capsys.readouterr().err and src.read_bytes() == before
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert rows[0] == _once(ROW) == rows[2] and rows[1] == _once(ROW)
    assert len(validate_file(out).usable) == 3


def test_arguments_that_are_a_plain_string_are_not_taken_for_twice_encoded():
    assert repair.twice_encoded('"just words"') is None and repair.twice_encoded('{"a": 1}') is None
    assert repair.twice_encoded(json.dumps(json.dumps({"a": 1}))) == {"a": 1}


def test_a_fix_onto_the_file_itself_is_refused_and_the_file_kept(tmp_path, capsys):
    import pytest

    from studio.text import said

    src = _file(tmp_path, [ROW])
    before = src.read_bytes()
    assert main(["data", "validate", str(src), "--fix", "--out", str(src)]) == 2
    assert "never overwritten" in capsys.readouterr().err and src.read_bytes() == before
    with pytest.raises(repair.RepairError) as err:
        repair.fix_file(src, src)
    assert said("ja", err.value) != str(err.value)
