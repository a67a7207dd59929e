"""Fixtures of the GPU tests: the random-weight shapes (built once, shared with `studio bench --gpu` through
$STUDIO_GPU_MODELS), a 0.5B-class base taught one answer per prompt, and one QLoRA run of the studio's
engine on other answers, made in this process so that its model can be asked before its adapter is saved."""
from __future__ import annotations

import gc
import os
from pathlib import Path
from types import SimpleNamespace

import pytest

from studio import runs
from studio.bench import shapes
from studio.train import recipe
from tests.helpers import gpu as g
from tests.helpers.gpu import qlora_config


@pytest.fixture(scope="session")
def shapes_root(tmp_path_factory) -> Path:
    root = os.environ.get("STUDIO_GPU_MODELS")
    return Path(root) if root else tmp_path_factory.mktemp("shapes")


@pytest.fixture(scope="session")
def session_home(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("gpu-home")


@pytest.fixture
def home(session_home, monkeypatch) -> Path:
    """This test sees the runs the session's fixtures made."""
    monkeypatch.setenv("STUDIO_HOME", str(session_home))
    return session_home


@pytest.fixture(scope="session")
def taught_base(shapes_root, tmp_path_factory) -> Path:
    """Qwen2.5-0.5B's shape, every weight trained (fp32) to answer mapping(0), saved in bf16."""
    src = shapes.ensure("qwen2.5-0.5b", shapes_root, device="cuda")
    out = tmp_path_factory.mktemp("taught-0.5b")
    loss = g.teach(src, out, g.mapping(0))
    assert loss < 0.05, f"the base did not learn its answers: loss {loss:.3f}"
    return out


def _layers(model) -> dict:
    """What the trained model is made of: its 4-bit layers' settings, its LoRA targets, its frozen weights."""
    import bitsandbytes as bnb
    from peft.tuners.lora import LoraLayer

    four = [m for m in model.modules() if isinstance(m, bnb.nn.Linear4bit)]
    lora = {name.rsplit(".", 1)[-1] for name, m in model.named_modules() if isinstance(m, LoraLayer)}
    return {"four_bit": len(four), "quant_types": {m.weight.quant_state.quant_type for m in four},
            "double_quant": {m.weight.compress_statistics for m in four},
            "compute_dtypes": {str(m.compute_dtype) for m in four}, "lora_targets": lora,
            "trainable": {str(p.dtype) for p in model.parameters() if p.requires_grad}}


@pytest.fixture(scope="session")
def qlora(taught_base, session_home, tmp_path_factory) -> SimpleNamespace:
    """A run of the studio's engine (the code path of `studio train`), QLoRA by default on CUDA, trained on
    mapping(1): answers the base gives confidently wrong. Greedy answers are taken before the adapter is saved."""
    import torch

    from studio.train import engine
    from studio.train.callbacks import StudioCallback

    data = g.write_rows(tmp_path_factory.mktemp("qlora-data") / "b.jsonl", g.mapping(1))
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("STUDIO_HOME", str(session_home))
        cfg = qlora_config(taught_base, data)
        run = runs.create(cfg)
        run.write_status(state="running", device="cuda")
        trainer = engine.build_trainer(run, cfg, StudioCallback(run))
        layers = _layers(trainer.model)
        trainer.train()
        inner = getattr(trainer.optimizer, "optimizer", trainer.optimizer)  # accelerate wraps it
        optimizer = {"module": type(inner).__module__, "paged": getattr(inner, "is_paged", False),
                     "bits": getattr(getattr(inner, "args", None), "optim_bits", None)}
        losses = [h["loss"] for h in trainer.state.log_history if "loss" in h]
        tok = trainer.processing_class
        before = g.greedy(trainer.model, tok)
        engine.save_adapter(trainer, run)
        run.write_status(state="done", pid=None)
    del trainer, inner
    gc.collect()
    torch.cuda.empty_cache()
    return SimpleNamespace(run=run, cfg=cfg, data=data, losses=losses, before=before, layers=layers,
                           optimizer=optimizer, plan=recipe.plan(cfg, 16))
