"""What the run tests share: waiting for a run's status to reach a state, and a finished run built from
a random LoRA without the training worker."""
from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

from studio import runs
from studio.config import DataSpec, ModelSpec, RunConfig


def wait_for(run: runs.Run, pred, timeout: float = 120.0) -> runs.RunStatus:
    """Poll the run's reconciled status until pred(status) holds; fail with its log after timeout."""
    t0 = time.time()
    while time.time() - t0 < timeout:
        st = runs.reconcile(run)
        if pred(st):
            return st
        time.sleep(0.05)
    raise AssertionError(f"timed out; last status {run.status()}\n{run.log_tail()}")


def random_lora_folder(model_dir: Path, out: Path, seed: int = 1) -> Path:
    """A LoRA with random, non-zero B matrices: unlike a fresh one it changes the answers."""
    import torch
    from peft import LoraConfig, get_peft_model

    from studio.models import load_model

    torch.manual_seed(seed)
    model = load_model(str(model_dir), dtype="fp32")
    cfg = LoraConfig(r=4, lora_alpha=64, target_modules="all-linear", init_lora_weights=False,
                     task_type="CAUSAL_LM")
    get_peft_model(model, cfg).save_pretrained(out, safe_serialization=True)
    return out


def fake_run(model_dir: Path, adapter: Path, *, preset: str | None = None, train_path: str | None = None,
             checkpoints: tuple[int, ...] = (), system: str | None = None) -> runs.Run:
    """A done run of `model_dir` whose adapter/ (and checkpoints) are copies of `adapter`, built without
    the training worker (real training runs are tested in train/test_train.py)."""
    cfg = RunConfig(model=ModelSpec(name=str(model_dir)),
                    data=DataSpec(preset=preset, train_path=train_path, system_prompt=system))
    run = runs.create(cfg)
    shutil.copytree(adapter, run.adapter_dir)
    for step in checkpoints:
        ck = run.path / "checkpoints" / f"checkpoint-{step}"
        shutil.copytree(adapter, ck)
        (ck / "trainer_state.json").write_text(json.dumps({"global_step": step}))
    run.write_status(state="done")
    return run
