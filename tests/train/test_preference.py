"""Preference tuning for real on a tiny random model: DPO from a preference file (from the base, or on top of
a finished SFT run whose adapter is the reference), KTO from labelled answers, stop/resume and SIGKILL ->
failed -> resume of a DPO run, and DPO on the blind votes of a run through the CLI."""
import json
import os
import shutil
import signal

import pytest

from studio import runs
from studio.cli import main
from studio.data import votes
from studio.train import recipe, runner
from tests.helpers import FIXTURES
from tests.helpers.runs import wait_for


def _prefs(tmp_path, n: int = 40):
    path = tmp_path / "prefs.jsonl"
    path.write_text("".join(json.dumps({"prompt": f"Greet guest {i}", "chosen": f"Good morrow, guest {i}!",
                                        "rejected": f"Go away, {i}."}) + "\n" for i in range(n)))
    return path


def _cfg(model_dir, data, **over):
    values = {"max_steps": 6, "batch_size": 4, "max_length": 64, "lora_r": 4, "device": "cpu", "dtype": "fp32",
              "method": "dpo", **over}
    return recipe.build(str(model_dir), train_path=str(data), overrides=values)


def _sft_run(model_dir, tiny_data):
    run = runner.start(_cfg(model_dir, tiny_data, method="sft", max_steps=4))
    assert runner.wait(run, poll_s=0.2, timeout_s=180).state == "done", run.log_tail()
    return run


def test_dpo_from_a_preference_file_logs_rewards_and_saves_one_adapter(tiny_model_dir, tmp_path):
    run = runner.start(_cfg(tiny_model_dir, _prefs(tmp_path)))
    st = runner.wait(run, poll_s=0.2, timeout_s=240)
    assert st.state == "done" and st.step == 6, run.log_tail()
    rows = run.metrics()
    trained = [m for m in rows if "loss" in m]
    assert len(trained) == 6 and all({"reward_margin", "reward_accuracy", "reward_chosen"} <= set(m) for m in trained)
    assert any("eval_reward_accuracy" in m for m in rows)
    assert not (run.adapter_dir / "ref").exists()  # the frozen reference is not part of the result
    from peft import PeftModel

    from studio.models import load_model

    tuned = PeftModel.from_pretrained(load_model(str(tiny_model_dir), dtype="fp32"), run.adapter_dir)
    assert list(tuned.peft_config) == ["default"] and tuned.peft_config["default"].r == 4


def test_dpo_on_top_of_an_sft_run_continues_its_adapter(tiny_model_dir, tiny_data, tmp_path, capsys):
    sft = _sft_run(tiny_model_dir, tiny_data)
    run = runner.start(_cfg(tiny_model_dir, _prefs(tmp_path), start_from=sft.id, lora_r=8))
    assert runner.wait(run, poll_s=0.2, timeout_s=240).state == "done", run.log_tail()
    log = (run.path / "train.log").read_text()
    assert f"continuing the adapter of run {sft.id}" in log and f"reference: run {sft.id}" in log
    config = json.loads((run.adapter_dir / "adapter_config.json").read_text())
    assert config["r"] == 4  # the SFT adapter's rank, not the lora_r asked for: it is that adapter, trained on
    assert main(["runs", "--json"]) == 0
    listed = {r["id"]: r for r in json.loads(capsys.readouterr().out)}
    assert listed[run.id]["method"] == "dpo" and listed[run.id]["from"] == sft.id
    assert listed[sft.id]["method"] == "sft" and listed[sft.id]["from"] is None
    # base -> SFT -> DPO on one yardstick: the SFT run's held-out rows, each column with its eval loss
    from studio.evaluate import run_eval
    from studio.train.data import load_rows

    result = run_eval.evaluate_run(run.id, columns=["base", "parent", "tuned"], meter="regex:^Good", limit=4)
    assert list(result.meters) == ["base", "parent", "tuned"] and result.n == min(4, len(load_rows(sft.config())[1]))
    assert all("eval_loss" in m for m in result.meters.values())
    assert result.meters["parent"]["eval_loss"] != result.meters["base"]["eval_loss"]


