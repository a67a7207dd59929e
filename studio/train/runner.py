"""Start, watch, stop and resume runs. Each run's worker is its own process group, so the app (or a
closed terminal) can go away without taking the run with it."""
from __future__ import annotations

import math
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

from studio import config, runs
from studio.config import ConfigError, RunConfig, check
from studio.data.readers import SUPPORTED
from studio.fsutil import atomic_write_text
from studio.models import resolve
from studio.models.loader import resolve_device
from studio.runs import Run, RunStatus
from studio.text import Phrase, Said
from studio.train import launch, queue, recipe, share
from studio.train.data import is_text_run
from studio.train.evidence import shortfall


def processes_for(cfg: RunConfig) -> int:
    if cfg.train.processes:
        return cfg.train.processes
    if cfg.train.device == "cpu":
        return 1
    try:
        import torch

        return max(1, torch.cuda.device_count())
    except ImportError:
        return 1


def accelerated(cfg: RunConfig, procs: int, strategy: str) -> bool:
    """Through accelerate's launcher and the run's accelerate.yaml: several GPUs (DDP or FSDP), and FSDP
    anywhere (one GPU, or CPU processes)."""
    return strategy == "fsdp" or (procs > 1 and cfg.train.device != "cpu")


def command(run: Run, procs: int, strategy: str = "ddp") -> list[str]:
    """The worker's command line. GPUs, and FSDP, go through `accelerate launch --config_file RUN/accelerate.yaml`
    (spawn writes it). Several CPU processes under DDP go through torch's elastic launcher: accelerate's own
    launcher runs CPU jobs in one process unless mpirun is set up, while the Trainer's accelerate state picks
    up the torchrun environment and joins a gloo process group."""
    worker = ["-m", launch.worker_module(run), str(run.path)]
    if accelerated(run.config(), procs, strategy):
        return launch.command(run)
    if procs <= 1:
        return [sys.executable, *worker]
    return [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node", str(procs), *worker]


GpuFreed = Callable[[list[str]], None]
"""Told the names of the app's models unloaded from the GPU for a run (the app says so)."""


def spawn(run: Run, on_gpu_freed: GpuFreed | None = None) -> int:
    cfg = run.config()
    freed = share.release(cfg)  # the app's chat/Compare models leave the GPU before the worker loads
    procs = processes_for(cfg)
    strategy, qlora = recipe.placement(cfg, procs)
    if accelerated(cfg, procs, strategy):
        launch.write_config(run, strategy, procs, qlora=qlora)
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "TOKENIZERS_PARALLELISM": "false"}
    # A previous worker's pid (resume) would make reconcile() call the new run dead before it starts.
    (run.path / runs.LAUNCHER_PID).unlink(missing_ok=True)
    # Written before the process exists: the worker then only moves it forward (queued -> running).
    run.write_status(state="queued", pid=None, reason="", step=run.status().step, queued_at=time.time())
    with (run.path / "train.log").open("ab") as log:
        if freed:
            log.write(f"the app unloaded {', '.join(freed)} from the GPU so that this run has it to itself "
                      "(loaded again at the next chat or Compare)\n".encode())
            log.flush()
        proc = subprocess.Popen(command(run, procs, strategy), stdout=log, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, env=env, start_new_session=True)
    atomic_write_text(run.path / runs.LAUNCHER_PID, str(proc.pid))
    if freed and on_gpu_freed:
        on_gpu_freed(freed)
    return proc.pid


def start(cfg: RunConfig, on_gpu_freed: GpuFreed | None = None, title: str | None = None) -> Run:
    """Check cfg, make its run folder (title: its display name) and launch the worker."""
    problems = check(cfg) + data_problems(cfg) + start_problems(cfg)
    if problems:
        raise ConfigError.of(problems)

    resolve(cfg.model.name)  # an unknown model fails here, before a run folder exists
    run = runs.create(cfg, title)
    spawn(run, on_gpu_freed)
    return run


_STARTING = threading.Lock()
"""Held from the twin check to the new run's folder: a double click's two handlers run at once, and each
would find no twin in the moment before the other's folder exists."""


def start_unless_twin(cfg: RunConfig, on_gpu_freed: GpuFreed | None = None) -> tuple[Run, bool]:
    """(the new run, True); or, while a run of the same setup is queued or training, (that run, False) and
    nothing started: a second click on Start is asked about, not obeyed."""
    with _STARTING:
        found = queue.twin(cfg)
        if found:
            return found, False
        return start(cfg, on_gpu_freed), True


