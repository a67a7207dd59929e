"""Compare's UI handlers called directly (no browser) on the tiny random model: the batch table fills
for every prompt x column with the task meter, the blind test records votes, gives win rates and
exports DPO pairs, regenerate re-answers one column only, and bad input gives a clear gr.Error."""
from __future__ import annotations

import json
import re
from pathlib import Path

import gradio as gr
import pandas as pd
import pytest

pytestmark = pytest.mark.usefixtures("one_thread")
from studio import presets
from studio.data import votes
from studio.evaluate.batch_meter import batch_meter
from studio.text import TEXT
from studio.ui.compare import batch as compare_batch
from studio.ui.compare import blind as compare_blind
from studio.ui.compare import step as compare_step
from studio.ui.compare.common import FINAL, Setup, adapter_choices, refresh_adapter, run_choices
from tests.helpers.runs import fake_run, random_lora_folder

TOKENS = 16




@pytest.fixture(scope="module")
def lora(tiny_model_dir, tmp_path_factory) -> Path:
    return random_lora_folder(tiny_model_dir, tmp_path_factory.mktemp("lora"))


def setup(run_id, kinds=("base", "tuned"), adapter=FINAL, lang="en", tokens=TOKENS) -> Setup:
    """The choices every compare mode shares, as a handler receives them."""
    return Setup(run_id=run_id, adapter=adapter, kinds=list(kinds), system="", notes="", max_tokens=tokens,
                 lang=lang)


def table_of(update) -> pd.DataFrame:
    """The batch table a handler yields (a gr.Dataframe update, for its column widths) as a frame."""
    return pd.DataFrame(update.value["data"], columns=update.value["headers"])


def last(gen):
    out = None
    for out in gen:
        pass
    return out


# ---- batch ------------------------------------------------------------------------------------

def test_batch_fills_every_probe_by_column_then_shows_the_meter(tiny_model_dir, lora):
    run = fake_run(tiny_model_dir, lora, preset="gozaru")
    steps = list(compare_batch.run_batch(setup(run.id), compare_batch.PROBES, ""))
    probes = presets.load("gozaru").probes()
    first, table, status = table_of(steps[0][0]), table_of(steps[-1][0]), steps[-1][1]
    assert list(table.columns) == ["Prompt", "Base model", "Tuned (LoRA)"]
    assert list(table["Prompt"]) == probes and len(table) == 20
    assert (first.iloc[:, 1:] == compare_batch.PENDING).all().all()  # shown before any answer
    assert not (table.iloc[:, 1:] == compare_batch.PENDING).any().any()  # every cell answered
    partial = [(table_of(f).iloc[:, 1:] == compare_batch.PENDING).values.sum() for f, _ in steps]
    assert len(set(partial)) > 3  # filled progressively, not in one go
    assert re.search(r"\*\*ござる style rate\*\* \(20 of 20 prompts\): Base model \d+% · Tuned \(LoRA\) \d+%",
                     status), status


def test_batch_on_a_pasted_list_and_a_checkpoint(tiny_model_dir, lora):
    run = fake_run(tiny_model_dir, lora, checkpoints=(5,))
    text = "Greet guest 1\n\n  Why is the sky blue?  \n"
    table, status = last(compare_batch.run_batch(setup(run.id, adapter="checkpoint-5"), compare_batch.PASTE,
                                                 text))
    table = table_of(table)
    assert list(table.columns) == ["Prompt", "Base model", "Tuned (LoRA) · checkpoint-5"]
    assert list(table["Prompt"]) == ["Greet guest 1", "Why is the sky blue?"]
    assert "4 answers" in status and "concise answer rate" in status  # own data: the nonempty floor


