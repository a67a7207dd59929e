"""The engine for real, on a tiny random model: a run through the runner's own worker process,
the metrics callback, stop, SIGKILL + resume, queueing and failure."""
import json
import os
import signal
import time

import pytest

from studio import runs
from studio.train import recipe, runner
from tests.helpers import FIXTURES
from tests.helpers.runs import wait_for


def _cfg(model_dir, data, **over):
    values = {"max_steps": 12, "batch_size": 4, "max_length": 64, "lora_r": 4, "device": "cpu",
              "dtype": "fp32", **over}
    return recipe.build(str(model_dir), train_path=str(data), overrides=values)



@pytest.mark.parametrize(("name", "max_length"), [("openai_tools.jsonl", 512), ("ms_swift_agent.jsonl", 512),
                                                  ("corpus.txt", 64)])
def test_files_made_for_other_tools_train_to_done(tiny_model_dir, name, max_length):
    """A tool-call file (rendered plainly: the tiny ChatML template has no tool support) and a raw-text
    file (continued pretraining, packed into blocks of max_length) train like any other data."""
    run = runner.start(_cfg(tiny_model_dir, FIXTURES / "formats" / name, max_steps=4, max_length=max_length))
    st = runner.wait(run, poll_s=0.2, timeout_s=180)
    assert st.state == "done", run.log_tail()
    assert len([m for m in run.metrics() if "loss" in m]) == 4
    assert (run.adapter_dir / "adapter_model.safetensors").is_file()


def test_a_short_run_finishes_with_metrics_and_a_peft_adapter(tiny_model_dir, tiny_data):
    run = runner.start(_cfg(tiny_model_dir, tiny_data))
    st = runner.wait(run, poll_s=0.2, timeout_s=180)
    assert st.state == "done", run.log_tail()
    assert st.step == st.total_steps == 12
    rows = run.metrics()
    losses = [m["loss"] for m in rows if "loss" in m]
    assert len(losses) == 12  # a short run logs every step
    assert any("eval_loss" in m for m in rows)
    assert all(m["tokens_per_s"] > 0 and m["memory_mb"] > 0 for m in rows if "loss" in m)
    from peft import PeftModel

    from studio.models import load_model

    tuned = PeftModel.from_pretrained(load_model(str(tiny_model_dir), dtype="fp32"), run.adapter_dir)
    assert tuned.peft_config["default"].r == 4
    assert runs.RunConfig.from_yaml(run.config_path) == run.config()


def test_stop_saves_the_adapter_and_ends_stopped(tiny_model_dir, tiny_data):
    run = runner.start(_cfg(tiny_model_dir, tiny_data, max_steps=400))
    wait_for(run, lambda s: s.state == "running" and s.step >= 3)
    runner.stop(run.id)
    st = runner.wait(run, poll_s=0.2, timeout_s=120)
    assert st.state == "stopped" and st.step < 400
    assert run.has_adapter() and run.checkpoints()


def test_sigkill_shows_failed_then_resume_finishes(tiny_model_dir, tiny_data):
    run = runner.start(_cfg(tiny_model_dir, tiny_data, max_steps=120, save_steps=10))
    st = wait_for(run, lambda s: s.state == "running" and s.step >= 25 and len(run.checkpoints()) >= 2)
    os.kill(st.pid, signal.SIGKILL)
    t0 = time.time()
    st = wait_for(run, lambda s: not s.active, timeout=5)
    assert st.state == "failed" and "ended unexpectedly" in st.reason and time.time() - t0 <= 5
    assert not run.has_adapter()
    last = int(run.checkpoints()[-1].name.split("-")[1])
    before = len(run.metrics())
    runner.resume(run.id)
    st = runner.wait(run, poll_s=0.2, timeout_s=240)
    assert st.state == "done" and st.step == 120, run.log_tail()
    assert f"resuming from {run.checkpoints()[0].parent}" in (run.path / "train.log").read_text()
    after = [m["step"] for m in run.metrics()[before:] if "loss" in m]
    assert after and min(after) == last + 1  # it continued from the checkpoint, not from step 1


