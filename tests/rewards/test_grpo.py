"""GRPO for real on the tiny random model, through the real worker: rewards checked before the model loads and
logged as the run goes, the chart's reward axis, the plan's count of sampled tokens; and a run whose reward cannot
guide it fails before any model loads, saying why in both languages."""
import json
import os
import signal

import pytest

from studio import charts, config
from studio.cli import main
from studio.compare.columns import same_time_run
from studio.evaluate import run_eval
from studio.text import said
from studio.train import recipe, runner
from studio.ui.eval_step import meters_frame, same_time_note
from studio.ui.reward_table import latest_answers
from tests.helpers.runs import wait_for


def _json_rows(tmp_path, n: int = 24):
    path = tmp_path / "pets.jsonl"
    rows = [{"messages": [{"role": "user", "content": f"Pet {i} as JSON"},
                          {"role": "assistant", "content": json.dumps({"n": i % 7})}]}
            for i in range(n)]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def _cfg(model_dir, data, **over):
    values = {"max_steps": 2, "batch_size": 2, "generations": 2, "max_completion": 8, "max_length": 64,
              "lora_r": 4, "device": "cpu", "dtype": "fp32", "method": "grpo", "learning_rate": 1e-3,
              "reward": "json_parses:1,length:1",  # a random model's answers differ in length: a signal to learn from
              **over}
    return recipe.build(str(model_dir), train_path=str(data), overrides=values)


@pytest.mark.slow  # ~30 s here: two steps of sampling and training through the real worker
def test_a_grpo_run_goes_to_done_with_its_rewards_logged(tiny_model_dir, tmp_path, monkeypatch):
    monkeypatch.setenv("STUDIO_ENGINE", "auto")  # the worker samples with llama.cpp, as a user's run on a CPU does
    run = runner.start(_cfg(tiny_model_dir, _json_rows(tmp_path)))
    st = runner.wait(run, poll_s=0.2, timeout_s=300)
    assert st.state == "done" and st.step == 2, run.log_tail()
    log = (run.path / "train.log").read_text()
    assert "GRPO answers sampled by llama.cpp f16, the policy's adapter written for it before every step" in log
    assert len(list((run.path / "engine").glob("*policy-*.lora.gguf"))) == 1  # the last step's; older ones removed
    assert "rewards on the reference answers and on broken ones:" in log and "json_parses" in log
    trained = [m for m in run.metrics() if "loss" in m]
    assert trained and all({"reward", "kl", "completion_length", "reward:json_parses", "reward:length"} <= set(m)
                           for m in trained)
    assert run.adapter_dir.is_dir()
    figure = charts.loss_figure(run.metrics(), lang="ja")
    rewards_drawn = [trace for trace in figure.data if trace.name in {"平均報酬", "json_parses", "length"}]
    assert len(rewards_drawn) == 3 and all(trace.yaxis == "y2" for trace in rewards_drawn)  # the right axis
    assert figure.layout.yaxis2.title.text == "報酬"
    assert run_eval.eval_rows(run)[0]["messages"][-1]["role"] == "assistant"  # its held-out rows, as SFT's
    table = latest_answers(run.id, "ja")  # the Train step's table of the latest sampled answers
    assert table.startswith("**最新の生成回答とその報酬**") and "| json_parses | length |" in table
    assert table.count("\n| Pet ") == 4  # 2 prompts x 2 answers, each with its scores


