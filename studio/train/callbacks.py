"""The worker's eyes and ears: a TrainerCallback that writes metrics.jsonl and status.json, honours
stop requests, and fails a run whose loss became NaN."""
from __future__ import annotations

import math
import resource
import time

from transformers import TrainerCallback

from studio.fsutil import append_jsonl
from studio.runs import Run
from studio.train.evidence import RunFailed, nan_loss

REWARDS = {"rewards/chosen": "reward_chosen", "rewards/rejected": "reward_rejected",
           "rewards/margins": "reward_margin", "rewards/accuracies": "reward_accuracy"}
"""trl's preference metrics -> the names in metrics.jsonl (eval_ in front for the held-out pairs)."""
GRPO = {"reward": "reward", "reward_std": "reward_std", "kl": "kl", "completions/mean_length": "completion_length",
        "frac_reward_zero_std": "reward_zero_std_share"}
"""trl's GRPO metrics -> metrics.jsonl; each reward's own mean goes as reward:NAME (rewards/NAME/mean in trl)."""


def reset_peak_memory() -> None:
    """Start the peak afresh, so that a run in a long-lived process (tests, the bench) reports its own peak,
    not whatever the process held before it."""
    import torch

    if torch.cuda.is_available():
        torch.cuda.reset_peak_memory_stats()
        return
    try:  # Linux >= 4.0: "5" resets the resident high-water mark (VmHWM)
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
    except OSError:
        pass


def memory_mb() -> float:
    import torch

    if torch.cuda.is_available():
        return torch.cuda.max_memory_allocated() / 2**20
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024  # kB
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


class StudioCallback(TrainerCallback):
    def __init__(self, run: Run, main_process: bool = True):
        self.run = run
        self.main = main_process
        self.t0 = time.time()
        self.last = (self.t0, 0.0)  # (time, tokens) at the previous log, for tokens/s
        self.stop_reason = ""  # "stop" or a failure reason
        self.failure: RunFailed | None = None
        self.pending: dict = {}
        self.min_save_s = 0.0
        """Skip a scheduled checkpoint when the last one is younger than this: a short CPU run saving
        every step spent more time writing optimizer states than training (engine sets it)."""
        self.last_save = self.t0
        self.first_step = 0
        self.budget_s = 0.0
        """Stop once the run has trained this long, summed over its sessions (train.max_seconds; 0: no limit)."""
        self.trained_before = 0.0
        self.out_of_time = False

    def on_train_begin(self, args, state, control, **kw):
        reset_peak_memory()
        self.first_step = state.global_step  # after a resume: the time left counts this session's steps only
        self.t0 = self.last_save = time.time()
        self.last = (self.t0, 0.0)
        self.trained_before = self.run.status().train_s  # the sessions before a resume count towards the budget
        if self.main:
            self.run.write_status(state="running", total_steps=state.max_steps, step=state.global_step)

    def on_step_end(self, args, state, control, **kw):
        if self.run.stop_requested() and not self.stop_reason:
            self.stop_reason = "stop"
        if self.budget_s and self.trained_s() >= self.budget_s:
            self.out_of_time = True  # the run's time is spent: it ends done, with a checkpoint and its adapter
            control.should_training_stop = control.should_save = control.should_log = True  # its last loss too
        if self.stop_reason:
            control.should_training_stop = True
            control.should_save = True  # a checkpoint at this step, so resume continues from here
        elif control.should_save and time.time() - self.last_save < self.min_save_s \
                and state.global_step < state.max_steps:
            control.should_save = False  # the previous checkpoint is recent: a kill would lose little
        if self.main:
            self._status(state)

    def on_save(self, args, state, control, **kw):
        self.last_save = time.time()

    def trained_s(self) -> float:
        return self.trained_before + time.time() - self.t0

    def _status(self, state) -> None:
        done, total = state.global_step, state.max_steps
        rate = (time.time() - self.t0) / max(1, done - self.first_step)
        eta = rate * (total - done)
        if self.budget_s:
            eta = max(0.0, min(eta, self.budget_s - self.trained_s()))
        self.run.write_status(step=done, total_steps=total, eta_s=round(eta, 1), train_s=round(self.trained_s(), 2),
                              state="stopping" if self.stop_reason == "stop" else "running")

    def on_log(self, args, state, control, logs=None, **kw):
        logs = logs or {}
        loss = logs.get("loss")
        if loss is not None and not math.isfinite(loss):
            self.failure = nan_loss(loss, state.global_step, logs.get("learning_rate"))
            self.stop_reason = str(self.failure)
            control.should_training_stop = True
            return
        if self.main and ("loss" in logs or "eval_loss" in logs):
            append_jsonl(self.run.path / "metrics.jsonl", self._row(state, logs))

    def _row(self, state, logs: dict) -> dict:
        now = time.time()
        tokens = float(logs.get("num_tokens") or self.last[1])
        rate = (tokens - self.last[1]) / max(1e-6, now - self.last[0])
        if "loss" in logs:
            self.last = (now, tokens)
        row = {"step": state.global_step, "epoch": round(state.epoch or 0.0, 4),
               "loss": logs.get("loss"), "eval_loss": logs.get("eval_loss"),
               "learning_rate": logs.get("learning_rate"), "grad_norm": logs.get("grad_norm"),
               "tokens_per_s": round(rate, 1) if "loss" in logs else None,
               "memory_mb": round(memory_mb(), 1), "elapsed_s": round(now - self.t0, 2)}
        for key, name in REWARDS.items():  # DPO and KTO: how the policy separates good from bad answers
            row[name], row[f"eval_{name}"] = logs.get(key), logs.get(f"eval_{key}")
        row |= {name: logs.get(key) for key, name in GRPO.items()}  # GRPO: the rewards the answers earned
        row |= {f"reward:{k[len('rewards/'):-len('/mean')]}": v for k, v in logs.items()
                if k.startswith("rewards/") and k.endswith("/mean")}
        return {k: v for k, v in row.items() if v is not None}