@pytest.mark.parametrize("text, lang, message", [
    ("", "en", "The prompt list is empty"),
    (" \n\n ", "ja", "プロンプトのリストが空です"),
    ("\n".join(f"p{i}" for i in range(51)), "en", "51 prompts: the limit is 50"),
])
def test_batch_bad_lists_are_refused_clearly(tiny_model_dir, lora, text, lang, message):
    run = fake_run(tiny_model_dir, lora)
    with pytest.raises(gr.Error, match=message):
        next(compare_batch.run_batch(setup(run.id, lang=lang), compare_batch.PASTE, text))


def test_batch_without_a_run_or_columns_says_what_to_do():
    with pytest.raises(gr.Error, match="Pick a tuned run first"):
        next(compare_batch.run_batch(setup(None), compare_batch.PROBES, ""))
    with pytest.raises(gr.Error, match="Tick at least one column"):
        next(compare_batch.run_batch(setup("nope", kinds=()), compare_batch.PASTE, "hi"))


def test_meter_scores_style_without_gold_and_structure_with_gold_or_form(tiny_model_dir, lora):
    gozaru = fake_run(tiny_model_dir, lora, preset="gozaru")
    line = batch_meter(gozaru, ["a", "b"], {"base": ["こんにちは。", "はい。"],
                                             "tuned": ["拙者は元気でござる。", "そうでござる。"]})
    assert line.key == "gozaru" and line.shares == {"base": 0.0, "tuned": 1.0} and line.scored == 2
    facts = fake_run(tiny_model_dir, lora, preset="facts")
    line = batch_meter(facts, ["Who did Juliet love?", "unknown"], {"base": ["Romeo.", "?"],
                                                                     "tuned": ["Bob.", "?"]})
    assert line.key == "fact_recall" and line.shares == {"base": 0.0, "tuned": 1.0}
    assert (line.scored, line.total) == (1, 2)  # only the prompt with a gold answer counts
    json_run = fake_run(tiny_model_dir, lora, preset="json")
    gold = next(r for r in presets.load("json").eval_rows() if r["meta"]["direction"] == "to_json")
    valid = gold["messages"][-1]["content"]
    line = batch_meter(json_run, ["probe 1", "probe 2"], {"base": ["no", "no"], "tuned": [valid, "no"]})
    assert line.key == "json_form" and line.shares == {"base": 0.0, "tuned": 0.5}  # no gold: form only
    prompt = gold["messages"][0]["content"]
    line = batch_meter(json_run, [prompt], {"base": ["no"], "tuned": [valid]})
    assert line.key == "json_mr" and line.shares == {"base": 0.0, "tuned": 1.0}


def test_meter_text_names_columns_and_translates():
    from studio.evaluate.batch_meter import MeterLine

    line = MeterLine("gozaru", "ござる style rate", {"base": 0.03, "tuned@checkpoint-8": 0.95}, 20, 20)
    assert compare_batch.meter_text(line, "en") == ("**ござる style rate** (20 of 20 prompts): "
                                                    "Base model 3% · Tuned (LoRA) · checkpoint-8 95%")
    assert "ござる口調率" in compare_batch.meter_text(line, "ja")
    assert "needs gold answers" in compare_batch.meter_text(MeterLine("sql", "SQL", {}, 0, 3), "en")


# ---- blind ------------------------------------------------------------------------------------