def test_kto_from_labelled_answers_and_dpo_refuses_them(tiny_model_dir, tmp_path):
    labelled = tmp_path / "kto.jsonl"
    labelled.write_text("".join(json.dumps({"prompt": f"Greet guest {i}", "completion": answer, "label": good})
                                + "\n" for i in range(20)
                                for answer, good in ((f"Good morrow, guest {i}!", True), (f"Go away, {i}.", False))))
    run = runner.start(_cfg(tiny_model_dir, labelled, method="kto"))
    assert runner.wait(run, poll_s=0.2, timeout_s=240).state == "done", run.log_tail()
    assert any("reward_margin" in m for m in run.metrics())
    refused = runner.start(_cfg(tiny_model_dir, labelled, method="dpo"))
    st = runner.wait(refused, poll_s=0.2, timeout_s=120)
    assert st.state == "failed" and "KTO rows" in st.reason


def test_a_start_that_cannot_work_is_refused_before_a_run_exists(tiny_model_dir, tmp_path):
    with pytest.raises(ValueError, match="no run 'nope'"):
        runner.start(_cfg(tiny_model_dir, _prefs(tmp_path), start_from="nope"))
    with pytest.raises(ValueError, match="train.method: sft, dpo, kto or grpo"):
        runner.start(_cfg(tiny_model_dir, _prefs(tmp_path), method="ppo"))
    assert runs.all_runs() == []


def test_dpo_on_a_preset_says_what_it_needs(tiny_model_dir):
    cfg = recipe.build(str(tiny_model_dir), preset="json", overrides={"method": "dpo", "device": "cpu"})
    run = runner.start(cfg)
    st = runner.wait(run, poll_s=0.2, timeout_s=120)
    assert st.state == "failed" and "preference pairs" in st.reason and "--votes" in st.reason


def test_stop_then_resume_and_sigkill_then_resume_of_a_dpo_run(tiny_model_dir, tmp_path):
    run = runner.start(_cfg(tiny_model_dir, _prefs(tmp_path, 80), max_steps=60, save_steps=5))
    wait_for(run, lambda s: s.state == "running" and s.step >= 3)
    runner.stop(run.id)
    st = runner.wait(run, poll_s=0.2, timeout_s=120)
    assert st.state == "stopped" and st.step < 60 and run.checkpoints()
    runner.resume(run.id)
    st = wait_for(run, lambda s: s.state == "running" and s.step >= 20 and len(run.checkpoints()) >= 3,
                  timeout=240)
    os.kill(st.pid, signal.SIGKILL)
    st = wait_for(run, lambda s: not s.active, timeout=10)
    assert st.state == "failed" and "ended unexpectedly" in st.reason
    last = int(run.checkpoints()[-1].name.split("-")[1])
    before = len(run.metrics())
    runner.resume(run.id)
    st = runner.wait(run, poll_s=0.2, timeout_s=300)
    assert st.state == "done" and st.step == 60, run.log_tail()
    after = [m["step"] for m in run.metrics()[before:] if "loss" in m]
    assert after and min(after) == last + 1  # it continued from the checkpoint, optimizer state and all


def test_dpo_on_the_votes_of_a_run(tiny_model_dir, tiny_data, capsys):
    sft = _sft_run(tiny_model_dir, tiny_data)
    for i in range(12):
        votes.record(f"Greet guest {i}", {"base": f"Go away, {i}.", "tuned": f"Good morrow, guest {i}!"},
                     "tuned", run_id=sft.id)
    votes.record("Greet guest 99", {"base": "x", "tuned": "y"}, "tie", run_id=sft.id)  # a tie makes no pair
    code = main(["train", "--votes", sft.id, "--max-steps", "3", "--batch-size", "4", "--max-length", "64",
                 "--device", "cpu", "--dtype", "fp32", "--json"])
    out = capsys.readouterr()
    assert code == 0, out.err
    assert f"12 preference pairs from the votes on {sft.id}" in out.err
    run = runs.get(json.loads(out.out.strip().splitlines()[-1])["id"])
    cfg = run.config()
    assert (cfg.train.method, cfg.train.start_from, cfg.model.name) == ("dpo", sft.id, str(tiny_model_dir))
    assert run.status().state == "done"