@pytest.mark.slow  # ~1.5 min here: an SFT run, GRPO from its adapter, the same-time SFT continuation, Evaluate
def test_grpo_from_an_sft_run_beside_its_same_time_sft_continuation(tiny_model_dir, tmp_path, capsys):
    """GRPO continues an SFT run's adapter and is measured on that run's rows; `studio train --same-time-as` then
    continues the same parent with SFT for the seconds GRPO trained (the clock ends it, done), and Evaluate
    measures base, parent, GRPO and that continuation side by side, with intervals."""
    data = _json_rows(tmp_path)
    sft = runner.start(_cfg(tiny_model_dir, data, method="sft", reward=None, max_steps=2))
    assert runner.wait(sft, poll_s=0.2, timeout_s=180).state == "done", sft.log_tail()
    run = runner.start(_cfg(tiny_model_dir, data, start_from=sft.id))
    assert runner.wait(run, poll_s=0.2, timeout_s=300).state == "done", run.log_tail()
    assert f"continuing the adapter of run {sft.id}" in (run.path / "train.log").read_text()
    assert not (run.adapter_dir / "ref").exists()  # trl's frozen reference copy is not part of the result
    assert run_eval.task_run(run).id == sft.id and run_eval.eval_rows(run)
    seconds = runner.trained_seconds(run)
    assert 0 < seconds == run.status().train_s
    # more steps than the seconds hold: the clock, not the step count, ends it
    assert main(["train", "--same-time-as", run.id, "--method", "sft", "--from", sft.id, "--max-steps", "5000",
                 "--json"]) == 0
    ended = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    same = same_time_run(run.id)
    assert same is not None and ended["id"] == same.id and ended["state"] == "done", same.log_tail()
    cfg, st = same.config(), same.status()
    assert (cfg.train.method, cfg.train.start_from, cfg.train.same_time_as) == ("sft", sft.id, run.id)
    assert cfg.train.max_seconds == round(seconds, 1) and cfg.data.train_path == str(data)
    assert st.train_s >= cfg.train.max_seconds and 0 < st.step < 5000
    result = run_eval.evaluate_run(run.id, limit=4, columns=["base", "parent", "tuned", "sametime"])
    assert list(result.meters) == ["base", "parent", "tuned", "sametime"]
    assert all("eval_loss" in m for m in result.meters.values())
    frame = meters_frame(result.meters, result.meter, "ja", result.n)
    assert list(frame.columns)[1:] == ["ベースモデル", "開始元 (SFT の実行)", "学習後 (LoRA)",
                                       "同じ時間の SFT (元の実行から)"]
    assert "% [" in frame.iloc[0, 4]  # the headline share with its 95% interval
    assert same_time_note(run.id, "en")[0].startswith(f"The same-time SFT continuation of this run is {same.id}")


@pytest.mark.slow  # ~1-2 min here: a GRPO run stopped, resumed, killed and resumed through the real worker
def test_stop_resume_sigkill_resume_of_a_grpo_run(tiny_model_dir, tmp_path):
    run = runner.start(_cfg(tiny_model_dir, _json_rows(tmp_path), max_steps=12, save_steps=2))
    wait_for(run, lambda s: s.state == "running" and s.step >= 2 and run.checkpoints(), timeout=240)
    runner.stop(run.id)
    st = runner.wait(run, poll_s=0.2, timeout_s=120)
    assert st.state == "stopped" and st.step < 12 and run.has_adapter(), run.log_tail()
    runner.resume(run.id)  # the runner starts GRPO's own worker again: its rewards come with it
    st = wait_for(run, lambda s: s.state == "running" and s.step >= st.step + 2, timeout=240)
    os.kill(st.pid, signal.SIGKILL)
    st = wait_for(run, lambda s: not s.active, timeout=10)
    assert st.state == "failed" and "ended unexpectedly" in st.reason
    runner.resume(run.id)
    st = runner.wait(run, poll_s=0.2, timeout_s=300)
    assert st.state == "done" and st.step == 12, run.log_tail()
    assert (run.path / "train.log").read_text().count("rewards on the reference answers") == 3


def test_a_reward_that_cannot_guide_the_run_fails_it_before_the_model_loads(tiny_model_dir, tmp_path):
    run = runner.start(_cfg(tiny_model_dir, _json_rows(tmp_path), reward="regex:n"))
    st = runner.wait(run, poll_s=0.2, timeout_s=120)
    assert st.state == "failed" and "regex:n gives 1.00 to the references" in st.reason, run.log_tail()
    assert "training " not in (run.path / "train.log").read_text()  # no model was loaded
    assert st.said and st.said["key"] == "err_reward_blind"


def test_k_below_two_and_no_reward_are_refused_before_anything_starts(tiny_model_dir, tmp_path):
    data = _json_rows(tmp_path)
    for over, key in (({"generations": 1}, "train.generations"), ({"reward": ""}, "GRPO needs at least one reward")):
        with pytest.raises(config.ConfigError) as e:
            runner.start(_cfg(tiny_model_dir, data, **over))
        assert key in str(e.value) and said("ja", e.value) != str(e.value)