def test_continuing_from_an_earlier_checkpoint_branches_and_leaves_the_original_as_it_was(
        tiny_model_dir, tiny_data, capsys):
    """Issue 15 (resume from a chosen checkpoint): `studio resume RUN --step N` on a finished run makes a new
    run from checkpoint N that trains to the end; the original keeps its checkpoints, metrics and adapter."""
    from studio.cli import main

    run = runner.start(_cfg(tiny_model_dir, tiny_data, max_steps=30, save_steps=10))
    assert runner.wait(run, poll_s=0.2, timeout_s=240).state == "done", run.log_tail()
    assert [runs.checkpoint_step(p) for p in run.checkpoints()][:2] == [10, 20]
    files = {p: p.read_bytes() for p in sorted(run.path.rglob("*")) if p.is_file() and p.name != "status.json"}
    with pytest.raises(ValueError, match="no checkpoint at step 7"):
        runner.resume(run.id, 7)
    with pytest.raises(ValueError, match="is done"):
        runner.resume(run.id)
    assert main(["resume", run.id, "--step", "10", "--json"]) == 0
    new = runs.get(json.loads(capsys.readouterr().out.strip().splitlines()[-1])["id"])
    st = new.status()
    assert new.id != run.id and st.state == "done" and st.step == 30, new.log_tail()
    assert "checkpoint-10" in (new.path / "train.log").read_text()
    steps = [m["step"] for m in new.metrics() if "loss" in m]
    assert steps == list(range(1, 31))  # steps 1-10 copied from the original, 11-30 trained by the branch
    assert json.loads((new.path / runs.BRANCH_FILE).read_text()) == {"run": run.id, "step": 10}
    assert new.has_adapter() and new.config().train == run.config().train
    assert {p: p.read_bytes() for p in files} == files  # not one byte of the original changed
    assert runs.get(run.id).status().state == "done"


def test_a_second_run_waits_queued_for_the_device(tiny_model_dir, tiny_data):
    first = runner.start(_cfg(tiny_model_dir, tiny_data, max_steps=60))
    wait_for(first, lambda s: s.state == "running")
    second = runner.start(_cfg(tiny_model_dir, tiny_data, max_steps=5))
    time.sleep(3)
    assert runs.reconcile(second).state == "queued"
    assert runner.wait(first, poll_s=0.2, timeout_s=240).state == "done"
    assert runner.wait(second, poll_s=0.2, timeout_s=120).state == "done"


def test_bad_data_fails_with_a_reason(tiny_model_dir, tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"messages": [{"role": "user", "content": "hi"}]}\nnot json\n')
    run = runner.start(_cfg(tiny_model_dir, bad))
    st = runner.wait(run, poll_s=0.2, timeout_s=120)
    assert st.state == "failed" and "bad.jsonl" in st.reason and not run.has_adapter()


def test_refuses_absurd_config_before_creating_a_run(tiny_model_dir, tiny_data):
    with pytest.raises(ValueError, match="learning_rate"):
        runner.start(_cfg(tiny_model_dir, tiny_data, learning_rate=-1))
    assert runs.all_runs() == []


def test_metrics_callback_writes_rows_and_fails_on_nan(tmp_path):
    from types import SimpleNamespace

    from studio.config import RunConfig
    from studio.train.callbacks import StudioCallback

    run = runs.Run("r", tmp_path)
    RunConfig().save(run.config_path)
    cb = StudioCallback(run)
    state = SimpleNamespace(global_step=3, epoch=0.5, max_steps=10)
    control = SimpleNamespace(should_training_stop=False, should_save=False)
    cb.on_train_begin(None, state, control)
    cb.on_log(None, state, control, logs={"loss": 1.5, "learning_rate": 1e-4, "num_tokens": 900})
    row = json.loads((tmp_path / "metrics.jsonl").read_text().splitlines()[0])
    assert row["step"] == 3 and row["loss"] == 1.5 and row["tokens_per_s"] > 0
    cb.on_step_end(None, state, control)
    assert run.status().step == 3 and run.status().total_steps == 10
    cb.on_log(None, state, control, logs={"loss": float("nan")})
    assert control.should_training_stop and "nan" in cb.stop_reason.lower()


