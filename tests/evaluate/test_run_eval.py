"""`studio eval`, the checkpoint timeline and the facts lab. Fast tests use a tiny random Llama trained
for real through the runner (it learns the greeting "Good morrow, guest N!"); the slow test runs the
facts lab on the embedded SmolLM2."""
from __future__ import annotations

import json

import pytest

from studio import presets, runs
from studio.cli import main
from studio.evaluate import run_eval, timeline
from studio.train import recipe, runner

GREETING = "regex:^Good mor"


@pytest.fixture(scope="module")
def trained(tmp_path_factory, tiny_model_dir):
    """(data home, run id): 40 steps on the greetings, a checkpoint every 20 steps."""
    home = tmp_path_factory.mktemp("eval-home")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("STUDIO_HOME", str(home))
        data = home / "greet.jsonl"
        rows = [{"messages": [{"role": "user", "content": f"Greet guest {i}"},
                              {"role": "assistant", "content": f"Good morrow, guest {i}!"}]}
                for i in range(48)]
        data.write_text("\n".join(json.dumps(r) for r in rows), encoding="utf-8")
        cfg = recipe.build(str(tiny_model_dir), train_path=str(data), overrides={
            "max_steps": 40, "batch_size": 4, "max_length": 64, "lora_r": 8, "device": "cpu",
            "dtype": "fp32", "learning_rate": 3e-3, "save_steps": 20})
        run = runner.start(cfg)
        st = runner.wait(run, poll_s=0.2, timeout_s=600)
        assert st.state == "done", run.log_tail()
    return home, run.id


@pytest.fixture
def run_id(trained, monkeypatch) -> str:
    monkeypatch.setenv("STUDIO_HOME", str(trained[0]))
    return trained[1]


def test_evaluate_run_scores_base_and_tuned_on_held_out_rows(run_id):
    from studio.train.data import load_rows

    result = run_eval.evaluate_run(run_id, meter=GREETING)
    run = runs.get(run_id)
    train, held_out = load_rows(run.config())
    assert result.n == len(held_out) > 0
    assert set(result.meters) == {"base", "tuned"}
    assert result.meters["base"]["primary"] == 0.0 and result.meters["tuned"]["primary"] >= 0.8
    assert result.delta() >= 0.8
    assert result.meters["tuned"]["eval_loss"] < result.meters["base"]["eval_loss"]
    trained_prompts = {r["messages"][0]["content"] for r in train}
    assert all(s["prompt"] not in trained_prompts for s in result.samples)
    saved = json.loads((run.path / run_eval.EVAL_FILE).read_text(encoding="utf-8"))
    assert {"run", "kind", "meter", "meters", "n", "seconds", "samples"} <= set(saved)
    assert saved["meters"] == result.meters and saved["samples"][0]["tuned"].startswith("Good mor")
    assert saved["settings"]["temperature"] == 0.0  # greedy


def test_studio_eval_json_prints_one_object(run_id, capsys):
    assert main(["eval", "--run", run_id, "--json", "--limit", "3", "--meter", GREETING]) == 0
    out = json.loads(capsys.readouterr().out)
    assert set(out) == {"run", "kind", "meters"} and out["run"] == run_id
    assert set(out["meters"]) == {"base", "tuned"} and "primary" in out["meters"]["tuned"]
    assert main(["eval", "--run", run_id, "--limit", "2", "--meter", GREETING]) == 0
    assert "primary base -> tuned: +" in capsys.readouterr().out


def test_studio_eval_user_errors_exit_2(run_id, capsys):
    assert main(["eval", "--run", "no-such-run"]) == 2
    assert main(["eval", "--run", run_id, "--meter", "bleu"]) == 2
    assert "unknown meter" in capsys.readouterr().err
    assert main(["eval", "--run", run_id, "--limit", "0"]) == 2


