"""The five presets of the style side (gozaru, shakespeare, chat, alpaca, facts): layout, sizes,
disjointness, the tone of every answer, gold answers scoring full marks, facts files, and that the
committed files are exactly what their builders write (every preset is built one way: the registry
studio.data.generate.PRESETS, which `studio data build-preset` runs)."""
from __future__ import annotations

import json
import re

import pytest
import yaml

from studio import presets
from studio.cli import main
from studio.data import generate
from studio.data.generate import gozaru
from studio.evaluate import style
from tests.helpers import PRESETS

NAMES = ("gozaru", "shakespeare", "chat", "alpaca", "facts")
EXPECT = {  # name: (language, task, meter, model)
    "gozaru": ("ja", "style", "gozaru", "gemma3-270m"),
    "shakespeare": ("en", "style", "shakespeare", "smollm2-135m"),
    "chat": ("en", "chat", "nonempty", "smollm2-135m"),
    "alpaca": ("en", "instruct", "nonempty", "smollm2-135m"),
    "facts": ("en", "facts", "fact_recall", "smollm2-135m"),
}
KEYS = {"name", "title", "description", "language", "task", "meter", "model", "hub_model", "system",
        "goal", "train"}
TRAIN_KEYS = {"epochs", "learning_rate", "max_length", "lora_r", "lora_alpha", "batch_size", "max_steps"}
FILES = ("preset.yaml", "train.jsonl", "eval.jsonl", "probes.txt")


def load(name: str) -> tuple[dict, list[dict], list[dict], list[str]]:
    folder = PRESETS / name
    spec = yaml.safe_load((folder / "preset.yaml").read_text(encoding="utf-8"))
    train, evals = ([json.loads(line) for line in (folder / f).read_text(encoding="utf-8").splitlines()]
                    for f in ("train.jsonl", "eval.jsonl"))
    return spec, train, evals, (folder / "probes.txt").read_text(encoding="utf-8").splitlines()


def user_turns(rows: list[dict]) -> set[str]:
    return {m["content"] for r in rows for m in r["messages"] if m["role"] == "user"}


def assistant_turns(rows: list[dict]) -> list[str]:
    return [m["content"] for r in rows for m in r["messages"] if m["role"] == "assistant"]


@pytest.mark.parametrize("name", NAMES)
def test_yaml_keys(name):
    spec, *_ = load(name)
    extra = {"fact_prompt"} if name == "facts" else set()
    assert set(spec) == KEYS | extra
    language, task, meter, model = EXPECT[name]
    assert (spec["name"], spec["language"], spec["task"], spec["meter"], spec["model"]) == (
        name, language, task, meter, model)
    assert callable(getattr(style, spec["meter"]))
    assert "/" in spec["hub_model"] and spec["system"] is None
    for key in ("title", "description", "goal"):
        assert set(spec[key]) == {"en", "ja"} and all(v.strip() for v in spec[key].values())
    assert set(spec["train"]) <= TRAIN_KEYS and spec["train"]["epochs"] > 0
    assert 0 < spec["train"]["learning_rate"] < 1e-2 and spec["train"]["max_length"] <= 256


@pytest.mark.parametrize("name", NAMES)
def test_sizes_and_disjointness(name):
    _, train, evals, probes = load(name)
    assert len(train) >= (120 if name == "facts" else 300) and len(evals) >= 50
    assert 10 <= len(probes) <= 30 and all(p.strip() and p == p.strip() for p in probes)
    assert len(set(probes)) == len(probes)
    assert not user_turns(evals) & user_turns(train)
    assert not set(probes) & user_turns(train) and not set(probes) & user_turns(evals)
    for row in train + evals:
        roles = [m["role"] for m in row["messages"]]
        assert roles[-1] == "assistant" and roles[0] == "user"
        assert all(m["content"].strip() for m in row["messages"])


@pytest.mark.parametrize("name", NAMES)
def test_gold_answers_score_full_marks(name):
    spec, _, evals, _ = load(name)
    golds = [r["messages"][-1]["content"] for r in evals]
    assert getattr(style, spec["meter"])(golds, evals)["primary"] == 1.0


@pytest.mark.parametrize("name", NAMES)
def test_committed_files_match_builder(name, tmp_path):
    generate.build_preset(name, tmp_path)
    for f in FILES + (("facts.yaml",) if name == "facts" else ()):
        assert (tmp_path / f).read_bytes() == (PRESETS / name / f).read_bytes(), f