def test_every_preference_file_of_the_corpus_reads_as_dpo_and_kto_rows():
    from studio.data.validate import validate_file

    for name, pairs in (("trl_preference.jsonl", 1), ("trl_preference_implicit.jsonl", 1), ("openai_dpo.jsonl", 1),
                        ("llamafactory_sharegpt_preference.json", 1), ("ms_swift_dpo.jsonl", 1)):
        dpo = validate_file(FIXTURES / "formats" / name, method="dpo")
        assert dpo.ok and len(dpo.usable) == pairs, [str(i) for i in dpo.errors]
        row = dpo.usable[0]
        assert row["prompt"][-1]["role"] == "user" and row["chosen"][0]["role"] == "assistant"
        assert row["chosen"] != row["rejected"]
        kto = validate_file(FIXTURES / "formats" / name, method="kto")
        assert [r["label"] for r in kto.usable] == [True, False]
    for name in ("trl_unpaired_kto.jsonl", "llamafactory_kto.json"):
        kto = validate_file(FIXTURES / "formats" / name, method="kto")
        assert kto.ok and [r["label"] for r in kto.usable] == [True, False]
    sft_file = validate_file(FIXTURES / "formats" / "openai_chat_weight.jsonl", method="dpo")
    assert not sft_file.usable and "DPO trains on preference data" in str(sft_file.errors[0])


def test_the_live_chart_of_a_preference_run_shows_the_reward_margin_and_preference_accuracy():
    from studio.charts import loss_figure

    metrics = [{"step": 1, "loss": 0.69, "reward_margin": 0.01, "learning_rate": 1e-5, "reward_chosen": 0.02,
                "reward_rejected": 0.01},
               {"step": 2, "loss": 0.6, "reward_margin": 0.2, "learning_rate": 1e-5, "reward_chosen": 0.15,
                "reward_rejected": -0.05},
               {"step": 2, "eval_loss": 0.62, "eval_reward_accuracy": 0.75}]
    names = [trace.name for trace in loss_figure(metrics).data]
    assert names == ["train loss", "eval loss", "reward margin (chosen − rejected)", "preference accuracy (eval)",
                     "reward of the chosen answers", "reward of the rejected answers"]
    assert "learning rate" not in names  # the right axis is for the rewards
    sft = [trace.name for trace in loss_figure([{"step": 1, "loss": 1.0, "learning_rate": 1e-4}]).data]
    assert sft == ["train loss", "learning rate"]


def test_the_plan_of_a_dpo_run_names_it_and_counts_its_pairs(tiny_model_dir, tmp_path, capsys):
    code = main(["train", "--method", "dpo", "--data", str(_prefs(tmp_path)), "--model", str(tiny_model_dir),
                 "--device", "cpu", "--plan", "--json"])
    plan = json.loads(capsys.readouterr().out)
    assert code == 0 and plan["objective"] == "dpo" and plan["rows"] == 36  # 40 pairs, 10% held out


def test_a_run_without_a_finished_adapter_cannot_be_started_from(tiny_model_dir, tmp_path):
    from tests.helpers.runs import fake_run, random_lora_folder

    unfinished = fake_run(tiny_model_dir, random_lora_folder(tiny_model_dir, tmp_path / "lora"))
    shutil.rmtree(unfinished.adapter_dir)
    with pytest.raises(ValueError, match="has no finished adapter"):
        runner.start(_cfg(tiny_model_dir, _prefs(tmp_path), start_from=unfinished.id))