def prepare(cfg: RunConfig, nodes: int, gpus: int) -> tuple[Run, str]:
    """A run folder for `accelerate launch` by hand on `nodes` machines of `gpus` GPUs each: its config.yaml
    and accelerate.yaml (DDP, or FSDP where the fit across all nodes' GPUs says so), not started; and that
    strategy."""
    problems = check(cfg) + data_problems(cfg) + start_problems(cfg)
    if problems:
        raise ConfigError.of(problems)
    resolve(cfg.model.name)
    strategy, qlora = recipe.placement(cfg, nodes * gpus, kind="cpu" if cfg.train.device == "cpu" else "cuda")
    run = runs.create(cfg)
    launch.write_config(run, strategy, gpus, nodes, qlora)
    # not active: nothing runs until the nodes start; the worker on node 0 then moves it to queued, running
    run.write_status(state="stopped", reason="prepared for a launch by hand (studio train --print-launch)")
    return run, strategy


def start_problems(cfg: RunConfig) -> list[Phrase]:
    """A run to continue must exist, hold a finished adapter and have tuned the same base model. FSDP on the
    CPU is FSDP2 only: QLoRA's FSDP1 needs a GPU (as does 4-bit training itself)."""
    if cfg.train.strategy == "fsdp" and cfg.train.device == "cpu" and cfg.train.quant == "nf4":
        return [Phrase("err_start_fsdp_4bit")]
    if cfg.train.dtype == "fp16" and resolve_device(cfg.train.device) == "cpu":  # torch's CPU matmuls refuse it
        return [Phrase("err_start_fp16_cpu")]
    name = cfg.train.start_from
    if not name:
        return []
    try:
        source = runs.get(name)
    except (KeyError, ValueError) as exc:
        return [Phrase("err_start_from_missing", why=Phrase(exc.key, **exc.fields) if isinstance(exc, Said)
                       else str(exc))]
    if not source.has_adapter():
        return [Phrase("err_start_from_unfinished", run=name)]
    if source.config().model.name != cfg.model.name:
        return [Phrase("err_start_from_other_model", run=name, theirs=source.config().model.name, ours=cfg.model.name)]
    return []


def data_problems(cfg: RunConfig) -> list[Phrase]:
    """Data files that cannot be read at all, found before a run folder exists (their content is
    validated by the worker, line by line)."""
    out = []
    for field, value in (("data.train_path", cfg.data.train_path), ("data.eval_path", cfg.data.eval_path)):
        if not value:
            continue
        path = Path(value).expanduser()
        if not path.is_file():
            out.append(Phrase("err_data_file_missing", field=field, value=value))
        elif path.suffix.lower() not in SUPPORTED:
            out.append(Phrase("err_data_file_type", field=field, name=path.name, types=", ".join(SUPPORTED)))
    if not out and cfg.train.method == "grpo" and is_text_run(cfg):  # no prompts to sample answers to
        out.append(Phrase("err_reward_raw_text"))
    return out


def stop(run_id: str) -> RunStatus:
    """Ask the worker to stop: it finishes the step, saves a checkpoint and the adapter, ends `stopped`."""
    run = runs.get(run_id)
    st = runs.reconcile(run)
    if not st.active:
        raise runs.RunError("err_run_not_running", run=run_id, state=runs.state_term(st.state))
    (run.path / runs.STOP_FILE).touch()
    if st.state == "queued":
        _kill_group(runs.worker_pid(run))  # still waiting for the device: nothing to save
        return run.write_status(state="stopped", pid=None, reason="stopped while queued")
    return run.write_status(state="stopping")


def _kill_group(pid: int | None) -> None:
    if not pid:
        return
    try:
        os.killpg(pid, signal.SIGTERM)
    except (ProcessLookupError, PermissionError):
        pass


def resume(run_id: str, step: int | None = None, on_gpu_freed: GpuFreed | None = None) -> Run:
    """Continue a stopped or failed run from its last checkpoint, in place; or, given the `step` of an earlier
    checkpoint (or any checkpoint of a finished run), a new run branched from it (runs.branch): the original
    keeps its later checkpoints and its adapter. Returns the run that now trains."""
    run = runs.get(run_id)
    st = runs.reconcile(run)
    if st.active:
        raise runs.RunError("err_run_already", run=run_id, state=runs.state_term(st.state))
    checkpoints = run.checkpoints()
    if step is not None and (st.state == "done" or not checkpoints or step != runs.checkpoint_step(checkpoints[-1])):
        run = runs.branch(run, step)
    elif st.state == "done":
        raise runs.RunError("err_run_done", run=run_id)
    (run.path / runs.STOP_FILE).unlink(missing_ok=True)
    spawn(run, on_gpu_freed)
    return run


