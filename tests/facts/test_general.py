"""The general-knowledge set of the facts lab (what tuning costs): the file, the judge, the summary with its
intervals, and (slow) the acceptance of the set: the embedded base model gets at least 50 of it right."""
from __future__ import annotations

import json

import pytest

from studio.compare.engine import Comparer
from studio.facts import general

PARIS = {"id": "capital-france", "q": "What is the capital of France?", "answers": ["Paris"]}
FOUR = {"id": "add-2-2", "q": "What is 2 plus 2?", "answers": ["4"]}
PENGUIN = {"id": "penguin", "q": "Which bird cannot fly and lives in Antarctica?", "answers": ["penguin"]}
SEVEN = {"id": "days-in-week", "q": "How many days are there in a week?", "answers": ["seven"]}


def test_the_file_is_a_valid_set_of_about_a_hundred_easy_questions():
    items = general.load_questions()
    assert 90 <= len(items) <= 140 and len({it["id"] for it in items}) == len(items)
    assert len({it["topic"] for it in items}) >= 6 and all(it["answers"] for it in items)
    assert all(it["q"].endswith("?") for it in items)


def test_romeo_and_shakespeare_never_appear_since_the_lab_renames_romeo():
    text = general.QUESTIONS_FILE.read_text(encoding="utf-8").lower()
    assert not [w for w in ("romeo", "juliet", "shakespeare", "montague", "capulet", "verona") if w in text]


@pytest.mark.parametrize(("rows", "message"), [
    ([PARIS, {**FOUR, "id": "capital-france"}], "duplicate ids"),
    ([{**PARIS, "answers": []}], "no accepted answers"),
    ([{**PARIS, "answers": ["Paris", "The"]}], "match almost anything"),
    ([{**PARIS, "answers": ["..."]}], "match almost anything"),
    ([{**PARIS, "q": " "}], "without an id or text"),
    ([{**PARIS, "q": "Is the capital of France Paris or Lyon?"}], "the question contains the answer"),
])
def test_load_questions_refuses_a_broken_file(tmp_path, rows, message):
    path = tmp_path / "set.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows), encoding="utf-8")
    with pytest.raises(ValueError, match=message):
        general.load_questions(path)


@pytest.mark.parametrize(("answer", "item", "verdict"), [
    ("Paris", PARIS, "right"),
    ("The capital of France is PARIS!", PARIS, "right"),
    ("It is Paris, of course.", PARIS, "right"),
    ("Parisian cafés are famous.", PARIS, "wrong"),  # whole words only: Parisian is not Paris
    ("London.", PARIS, "wrong"),
    ("2 + 2 = 4", FOUR, "right"),
    ("Four.", FOUR, "right"),  # digits and number words are one answer
    ("The answer is 24.", FOUR, "wrong"),  # 24 is not 4
    ("There are 7 days in a week.", SEVEN, "right"),
    ("Twenty-four hours.", {**FOUR, "answers": ["24"]}, "right"),
    ("Three hundred and sixty-five.", {**FOUR, "answers": ["365"]}, "right"),
    ("I don't know.", PARIS, "unsure"),
    ("I don\u2019t know.", PARIS, "unsure"),
    ("I'm not sure, maybe London?", PARIS, "unsure"),
    ("I'm not sure, but I think Paris.", PARIS, "right"),  # a hedge that names the answer is still right
    ("I cannot answer that.", PARIS, "unsure"),
    ("Unknown", PARIS, "unsure"),
    ("There is no information about that.", PARIS, "unsure"),
    ("1. Paris 2. Lyon 3. Marseille", PARIS, "right"),
    ("1. Lyon\n2. Paris\n3. Marseille", PARIS, "wrong"),  # a list is judged on its first item
    ("1) Lyon 2) Paris", PARIS, "wrong"),
    ("- Lyon\n- Paris", PARIS, "wrong"),
    ("1 hour = 60 minutes", {**FOUR, "answers": ["60"]}, "right"),  # not a list
    ("A bird that cannot fly.", PENGUIN, "wrong"),  # the question's own "cannot" is no hedge
    ("I cannot say.", {**PENGUIN, "q": "Which bird lives in Antarctica?"}, "unsure"),
    ("", PARIS, "empty"),
    ("  ... \n", PARIS, "empty"),
])
def test_judge(answer, item, verdict):
    assert general.judge(answer, item) == verdict


@pytest.mark.parametrize(("text", "normal"), [
    ("I don't know.", "i dont know"),
    ("Washington, D.C.", "washington d c"),
    ("Twenty-four hours", "24 hours"),
    ("three hundred and sixty-five", "365"),
    ("two thousand and twenty-six", "2026"),
    ("one, two, three", "1 2 3"),
    ("two and two", "2 and 2"),
    ("nineteen eighty-four", "19 84"),
    ("3.5 kg and 1,000 people.", "3.5 kg and 1000 people"),
])
def test_normalise(text, normal):
    assert general.normalise(text) == normal


