"""The queue and the runs people can tell apart (issue 31): a second Start of the same setup is asked about, a
queued run knows whom it waits behind and its place, queued runs take the device in the order they came, and a
run has a readable title beside its id. No training worker runs here: spawn is replaced by what it writes."""
from __future__ import annotations

import json
import threading
import time

import pytest

from studio import runs
from studio.config import DataSpec, RunConfig, TrainSpec
from studio.train import locks, queue, runner


@pytest.fixture
def rows(tmp_path):
    path = tmp_path / "json.jsonl"
    path.write_text(json.dumps({"prompt": "a", "completion": "b"}) + "\n")
    return path


@pytest.fixture
def spawned(monkeypatch) -> list[str]:
    """runner.spawn without a process: the run joins the queue as spawn leaves it."""
    seen: list[str] = []

    def spawn(run, *_a, **_k):
        seen.append(run.id)
        run.write_status(state="queued", pid=None, queued_at=time.time())
        return 1

    monkeypatch.setattr(runner, "spawn", spawn)
    return seen


def _cfg(rows, **train) -> RunConfig:
    return RunConfig(data=DataSpec(train_path=str(rows)), train=TrainSpec(**{"max_steps": 4, **train}))


def _run(name: str, state: str, device: str = "cpu", queued_at: float | None = None, **status) -> runs.Run:
    run = runs.create(RunConfig(data=DataSpec(preset=name)))
    run.write_status(state=state, device=device, queued_at=queued_at, **status)
    return run


def test_a_second_start_of_the_same_setup_finds_the_first_and_starts_nothing(rows, spawned):
    first, new = runner.start_unless_twin(_cfg(rows))
    assert new and spawned == [first.id]
    again, new = runner.start_unless_twin(_cfg(rows))
    assert (again.id, new) == (first.id, False) and spawned == [first.id]
    named = _cfg(rows)
    named.name = "another-name"  # a name changes the folder, not the training: still the same setup
    assert runner.start_unless_twin(named) == (first, False)


def test_another_setup_or_an_ended_twin_starts_a_new_run(rows, spawned):
    first, _ = runner.start_unless_twin(_cfg(rows))
    other, new = runner.start_unless_twin(_cfg(rows, max_steps=8))
    assert new and other.id != first.id
    for state in ("stopping", "done"):  # stopped by the user, or finished: starting it again is no double click
        first.write_status(state=state)
        assert queue.twin(_cfg(rows)) is None


def test_a_double_click_makes_one_run(rows, spawned):
    barrier, results = threading.Barrier(2), []

    def click():
        barrier.wait()
        results.append(runner.start_unless_twin(_cfg(rows)))

    threads = [threading.Thread(target=click) for _ in range(2)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert sorted(new for _, new in results) == [False, True] and len(spawned) == 1
    assert len({run.id for run, _ in results}) == 1


def test_a_queued_run_waits_behind_the_run_on_its_device_in_the_order_it_came():
    on_device = _run("json", "running", step=3, total_steps=10)
    first = _run("chat", "queued", queued_at=100.0)
    second = _run("gozaru", "queued", queued_at=200.0)
    elsewhere = _run("sql", "queued", device="cuda", queued_at=50.0)  # another device: another queue
    assert queue.place(first) == queue.Place(on_device, on_device.status(), 1)
    where = queue.place(second)
    assert (where.holder.id, where.place) == (on_device.id, 2)
    assert queue.place(elsewhere) == queue.Place(None, None, 1)
    assert queue.my_turn(first) and not queue.my_turn(second)
    on_device.write_status(state="done")
    first.write_status(state="running")  # first took the device: second is next, behind it
    assert (queue.place(second).holder.id, queue.place(second).place) == (first.id, 1)


def test_without_a_run_on_the_device_a_queued_run_waits_behind_the_first_queued_before_it():
    first = _run("chat", "queued", queued_at=100.0)
    second = _run("gozaru", "queued", device="", queued_at=200.0)  # its worker has not resolved "auto" yet
    assert queue.place(second) == queue.Place(first, first.status(), 2)


def test_the_device_lock_waits_for_the_runs_queued_earlier():
    turn = threading.Event()
    taken = threading.Event()

    def worker():
        with locks.device_lock("cpu", poll_s=0.02, my_turn=turn.is_set):
            taken.set()

    th = threading.Thread(target=worker)
    th.start()
    time.sleep(0.2)
    assert not taken.is_set() and not locks.device_busy("cpu")  # the device is free, but others came first
    turn.set()
    th.join(timeout=5)
    assert taken.is_set()


def test_runs_have_a_readable_title_and_keep_their_id(rows, spawned):
    run = runner.start(_cfg(rows))
    assert run.title() == "json · SFT" and run.id.endswith("-json-smollm2-135m")
    assert run.label().startswith("json · SFT · ") and run.label()[-5:-2].endswith(":")  # "… · 12-07 09:47"
    dpo = runner.start(_cfg(rows, method="dpo"), title="gozaru · DPO on 6 votes")
    assert runs.get(dpo.id).title() == "gozaru · DPO on 6 votes"
    assert runner.start(_cfg(rows, max_steps=8)).title() == "json · SFT #2"  # two runs never share a name
    (run.path / runs.TITLE_FILE).unlink()  # a run made before titles: one from its config
    assert runs.get(run.id).title() == "json · SFT"
    assert runs.default_title(RunConfig()) == "smollm2-135m · SFT"
