"""Issue 31's data traps: what a file carries by mistake though every row passes on its own (a template's
unfilled placeholders, one answer to many prompts, a placeholder system prompt) is warned with its count, its
lines and the fix; the studio's own presets and the format corpus say none of it. And a KTO tag without its
conversation is a data error, not an internal one."""
from __future__ import annotations

import json

import pytest

from studio.cli import main
from studio.data import traps
from studio.data.validate import validate_file, validate_records
from studio.fsutil import write_jsonl
from tests.helpers import FIXTURES, PRESETS

TRAPS = FIXTURES / "traps"
# identity.json is a JSON list written with indent=2: record i (from 0) starts on line 2 + 5 * i
NAME_RECORDS = [0, 1, 2, 3, 4, 5, 7, 8, 9, 11, 12, 13, 18, 19]
AUTHOR_RECORDS = [0, 1, 2, 3, 4, 6, 7, 8, 9, 10]


def line(record: int) -> int:
    return 2 + 5 * record


def trap_warnings(report) -> dict[str, list]:
    out: dict[str, list] = {}
    for w in report.warnings:
        if w.key in traps.KEYS:
            out.setdefault(w.key, []).append(w)
    return out


def lines_of(issue) -> list[int]:
    """Where the rows are: lines in a file, record numbers in records."""
    return [issue.line if issue.line is not None else issue.record, *issue.more]


def chat(user: str, answer: str, system: str | None = None) -> dict:
    turns = [{"role": "user", "content": user}, {"role": "assistant", "content": answer}]
    return {"messages": ([{"role": "system", "content": system}] if system else []) + turns}


def test_an_identity_template_is_named_with_its_count_lines_and_fix():
    report = validate_file(TRAPS / "identity.json")
    assert report.ok and len(report.usable) == 20  # warnings only: the rows stay usable
    found = trap_warnings(report)
    name, author = found["e_placeholder"]
    assert dict(name.args)["token"] == "{{name}}" and name.count == len(NAME_RECORDS)
    assert lines_of(name) == [line(r) for r in NAME_RECORDS]
    assert lines_of(author) == [line(r) for r in AUTHOR_RECORDS]
    assert name.text() == "an unfilled template placeholder {{name}} in 14 answer(s) (lines 2, 7, 12, 17, 22, …)"
    assert "replace {{name}} with your model's name in every answer" in name.hint_text()
    assert "replace {{author}} with the name of its maker" in author.hint_text()
    assert "{{name}} をあなたのモデルの名前に置き換えます" in name.hint_text("ja")
    assert "プレースホルダー {{name}} が 14 件の回答にあります" in name.text("ja")


def test_one_answer_to_many_prompts_is_said_with_its_share():
    report = validate_file(TRAPS / "identity.json")
    (same,) = trap_warnings(report)["e_same_answer"]
    assert lines_of(same) == [line(1), line(2), line(3)]
    assert "the same answer to 3 different prompts (15% of the rows, lines 7, 12, 17)" in same.text()
    assert "3 個の異なるプロンプトに同じ回答があります (全体の 15%" in same.text("ja")


def test_a_placeholder_system_prompt_is_said_once():
    report = validate_file(TRAPS / "system_placeholder.jsonl")
    (system,) = trap_warnings(report)["e_system_placeholder"]
    assert lines_of(system) == [1, 2, 3, 4, 6] and system.field == "system"  # line 5 has a real one
    assert "the system prompt is the placeholder “<system prompt>” in 5 row(s)" in system.text()
    assert "write the real system prompt" in system.hint_text()
    assert "システムプロンプトが 5 行でプレースホルダー「<system prompt>」のままです" in system.text("ja")


def test_studio_data_validate_prints_the_traps_and_exits_0(capsys):
    code = main(["data", "validate", str(TRAPS / "identity.json")])
    out = capsys.readouterr().out
    assert code == 0
    assert "identity.json:2 (record 1): answer: an unfilled template placeholder {{name}} in 14 answer(s)" in out
    assert "warning: " in out and "the same answer to 3 different prompts" in out


@pytest.mark.parametrize("text", [
    "Hello! I am {{name}}.", "I am {{ name }}, made by you.", "I am {model_name}.", "Call me <your name>.",
    "I was built by <COMPANY>.", "Sincerely, <name>", "Ask <assistant_name> anything.",
])
def test_a_placeholder_is_seen(text):
    assert traps.placeholders(text)


