"""A run ends `done` only on evidence: every logged loss finite (the trainer's NaN filter is off, so
one bad step shows in its logged average), the planned steps all run, and an adapter on disk whose LoRA-B
weights moved from their zero start. Otherwise `failed` (or `stopped`, when it ended early), with the reason
said by key so the UI says it in its language. A loss that did not fall over a long run is a warning.
A run can also be too short to judge by its answers (shortfall): the UI says so and offers to continue it."""
from __future__ import annotations

import math
from dataclasses import dataclass
from dataclasses import replace as copy_of
from pathlib import Path
from typing import Literal

from studio.runs import Run, RunStatus
from studio.text import Said
from studio.train.recipe import plan_steps

FLAT_MIN_STEPS = 50
"""Runs shorter than this are too short to call a loss flat."""


class RunFailed(Said, RuntimeError):
    """Training cannot go on, or it trained nothing; the message is the run's reason."""


class EndedEarly(Said, RuntimeError):
    """The run stopped before its planned steps without being asked to."""


@dataclass
class Outcome:
    """What a finished trainer leaves behind, as the worker judges it."""

    steps: int
    """Optimizer steps taken (after a resume: counted from the run's start)."""
    planned: int
    losses: list[tuple[int, float]]
    """(step, training loss) as logged."""
    learning_rate: float
    adapter: Path
    stopped: bool
    """The user asked it to stop."""
    out_of_time: bool = False
    """It trained the seconds it was given (train.max_seconds): done, whatever step that was."""


def outcome(trainer, adapter: Path, stopped: bool, out_of_time: bool = False) -> Outcome:
    state = trainer.state
    losses = [(int(h.get("step", 0)), float(h["loss"])) for h in state.log_history if "loss" in h]
    return Outcome(state.global_step, state.max_steps, losses, trainer.args.learning_rate, adapter, stopped,
                   out_of_time)


def judge(o: Outcome) -> tuple[str, Said | None]:
    """(state, why): done, stopped (asked, or the data ran out) or failed."""
    bad = next(((step, loss) for step, loss in o.losses if not math.isfinite(loss)), None)
    if bad:
        return "failed", nan_loss(bad[1], bad[0], o.learning_rate)
    if o.stopped:
        return "stopped", None  # a stop after the first step can leave LoRA-B at zero (lr warms up from 0)
    if o.steps and not o.losses:
        return "failed", RunFailed("err_fail_no_loss", steps=o.steps)
    if not (o.adapter / "adapter_model.safetensors").is_file():
        return "failed", RunFailed("err_fail_no_adapter", steps=o.steps)
    if not lora_b_moved(o.adapter):
        return "failed", RunFailed("err_fail_empty_adapter", steps=o.steps, lr=f"{o.learning_rate:g}")
    if o.steps < o.planned and not o.out_of_time:
        return "stopped", EndedEarly("err_run_stopped_early", step=o.steps, planned=o.planned)
    return "done", None


def nan_loss(loss: float, step: int, lr: float | None) -> RunFailed:
    return RunFailed("err_fail_nan", loss=loss, step=step, lr=f"{lr:g}" if lr is not None else "?")


def lora_b_moved(adapter: Path) -> bool:
    """Some LoRA-B weight is non-zero: peft starts every B at zero, so an all-zero B is an adapter that
    changes nothing."""
    from safetensors import safe_open

    with safe_open(str(adapter / "adapter_model.safetensors"), framework="pt") as f:
        return any(bool(f.get_tensor(k).abs().sum() > 0) for k in f.keys() if "lora_B" in k)  # noqa: SIM118 - safe_open is not iterable


def flat_loss(o: Outcome) -> Said | None:
    """A warning when the mean of the last tenth of the logged losses is no lower than that of the first."""
    losses = [loss for _, loss in o.losses]
    if o.steps < FLAT_MIN_STEPS or len(losses) < 10:
        return None
    k = max(1, len(losses) // 10)
    first, last = sum(losses[:k]) / k, sum(losses[-k:]) / k
    if last < first:
        return None
    return Said("err_warn_flat_loss", steps=o.steps, first=f"{first:.3f}", last=f"{last:.3f}")


STYLE_EPOCHS = 1.0
"""A tone or a format usually shows in the answers only after about one pass over the training rows: before
that the tuned column reads like the base one, and a user takes a short run for a failed one."""


@dataclass
class Shortfall:
    """A run short of what its data usually needs, and how to continue it."""

    step: int
    """Optimizer steps it took."""
    usual: int
    """resume: the steps it planned; more: the steps its data usually takes (its epochs over its rows)."""
    epochs: float | None
    """Passes over the training rows its steps made (None: not counted, a stopped run)."""
    how: Literal["resume", "more"]
    """resume: it stopped before its plan, and resumes in place; more: it finished short of an epoch, and
    continues as a new run from its adapter (a finished run's trainer state is spent)."""

    @property
    def more(self) -> int:
        return max(1, self.usual - self.step)


def shortfall(run: Run) -> Shortfall | None:
    """The run's shortfall, or None: it is not short, or nothing can tell (no step, no row count)."""
    st = run.status()
    if st.step <= 0:
        return None
    if st.state == "stopped" and st.step < st.total_steps and not _ran_out(st):
        return Shortfall(st.step, st.total_steps, None, "resume")
    cfg = run.config()
    if st.state != "done" or cfg.train.method != "sft":  # DPO/KTO from its own adapter: another reference
        return None
    per_epoch = steps_per_epoch(run, st)
    if not per_epoch or st.step >= STYLE_EPOCHS * per_epoch:
        return None
    usual = round(per_epoch * max(cfg.train.epochs, STYLE_EPOCHS))
    return Shortfall(st.step, usual, round(st.step / per_epoch, 2), "more")


def _ran_out(st: RunStatus) -> bool:
    """Stopped because the data ended before the planned steps: resuming would stop again at once."""
    return bool(st.said and st.said.get("key") == "err_run_stopped_early")


def steps_per_epoch(run: Run, st: RunStatus) -> float | None:
    """Optimizer steps per pass over the training rows: as the trainer counted them (its logged epoch, which
    knows the processes and the accumulation), else as the plan counts them from the rows the worker took."""
    logged = [m for m in run.metrics() if m.get("epoch") and m.get("step")]
    if logged:
        return logged[-1]["step"] / logged[-1]["epoch"]
    rows = (st.rows or {}).get("trained") or (st.rows or {}).get("train")
    if not rows:
        return None
    cfg = run.config()
    one_epoch = copy_of(cfg, train=copy_of(cfg.train, max_steps=0, epochs=1.0))
    return float(plan_steps(int(rows), one_epoch, cfg.train.processes or 1))