def test_automatic_checkpoints_are_spaced_in_time_but_stop_and_the_last_step_always_save(tmp_path):
    from types import SimpleNamespace

    from transformers import TrainerControl

    from studio.runs import Run
    from studio.train.callbacks import StudioCallback

    run = Run("r", tmp_path / "r")
    run.path.mkdir()
    cb = StudioCallback(run, main_process=False)
    cb.min_save_s = 30.0

    def saves(step: int, max_steps: int = 10) -> bool:
        control = TrainerControl(should_save=True)
        cb.on_step_end(None, SimpleNamespace(global_step=step, max_steps=max_steps), control)
        return control.should_save

    assert not saves(3)  # the run began moments ago
    assert saves(10)  # the last step
    cb.last_save -= 31
    assert saves(4)
    cb.on_save(None, None, None)
    assert not saves(5)
    cb.run.stop_requested = lambda: True
    assert saves(6)  # a stop always leaves a checkpoint to resume from
    cb2 = StudioCallback(run, main_process=False)  # min_save_s 0: the user's save_steps rule as given
    control = TrainerControl(should_save=True)
    cb2.run.stop_requested = lambda: False
    cb2.on_step_end(None, SimpleNamespace(global_step=1, max_steps=10), control)
    assert control.should_save


def test_the_time_left_after_a_resume_counts_only_the_steps_of_this_session(tmp_path, monkeypatch):
    """Issue 15: resumed at step 90 of 100, 10 s for 5 new steps means ~10 s left, not 0.5 s."""
    from types import SimpleNamespace

    from studio.config import RunConfig
    from studio.train import callbacks
    from studio.train.callbacks import StudioCallback

    run = runs.Run("r", tmp_path)
    RunConfig().save(run.config_path)
    cb = StudioCallback(run)
    clock = [1000.0]
    monkeypatch.setattr(callbacks.time, "time", lambda: clock[0])
    control = SimpleNamespace(should_training_stop=False, should_save=False)
    cb.on_train_begin(None, SimpleNamespace(global_step=90, max_steps=100), control)
    clock[0] += 10.0
    cb.on_step_end(None, SimpleNamespace(global_step=95, max_steps=100, epoch=1.0), control)
    assert run.status().eta_s == 10.0


def test_a_time_budget_counts_the_sessions_before_a_resume_and_ends_the_run_with_its_last_loss(tmp_path, monkeypatch):
    """train.max_seconds (the same-time SFT continuation): 8 s trained before a resume, a budget of 10 s; the run
    goes on at 9 s and stops at 11 s, saving and logging that step, its training seconds in status.json."""
    from types import SimpleNamespace

    from studio.config import RunConfig
    from studio.train import callbacks
    from studio.train.callbacks import StudioCallback

    run = runs.Run("r", tmp_path)
    RunConfig().save(run.config_path)
    run.write_status(train_s=8.0)
    cb = StudioCallback(run)
    cb.budget_s = 10.0
    clock = [1000.0]
    monkeypatch.setattr(callbacks.time, "time", lambda: clock[0])
    control = SimpleNamespace(should_training_stop=False, should_save=False, should_log=False)
    cb.on_train_begin(None, SimpleNamespace(global_step=4, max_steps=100), control)
    clock[0] += 1.0
    cb.on_step_end(None, SimpleNamespace(global_step=5, max_steps=100, epoch=1.0), control)
    assert not (control.should_training_stop or cb.out_of_time) and run.status().train_s == 9.0
    assert run.status().eta_s == 1.0  # the budget, not 95 more steps
    clock[0] += 2.0
    cb.on_step_end(None, SimpleNamespace(global_step=6, max_steps=100, epoch=1.0), control)
    assert cb.out_of_time and control.should_training_stop and control.should_save and control.should_log
    assert run.status().train_s == 11.0 and cb.stop_reason == ""  # done, not stopped