def test_blind_vote_reveals_records_rates_and_exports_dpo(tiny_model_dir, lora):
    run = fake_run(tiny_model_dir, lora)
    steps = list(compare_blind.ask(setup(run.id, tokens=24), "Why is the sky blue?"))
    state, *rest = steps[-1]
    n = compare_blind.MAX_SLOTS  # an answer box and a vote button per slot, then the tie button
    boxes, buttons, which = rest[:n], rest[n:2 * n + 1], rest[2 * n + 1]
    assert [b.label for b in boxes[:2]] == ["A", "B"] and not boxes[2].visible  # unnamed
    assert all(b.interactive for b in buttons[:2]) and not buttons[2].visible and buttons[-1].interactive
    assert not any(b.interactive for b in steps[0][1 + n:2 * n + 2])  # no vote while the answers stream
    assert "Which answer is better" in which
    assert sorted(state["answers"]) == ["base", "tuned"] and state["prompt"] == "Why is the sky blue?"
    a_key = dict(state["order"])["A"]
    state2, *out = compare_blind.vote("A", state, "en")
    stored = votes.load(run.id)
    assert len(stored) == 1 and stored[0]["winner"] == a_key and stored[0]["run"] == run.id
    assert out[0].label.startswith("A — ") and not any(b.interactive for b in out[n:2 * n + 1])
    reveal, rates = out[2 * n + 1], out[2 * n + 2]
    assert "A was **" in reveal and "(your pick)" in reveal
    assert list(rates.columns) == ["Column", "Votes", "Wins", "Ties", "Win rate"]
    assert rates.iloc[0].tolist()[1:] == [1, 1, 0, "100%"] and rates.iloc[1, 4] == "0%"
    with pytest.raises(gr.Error, match="voted on this prompt already"):
        compare_blind.vote("B", state2, "en")
    assert state["answers"]["base"] != state["answers"]["tuned"]  # else no pair would be exported
    file = compare_blind.export(run.id, "en")
    lines = [json.loads(x) for x in Path(file.value["path"] if isinstance(file.value, dict) else file.value)
             .read_text(encoding="utf-8").splitlines()]
    assert lines == [{"prompt": "Why is the sky blue?", "chosen": state["answers"][a_key],
                      "rejected": state["answers"][next(k for k in state["answers"] if k != a_key)]}]


def test_blind_ties_count_half_and_bad_input_is_refused(tiny_model_dir, lora):
    run = fake_run(tiny_model_dir, lora)
    with pytest.raises(gr.Error, match="at least two columns"):
        next(compare_blind.ask(setup(run.id, kinds=("tuned",)), "hi"))
    with pytest.raises(gr.Error, match="Ask a prompt first"):
        compare_blind.vote("A", None, "en")
    state = last(compare_blind.ask(setup(run.id, kinds=("base", "tuned")), "Greet guest 2"))[0]
    *_, reveal, rates = compare_blind.vote(votes.TIE, state, "en")
    assert "a tie" in reveal and set(rates["Win rate"]) == {"50%"}
    with pytest.warns(UserWarning, match="No preference pairs yet"):
        assert compare_blind.export(run.id, "en").visible is False  # ties teach nothing
    with pytest.raises(gr.Error, match="Pick a tuned run first"):
        compare_blind.export(None, "en")


# ---- side by side: regenerate, adapter choice ----------------------------------------------------

def _as_gradio(chat: list[dict]) -> list[dict]:
    """What gradio 6 hands back from a Chatbot: content as a list of text parts."""
    return [{"role": m["role"], "content": [{"type": "text", "text": m["content"]}], "metadata": None}
            for m in chat]


def test_regenerate_reanswers_only_its_column(tiny_model_dir, lora):
    run = fake_run(tiny_model_dir, lora)
    values = setup(run.id, tokens=32)
    _, base, tuned, *others = last(compare_step.send(values, "Greet guest 1", [], [], [], [], []))
    assert [m["role"] for m in base] == [m["role"] for m in tuned] == ["user", "assistant"]
    assert others == [[], [], []]
    again = last(compare_step.regenerate("tuned", values, _as_gradio(tuned)))
    assert again[0] == tuned[0] and len(again) == 2  # the same question, one new answer
    assert again[1]["content"] != tuned[1]["content"]  # sampled: not the greedy answer again
    # a second turn continues each column's own conversation (gradio's content parts read as text)
    chats = [_as_gradio(base), _as_gradio(again), [], [], []]
    _, base2, tuned2, *_ = last(compare_step.send(values, "And guest 2?", *chats))
    assert base2[:2] == base and tuned2[:2] == again and tuned2[2]["content"] == "And guest 2?"