def test_the_plan_counts_the_sampled_answers_and_says_so(tiny_model_dir, tmp_path):
    cfg = _cfg(tiny_model_dir, _json_rows(tmp_path), max_steps=10, generations=4, max_completion=128)
    grpo, sft = recipe.plan(cfg, n_rows=24), recipe.plan(config.replace(cfg, train=config.replace(
        cfg.train, method="sft")), n_rows=24)
    assert grpo.seconds > 5 * sft.seconds
    assert any("4 answers of up to 128 tokens" in line and "sampled by torch" in line for line in grpo.say())
    assert any("128 トークン" in line for line in grpo.say("ja"))


def test_the_plan_counts_llama_cpps_sampling_where_it_samples(tiny_model_dir, tmp_path, monkeypatch):
    """The suite answers with torch; a user's CPU run samples with llama.cpp, which the plan names and counts (far
    less time than trl's own sampling, still more than SFT)."""
    cfg = _cfg(tiny_model_dir, _json_rows(tmp_path), max_steps=10, generations=4, max_completion=128, dtype="bf16")
    slow = recipe.plan(cfg, n_rows=24)
    monkeypatch.setenv("STUDIO_ENGINE", "auto")
    fast = recipe.plan(cfg, n_rows=24)
    sft = recipe.plan(config.replace(cfg, train=config.replace(cfg.train, method="sft")), n_rows=24)
    assert sft.seconds < fast.seconds < slow.seconds / 3
    assert any("sampled by llama.cpp f16" in line for line in fast.say())
    assert any("生成: llama.cpp f16" in line for line in fast.say("ja"))


def test_the_same_time_continuation_takes_the_grpo_runs_seconds_and_refuses_what_it_cannot_continue():
    """The continuation's config, read off run folders (no model): the parent's data and settings, its adapter
    as the start, the GRPO run's training seconds summed over its sessions (from the logged elapsed times of a
    run from before the count), steps from the parent's pace; and each run it cannot continue refused, EN/JA."""
    from studio import runs
    from studio.compare.columns import ColumnError, build_columns
    from studio.fsutil import append_jsonl

    parent = runs.create(recipe.build("smollm2-135m", preset="json", overrides={"max_steps": 10}))
    parent.write_status(state="done", step=10, train_s=20.0)
    grpo_cfg = recipe.build("smollm2-135m", preset="json", overrides={"method": "grpo", "reward": "json_schema",
                                                                      "start_from": parent.id})
    grpo = runs.create(grpo_cfg)
    for elapsed in (1.0, 2.0, 3.0, 1.0, 2.0):  # a session of 3 s, resumed for 2 s more
        append_jsonl(grpo.path / "metrics.jsonl", {"step": 1, "loss": 0.1, "elapsed_s": elapsed})
    grpo.write_status(state="done", step=4)
    assert runner.trained_seconds(grpo) == 5.0
    cfg = runner.same_time(grpo.id)
    assert (cfg.train.method, cfg.train.start_from, cfg.train.same_time_as) == ("sft", parent.id, grpo.id)
    assert (cfg.train.max_seconds, cfg.train.max_steps, cfg.data.preset) == (5.0, 4, "json")  # 1.25 x 5 s / 2 s
    assert cfg.name == "json-same-time" and runner.same_time(grpo.id, {"lora_r": 8}).lora.r == 8
    refusals = [(parent.id, {}, "err_same_time_not_grpo"), (grpo.id, {"method": "dpo"}, "err_same_time_setting"),
                (grpo.id, {"start_from": grpo.id}, "err_same_time_setting")]
    for run_id, given, key in refusals:
        with pytest.raises(runs.RunError) as e:
            runner.same_time(run_id, given)
        assert e.value.key == key and said("ja", e.value) != str(e.value)
    (grpo.path / "metrics.jsonl").unlink()
    grpo.write_status(state="failed", step=0)
    with pytest.raises(runs.RunError, match="has not trained yet"):
        runner.same_time(grpo.id)
    with pytest.raises(ColumnError) as e:
        build_columns("smollm2-135m", "hello", ["sametime"], run_id=grpo.id)
    assert f"studio train --same-time-as {grpo.id}" in str(e.value) and "同じ時間" in said("ja", e.value)