def test_timeline_scores_every_checkpoint(run_id):
    points, fig = timeline.checkpoint_timeline(run_id, meter=GREETING)
    assert [p.step for p in points] == [0, 20, 40]
    assert points[0].checkpoint == "base" and points[0].meter == 0.0
    assert points[-1].meter >= 0.8 and points[-1].eval_loss < points[0].eval_loss
    assert points[-1].logged_eval_loss is not None
    top = timeline.best(points)
    assert top.checkpoint.startswith("checkpoint-") and top.meter == max(p.meter for p in points)
    assert [t.type for t in fig.data] == ["bar", "scatter"]
    assert list(fig.data[0].x) == [0, 20, 40]


def test_best_prefers_the_meter_over_the_loss():
    pts = [timeline.TimelinePoint(0, "base", 0.0, 3.0), timeline.TimelinePoint(10, "checkpoint-10", 0.9, 2.0),
           timeline.TimelinePoint(20, "checkpoint-20", 0.7, 1.5)]
    assert timeline.best(pts).checkpoint == "checkpoint-10"
    assert timeline.best(pts[:1]) is None


def test_eval_rows_are_the_preset_eval_split_without_the_run_system_prompt():
    cfg = recipe.build("smollm2-135m", preset="json")
    cfg.data.system_prompt = "Answer in JSON."
    run = runs.create(cfg)
    rows = run_eval.eval_rows(run)
    p = presets.load("json")
    assert len(rows) == len(p.eval_rows()) and len(run_eval.eval_rows(run, 5)) == 5
    assert all(r["messages"][0]["role"] == "user" for r in rows)
    train_prompts = {r["messages"][0]["content"] for r in p.train_rows()}
    assert not train_prompts & {run_eval.split_prompt(r)[0] for r in rows}
    assert run_eval.meter_for(run, rows) == ("json", "json_mr")


def test_split_prompt_keeps_the_history_and_drops_the_gold():
    row = {"messages": [{"role": "system", "content": "s"}, {"role": "user", "content": "hi"},
                        {"role": "assistant", "content": "hello"}, {"role": "user", "content": "and?"},
                        {"role": "assistant", "content": "gold"}]}
    prompt, history = run_eval.split_prompt(row)
    assert prompt == "and?" and [m["content"] for m in history] == ["s", "hi", "hello"]


def test_generation_budget_follows_the_gold_lengths():
    from tests.helpers.tiny_tokenizer import tiny_tokenizer

    tok = tiny_tokenizer()
    short = run_eval.gen_settings("classify", ["BUG"] * 10, tok)
    long = run_eval.gen_settings("style", ["Thou art more lovely and more temperate. " * 4] * 10, tok)
    assert short.max_new_tokens == 16 and short.repetition_penalty == 1.0
    assert long.max_new_tokens > 2 * short.max_new_tokens and long.repetition_penalty > 1.0
    assert run_eval.gen_settings("style", ["word " * 2000], tok).max_new_tokens == 320
    assert short.temperature == long.temperature == 0.0


def test_the_facts_preset_probes_feed_the_batch_meter():
    from studio import presets
    from studio.evaluate.batch_meter import probe_rows

    rows, old, new = probe_rows(presets.load("facts"))
    assert (old, new) == ("Romeo", "Bob") and len(rows) >= 10
    assert all(r["meta"] == {"answer": "Bob", "wrong": "Romeo"} for r in rows)


def test_evaluate_tab_measures_then_shows_the_saved_result(run_id):
    """The Evaluate tab's handlers: Measure starts a job (progress, the timer on); once it ends, a headline
    base -> tuned, a meters table per column, and the last measurement shown again when the run is picked later."""
    from studio.evaluate import jobs
    from studio.ui import eval_step

    head, *_, timer = eval_step.measure(run_id, 10, ["base", "tuned"])
    assert "Measuring" in head and timer.active
    assert jobs.wait(runs.get(run_id)).state == "done"
    head, table, _, answers, timer = eval_step.shown(run_id)
    assert not timer.active
    assert "base" in head and "tuned" in head and "points" in head
    assert list(table.columns) == ["measure", "Base model", "Tuned (LoRA)"]
    assert "primary" not in set(table["measure"]) and table["measure"].iloc[0].endswith("(headline)")
    assert len(answers) > 0 and {"prompt", "base", "tuned"} <= set(answers.columns)
    again = eval_step.saved(run_id)
    assert "last measurement" in again[0] and again[0] == head and again[1].equals(table)


