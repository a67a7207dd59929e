"""The memory fit (studio/models/fit.py) against the GPU: for each shape, the estimate of a QLoRA run is
within 25% of torch.cuda.max_memory_allocated() measured while the studio's engine trains it in this test."""
from __future__ import annotations

import gc
import json

import pytest

from studio import runs
from studio.bench import shapes
from studio.models.info import describe
from studio.train import recipe
from tests.helpers import gpu as g

pytestmark = pytest.mark.gpu
BATCH, LENGTH, RANK = 4, 512, 16


def _long_rows(path, n: int = 16):
    """Rows longer than LENGTH tokens: truncated to it, so each step holds BATCH x LENGTH tokens as the
    estimate assumes."""
    words = " ".join(g.WORDS * 40)
    rows = [{"messages": [{"role": "user", "content": f"Tell story {i}."},
                          {"role": "assistant", "content": words}]} for i in range(n)]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def _trained_peak_mb(cfg) -> float:
    """What training takes on the GPU over what this process held before: model, adapters, optimizer, steps."""
    import torch

    from studio.train import engine
    from studio.train.callbacks import StudioCallback

    gc.collect()
    torch.cuda.empty_cache()
    held = torch.cuda.memory_allocated()
    torch.cuda.reset_peak_memory_stats()
    run = runs.create(cfg)
    trainer = engine.build_trainer(run, cfg, StudioCallback(run))
    assert not trainer.args.gradient_checkpointing
    trainer.train()
    peak = torch.cuda.max_memory_allocated() - held
    del trainer
    gc.collect()
    torch.cuda.empty_cache()
    return peak / 2**20


@pytest.mark.parametrize("shape", ["qwen2.5-0.5b", "gemma-3-1b", "qwen2.5-7b"])
def test_the_memory_fit_is_within_25_percent_of_the_measured_peak(shape, shapes_root, tmp_path):
    model = shapes.ensure(shape, shapes_root, device="cuda")
    overrides = {"max_steps": 2, "batch_size": BATCH, "max_length": LENGTH, "lora_r": RANK, "device": "cuda",
                 "save_steps": 10_000}
    cfg = recipe.build(str(model), train_path=str(_long_rows(tmp_path / "long.jsonl")), overrides=overrides)
    cfg.data.eval_fraction = 0.0
    peak = _trained_peak_mb(cfg)
    verdict = describe(str(model), BATCH, LENGTH, RANK).fits["qlora"]
    est = verdict.estimate
    allocated = est.total_mb - est.overhead_mb  # the CUDA context is not the allocator's: not in the peak
    assert not verdict.checkpointing  # the run trained without gradient checkpointing, as this estimate says
    assert abs(allocated - peak) <= 0.25 * peak, (f"{shape}: estimated {allocated:.0f} MB (weights "
                                                 f"{est.weights_mb:.0f}, activations {est.activations_mb:.0f}), "
                                                 f"measured {peak:.0f} MB")
