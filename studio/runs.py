"""The run store: runs/<id>/ under the data home. Files are the interface between the worker, the UI
and the CLI, so a closed browser tab or a restarted app never stops or loses a run.

    config.yaml    the whole RunConfig        status.json   state, reason, pid, step, total_steps
    title.txt      the name people read ("gozaru · DPO on 6 votes"); the id stays the folder name
    metrics.jsonl  one line per log step      train.log     the worker's output
    checkpoints/   trainer checkpoints        adapter/      the final PEFT adapter
"""
from __future__ import annotations

import itertools
import os
import re
import shutil
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from studio.config import RunConfig
from studio.fsutil import atomic_write_json, atomic_write_text, read_json, read_jsonl, write_jsonl
from studio.paths import check_name, inside, runs_dir
from studio.text import Said, Term, t

State = Literal["queued", "running", "stopping", "stopped", "failed", "done"]
ACTIVE: tuple[str, ...] = ("queued", "running", "stopping")
STOP_FILE = "STOP"
BRANCH_FILE = "branch.json"
"""In a run made by branch(): the run and the checkpoint step it continues."""
LAUNCHER_PID = "launcher.pid"
TITLE_FILE = "title.txt"


class RunError(Said, ValueError):
    """A run cannot do what was asked in its state (resume a running run, delete one, a missing checkpoint)."""


class NoRun(Said, KeyError):
    """No run of that id: a KeyError, as a missing key of the run store."""


def said_entry(error: Said) -> dict:
    """How status.json keeps a Said: its key and fields (plain values), to be said again in any language."""
    return {"key": error.key, "fields": {k: v if isinstance(v, (int, float)) else str(v)
                                         for k, v in error.fields.items()}}


def say(entry: dict | None, lang: str | None = "en") -> str:
    return t(lang, entry["key"], **entry.get("fields", {})) if entry else ""


def reason_text(st: RunStatus, lang: str | None = "en") -> str:
    """Why the run ended as it did, in lang where the worker said it by key (else its English reason)."""
    return say(st.said, lang) if st.said else st.reason


def state_term(state: str) -> Term | str:
    return Term.of(f"state_{state}", state)


@dataclass
class RunStatus:
    state: str = "queued"
    reason: str = ""
    pid: int | None = None
    step: int = 0
    total_steps: int = 0
    updated_at: float = field(default_factory=time.time)
    started_at: float | None = None
    device: str = ""
    eta_s: float | None = None
    said: dict | None = None
    """The reason as a catalogue key and its fields ({"key", "fields"}): said in the UI's language."""
    warning: dict | None = None
    """A doubt about a finished run, the same way (the loss did not fall)."""
    rows: dict | None = None
    """The rows the worker took: usable (all the data's), train, eval (held out), trained (with an answer
    left after truncation, or raw-text blocks)."""
    queued_at: float | None = None
    """When the run last joined the queue for its device: queued runs take the device in this order."""
    train_s: float = 0.0
    """Seconds the trainer has trained, summed over the run's sessions (a resume adds to it)."""

    @property
    def active(self) -> bool:
        return self.state in ACTIVE

    @property
    def progress(self) -> float:
        return min(1.0, self.step / self.total_steps) if self.total_steps else 0.0