def test_evaluate_tab_refuses_without_a_run_or_columns(run_id):
    import gradio as gr

    from studio.ui import eval_step

    with pytest.raises(gr.Error, match="Pick a finished run"):
        eval_step.measure(None, 10, ["base"])
    with pytest.raises(gr.Error, match="完了した実行"):
        eval_step.measure(None, 10, ["base"], "ja")
    with pytest.raises(gr.Error, match="at least one column"):
        eval_step.measure(run_id, 10, [])
    assert eval_step.saved("no-such-run")[0] == ""


def test_the_evaluate_tab_names_the_best_checkpoint_by_its_meter(monkeypatch):
    """The tab read `.primary` from a TimelinePoint (it has `.meter`) and failed after measuring every
    checkpoint: the button always ended in an error."""
    from studio.ui import eval_step

    pts = [timeline.TimelinePoint(0, "base", 0.0, 3.0), timeline.TimelinePoint(10, "checkpoint-10", 0.9, 2.0)]
    monkeypatch.setattr(eval_step, "checkpoint_timeline", lambda run_id, limit, progress=None: (pts, "fig"))
    fig, text = eval_step.timeline("a-run", 5, progress=lambda *a, **k: None)
    assert fig == "fig" and "checkpoint-10" in text and "90%" in text
    assert "checkpoint-10" in eval_step.timeline("a-run", 5, "ja", progress=lambda *a, **k: None)[1]


def test_a_raw_text_run_is_evaluated_on_held_out_passages_continued_without_the_template(
        tiny_model_dir, tmp_path, monkeypatch):
    """Continued pretraining on a play: the prompts are openings of passages it never trained on, the base
    and tuned columns continue them as plain text, and the eval loss is over every token of the passage."""
    from studio.compare.engine import build_columns, column_ids
    from studio.train.data import load_rows

    monkeypatch.setenv("STUDIO_HOME", str(tmp_path))
    play = tmp_path / "play.txt"
    play.write_text("\n\n".join(f"ROMEO. Line {i} of the play, spoken softly under the balcony to Juliet."
                                for i in range(60)), encoding="utf-8")
    cfg = recipe.build(str(tiny_model_dir), train_path=str(play), overrides={
        "max_steps": 30, "batch_size": 4, "max_length": 64, "lora_r": 8, "device": "cpu", "dtype": "fp32",
        "learning_rate": 3e-3})
    run = runner.start(cfg)
    assert runner.wait(run, poll_s=0.2, timeout_s=300).state == "done", run.log_tail()
    _, held_out = load_rows(run.config())
    assert held_out and all("text" in r for r in held_out)
    result = run_eval.evaluate_run(run.id, limit=4)
    assert result.n == min(4, len(held_out))
    assert result.meters["tuned"]["eval_loss"] < result.meters["base"]["eval_loss"]
    assert result.meters["tuned"]["perplexity"] < result.meters["base"]["perplexity"]
    passages = [r["text"] for r in held_out]
    assert all(any(p.startswith(s["prompt"]) for p in passages) for s in result.samples)
    columns = build_columns(str(tiny_model_dir), "ROMEO. Line 3 of the", ["base", "tuned"], run_id=run.id)
    assert [c.raw for c in columns] == [True, True]
    tok = run_eval.Comparer(str(tiny_model_dir)).chat.tokenizer
    assert tok.decode(column_ids(tok, columns[0])) == "ROMEO. Line 3 of the"  # no chat template around it
