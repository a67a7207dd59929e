"""Faults: the worker killed, out of memory, the disk full while saving, the app restarted mid-run, two
browser tabs starting runs at once, a run deleted while it is being compared. Runs stay consistent:
their status tells the truth, a half-written adapter is never taken for a finished one, the device
queue drains. Real training runs are in train/test_train.py; here the worker process is real where the
fault is about processes, and the trainer is replaced where the fault is about saving."""
from __future__ import annotations

import errno
import hashlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from types import SimpleNamespace

import pytest

from studio import runs
from studio.config import RunConfig
from studio.data.choice import DataChoice
from studio.train import recipe, runner
from studio.train.locks import device_busy, device_lock
from tests.helpers.runs import wait_for


def _cfg(model_dir, data, **over) -> RunConfig:
    values = {"max_steps": 3, "batch_size": 4, "max_length": 64, "lora_r": 4, "device": "cpu", "dtype": "fp32",
              "eval_fraction": 0.0, **over}
    return recipe.build(str(model_dir), train_path=str(data), overrides=values)



def _soon(pred, timeout: float) -> bool:
    t0 = time.time()
    while not pred():
        if time.time() - t0 > timeout:
            return False
        time.sleep(0.05)
    return True


def _tree(path: Path) -> dict[str, str]:
    return {str(p.relative_to(path)): hashlib.sha1(p.read_bytes()).hexdigest()
            for p in sorted(path.rglob("*")) if p.is_file()}


def _sleeper(*marker: str) -> subprocess.Popen:
    """A process standing in for a worker (its command line names studio.train when asked)."""
    return subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)", *marker],
                            stdin=subprocess.DEVNULL, start_new_session=True)


def _gone(proc: subprocess.Popen) -> int:
    proc.kill()
    proc.wait()
    return proc.pid


def test_a_worker_just_launched_is_alive_though_its_command_line_is_not_readable_yet():
    """Right after launch /proc/PID/cmdline reads empty for a moment (measured: 39 launches of 40 here):
    reconcile() must not call such a worker dead (it did, and a run that went on to finish showed
    'failed' to whoever polled it first)."""
    for _ in range(20):
        proc = _sleeper("-m", "studio.train")
        try:
            assert runs.pid_alive(proc.pid)
        finally:
            assert not runs.pid_alive(_gone(proc))


@pytest.fixture
def sigterm_restored():
    """The worker's entry point installs a SIGTERM handler: put pytest's back afterwards."""
    before = signal.getsignal(signal.SIGTERM)
    yield
    signal.signal(signal.SIGTERM, before)


# --- the worker killed --------------------------------------------------------------------------

def test_a_worker_killed_while_queued_or_running_shows_failed_and_frees_the_device(tiny_model_dir, tiny_data):
    """The real worker process: SIGKILL (what the kernel's OOM killer sends, too) leaves no chance to
    write anything, yet the run says failed, keeps no adapter, and the device lock is free again."""
    with device_lock("cpu"):  # another run holds the device: this one waits, queued
        run = runner.start(_cfg(tiny_model_dir, tiny_data, max_steps=500))
        st = wait_for(run, lambda s: s.pid is not None)
        assert st.state == "queued" and device_busy("cpu")
    st = wait_for(run, lambda s: s.state == "running")
    os.kill(st.pid, signal.SIGKILL)
    st = wait_for(run, lambda s: not s.active, timeout=10)
    assert st.state == "failed" and "ended unexpectedly" in st.reason and "resume" in st.reason
    assert st.pid is None and not run.has_adapter()
    # the kernel drops the flock as the process is torn down (after its memory is released, which a
    # reader of /proc can see first): the queue drains within moments
    assert _soon(lambda: not device_busy("cpu"), timeout=5)
    assert json.loads((run.path / "status.json").read_text())["state"] == "failed"  # on disk, not only here