@dataclass
class Run:
    id: str
    path: Path

    @property
    def config_path(self) -> Path:
        return self.path / "config.yaml"

    def config(self) -> RunConfig:
        return RunConfig.from_yaml(self.config_path)

    def status(self) -> RunStatus:
        raw = read_json(self.path / "status.json")
        if not isinstance(raw, dict):
            # never written (the app was killed right after creating the run): queued since the
            # config was written, so that reconcile() can tell a launch that never happened
            try:
                since = self.config_path.stat().st_mtime
            except OSError:
                since = time.time()
            return RunStatus(updated_at=since)
        known = {k: v for k, v in raw.items() if k in RunStatus.__dataclass_fields__}
        return RunStatus(**known)

    def write_status(self, **changes: Any) -> RunStatus:
        st = self.status()
        for k, v in changes.items():
            setattr(st, k, v)
        st.updated_at = time.time()
        atomic_write_json(self.path / "status.json", asdict(st))
        return st

    def metrics(self) -> list[dict]:
        return read_jsonl(self.path / "metrics.jsonl")

    def log_tail(self, lines: int = 30) -> str:
        try:
            with (self.path / "train.log").open("rb") as f:
                f.seek(0, os.SEEK_END)
                f.seek(max(0, f.tell() - 20_000))
                text = f.read().decode("utf-8", "replace")
        except OSError:
            return ""
        return "\n".join(text.replace("\r", "\n").splitlines()[-lines:])

    @property
    def adapter_dir(self) -> Path:
        return self.path / "adapter"

    def has_adapter(self) -> bool:
        self.restore_adapter()
        return (self.adapter_dir / "adapter_config.json").is_file()

    def restore_adapter(self) -> None:
        """A worker killed between save_adapter's two renames leaves the previous adapter in .adapter.old
        and no adapter/: put it back, so the run keeps the adapter it had."""
        old = self.path / ".adapter.old"
        if not self.adapter_dir.exists() and (old / "adapter_config.json").is_file():
            try:
                old.rename(self.adapter_dir)
            except OSError:
                pass  # another process restored it first, or the folder is read-only: nothing to lose

    def checkpoints(self) -> list[Path]:
        """Complete checkpoints, oldest first (a checkpoint is complete once its trainer_state exists)."""
        found = (self.path / "checkpoints").glob("checkpoint-*")
        done = [p for p in found if (p / "trainer_state.json").is_file()]
        return sorted(done, key=checkpoint_step)

    def stop_requested(self) -> bool:
        return (self.path / STOP_FILE).exists()

    def title(self) -> str:
        """The name people read; a run made before titles existed gets one from its config."""
        try:
            text = (self.path / TITLE_FILE).read_text(encoding="utf-8").strip()
        except OSError:
            text = ""
        if text:
            return text
        try:
            return default_title(self.config())
        except (OSError, ValueError):  # an unreadable config: the id still names it
            return self.id

    def label(self) -> str:
        """The title and when the run was made (from the id's stamp), so two runs of one setup differ."""
        stamp = re.match(r"\d{4}(\d\d)(\d\d)-(\d\d)(\d\d)\d\d-", self.id)
        return f"{self.title()} · {stamp[1]}-{stamp[2]} {stamp[3]}:{stamp[4]}" if stamp else self.title()


def default_title(cfg: RunConfig) -> str:
    """'json · SFT': what the run learns from and how (the model is on the header line beside it)."""
    return f"{subject(cfg)} · {cfg.train.method.upper()}"


def subject(cfg: RunConfig) -> str:
    """What a run learns from, in a word: its name, its preset, its data file, else its model."""
    stem = Path(cfg.data.train_path).stem if cfg.data.train_path else ""
    return cfg.name or cfg.data.preset or stem or cfg.model.name.split("/")[-1]


def _id_base(cfg: RunConfig) -> str:
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    label = cfg.name or cfg.data.preset or Path(cfg.data.train_path or "data").stem
    label = re.sub(r"[^A-Za-z0-9_-]+", "-", label)[:30].strip("-") or "run"
    model = re.sub(r"[^A-Za-z0-9_-]+", "-", cfg.model.name.split("/")[-1])[:24]
    return f"{stamp}-{label}-{model}"


def free_title(title: str) -> str:
    """A title no other run has: a second 'json · SFT' is 'json · SFT #2', so a toast saying one run waits
    behind the other names two runs, not one name twice."""
    title = title.strip()
    taken = {run.title() for run in all_runs()}
    if title not in taken:
        return title
    return next(f"{title} #{n}" for n in itertools.count(2) if f"{title} #{n}" not in taken)


def _candidates(base: str) -> Iterator[str]:
    yield base
    for n in itertools.count(2):
        yield f"{base}-{n}"


def create(cfg: RunConfig, title: str | None = None) -> Run:
    """A new run folder for cfg; title: its display name (default_title(cfg) when not given)."""
    title = free_title(title or default_title(cfg))
    for rid in _candidates(_id_base(cfg)):
        path = inside(runs_dir(), rid)
        try:
            # mkdir is the atomic claim: two tabs starting the same run in the same second used to
            # pick the same id (exists() then mkdir()) and the second failed with FileExistsError
            path.mkdir()
        except FileExistsError:
            continue
        break
    run = Run(rid, path)
    try:
        cfg.save(run.config_path)
        atomic_write_text(run.path / TITLE_FILE, title)
        run.write_status(state="queued")
    except BaseException:  # e.g. a full disk: leave no half-made run behind
        shutil.rmtree(path, ignore_errors=True)
        raise
    return run


def checkpoint_step(path: Path) -> int:
    return int(path.name.rsplit("-", 1)[-1])


