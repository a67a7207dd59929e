"""A measurement as a job the engine owns, like a training run: Evaluate's Measure starts evaluate_run in a
thread of the app, not in the browser's event, so a tab change or a reload loses nothing. Its state, progress
and any error live in runs/<id>/eval/job.json (written atomically), its result in the run's eval.json; any tab
or reload reads them back. One measurement per run at a time."""
from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

from studio import runs
from studio.evaluate.run_eval import EvalResult, evaluate_run
from studio.fsutil import atomic_write_json, read_json
from studio.runs import Run, said_entry
from studio.text import Said
from studio.train.runner import training

JOB_FILE = Path("eval") / "job.json"
WRITE_EVERY_S = 0.5
"""Progress reaches the file at most this often: a batch of answers can take milliseconds on a tiny model."""
Evaluate = Callable[..., EvalResult]
Note = tuple[str, dict[str, str]]
"""A catalogue key and its fields: said in the UI's language."""

_LOCK = threading.Lock()
"""Held while a job is claimed or ended: a second click's check and the thread's last write never interleave."""
_THREADS: dict[str, threading.Thread] = {}
"""This app's measuring threads by run id: a job whose thread is gone was lost (the app restarted)."""


@dataclass
class Job:
    run: str
    limit: int
    columns: list[str]
    state: str = "running"
    """running, done or failed."""
    share: float = 0.0
    """Of the answers generated (scoring and the loss follow the last one)."""
    owner: int = field(default_factory=os.getpid)
    """The pid of the app that measures: when it is gone, so is the job."""
    started_at: float = field(default_factory=time.time)
    updated_at: float = field(default_factory=time.time)
    error: dict | None = None
    """Why it failed, as a catalogue key and its fields (runs.said_entry)."""

    @property
    def running(self) -> bool:
        return self.state == "running"

    @property
    def elapsed(self) -> float:
        return (time.time() if self.running else self.updated_at) - self.started_at


def read(run: Run) -> Job | None:
    """The run's last job as written, or None (never measured as a job, or an unreadable file)."""
    raw = read_json(run.path / JOB_FILE)
    if not isinstance(raw, dict):
        return None
    try:
        return Job(**{k: v for k, v in raw.items() if k in Job.__dataclass_fields__})
    except TypeError:  # a file from another version, missing a field: as if never measured
        return None


def current(run: Run) -> Job | None:
    """The run's last job by its true state: a running job whose app is gone has failed, and says so."""
    with _LOCK:
        return _current(run)


def _current(run: Run) -> Job | None:
    job = read(run)
    if job and job.running and not _alive(job):
        job = _write(run, job, state="failed", error={"key": "err_eval_interrupted", "fields": {"run": run.id}})
    return job


def _alive(job: Job) -> bool:
    if job.owner == os.getpid():
        thread = _THREADS.get(job.run)
        return bool(thread and thread.is_alive())
    try:
        os.kill(job.owner, 0)  # another app on this machine measures it
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _write(run: Run, job: Job, **changes: object) -> Job:
    for key, value in changes.items():
        setattr(job, key, value)
    job.updated_at = time.time()
    atomic_write_json(run.path / JOB_FILE, asdict(job))
    return job


def start(run_id: str, limit: int, columns: Sequence[str], evaluate: Evaluate = evaluate_run) -> tuple[Job, bool]:
    """(the new job, True); or, while the run is being measured, (that job, False) and nothing started.
    evaluate: evaluate_run's signature (a test passes a slow or failing one)."""
    run = runs.get(run_id)
    with _LOCK:
        found = _current(run)
        if found and found.running:
            return found, False
        job = _write(run, Job(run.id, int(limit), list(columns)))
        thread = threading.Thread(target=_work, args=(run, job, evaluate), name=f"eval-{run.id}", daemon=True)
        _THREADS[run.id] = thread
        thread.start()
    return job, True


def _work(run: Run, job: Job, evaluate: Evaluate) -> None:
    """The job's thread: measure, then end the job done or failed; it never stays running."""
    end: dict[str, object] = {"state": "done", "share": 1.0}
    try:
        evaluate(run.id, job.limit, job.columns, progress=_progress(run, job))
    except Said as e:
        end = {"state": "failed", "error": said_entry(e)}
    except Exception as e:  # noqa: BLE001 - a library's error too must end the job with its words
        end = {"state": "failed", "error": {"key": "err_eval_crashed", "fields": {"why": str(e) or type(e).__name__}}}
    with _LOCK:
        _write(run, job, **end)
        if _THREADS.get(run.id) is threading.current_thread():
            del _THREADS[run.id]


def _progress(run: Run, job: Job) -> Callable[[float, str], None]:
    last = [0.0]

    def report(share: float, _what: str) -> None:
        now = time.monotonic()
        if share >= 1.0 or now - last[0] >= WRITE_EVERY_S:
            last[0] = now
            _write(run, job, share=round(min(1.0, share), 3))
    return report


def wait(run: Run, timeout_s: float = 600.0) -> Job | None:
    """Block until the run's job ends (the command line and the tests)."""
    t0 = time.time()
    job = current(run)
    while job and job.running and time.time() - t0 < timeout_s:
        time.sleep(0.05)
        job = current(run)
    return job


def sharing(run_id: str) -> list[Note]:
    """Other work on this machine while run_id is measured (each slows the other): runs training, and the
    app's other measurements."""
    notes: list[Note] = [("evjob_slower_train", {"method": r.config().train.method.upper(), "run": r.id})
                         for r in training()]
    with _LOCK:
        others = [rid for rid, thread in _THREADS.items() if rid != run_id and thread.is_alive()]
    return notes + [("evjob_slower_eval", {"run": rid}) for rid in others]