def test_a_worker_killed_before_it_reported_its_pid_is_found_by_the_launcher_pid(tiny_model_dir, tiny_data,
                                                                                 monkeypatch):
    proc = _sleeper("-m", "studio.train")
    monkeypatch.setattr(runner.subprocess, "Popen", lambda *a, **kw: proc)
    run = runner.start(_cfg(tiny_model_dir, tiny_data))
    assert runs.reconcile(run).state == "queued" and runs.worker_pid(run) == proc.pid
    _gone(proc)
    st = runs.reconcile(run)
    assert st.state == "failed" and "ended unexpectedly" in st.reason


# --- out of memory, disk full -------------------------------------------------------------------

def test_out_of_memory_fails_the_run_with_advice_and_no_adapter(tiny_model_dir, tiny_data, monkeypatch,
                                                                sigterm_restored):
    import torch

    from studio.train import worker

    def oom(*a, **kw):
        raise torch.cuda.OutOfMemoryError("CUDA out of memory. Tried to allocate 2.00 GiB")

    monkeypatch.setattr("studio.train.engine.train", oom)
    run = runs.create(_cfg(tiny_model_dir, tiny_data))
    assert worker._train_and_record(run, run.config(), True, 0, 1) == 1
    st = run.status()
    assert st.state == "failed" and st.reason.startswith("out of memory: lower the batch size")
    assert "2.00 GiB" in st.reason and not run.has_adapter() and not runs.reconcile(run).active


@pytest.fixture(scope="module")
def fake_trainer(tiny_model_dir):
    """What save_adapter needs of a trainer, around a real PEFT model on the tiny base."""
    from peft import LoraConfig, get_peft_model

    from studio.models import load_model, load_tokenizer

    # init_lora_weights=False: B starts random, as after training (a zero B is judged an empty adapter)
    model = get_peft_model(load_model(str(tiny_model_dir), dtype="fp32"),
                           LoraConfig(r=2, lora_alpha=4, target_modules="all-linear", task_type="CAUSAL_LM",
                                      init_lora_weights=False))
    return SimpleNamespace(model=model, processing_class=load_tokenizer(str(tiny_model_dir)),
                           state=SimpleNamespace(global_step=0, max_steps=0, log_history=[]),
                           args=SimpleNamespace(learning_rate=2e-4), is_world_process_zero=lambda: True,
                           train=lambda resume_from_checkpoint=None: None)


@pytest.fixture
def disk_full(monkeypatch):
    """Make the safetensors writer (the lowest Python level of every adapter save) write half of the
    file and then fail as a full disk does."""
    import safetensors.torch

    def full(tensors, filename, metadata=None):
        with open(filename, "wb") as f:
            f.write(b"\x00" * 1024)  # a partial file, as a real ENOSPC leaves one
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(filename))

    def arm() -> None:
        monkeypatch.setattr(safetensors.torch, "serialize_file", full)

    return arm


def _train_with(run: runs.Run, trainer, step: int, monkeypatch) -> int:
    from studio.train import worker

    trainer.state.global_step = trainer.state.max_steps = step
    trainer.state.log_history = [{"step": i, "loss": 2.0 - 0.1 * i} for i in range(1, step + 1)]
    monkeypatch.setattr("studio.train.engine.build_trainer", lambda *a, **kw: trainer)
    return worker._train_and_record(run, run.config(), True, 0, 1)


def test_disk_full_while_saving_keeps_the_previous_adapter_intact(tiny_model_dir, tiny_data, fake_trainer,
                                                                  disk_full, monkeypatch, sigterm_restored):
    from studio.train.engine import adapter_step

    run = runs.create(_cfg(tiny_model_dir, tiny_data))
    assert _train_with(run, fake_trainer, 5, monkeypatch) == 0  # a first, complete save
    before = _tree(run.adapter_dir)
    assert run.status().state == "done" and adapter_step(run.adapter_dir) == 5
    disk_full()
    assert _train_with(run, fake_trainer, 9, monkeypatch) == 1  # resumed and trained on; the save fails
    st = run.status()
    assert st.state == "failed" and "No space left on device" in st.reason
    assert _tree(run.adapter_dir) == before and adapter_step(run.adapter_dir) == 5
    assert {p.name for p in run.path.iterdir() if p.name.startswith("adapter")} == {"adapter"}