def branch(run: Run, step: int) -> Run:
    """A new run that starts where `run` stood at its checkpoint `step`: the same settings, a copy of that
    checkpoint and the metrics up to it. The original run is left exactly as it was, so going back to an
    earlier checkpoint never throws away the later ones."""
    source = next((p for p in run.checkpoints() if checkpoint_step(p) == step), None)
    if source is None:
        have = ", ".join(str(checkpoint_step(p)) for p in run.checkpoints()) or "none"
        raise RunError("err_run_no_checkpoint", run=run.id, step=step, have=have)
    cfg = run.config()
    cfg.name = f"{cfg.name or run.id.split('-')[0]}-from-{step}"
    new = create(cfg, title=f"{run.title()} @{step}")  # a symbol, not a word: read alike in every language
    try:
        shutil.copytree(source, new.path / "checkpoints" / source.name)
        lines = [m for m in run.metrics() if int(m.get("step", 0)) <= step]
        write_jsonl(new.path / "metrics.jsonl", lines)
        atomic_write_json(new.path / BRANCH_FILE, {"run": run.id, "step": step})
        new.write_status(state="stopped", step=step, total_steps=run.status().total_steps,
                         reason=f"continues {run.id} from its checkpoint at step {step}")
    except BaseException:  # a full disk: no half-made branch left behind
        shutil.rmtree(new.path, ignore_errors=True)
        raise
    return new


def get(run_id: str) -> Run:
    check_name(run_id, "run id")
    path = inside(runs_dir(), run_id)
    if not (path / "config.yaml").is_file():
        raise NoRun("err_no_run", run=run_id)
    return Run(run_id, path)


def all_runs() -> list[Run]:
    found = [Run(p.name, p) for p in runs_dir().iterdir() if (p / "config.yaml").is_file()]
    return sorted(found, key=lambda r: r.id, reverse=True)


def with_adapter() -> list[str]:
    """Ids of the runs that have a final adapter, newest first (what Export and Evaluate offer)."""
    return [r.id for r in all_runs() if r.has_adapter()]


def pid_alive(pid: int | None) -> bool:
    """True when pid runs a studio worker (not just any process that reused the number)."""
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    proc = Path(f"/proc/{pid}")
    try:
        cmd = (proc / "cmdline").read_bytes()
        state = (proc / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return True  # no /proc: trust kill(0)
    if not cmd:  # a process just launched reads an empty cmdline for a moment (measured: most launches)
        return state != "Z" and (proc / "exe").exists()  # kernel threads have no exe
    return any(mark in cmd for mark in WORKER_MODULES) and state != "Z"


WORKER_MODULES = (b"studio.train", b"studio.rewards.worker")
"""What a worker's command line names: the training worker, or GRPO's (the training worker given its rewards)."""


def worker_pid(run: Run) -> int | None:
    """The worker's own pid once it reported it, else the pid the runner launched."""
    st = run.status()
    if st.pid:
        return st.pid
    try:
        return int((run.path / LAUNCHER_PID).read_text())
    except (OSError, ValueError):
        return None


LAUNCH_GRACE_S = 60.0
"""A queued run with no worker pid this long after its last status write was never launched."""


def reconcile(run: Run) -> RunStatus:
    """The true state: an active run whose worker is gone has failed, and says so."""
    st = run.status()
    pid = worker_pid(run) if st.active else None
    if st.active and pid and not pid_alive(pid):
        st = run.write_status(state="failed", pid=None,
                              reason=st.reason or "the worker process ended unexpectedly (killed or crashed); "
                                                  "resume continues from the last checkpoint")
    elif st.active and not pid and time.time() - st.updated_at > LAUNCH_GRACE_S:
        # the app stopped between creating the run and launching its worker: no process will ever
        # move it on, so it must not stay "queued" forever
        st = run.write_status(state="failed", pid=None,
                              reason=st.reason or "the worker was never started (the app stopped "
                                                  "before launching it); resume starts it")
    return st


def delete(run_id: str) -> None:
    run = get(run_id)
    if reconcile(run).active:
        raise RunError("err_run_delete_active", run=run_id, state=state_term(run.status().state))
    trash = run.path.with_name(f".deleted-{run_id}")
    run.path.rename(trash)  # atomic: the run vanishes at once, even if rmtree is slow
    shutil.rmtree(trash, ignore_errors=True)


def final_losses(run: Run) -> dict[str, float | None]:
    """The last train loss and eval loss a run logged (None where it logged none)."""
    loss = eval_loss = None
    for m in run.metrics():
        loss = m.get("loss", loss)
        eval_loss = m.get("eval_loss", eval_loss)
    return {"loss": loss, "eval_loss": eval_loss}
