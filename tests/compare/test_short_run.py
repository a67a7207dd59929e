"""Too early to judge: a run short of what its data usually needs (studio.train.evidence.shortfall) is said in
Compare and Evaluate with a Continue button (runner.extend): a stopped run resumes in place, a finished run
short of an epoch continues as a new run from its adapter. Run folders written by hand; the launches are
recorded, not run (a real continuation is the browser test's)."""
from __future__ import annotations

import pytest

from studio import runs
from studio.config import DataSpec, ModelSpec, RunConfig
from studio.fsutil import append_jsonl
from studio.text import t
from studio.train import evidence, runner
from studio.ui.compare import common

GOZARU_ROWS = 443
"""The gozaru preset's training rows: 56 steps an epoch at batch 8."""


def _run(state: str = "done", step: int = 30, total: int = 30, *, method: str = "sft", rows: int | None = GOZARU_ROWS,
         epochs: float = 3.0, name: str = "") -> runs.Run:
    cfg = RunConfig(model=ModelSpec(name="m"), data=DataSpec(preset="gozaru"), name=name)
    cfg.train.method, cfg.train.batch_size, cfg.train.epochs, cfg.train.max_steps = method, 8, epochs, total
    run = runs.create(cfg)
    run.write_status(state=state, step=step, total_steps=total, rows={"trained": rows} if rows else None)
    return run


def test_thirty_steps_of_gozaru_are_half_an_epoch_short_of_the_usual_run():
    short = evidence.shortfall(_run())
    assert short == evidence.Shortfall(step=30, usual=168, epochs=0.54, how="more") and short.more == 138
    text = common.short_text(_run().id, "en")
    assert text.startswith("**Too early to judge:** 30 of the ~168 steps its data usually takes (0.54 epoch)")
    assert "trains 138 more steps from its adapter" in text
    assert "約 168 ステップのうち 30 ステップ（0.54 エポック）" in common.short_text(_run().id, "ja")


def test_the_trainers_logged_epoch_wins_over_the_row_count():
    """Several processes or gradient accumulation: the trainer's own count of an epoch is the truth."""
    run = _run(rows=None)
    append_jsonl(run.path / "metrics.jsonl", {"step": 30, "epoch": 0.25, "loss": 2.0})
    assert evidence.shortfall(run) == evidence.Shortfall(30, 360, 0.25, "more")


@pytest.mark.parametrize("kw", [
    {"step": 60, "total": 60},  # past an epoch: the style should show by now
    {"rows": None},  # nothing tells how long an epoch is
    {"method": "dpo"},  # a DPO run from its own adapter would change its reference
    {"state": "running"}, {"state": "failed"},
    {"step": 0, "total": 0},
])
def test_a_run_past_an_epoch_or_one_nothing_can_judge_is_not_short(kw):
    run = _run(**kw)
    assert evidence.shortfall(run) is None
    text, button = common.short_note(run.id, "en")
    assert text == "" and not button.visible


def test_a_stopped_run_is_short_of_its_own_plan_unless_its_data_ran_out():
    run = _run("stopped", step=4, total=150)
    assert evidence.shortfall(run) == evidence.Shortfall(4, 150, None, "resume")
    assert "stopped at step 4 of its 150 planned steps" in common.short_text(run.id, "en")
    assert "予定の 150 ステップのうち 4 ステップで止まりました" in common.short_text(run.id, "ja")
    run.write_status(said={"key": "err_run_stopped_early", "fields": {"step": 4, "planned": 150}})
    assert evidence.shortfall(run) is None


def test_continue_resumes_a_stopped_run_and_continues_a_finished_one_as_a_new_run(monkeypatch):
    launched = []
    monkeypatch.setattr(runner, "resume", lambda run_id, **kw: launched.append(("resume", run_id)) or runs.get(run_id))
    monkeypatch.setattr(runner, "start", lambda cfg, on_gpu_freed=None: launched.append(("start", cfg)) or _run())
    stopped = _run("stopped", step=4, total=150)
    assert runner.extend(stopped.id).id == stopped.id and launched == [("resume", stopped.id)]
    done = _run(name="gozaru-more")
    runner.extend(done.id)
    cfg = launched[-1][1]
    assert (cfg.train.start_from, cfg.train.max_steps, cfg.name) == (done.id, 138, "gozaru-more")
    assert (cfg.train.method, cfg.data.preset, cfg.train.batch_size) == ("sft", "gozaru", 8)  # its own settings
    with pytest.raises(runs.RunError) as e:
        runner.extend(_run(step=60, total=60).id)
    assert e.value.key == "err_run_not_short"


def test_the_continue_button_starts_the_run_opens_train_and_hides_the_note(monkeypatch):
    done, said = _run(), []
    successor = _run(step=0, total=138)
    cfg = successor.config()
    cfg.train.start_from = done.id
    cfg.save(successor.config_path)
    monkeypatch.setattr(runner, "extend", lambda run_id, on_gpu_freed=None: successor)
    monkeypatch.setattr(common.gr, "Info", said.append)
    text, button = common.short_note(done.id, "en")
    assert text and button.visible
    current, tabs, note, button = common.continue_short(done.id, "ja")
    assert current == successor.id and tabs.selected == "train" and note == "" and not button.visible
    assert said == [t("ja", "short_extended", run=successor.id, source=done.id, more=138)]


def test_the_batch_table_says_it_beside_the_meter(tiny_model_dir, tmp_path):
    """A tuned 0% in the batch table after half an epoch is "too early", said where the 0% is read."""
    from studio.ui.compare import batch
    from tests.helpers.runs import fake_run, random_lora_folder

    run = fake_run(tiny_model_dir, random_lora_folder(tiny_model_dir, tmp_path / "lora"), preset="gozaru")
    cfg = run.config()
    cfg.train.batch_size, cfg.train.epochs = 8, 3.0
    cfg.save(run.config_path)
    run.write_status(step=30, total_steps=30, rows={"trained": GOZARU_ROWS})
    setup = common.Setup(run_id=run.id, adapter=common.FINAL, kinds=["base", "tuned"], system="", notes="",
                         max_tokens=4, lang="ja")
    *_, (_, status) = batch.run_batch(setup, batch.PASTE, "こんにちは")
    assert "ござる口調率" in status and common.short_text(run.id, "ja") in status
    assert "判断するにはまだ早すぎます" in status
