"""A line that is not JSON is said with its cause in the UI's language: the json module's English ("Expecting
value") used to sit inside the Japanese sentence."""
from __future__ import annotations

import json

import pytest

from studio.data.json_why import json_why
from studio.data.validate import validate_file

BROKEN = [('{"messages": }', "json_why_value"), ('{"a": 1,}', "json_why_key"), ('{"a" 1}', "json_why_colon"),
          ('{"a": 1 "b": 2}', "json_why_comma"), ('{"a": "open', "json_why_unterminated"),
          ('{"a": "tab\there"}', "json_why_control"), ('{"a": "\\q"}', "json_why_escape"),
          ('{"a": "\\u12"}', "json_why_unicode"), ('{"a": 1} {"b": 2}', "json_why_extra")]


@pytest.mark.parametrize(("line", "key"), BROKEN)
def test_each_kind_of_json_error_has_its_own_words(line, key):
    with pytest.raises(json.JSONDecodeError) as e:
        json.loads(line)
    assert json_why(e.value).key == key


def test_a_bad_line_is_said_in_japanese_with_its_column_and_in_english_as_before(tmp_path):
    path = tmp_path / "rows.jsonl"
    path.write_text('{"messages": }\n', encoding="utf-8")
    problem = validate_file(path).errors[0]
    assert problem.text("ja") == ("14 列目の JSON が壊れています: "
                                  "ここに値が必要です（文字列を二重引用符で囲み忘れていませんか）")
    assert "Expecting" not in problem.text("ja") and problem.text("en").startswith("bad JSON at column 14: ")
    assert str(problem).endswith(problem.text("en") + f" ({problem.hint})")  # the CLI's line: English


def test_a_whole_json_document_says_its_line_and_column(tmp_path):
    path = tmp_path / "rows.json"
    path.write_text('[\n  {"a": 1},\n  {"a" 2}\n]\n', encoding="utf-8")
    said = validate_file(path).errors[0].text("ja")
    assert said == "3 行 8 列目の JSON が壊れています: キーの後にコロン（:）が必要です"


def test_a_message_this_python_does_not_know_is_kept_inside_the_japanese():
    error = json.JSONDecodeError("Something new", "x", 0)
    assert json_why(error).said("ja") == "JSON として読めません（Something new）"
    assert str(json_why(error)) == "Something new"
