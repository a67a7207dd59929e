"""Evaluate's Measure as a job of the engine (studio.evaluate.jobs): it runs in a thread of the app, its state
and progress are in the run folder for any tab or reload to read, one per run at a time, a failure is said by
key in both languages, a job whose app is gone reads as lost, and another job on the machine is named. The
measurements here are stand-ins (a gate, an error): run_eval itself is tested in test_run_eval.py."""
from __future__ import annotations

import json
import subprocess
import sys
import threading
import time

import pytest

from studio import runs
from studio.config import DataSpec, ModelSpec, RunConfig
from studio.evaluate import EvalError, jobs
from studio.evaluate.run_eval import EVAL_FILE, EvalResult
from studio.fsutil import atomic_write_json
from studio.ui import eval_step


def _run(method: str = "sft") -> runs.Run:
    cfg = RunConfig(model=ModelSpec(name="m"), data=DataSpec(preset="gozaru"))
    cfg.train.method = method
    run = runs.create(cfg)
    run.write_status(state="done", step=10, total_steps=10)
    return run


def gated(gate: threading.Event, calls: list | None = None):
    """A measurement that reports half its answers, waits for the gate, then saves its result as run_eval does."""
    def evaluate(run_id: str, limit: int, columns: list[str], progress=None) -> EvalResult:
        if calls is not None:
            calls.append(run_id)
        progress(0.5, "generating answers")
        assert gate.wait(30)
        result = EvalResult(run_id, "style", "gozaru", {"base": {"primary": 0.0}, "tuned": {"primary": 0.9}},
                            limit, 1.0)
        atomic_write_json(runs.get(run_id).path / EVAL_FILE, result.to_dict())
        return result
    return evaluate


def failing(error: Exception):
    def evaluate(run_id: str, limit: int, columns: list[str], progress=None) -> EvalResult:
        raise error
    return evaluate


def _until(pred, timeout: float = 10.0) -> None:
    t0 = time.time()
    while not pred():
        assert time.time() - t0 < timeout, "timed out"
        time.sleep(0.02)


def test_a_measurement_is_a_job_whose_progress_and_result_live_in_the_run_folder():
    run, gate, calls = _run(), threading.Event(), []
    job, started = jobs.start(run.id, 7, ["base", "tuned"], evaluate=gated(gate, calls))
    assert started and job.running and (job.limit, job.columns) == (7, ["base", "tuned"])
    _until(lambda: jobs.read(run).share == 0.5)
    head, table, _, _, timer = eval_step.shown(run.id)  # what a reopened tab or a reloaded page shows
    assert "Measuring" in head and "50% of the answers" in head and timer.active and table.empty
    again, started = jobs.start(run.id, 7, ["base"], evaluate=gated(gate, calls))  # the second click
    assert not started and again.started_at == job.started_at and calls == [run.id]
    gate.set()
    done = jobs.wait(run)
    assert done.state == "done" and done.share == 1.0 and done.error is None
    head, table, _, _, timer = eval_step.shown(run.id, "ja")
    assert "ベース 0% → 学習後 90%" in head and not timer.active and list(table.iloc[0])[1:] == ["0.0% [0.0–35.4]",
                                                                                        "90.0% [53.0–98.6]"]
    assert sorted(p.name for p in (run.path / "eval").iterdir()) == ["job.json"]  # no temp file left behind


def test_a_second_click_says_it_is_running_and_shows_the_progress(monkeypatch):
    run, gate = _run(), threading.Event()
    said = []
    monkeypatch.setattr(eval_step.gr, "Info", said.append)
    jobs.start(run.id, 5, ["base", "tuned"], evaluate=gated(gate))
    _until(lambda: jobs.read(run).share == 0.5)
    head, *_, timer = eval_step.measure(run.id, 5, ["base", "tuned"], "ja")
    assert said == [f"実行 {run.id} はすでに測定中です。進み具合を下に表示します。"]
    assert "測定中" in head and timer.active
    gate.set()
    jobs.wait(run)


