"""Dataset formats: detection, normalisation to chat messages, column mappings, parquet, hub."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from studio.data import formats
from studio.data.formats import RecordError, detect_format, guess_mapping, normalise
from studio.data.validate import validate_file
from studio.fsutil import write_jsonl
from tests.helpers import FIXTURES, ROOT

GOOD = FIXTURES / "good"
REPO = ROOT


def msgs(*turns: tuple[str, str]) -> list[dict]:
    return [{"role": r, "content": c} for r, c in turns]


# (file, detected format, the first row as the trainer will see it)
GOOD_FILES = [
    (
        "messages.jsonl",
        "messages",
        msgs(
            ("system", "Answer like a samurai."),
            ("user", "今日の天気は？"),
            ("assistant", "晴れでござる。"),
        ),
    ),
    (
        "alpaca.jsonl",
        "alpaca",
        msgs(
            ("user", "Rewrite in the samurai style.\n\nI am hungry."),
            ("assistant", "拙者、腹が減ったでござる。"),
        ),
    ),
    (
        "sharegpt.jsonl",
        "sharegpt",
        msgs(("system", "Be terse."), ("user", "2+2?"), ("assistant", "4")),
    ),
    (
        "prompt_completion.jsonl",
        "prompt_completion",
        msgs(("user", "Classify: I loved it."), ("assistant", "positive")),
    ),
    (
        "records.json",
        "messages",
        msgs(("user", "Greet me."), ("assistant", "Good morrow to thee!")),
    ),
    (
        "columns.csv",
        "columns",
        msgs(
            ("system", "Speak in verse."),
            ("user", "Hello, who are you?"),
            ("assistant", "I am a bard."),
        ),
    ),
    ("columns.tsv", "columns", msgs(("user", "Say hi"), ("assistant", "Hi!"))),
    (
        "messages.parquet",
        "messages",
        msgs(("user", "Greet me."), ("assistant", "Good morrow to thee!")),
    ),
]


@pytest.mark.parametrize(("name", "fmt", "first"), GOOD_FILES, ids=[g[0] for g in GOOD_FILES])
def test_good_file_detected_and_normalised(name, fmt, first):
    report = validate_file(GOOD / name)
    assert report.errors == []
    assert report.ok
    assert report.format == fmt
    assert report.rows == len(report.usable) == 2
    assert report.usable[0]["messages"] == first


def test_every_format_has_a_good_file():
    files = [*GOOD.iterdir(), *(FIXTURES / "formats").iterdir()]  # the corpus of other tools' files
    seen = {validate_file(p).format for p in files}
    assert seen >= {*formats.FORMATS, *formats.REFUSED}


@pytest.mark.parametrize(
    ("record", "fmt"),
    [
        ({"messages": []}, "messages"),
        ({"conversations": [], "system": "x"}, "sharegpt"),
        ({"instruction": "a", "input": "", "output": "b"}, "alpaca"),
        (
            {"instruction": "a"},
            "alpaca",
        ),  # incomplete Alpaca: reported as 'output missing', not unknown
        ({"prompt": "a", "completion": "b"}, "prompt_completion"),
        ({"question": "a", "answer": "b"}, "columns"),
        ({"instruction": "a", "context": "c", "response": "b"}, "columns"),  # Dolly
        ({"foo": 1, "bar": 2}, None),
        ({}, None),
    ],
)
def test_detect_format(record, fmt):
    assert detect_format(record) == fmt


@pytest.mark.parametrize(
    ("header", "mapping"),
    [
        (["question", "answer"], {"prompt": "question", "response": "answer"}),
        (["input", "output"], {"prompt": "input", "response": "output"}),
        (["prompt", "response"], {"prompt": "prompt", "response": "response"}),
        (["text", "label"], {"prompt": "text", "response": "label"}),
        (
            [" Question ", "ANSWER", "System"],
            {"prompt": " Question ", "response": "ANSWER", "system": "System"},
        ),
        (
            ["id", "query", "reply", "system_prompt"],
            {"prompt": "query", "response": "reply", "system": "system_prompt"},
        ),
        (["foo", "bar"], None),
        (["question"], None),
    ],
)
def test_guess_mapping(header, mapping):
    assert guess_mapping(header) == mapping


def test_alpaca_system_history_and_empty_input():
    record = {
        "system": "Be a knight.",
        "instruction": "And now?",
        "input": "",
        "output": "Onward!",
        "history": [["Who goes there?", "A friend."]],
    }
    row = normalise(record, "alpaca")
    assert row["messages"] == msgs(
        ("system", "Be a knight."),
        ("user", "Who goes there?"),
        ("assistant", "A friend."),
        ("user", "And now?"),
        ("assistant", "Onward!"),
    )


def test_openai_text_parts_are_joined_and_meta_is_kept():
    record = {
        "messages": [
            {
                "role": "user",
                "content": [{"type": "text", "text": "Hi "}, {"type": "text", "text": "there"}],
            },
            {"role": "assistant", "content": "Hello"},
        ],
        "meta": {"label": 3},
    }
    row = normalise(record, "messages")
    assert row["messages"][0]["content"] == "Hi there"
    assert row["meta"] == {"label": 3}


def test_sharegpt_role_aliases():
    record = {
        "conversations": [
            {"from": "Human", "value": "a"},
            {"from": "model", "value": "b"},
            {"from": "user", "value": "c"},
            {"from": "assistant", "value": "d"},
        ]
    }
    roles = [m["role"] for m in normalise(record, "sharegpt")["messages"]]
    assert roles == ["user", "assistant", "user", "assistant"]


@pytest.mark.parametrize(
    ("record", "fmt", "field", "words"),
    [
        ({"messages": "hi"}, "messages", "messages", "expected a list of turns, got a string"),
        (
            {"messages": [{"role": "bot", "content": "x"}]},
            "messages",
            "messages[0].role",
            "unknown role",
        ),
        (
            {"messages": msgs(("user", "a"), ("assistant", "b")), "meta": [1]},
            "messages",
            "meta",
            "expected an object",
        ),
        ({"instruction": "a", "output": 5}, "alpaca", "output", "got a number"),
        (
            {"instruction": "a", "output": "b", "history": [["only one"]]},
            "alpaca",
            "history[0]",
            "pair",
        ),
        ({"prompt": "a", "completion": None}, "prompt_completion", "completion", "got null"),
        ({"q": "a"}, "columns", "a", "missing column"),
    ],
)
def test_normalise_names_the_field(record, fmt, field, words):
    with pytest.raises(RecordError) as caught:
        normalise(record, fmt, {"prompt": "q", "response": "a"})
    assert caught.value.field == field
    assert words in caught.value.message


def test_row_problem_accepts_rows_and_names_faults():
    assert formats.row_problem({"messages": msgs(("user", "a"), ("assistant", "b"))}) is None
    assert "empty answer" in formats.row_problem(
        {"messages": msgs(("user", "a"), ("assistant", ""))}
    )
    assert "expected an object" in formats.row_problem(["not", "a", "row"])


def test_csv_mapping_override(tmp_path):
    path = tmp_path / "qa.csv"
    path.write_text("id,frage,antwort\n1,Wie geht's?,Gut.\n", encoding="utf-8")
    assert validate_file(path).format is None  # nothing to guess from
    report = validate_file(path, mapping={"prompt": "frage", "response": "antwort"})
    assert report.ok
    assert report.usable[0]["messages"] == msgs(("user", "Wie geht's?"), ("assistant", "Gut."))
    assert any("'id'" in w.message for w in report.warnings)  # the unused column is said


def test_jsonl_with_question_answer_keys_uses_a_guessed_mapping(tmp_path):
    path = tmp_path / "qa.jsonl"
    write_jsonl(path, [{"question": "2+2?", "answer": "4"}, {"question": "3+3?", "answer": "6"}])
    report = validate_file(path)
    assert report.ok and report.format == "columns"
    assert report.mapping == {"prompt": "question", "response": "answer"}


def test_parquet_round_trip_with_pandas(tmp_path):
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame(
        {"prompt": ["Say hi", "Say bye"], "response": ["Hi!", "Bye!"], "system": ["Be loud.", None]}
    )
    frame.to_parquet(tmp_path / "table.parquet")
    report = validate_file(tmp_path / "table.parquet")
    assert report.ok, report.errors
    assert [r["messages"] for r in report.usable] == [
        msgs(("system", "Be loud."), ("user", "Say hi"), ("assistant", "Hi!")),
        msgs(("user", "Say bye"), ("assistant", "Bye!")),
    ]
    rows = [{"messages": msgs(("user", f"q{i}"), ("assistant", f"a{i}"))} for i in range(3)]
    pd.DataFrame(rows).to_parquet(tmp_path / "chat.parquet")
    assert validate_file(tmp_path / "chat.parquet").usable == rows


def test_write_jsonl_is_atomic(tmp_path):
    path = tmp_path / "out.jsonl"
    rows = [{"messages": msgs(("user", "こんにちは"), ("assistant", "ござる"))}]
    assert write_jsonl(path, rows) == 1
    assert "こんにちは" in path.read_text(encoding="utf-8")  # ensure_ascii=False
    with pytest.raises(TypeError):
        write_jsonl(path, [{"bad": object()}])
    assert [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()] == rows
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.jsonl"]  # no temp file left


def _hub_probe(tmp_path: Path, target: str) -> dict:
    """validate_hub in a fresh interpreter: `datasets` reads the offline flags at import time."""
    env = os.environ | {"HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1", "HF_HOME": str(tmp_path)}
    code = (
        "import json, sys; from studio.data.validate import validate_hub; "
        "print(json.dumps(validate_hub(sys.argv[1]).to_dict()))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, target],
        env=env,
        cwd=REPO,
        check=False,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_hub_offline_is_a_clear_error_not_a_crash(tmp_path):
    report = _hub_probe(tmp_path, "someone/no-such-dataset")
    assert report["usable_rows"] == 0
    [issue] = report["errors"]
    assert issue["field"] == "hub"
    assert "could not load hub dataset 'someone/no-such-dataset'" in issue["message"]


def test_hub_loader_reads_a_local_dataset_folder(tmp_path):
    folder = tmp_path / "ds"
    folder.mkdir()
    write_jsonl(
        folder / "train.jsonl",
        [
            {"instruction": "Greet", "output": "Hail!"},
            {"instruction": "Part", "output": "Farewell!"},
        ],
    )
    report = _hub_probe(tmp_path, str(folder))
    assert report["errors"] == []
    assert report["format"] == "alpaca" and report["usable_rows"] == 2


def test_windows_line_endings_and_bom_are_fine(tmp_path):
    row = {"instruction": "Greet", "output": "Hail!"}
    (tmp_path / "crlf.jsonl").write_bytes(b"\xef\xbb\xbf" + (json.dumps(row) + "\r\n").encode() * 2)
    (tmp_path / "crlf.csv").write_bytes(b'prompt,response\r\n"two\r\nlines",ok\r\n')
    jsonl = validate_file(tmp_path / "crlf.jsonl")
    assert jsonl.ok and jsonl.lines == [1, 2]
    table = validate_file(tmp_path / "crlf.csv")
    assert table.ok and table.usable[0]["messages"][0]["content"] == "two\r\nlines"