def test_disk_full_on_the_first_save_leaves_no_adapter_to_be_taken_for_finished(tiny_model_dir, tiny_data,
                                                                                fake_trainer, disk_full,
                                                                                monkeypatch, sigterm_restored):
    from studio.compare.adapters import adapter_for
    from studio.export.bundle import exportable

    run = runs.create(_cfg(tiny_model_dir, tiny_data))
    disk_full()
    assert _train_with(run, fake_trainer, 3, monkeypatch) == 1
    assert run.status().state == "failed" and not run.adapter_dir.exists() and not run.has_adapter()
    with pytest.raises(ValueError, match="no adapter to export"):
        exportable(run.id)
    with pytest.raises(ValueError, match="no final adapter"):
        adapter_for(run)


def test_disk_full_while_writing_status_keeps_the_last_whole_status(tiny_model_dir, tiny_data, monkeypatch):
    run = runs.create(_cfg(tiny_model_dir, tiny_data))
    run.write_status(state="running", step=7)
    before = (run.path / "status.json").read_bytes()

    def full(fd):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(OSError):
        run.write_status(state="running", step=8)
    assert (run.path / "status.json").read_bytes() == before and run.status().step == 7
    assert sorted(p.name for p in run.path.iterdir()) == ["config.yaml", "status.json", "title.txt"]  # no temp file


def test_disk_full_while_creating_a_run_leaves_no_half_run(tiny_model_dir, studio_home, monkeypatch):
    import gradio as gr

    from studio.data.store import datasets_dir
    from studio.ui import train_step

    data = datasets_dir() / "rows.jsonl"
    data.write_text(json.dumps({"prompt": "a", "completion": "b"}) + "\n")

    def full(fd):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(gr.Error, match="No space left"):
        train_step.start(str(tiny_model_dir), DataChoice(path=str(data), rows=1), {"max_steps": 2})
    assert list((studio_home / "runs").iterdir()) == []


def test_a_half_written_adapter_folder_is_never_a_finished_adapter(tiny_model_dir, tiny_data):
    from studio.export.bundle import exportable
    from studio.runs import with_adapter

    run = runs.create(_cfg(tiny_model_dir, tiny_data))
    tmp = run.path / ".adapter.tmp"  # what a worker killed in the middle of save_adapter leaves
    tmp.mkdir()
    (tmp / "adapter_config.json").write_text("{}")
    (tmp / "adapter_model.safetensors").write_bytes(b"\x00" * 10)
    run.write_status(state="failed", reason="killed")
    assert not run.has_adapter() and run.id not in with_adapter()
    with pytest.raises(ValueError, match="no adapter"):
        exportable(run.id)


# --- the app restarted mid-run -------------------------------------------------------------------

def _run_in(state: str, tiny_model_dir, tiny_data, **status) -> runs.Run:
    run = runs.create(_cfg(tiny_model_dir, tiny_data))
    run.write_status(state=state, **status)
    return run


def test_after_an_app_restart_every_run_shows_its_true_state(tiny_model_dir, tiny_data):
    """The app is gone, workers live on (their own session) or died with the machine: on start,
    recover_all() must find out which is which, from the processes themselves."""
    alive, dead, stranger = _sleeper("-m", "studio.train"), _sleeper("-m", "studio.train"), _sleeper()
    try:
        running = _run_in("running", tiny_model_dir, tiny_data, pid=alive.pid, step=4, total_steps=10)
        crashed = _run_in("running", tiny_model_dir, tiny_data, pid=_gone(dead), step=4, total_steps=10)
        reused = _run_in("running", tiny_model_dir, tiny_data, pid=stranger.pid)  # pid now someone else's
        stopping = _run_in("stopping", tiny_model_dir, tiny_data, pid=crashed.status().pid)
        finished = _run_in("done", tiny_model_dir, tiny_data)
        fresh = runs.create(_cfg(tiny_model_dir, tiny_data))  # being launched right now
        never = runs.create(_cfg(tiny_model_dir, tiny_data))  # the app died before launching it
        raw = json.loads((never.path / "status.json").read_text())
        (never.path / "status.json").write_text(json.dumps(raw | {"updated_at": time.time() - 3600}))
        lost = runs.create(_cfg(tiny_model_dir, tiny_data))  # died between config.yaml and status.json
        (lost.path / "status.json").unlink()
        os.utime(lost.config_path, (time.time() - 3600,) * 2)
        done_files = _tree(finished.path)

        found = {r.id: r.status() for r in runner.recover_all()}

        assert found[running.id].state == "running" and found[running.id].pid == alive.pid
        for run in (crashed, reused, stopping):
            assert found[run.id].state == "failed" and "ended unexpectedly" in found[run.id].reason
        assert found[crashed.id].step == 4  # progress is kept for resume
        assert found[fresh.id].state == "queued"
        for run in (never, lost):
            assert found[run.id].state == "failed" and "never started" in found[run.id].reason
        assert found[finished.id].state == "done" and _tree(finished.path) == done_files
    finally:
        for proc in (alive, stranger):
            _gone(proc)