@pytest.mark.parametrize("error,english,japanese", [
    (EvalError("err_eval_no_rows", run="r1"), "run r1 has no eval rows", "実行 r1 には評価用の行がありません"),
    (RuntimeError("out of memory"), "unexpected error: out of memory",
     "予期しないエラーで測定が止まりました: out of memory"),
])
def test_a_failed_measurement_ends_failed_and_says_why_in_both_languages(error, english, japanese):
    run = _run()
    jobs.start(run.id, 5, ["base"], evaluate=failing(error))
    job = jobs.wait(run)
    assert job.state == "failed" and not job.running
    assert english in eval_step.shown(run.id)[0] and "The measurement failed" in eval_step.shown(run.id)[0]
    head = eval_step.shown(run.id, "ja")[0]
    assert japanese in head and "測定に失敗しました" in head


def test_a_job_whose_app_is_gone_reads_as_lost_not_running():
    run = _run()
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    atomic_write_json(run.path / jobs.JOB_FILE, {"run": run.id, "limit": 5, "columns": ["base"], "state": "running",
                                                 "owner": dead.pid, "share": 0.3})
    job = jobs.current(run)
    assert job.state == "failed" and job.error == {"key": "err_eval_interrupted", "fields": {"run": run.id}}
    assert "the app stopped while measuring" in eval_step.shown(run.id)[0]
    # this app's own job without its thread (the app restarted under the same pid): lost too
    atomic_write_json(run.path / jobs.JOB_FILE, {"run": run.id, "limit": 5, "columns": ["base"], "state": "running"})
    assert jobs.current(run).state == "failed"
    # a finished job, or a file from another version, is left as it is
    atomic_write_json(run.path / jobs.JOB_FILE, {"run": run.id})
    assert jobs.current(run) is None


def test_a_reader_never_sees_half_a_job_file(monkeypatch):
    """The progress is rewritten many times while the page polls: every read parses (atomic writes)."""
    run, reads = _run(), []
    monkeypatch.setattr(jobs, "WRITE_EVERY_S", 0.0)

    def busy(run_id: str, limit: int, columns: list[str], progress=None) -> EvalResult:
        for i in range(300):
            progress(i / 300, "generating answers")
        return EvalResult(run_id, "style", "gozaru", {}, limit, 0.1)

    jobs.start(run.id, 5, ["base"], evaluate=busy)
    while jobs.read(run).running:
        reads.append(json.loads((run.path / jobs.JOB_FILE).read_text(encoding="utf-8")))
    assert reads and all(r["run"] == run.id for r in reads) and jobs.read(run).state == "done"


def test_another_job_on_the_machine_is_named_beside_the_progress(monkeypatch):
    measured, dpo, gate = _run(), _run("dpo"), threading.Event()
    dpo.write_status(state="running", pid=12345, step=3, total_steps=30)
    monkeypatch.setattr(runs, "pid_alive", lambda pid: pid == 12345)  # its worker lives
    other = _run()
    jobs.start(other.id, 5, ["base"], evaluate=gated(gate))
    jobs.start(measured.id, 5, ["base"], evaluate=gated(gate))
    _until(lambda: jobs.read(measured).share == 0.5)
    assert jobs.sharing(measured.id) == [("evjob_slower_train", {"method": "DPO", "run": dpo.id}),
                                         ("evjob_slower_eval", {"run": other.id})]
    head = eval_step.shown(measured.id)[0]
    assert f"Slower: a DPO run is training ({dpo.id})" in head and f"run {other.id} is being measured" in head
    assert f"遅くなります: DPO の実行 {dpo.id} がこのマシンで学習中です。" in eval_step.shown(measured.id, "ja")[0]
    gate.set()
    jobs.wait(measured), jobs.wait(other)
    assert jobs.sharing(measured.id) == [("evjob_slower_train", {"method": "DPO", "run": dpo.id})]