@pytest.mark.parametrize("text", [
    "Use `print(f'Hello {name}')`.",  # inline code
    "```python\nprint('{name}'.format(name='x'))\n```",  # a fenced block
    'In Python: print(f"Hello {name}") prints it.',  # an f-string outside backticks
    "msg = 'Hi {user}'.format(user=u)",
    "The fraction is \\frac{a}{b} and x^{n}.",  # LaTeX
    "Run echo ${HOME} in the shell.",
    '{"name": "Ada", "role": "engineer"}',  # JSON
    "{{#each items}} loops in Handlebars",
    "<think>Let me work it out.</think> 4.", "Wrap it in <b>bold</b>.", "<div>x</div>", "Use <br> for a break.",
    "A List<String> in Java; Vec<T> in Rust.", "<item>one</item>", "if a<b and c>d then", "<T> is a type variable",
    "SELECT name FROM t WHERE a < b AND c > d;", "Use a set like {x} in maths.",
])
def test_code_json_latex_and_tags_are_no_placeholders(text):
    report = validate_records([chat(f"q{i}", text) for i in range(30)])  # in every row: no template can hide
    assert "e_placeholder" not in trap_warnings(report), [str(w) for w in report.warnings]


@pytest.mark.parametrize("preset", sorted(p.name for p in PRESETS.iterdir() if (p / "train.jsonl").is_file()))
def test_no_preset_sets_off_a_trap(preset):
    for name in ("train.jsonl", "eval.jsonl"):
        path = PRESETS / preset / name
        if path.is_file():
            report = validate_file(path)
            assert not trap_warnings(report), [str(w) for w in report.warnings]


def test_the_format_corpus_sets_off_no_trap():
    for path in sorted((FIXTURES / "formats").iterdir()):
        assert not trap_warnings(validate_file(path)), path.name


def test_one_placeholder_in_one_answer_is_no_template():
    rows = [chat(f"q{i}", f"answer number {i}") for i in range(10)] + [chat("jinja?", "Write {{ name }} there.")]
    assert not trap_warnings(validate_records(rows))


def test_labels_and_rare_repeats_are_no_same_answer():
    labels = [chat(f"Ticket {i}: my card was charged twice", "BILLING") for i in range(40)]
    assert not trap_warnings(validate_records(labels))  # a label is the same for many prompts on purpose
    query = "SELECT name, COUNT(*) FROM cars GROUP BY name ORDER BY 2 DESC;"
    paraphrases = [chat(f"Question {i}?", f"Answer {i} in a full sentence.") for i in range(200)]
    paraphrases += [chat(f"Which car names are most common ({i})?", query) for i in range(3)]
    assert not trap_warnings(validate_records(paraphrases))  # 3 of 203 rows: paraphrased questions
    many = [chat(f"Question {i}?", f"Answer {i} in a full sentence.") for i in range(15)]
    many += [chat(f"Refusal {i}", "I'm sorry, but I cannot help with that request.") for i in range(5)]
    (same,) = trap_warnings(validate_records(many))["e_same_answer"]
    assert same.count == 5 and lines_of(same) == [16, 17, 18, 19, 20] and "(25% of the rows" in same.text()


def test_one_real_system_prompt_everywhere_is_no_trap():
    rows = [chat(f"q{i}", f"answer {i}", system="You are a helpful assistant.") for i in range(10)]
    assert not trap_warnings(validate_records(rows))


@pytest.mark.parametrize("system", ["{{system}}", "{system_prompt}", "SYSTEM_PROMPT", "TODO", "<insert prompt>"])
def test_placeholder_system_prompts(system):
    rows = [chat(f"q{i}", f"answer {i}", system=system) for i in range(4)]
    assert [w.count for w in trap_warnings(validate_records(rows))["e_system_placeholder"]] == [4]


def test_a_kto_tag_without_its_conversation_is_a_data_error(tmp_path):
    path = tmp_path / "kto.jsonl"
    good = {"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello!"}],
            "kto_tag": True}
    write_jsonl(path, [good, {"kto_tag": False, "instruction": "Hi", "output": "Go away."}, good])
    report = validate_file(path, method="kto")
    assert not any(e.field == "internal" for e in report.errors), [str(e) for e in report.errors]
    (error,) = report.errors
    assert (error.line, error.field, error.key) == (2, "messages", "e_kto_no_turns")
    assert "it has 'kto_tag' but no 'messages' or 'conversations'" in error.text()
    assert 'add "messages": [{"role": "user", …}, {"role": "assistant", …}] beside kto_tag' in error.hint_text()
    assert "'kto_tag' はありますが" in error.text("ja") and "kto_tag の横に" in error.hint_text("ja")
    assert len(report.usable) == 2 and report.partial


def test_the_traps_see_kto_answers_too(tmp_path):
    rows = [{"messages": [{"role": "user", "content": f"q{i}"},
                          {"role": "assistant", "content": f"I am {{{{name}}}}, answer {i}."}], "kto_tag": i % 2 == 0}
            for i in range(4)]
    path = tmp_path / "kto.json"
    path.write_text(json.dumps(rows), encoding="utf-8")
    (found,) = trap_warnings(validate_file(path, method="kto"))["e_placeholder"]
    assert found.count == 4