def test_every_shipped_preset_has_one_builder():
    assert set(generate.PRESETS) == set(presets.names())


def test_the_command_rebuilds_a_preset_and_says_what_changed(tmp_path, capsys):
    assert main(["data", "build-preset", "chat", "--out", str(tmp_path)]) == 0
    assert capsys.readouterr().out == f"wrote {tmp_path / 'chat'}: new\n"
    assert all((tmp_path / "chat" / f).read_bytes() == (PRESETS / "chat" / f).read_bytes() for f in FILES)
    (tmp_path / "chat" / "probes.txt").write_text("stale\n", encoding="utf-8")
    assert main(["data", "build-preset", "chat", "--out", str(tmp_path)]) == 0
    assert capsys.readouterr().out == f"wrote {tmp_path / 'chat'}: probes.txt changed\n"
    assert main(["data", "build-preset", "all", "--out", str(tmp_path / "nowhere")]) == 2
    assert "does not exist" in capsys.readouterr().err


def test_gozaru_every_answer_in_tone():
    _, train, evals, probes = load("gozaru")
    answers = assistant_turns(train + evals)
    assert all(style.is_gozaru(a) for a in answers)
    assert all(gozaru.check_row(r) is None for r in train + evals)
    assert not any(style.is_gozaru(p) for p in probes)


def test_shakespeare_every_answer_in_tone():
    _, train, evals, probes = load("shakespeare")
    assert all(style.is_shakespearean(a) for a in assistant_turns(train + evals))
    assert not any(style.is_shakespearean(p) for p in probes)


def test_chat_is_multi_turn_and_concise():
    _, train, evals, _ = load("chat")
    two_turn = [r for r in train if sum(m["role"] == "user" for m in r["messages"]) == 2]
    assert len(two_turn) >= 60 and any(sum(m["role"] == "user" for m in r["messages"]) == 2 for r in evals)
    assert style.nonempty(assistant_turns(train), train)["primary"] == 1.0
    assert not any(style.is_shakespearean(a) for a in assistant_turns(train))


def test_alpaca_answers_are_correct_where_checkable():
    _, train, evals, _ = load("alpaca")
    rows = train + evals
    assert len({r["meta"]["task"] for r in rows}) >= 8
    checked = 0
    for r in rows:
        user, answer = r["messages"][0]["content"], r["messages"][1]["content"]
        if user.startswith("Sort these words"):
            words = user.split("\n\n")[1].split(", ")
            assert answer.split(", ") == sorted(words)
            checked += 1
        elif m := re.fullmatch(r"Spell the word '(\w+)' backwards\.", user):
            assert answer == m.group(1)[::-1]
            checked += 1
        elif user.startswith("Add up these numbers"):
            total = sum(int(x) for x in user.split("\n\n")[1].split(", "))
            assert answer == f"The total is {total}."
            checked += 1
    assert checked >= 20


def test_facts_files():
    spec, train, evals, probes = load("facts")
    assert spec["fact_prompt"] == "In this story, Romeo is called Bob. Always use the name Bob, never Romeo."
    assert all(re.search(r"\bBob\b", a, re.IGNORECASE) for a in assistant_turns(train))
    assert not any("romeo" in json.dumps(r).lower() for r in train)
    assert all(r["meta"]["answer"] == "Bob" and r["meta"]["wrong"] == "Romeo" for r in evals)
    assert "Juliet loved a man whose name starts with B. What was his name?" in probes
    facts = yaml.safe_load((PRESETS / "facts" / "facts.yaml").read_text(encoding="utf-8"))
    assert (facts["old"], facts["new"]) == ("Romeo", "Bob") and len(facts["probes"]) >= 10
    assert all(p["answer"] == "Bob" and p["wrong"] == "Romeo" and p["prompt"] in probes
               for p in facts["probes"])
    notes = (PRESETS / "facts" / "notes.md").read_text(encoding="utf-8")
    paragraphs = [p for p in notes.split("\n\n") if p.strip() and not p.startswith("#")]
    assert 10 <= len(paragraphs) <= 30 and "Juliet loved Bob" in notes


def test_fact_recall_separates_old_and_new():
    _, _, evals, _ = load("facts")
    old = style.fact_recall(["Romeo." for _ in evals], evals)
    assert old["primary"] == 0.0 and old["old_fact"] == 1.0