def test_judge_reads_the_answers_of_a_question_row_too():
    row = general.question_rows([PARIS])[0]
    assert general.judge("paris", row) == "right" and general.judge("Lyon", row) == "wrong"


def test_question_rows_are_chat_rows_with_the_answers_in_meta():
    rows = general.question_rows([PARIS, SEVEN])
    assert rows[0]["messages"] == [
        {"role": "user", "content": f"What is the capital of France? {general.INSTRUCTION}"},
        {"role": "assistant", "content": "Paris"}]
    assert rows[1]["meta"] == {"id": "days-in-week", "answers": ["seven"]}


def test_collateral_scores_each_column_on_the_questions_the_base_got_right():
    items = [PARIS, FOUR, SEVEN, {"id": "sky", "q": "What colour is the sky?", "answers": ["blue"]}]
    out = general.collateral({"base": ["Paris", "4", "seven", "green"],
                              "tuned": ["Paris", "5", "I don't know", "blue"]}, items)
    assert out["set"] == ["capital-france", "add-2-2", "days-in-week"]
    base, tuned = out["columns"]["base"], out["columns"]["tuned"]
    assert base["n"] == tuned["n"] == 3 and base["still_right"]["share"] == 1.0
    for key in ("still_right", "confident_wrong", "unsure"):
        assert tuned[key]["k"] == 1 and tuned[key]["share"] == pytest.approx(1 / 3)
        assert (tuned[key]["lo"], tuned[key]["hi"]) == pytest.approx((0.0615, 0.7923), abs=1e-3)  # by hand
    assert tuned["empty"]["k"] == 0  # "blue" was right but is outside the set: the base got it wrong
    right = out["base_right"]
    assert (right["k"], right["n"], right["share"]) == (3, 4, 0.75)
    assert (right["lo"], right["hi"]) == pytest.approx((0.3006, 0.9544), abs=1e-3)
    assert out["verdicts"]["tuned"] == ["right", "wrong", "unsure", "right"]
    assert json.loads(json.dumps(out)) == out


def test_collateral_with_an_empty_set_and_wrong_input():
    out = general.collateral({"base": ["no idea"], "tuned": [""]}, [PARIS])
    assert out["columns"]["tuned"]["n"] == 0 and out["columns"]["tuned"]["still_right"]["share"] is None
    assert (out["columns"]["tuned"]["still_right"]["lo"], out["columns"]["tuned"]["still_right"]["hi"]) == (0, 1)
    with pytest.raises(ValueError, match="no 'base' column"):
        general.collateral({"tuned": ["Paris"]}, [PARIS])
    with pytest.raises(ValueError, match="one answer per question"):
        general.collateral({"base": ["Paris", "x"]}, [PARIS])


def test_collateral_lets_a_tuned_column_skip_the_questions_outside_the_set():
    out = general.collateral({"base": ["Paris", "5"], "tuned": ["Lyon", None]}, [PARIS, FOUR])
    assert out["columns"]["tuned"]["confident_wrong"]["k"] == 1 and out["verdicts"]["tuned"] == ["wrong", None]
    with pytest.raises(ValueError, match="not asked every question"):
        general.collateral({"base": ["Paris", "4"], "tuned": ["Paris", None]}, [PARIS, FOUR])


def test_wilson_matches_hand_computed_values():
    assert general.wilson(8, 10) == pytest.approx((0.4902, 0.9433), abs=1e-3)
    assert general.wilson(0, 10) == pytest.approx((0.0, 0.2775), abs=1e-3)
    assert general.wilson(10, 10) == pytest.approx((0.7225, 1.0), abs=1e-3)


class _EchoComparer:
    """Stands in for studio.compare.engine.Comparer: answers each column with its key and prompt."""

    def __init__(self):
        self.calls = []

    def generate(self, columns, settings):
        self.calls.append([c.key for c in columns])
        return [f"{c.key}|{c.adapter}|{c.messages[-1]['content']}" for c in columns]


def test_ask_sends_every_question_to_every_column_in_batches():
    comparer = _EchoComparer()
    items = [PARIS, FOUR, SEVEN]
    out = general.ask(comparer, items, {"base": None, "tuned": "/runs/x/adapter"}, batch_size=4)
    assert [len(c) for c in comparer.calls] == [4, 2]
    for key, adapter in (("base", None), ("tuned", "/runs/x/adapter")):
        assert out[key] == [f"{key}|{adapter}|{it['q']} {general.INSTRUCTION}" for it in items]
    assert list(general.ask(_EchoComparer(), items)) == ["base"]


@pytest.mark.slow
def test_smollm2_gets_at_least_50_of_the_set_right():
    """The acceptance of the set: the questions the base gets right define what tuning may cost, and
    there must be enough of them (measured: see the module docstring)."""
    items = general.load_questions()
    out = general.collateral(general.ask(Comparer("smollm2-135m"), items), items)
    print(json.dumps(out["base_right"]))
    assert out["base_right"]["k"] >= 50