def test_regenerate_with_nothing_to_redo_warns(tiny_model_dir, lora):
    run = fake_run(tiny_model_dir, lora)
    with pytest.warns(UserWarning, match="Nothing to regenerate"):
        assert last(compare_step.regenerate("base", setup(run.id), [])) == []


def test_send_without_a_run_is_refused_in_the_users_language():
    with pytest.raises(gr.Error, match="先に学習済みの実行を選んでください"):
        next(compare_step.send(setup(None, lang="ja"), "hi", [], [], [], [], []))


def test_adapter_choices_list_the_final_adapter_and_checkpoints(tiny_model_dir, lora):
    import shutil

    run = fake_run(tiny_model_dir, lora, checkpoints=(5, 10))
    assert adapter_choices(run.id) == [("final adapter", FINAL), ("checkpoint-10", "checkpoint-10"),
                                       ("checkpoint-5", "checkpoint-5")]
    assert adapter_choices(run.id, "ja")[0] == ("最終アダプタ", FINAL)
    assert refresh_adapter(run.id, "checkpoint-5").value == "checkpoint-5"
    assert refresh_adapter(run.id, "checkpoint-99").value == FINAL
    shutil.rmtree(run.adapter_dir)  # a stopped run: its checkpoints still compare
    assert run.id in run_choices() and refresh_adapter(run.id, None).value == "checkpoint-10"


def test_compare_texts_have_the_same_placeholders_in_both_languages():
    keys = [k for k in TEXT["en"] if k.startswith(("cmp_", "batch_", "blind_", "meter_", "rate_"))]
    assert len(keys) > 40
    for k in keys:
        assert set(re.findall(r"{\w+}", TEXT["en"][k])) == set(re.findall(r"{\w+}", TEXT["ja"][k])), k
    assert str(compare_batch.MAX_PROMPTS) in TEXT["en"]["batch_prompts"]


def test_the_setup_is_read_by_name_not_by_position():
    """A handler gets one Setup whatever the wiring order; a streaming handler still streams."""
    from dataclasses import fields

    from studio.ui.compare.common import SetupWidgets

    names = [f.name for f in fields(SetupWidgets)]
    assert names == [f.name for f in fields(Setup)]
    widgets = SetupWidgets(*(f"<{n}>" for n in names))  # stand-ins: each widget is its own name
    wired = {}

    def trigger(fn, inputs, outputs):
        wired.update(fn=fn, inputs=inputs, outputs=outputs)

    def handler(s: Setup, prompt: str):
        yield s.run_id, s.lang, prompt

    widgets.on(trigger, handler, ["<prompt>"], "<out>")
    assert wired["inputs"] == ["<prompt>", *widgets.inputs()] and wired["fn"].__name__ == "handler"
    values = {"<prompt>": "hi", **{f"<{n}>": n for n in names}}
    assert list(wired["fn"](*(values[w] for w in wired["inputs"]))) == [("run_id", "lang", "hi")]


def test_a_column_that_cannot_answer_says_why_in_place_and_the_others_answer(tiny_model_dir, lora):
    """Issue 15: few-shot without examples (a run without a preset) must not silence base and tuned."""
    run = fake_run(tiny_model_dir, lora)
    values = setup(run.id, kinds=("base", "tuned", "fewshot"), tokens=32)
    _, base, tuned, _parent, _prompt, fewshot, _rag = last(
        compare_step.send(values, "Greet guest 1", [], [], [], [], [], []))
    assert [m["role"] for m in base] == [m["role"] for m in tuned] == ["user", "assistant"]
    assert not base[-1]["content"].startswith("⚠") and tuned[-1]["content"].strip()
    assert fewshot[-1]["content"].startswith("⚠ ") and "few-shot" in fewshot[-1]["content"]
    # the next turn does not feed that warning to the model as an answer
    assert compare_step._answered(fewshot) == []
    with pytest.raises(gr.Error, match="few-shot"):  # when no column can answer, one clear toast
        next(compare_step.send(setup(run.id, kinds=("fewshot",)), "hi", [], [], [], [], [], []))
