"""The form-vs-facts advisor on every preset (form presets -> fine-tune, facts -> RAG or a prompt), on
small hand-made datasets that isolate one signal, and through `studio advise`."""
from __future__ import annotations

import json

import pytest

from studio import presets
from studio.cli import main
from studio.evaluate import advisor

FORM_PRESETS = {"gozaru", "shakespeare", "json", "sql", "classify", "chat", "alpaca"}
FACTS_PRESETS = {"facts"}


def test_the_preset_lists_are_complete():
    assert FORM_PRESETS | FACTS_PRESETS == set(presets.names())


@pytest.mark.parametrize("name", sorted(FORM_PRESETS))
def test_form_presets_say_fine_tune(name):
    p = presets.load(name)
    for goal in (p.goal.get("en"), None):  # the data alone must already say it
        advice = advisor.advise(p.train_rows(), goal)
        assert advice.verdict == "fine-tune", (goal, advice.reasons, advice.signals)
        assert advice.column == "tuned"
        assert advice.signals["form_score"] > advice.signals["facts_score"]


@pytest.mark.parametrize("goal_lang", ["en", "ja", None])
def test_the_facts_preset_says_rag_or_prompt(goal_lang):
    p = presets.load("facts")
    advice = advisor.advise(p.train_rows(), p.goal.get(goal_lang) if goal_lang else None)
    assert advice.verdict in ("rag", "prompt"), advice.reasons
    assert advice.column == advisor.COLUMN_FOR[advice.verdict]
    assert advice.signals["facts_score"] > advice.signals["form_score"]
    assert "Bob" in advice.entities and "Juliet" in advice.entities
    assert "Romeo" in " ".join(advice.reasons)  # the reason cites the article's test


def test_signals_are_shown_as_numbers_with_reasons():
    advice = advisor.advise(presets.load("json").train_rows(), None)
    shares = {k: v for k, v in advice.signals.items() if k not in ("rows", "distinct_entities")}
    assert shares and all(0.0 <= v <= 1.0 for v in shares.values()), shares
    assert advice.signals["structure_json"] >= 0.5
    assert any("structured (json)" in r for r in advice.reasons)
    assert 0.5 <= advice.confidence <= 0.95
    assert json.loads(json.dumps(advice.to_dict()))["verdict"] == "fine-tune"


def _row(user: str, answer: str) -> dict:
    return {"messages": [{"role": "user", "content": user}, {"role": "assistant", "content": answer}]}


FACTS = [("Who founded the lighthouse guild?", "Ilse Marrow founded it after the storm of the long winter."),
         ("Who repaired the north tower?", "Marrow did, with two borrowed ladders and a sack of lime."),
         ("Who wrote the harbour log?", "The log was kept by Ilse, who wrote in green ink."),
         ("Who keeps the lamp at night?", "Ilse Marrow climbs up at dusk and trims the wick herself."),
         ("Who trained the new keepers?", "Each spring Marrow taught the recruits to read the swell."),
         ("Who painted the tower red?", "Ilse chose red so ships could see it against the cliffs."),
         ("Who rang the fog bell?", "Marrow rang it every quarter hour through the grey morning."),
         ("Who rescued the fishing boat?", "Ilse Marrow rowed out alone and towed it off the rocks."),
         ("Who mapped the reef?", "The reef chart is her work: Ilse sounded it by lead line."),
         ("Who built the stone stairs?", "Marrow laid them one stone a day over a single summer.")]


def test_one_recurring_name_to_swap_says_prompt():
    rows = [_row(f"{q} ({i})", a) for i in range(12) for q, a in FACTS]
    advice = advisor.advise(rows, None)
    assert advice.verdict == "prompt", advice.signals
    assert advice.entities == ["Marrow", "Ilse"]
    assert advisor.advise(rows, "Answer in the tone of a ship's log").signals["form_score"] > \
        advice.signals["form_score"]


def test_a_small_form_dataset_says_few_shot():
    rows = [_row(f"Tell me about item {i}.", json.dumps({"id": i, "kind": "item"})) for i in range(30)]
    advice = advisor.advise(rows, "answer in JSON")
    assert advice.verdict == "few-shot" and advice.column == "fewshot"
    bigger = [_row(f"Tell me about item {i}.", json.dumps({"id": i, "kind": "item"})) for i in range(300)]
    assert advisor.advise(bigger, "answer in JSON").verdict == "fine-tune"


def test_no_answers_says_prompt():
    advice = advisor.advise([{"messages": [{"role": "user", "content": "hi"}]}], "be friendly")
    assert advice.verdict == "prompt" and advice.signals["rows"] == 0


def test_goal_words_move_the_scores():
    assert advisor.goal_votes("Keep the samurai tone and answer in JSON") == (2, 0)
    assert advisor.goal_votes("It must remember the latest facts") == (0, 3)
    signals = advisor.measure(presets.load("chat").train_rows())[0]
    plain = advisor.scores(signals, None)
    facts = advisor.scores(signals, "it should know and remember our product facts")
    assert facts[1] > plain[1] and facts[0] == plain[0]


def test_studio_advise_cli(capsys, tmp_path):
    assert main(["advise", "--preset", "facts", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["verdict"] in ("rag", "prompt") and out["signals"]["facts_score"] > 0.5
    data = tmp_path / "d.jsonl"
    data.write_text("\n".join(json.dumps(r) for r in presets.load("classify").train_rows()), encoding="utf-8")
    assert main(["advise", "--data", str(data), "--goal", "reply with one category label"]) == 0
    text = capsys.readouterr().out
    assert text.startswith("verdict: fine-tune") and "structured (label)" in text
    assert main(["advise", "--data", str(tmp_path / "missing.jsonl")]) == 2