def test_a_resumed_run_is_not_called_dead_because_of_the_previous_workers_pid(tiny_model_dir, tiny_data,
                                                                             monkeypatch):
    old = _sleeper("-m", "studio.train")
    run = _run_in("failed", tiny_model_dir, tiny_data)
    (run.path / runs.LAUNCHER_PID).write_text(str(_gone(old)))
    seen = []

    def popen(*a, **kw):  # the moment between the status write and the new pid file
        seen.append(runs.reconcile(run).state)
        return SimpleNamespace(pid=new.pid)

    new = _sleeper("-m", "studio.train")
    try:
        monkeypatch.setattr(runner.subprocess, "Popen", popen)
        runner.resume(run.id)
        assert seen == ["queued"] and runs.reconcile(run).state == "queued"
    finally:
        _gone(new)


# --- two tabs at once ----------------------------------------------------------------------------

def test_two_tabs_starting_at_the_same_second_get_two_runs(tiny_model_dir, studio_home, monkeypatch):
    from datetime import datetime

    from studio.data.store import datasets_dir
    from studio.ui import train_step

    data = datasets_dir() / "rows.jsonl"
    data.write_text(json.dumps({"prompt": "a", "completion": "b"}) + "\n")
    frozen = datetime(2030, 1, 1, 12, 0, 0)
    monkeypatch.setattr(runs, "datetime", SimpleNamespace(now=lambda: frozen))
    real_inside = runs.inside

    def slow_inside(*parts):  # widen the moment between choosing an id and making its folder
        time.sleep(0.05)
        return real_inside(*parts)

    monkeypatch.setattr(runs, "inside", slow_inside)
    spawned: list[str] = []
    monkeypatch.setattr(runner, "spawn", lambda run, *a, **k: spawned.append(run.id) or 1)
    n = 6
    barrier, ids, errors = threading.Barrier(n), [], []

    def tab():
        barrier.wait()
        try:
            # another=True: each tab answers "start another" (one tab alone would be asked, test_walk.py)
            ids.append(train_step.start(str(tiny_model_dir), DataChoice(path=str(data), rows=1), {"max_steps": 2},
                                        another=True)[0])
        except Exception as e:  # noqa: BLE001 - any error is the failure this test looks for
            errors.append(e)

    threads = [threading.Thread(target=tab) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and len(set(ids)) == n and sorted(spawned) == sorted(ids)
    assert all(runs.get(i).status().state == "queued" and runs.get(i).config().train.max_steps == 2 for i in ids)


@pytest.mark.slow
def test_two_runs_started_at_once_one_trains_the_other_waits_and_both_finish(tiny_model_dir, tiny_data):
    """Real workers: the device takes one run at a time, the other shows queued, and the queue
    drains: both end done, and the device is free afterwards."""
    started: list[runs.Run] = []
    barrier = threading.Barrier(2)

    def tab():
        barrier.wait()
        started.append(runner.start(_cfg(tiny_model_dir, tiny_data, max_steps=2)))

    threads = [threading.Thread(target=tab) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len({r.id for r in started}) == 2
    seen_both_running = False
    t0 = time.time()
    while time.time() - t0 < 300:
        states = [runs.reconcile(r).state for r in started]
        seen_both_running |= states == ["running", "running"]
        if "running" in states:
            assert "queued" in states or "done" in states, states
        if states == ["done", "done"]:
            break
        time.sleep(0.1)
    assert states == ["done", "done"], [r.log_tail() for r in started]
    assert not seen_both_running and all(r.has_adapter() for r in started)
    assert not device_busy("cpu")


# --- a run deleted while it is compared ----------------------------------------------------------

@pytest.fixture(scope="module")
def chat(tiny_model_dir):
    from studio.chat import ChatModel

    return ChatModel(str(tiny_model_dir), dtype="fp32")


def _done_run_with_adapter(tiny_model_dir, fake_trainer) -> runs.Run:
    cfg = RunConfig()
    cfg.model.name, cfg.data.preset = str(tiny_model_dir), "gozaru"
    run = runs.create(cfg)
    fake_trainer.model.save_pretrained(run.adapter_dir, safe_serialization=True)
    run.write_status(state="done")
    return run


def test_a_run_deleted_while_its_answer_streams_finishes_the_answer_then_says_it_is_gone(
        tiny_model_dir, fake_trainer, chat):
    from studio.chat import GenSettings
    from studio.compare.engine import Comparer, build_columns
    from studio.ui import runs_step, train_step

    run = _done_run_with_adapter(tiny_model_dir, fake_trainer)
    comparer = Comparer(str(tiny_model_dir), chat=chat)
    columns = build_columns(str(tiny_model_dir), "Greet guest 1", ["base", "tuned"], run_id=run.id)
    stream = comparer.stream(columns, GenSettings(max_new_tokens=6))
    next(stream)  # the answers have started
    runs.delete(run.id)  # from the Runs tab, in another browser tab
    last = None
    for last in stream:  # the weights are in memory: the answer completes, no crash
        pass
    assert last is not None and len(last) == 2
    with pytest.raises(ValueError, match="does not exist"):  # the next comparison says so
        build_columns(str(tiny_model_dir), "Greet guest 1", ["tuned"], run_id=run.id)
    assert "is gone" in train_step.poll(run.id)[0] and "no run" in runs_step.detail(run.id)[1]


def test_a_running_run_cannot_be_deleted_under_its_worker(tiny_model_dir, tiny_data):
    alive = _sleeper("-m", "studio.train")
    try:
        run = _run_in("running", tiny_model_dir, tiny_data, pid=alive.pid)
        before = _tree(run.path)
        with pytest.raises(ValueError, match="stop it before deleting"):
            runs.delete(run.id)
        assert _tree(run.path) == before
    finally:
        _gone(alive)


def test_a_failed_adapter_save_leaves_no_temporary_folder(tmp_path):
    """Disk full while saving: the half-written .adapter.tmp is removed, the previous adapter stays."""
    from types import SimpleNamespace

    from studio.runs import Run
    from studio.train.engine import save_adapter

    run = Run("r1", tmp_path / "r1")
    (run.adapter_dir).mkdir(parents=True)
    (run.adapter_dir / "adapter_config.json").write_text("{}")

    def full_disk(path, **kw):
        (tmp_path / "r1" / ".adapter.tmp").mkdir()
        raise OSError(28, "No space left on device")

    trainer = SimpleNamespace(model=SimpleNamespace(save_pretrained=full_disk))
    with pytest.raises(OSError, match="No space"):
        save_adapter(trainer, run)
    assert not (run.path / ".adapter.tmp").exists() and run.has_adapter()


def test_a_kill_between_the_renames_keeps_the_previous_adapter(tmp_path):
    from studio.runs import Run

    run = Run("r2", tmp_path / "r2")
    old = run.path / ".adapter.old"
    old.mkdir(parents=True)
    (old / "adapter_config.json").write_text("{}")
    assert run.has_adapter() and (run.adapter_dir / "adapter_config.json").is_file() and not old.exists()