def wait(run: Run, on_update: Callable[[RunStatus], None] | None = None, poll_s: float = 1.0,
         timeout_s: float | None = None) -> RunStatus:
    """Block until the run ends (or the timeout passes), calling on_update with each status."""
    t0 = time.time()
    while True:
        st = runs.reconcile(run)
        if on_update:
            on_update(st)
        if not st.active or (timeout_s and time.time() - t0 > timeout_s):
            return st
        time.sleep(poll_s)


def recover_all() -> list[Run]:
    """On start of the app: every run's true state (a 'running' run whose worker is gone -> failed)."""
    found = runs.all_runs()
    for run in found:
        runs.reconcile(run)
    return found


def training() -> list[Run]:
    """The runs queued or training now, by their true state: what shares the machine with other work."""
    return [run for run in runs.all_runs() if run.status().active and runs.reconcile(run).active]


def extend(run_id: str, on_gpu_freed: GpuFreed | None = None) -> Run:
    """Continue a run too short to judge (evidence.shortfall): a stopped one resumes in place; one that finished
    short of an epoch continues as a new run from its adapter, for the steps its data usually takes (its own
    trainer ended, so only its adapter goes on). Returns the run that now trains."""
    run = runs.get(run_id)
    short = shortfall(run)
    if short is None:
        raise runs.RunError("err_run_not_short", run=run_id)
    if short.how == "resume":
        return resume(run_id, on_gpu_freed=on_gpu_freed)
    return start(continued(run, short.more), on_gpu_freed)


def continued(run: Run, steps: int) -> RunConfig:
    """The run's own settings, its adapter as the start, `steps` more steps; named after it (gozaru-more)."""
    cfg = run.config()
    cfg.train.start_from, cfg.train.max_steps = run.id, steps
    cfg.name = f"{runs.subject(cfg).removesuffix('-more')}-more"
    return cfg


SAME_TIME_SLACK = 1.25
"""The steps a same-time continuation plans, over those its parent's pace fits in the seconds: the clock ends it
(train.max_seconds), and its learning-rate schedule stays about where a run of that length would take it."""


def trained_seconds(run: Run) -> float:
    """Seconds the run's trainer trained, over all its sessions: what its worker counted (status.train_s), else, for
    a run from before that count, the sum of each session's last logged elapsed time (a resume restarts it)."""
    counted = run.status().train_s
    if counted:
        return counted
    total, last = 0.0, 0.0
    for m in run.metrics():
        now = float(m.get("elapsed_s") or 0.0)
        if now < last:  # a new session
            total += last
        last = now
    return total + last


def same_time(run_id: str, overrides: dict | None = None) -> RunConfig:
    """Beside a finished GRPO run, the SFT run that answers "did RL beat simply training longer?": its parent's
    settings and data, continued from the parent's adapter for the seconds the GRPO run trained (max_seconds;
    the steps from the parent's pace, a little over). overrides: settings the user gave besides."""
    grpo = runs.get(run_id)
    cfg = grpo.config()
    if cfg.train.method != "grpo" or not cfg.train.start_from:
        raise runs.RunError("err_same_time_not_grpo", run=run_id)
    seconds = trained_seconds(grpo)
    if runs.reconcile(grpo).active or seconds <= 0:
        raise runs.RunError("err_same_time_unfinished", run=run_id)
    parent = runs.get(cfg.train.start_from)
    pcfg = parent.config()
    if pcfg.train.method != "sft":
        raise runs.RunError("err_same_time_parent", run=run_id, parent=parent.id, method=pcfg.train.method.upper())
    pace = trained_seconds(parent) / max(1, parent.status().step)
    given = {k: v for k, v in (overrides or {}).items() if v is not None}
    for name, want in (("method", "sft"), ("start_from", parent.id)):
        if given.get(name, want) != want:
            raise runs.RunError("err_same_time_setting", run=run_id, setting=name, value=given[name], want=want)
    values = {**config.flat(pcfg), "start_from": parent.id, "max_seconds": round(seconds, 1),
              "max_steps": max(1, math.ceil(SAME_TIME_SLACK * seconds / pace)) if pace > 0 else -1, **given}
    d = pcfg.data
    out = recipe.build(pcfg.model.name, preset=d.preset, train_path=d.train_path, eval_path=d.eval_path,
                       mapping=d.mapping, overrides=values)
    out.data.system_prompt, out.train.same_time_as = d.system_prompt, run_id
    out.name = f"{runs.subject(pcfg)}-same-time"
    return out
