"""One part of the benchmark, run in a process of its own so that peak memory is its own:
`python -m studio.bench.train SPEC.json OUT.json`, SPEC["side"] being

    baseline  trl's SFTTrainer with its documented defaults + a peft LoraConfig, as trl's quick-start
              shows: the model given by path, the messages dataset as-is (trl tokenises it)
    studio    the studio's own engine, the code path of `studio train` (engine.build_trainer)
    eval      both adapters' loss on the same held-out rows, computed the same way
    generate  one tuned answer, and base + tuned side by side (studio.compare.engine.Comparer)

Only the optimisation recipe (learning rate, schedule, steps, batch, seed, LoRA shape) is set the same on
both sides: without that a final-loss comparison would compare recipes, not engines. Everything the
engine decides (dtype, gradient checkpointing, padding, attention, loss code) stays each side's own."""
from __future__ import annotations

import itertools
import json
import os
import resource
import sys
import time
from pathlib import Path
from typing import Any

from studio import runs
from studio.bench import profile
from studio.bench.gen import generation
from studio.data.tokenize import tokenize_row
from studio.fsutil import read_jsonl
from studio.models import load_model, load_tokenizer
from studio.models.loader import model_path
from studio.models.loss import answer_loss as loss_of
from studio.train import recipe


class CountingCollator:
    """Wraps a trainer's collator and counts, over every batch it builds, the real (non-padding) tokens,
    the positions the loss scores, and the sum of T(T+1) over samples (attention's FLOPs, bench/flops.py)."""

    def __init__(self, inner):
        self.inner = inner
        self.real = 0
        self.padded = 0
        self.scored = 0
        self.attn_pairs = 0

    def __call__(self, features):
        batch = self.inner(features)
        ids = batch["input_ids"]
        mask = batch.get("attention_mask")
        self.real += int(mask.sum()) if mask is not None else int(ids.numel())  # padding-free: all real
        self.padded += int(ids.numel())
        labels = batch.get("labels")
        self.scored += int((labels != -100).sum()) if labels is not None else int(ids.numel())
        self.attn_pairs += sum(n * (n + 1) for n in sample_lengths(batch))
        return batch


def sample_lengths(batch) -> list[int]:
    """The length of each sample of a batch: padded rows, or one padding-free row of packed samples."""
    cu = batch.get("cu_seq_lens_q")
    if cu is not None:
        bounds = cu.tolist()
        return [e - s for s, e in itertools.pairwise(bounds)]
    pos = batch.get("position_ids")
    mask = batch.get("attention_mask")
    if mask is None and pos is not None and pos.shape[0] == 1:
        starts = [i for i, p in enumerate(pos[0].tolist()) if p == 0] + [pos.shape[1]]
        return [e - s for s, e in itertools.pairwise(starts)]
    if mask is not None:
        return [int(n) for n in mask.sum(dim=1).tolist()]
    return [int(batch["input_ids"].shape[1])] * int(batch["input_ids"].shape[0])


def peak_mb(device: str) -> float:
    """GPU peak allocation on CUDA; else the process's peak resident memory (Linux reports KiB)."""
    if device == "cuda":
        import torch

        return torch.cuda.max_memory_allocated() / 2**20
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _timed_train(trainer) -> dict[str, Any]:
    counter = CountingCollator(trainer.data_collator)
    trainer.data_collator = counter
    load0, cpu0, t0 = _load(), _cpu_s(), time.perf_counter()
    trainer.train()
    train_s, cpu_s = time.perf_counter() - t0, _cpu_s() - cpu0
    losses = [h["loss"] for h in trainer.state.log_history if "loss" in h]
    return {"train_s": train_s, "real_tokens": counter.real, "padded_tokens": counter.padded,
            "scored_tokens": counter.scored, "attn_pairs": counter.attn_pairs,
            "steps": trainer.state.global_step, "last_train_loss": losses[-1] if losses else None,
            "train_losses": losses, "cpu_s": cpu_s, "load_avg": [load0, _load()]}


def _cpu_s() -> float:
    """CPU seconds this process used: on a shared machine, a second view next to the wall time."""
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def _load() -> float:
    return round(os.getloadavg()[0], 2)


def _baseline_trainer(spec: dict, out: Path):
    from datasets import Dataset
    from peft import LoraConfig
    from trl import SFTConfig, SFTTrainer

    rows = [{"messages": r["messages"]} for r in read_jsonl(Path(spec["train_path"]))]
    _, where = model_path(spec["model"])
    cuda = spec["device"] == "cuda"
    args = SFTConfig(output_dir=str(out / "baseline"), max_steps=spec["steps"],
                     per_device_train_batch_size=spec["batch_size"], learning_rate=spec["learning_rate"],
                     lr_scheduler_type=spec["scheduler"], warmup_steps=spec["warmup_ratio"],
                     seed=spec["seed"], logging_steps=1, report_to=[], use_cpu=not cuda,
                     model_init_kwargs={"dtype": "bfloat16"} if cuda else None)
    peft = LoraConfig(r=spec["lora_r"], lora_alpha=spec["lora_alpha"], lora_dropout=spec["lora_dropout"],
                      target_modules=spec["target_modules"], task_type="CAUSAL_LM")
    quant = None
    if cuda:  # QLoRA as trl's PEFT guide shows it: the base loaded in 4-bit NF4
        import torch
        from transformers import BitsAndBytesConfig

        quant = BitsAndBytesConfig(load_in_4bit=True, bnb_4bit_quant_type="nf4",
                                   bnb_4bit_use_double_quant=True, bnb_4bit_compute_dtype=torch.bfloat16)
    return SFTTrainer(model=where, args=args, train_dataset=Dataset.from_list(rows), peft_config=peft,
                      quantization_config=quant)


def run_baseline(spec: dict, out: Path) -> dict[str, Any]:
    t0 = time.perf_counter()
    trainer = _baseline_trainer(spec, out)
    setup_s = time.perf_counter() - t0
    result = _timed_train(trainer)
    trainer.save_model(str(out / "baseline-adapter"))
    return {**result, "setup_s": setup_s, "adapter": str(out / "baseline-adapter"),
            "peak_mb": peak_mb(spec["device"])}


def studio_config(spec: dict, **extra: Any):
    """The RunConfig `studio train --data FILE` would build, with the benchmark's steps and LoRA shape
    (`extra`: more settings by their flat names, e.g. the GPU bench's quant and grad_accum)."""
    overrides = {"max_steps": spec["steps"], "batch_size": spec["batch_size"],
                 "learning_rate": spec["learning_rate"], "lora_r": spec["lora_r"],
                 "lora_alpha": spec["lora_alpha"], "lora_dropout": spec["lora_dropout"],
                 "scheduler": spec["scheduler"],
                 "warmup_ratio": spec["warmup_ratio"], "seed": spec["seed"], "device": spec["device"], **extra}
    cfg = recipe.build(spec["model"], train_path=spec["train_path"], overrides=overrides)
    cfg.lora.target_modules = spec["target_modules"]
    cfg.data.eval_fraction = 0.0  # no periodic eval inside the timed loop; both sides are judged below
    return cfg


def studio_trainer(cfg: Any) -> tuple[runs.Run, Any, float]:
    """(run, trainer, setup seconds): the studio's own trainer for cfg, built as the worker builds it, in
    a run folder of its own; both benches time what follows."""
    from studio.train import engine
    from studio.train.callbacks import StudioCallback

    t0 = time.perf_counter()
    run = runs.create(cfg)
    trainer = engine.build_trainer(run, cfg, StudioCallback(run))
    return run, trainer, time.perf_counter() - t0


def run_studio(spec: dict, out: Path) -> dict[str, Any]:
    from studio.train import engine

    run, trainer, setup_s = studio_trainer(studio_config(spec))
    result = _timed_train(trainer)
    engine.save_adapter(trainer, run)
    return {**result, "setup_s": setup_s, "adapter": str(run.adapter_dir), "peak_mb": peak_mb(spec["device"])}


def heldout_losses(model: str, adapters: dict[str, str | None], rows: list[dict], device: str,
                   max_length: int = 512) -> dict[str, float]:
    """Mean cross-entropy per trained token (the assistant answers) on the same rows, for each adapter
    (None = the base model), all on the same base weights in the same precision."""
    from peft import PeftModel

    tok = load_tokenizer(model)
    samples = [tokenize_row(tok, r, max_length) for r in rows]
    base = load_model(model, dtype="fp32" if device == "cpu" else "auto", device=device)
    base.eval()
    out: dict[str, float] = {}
    for name, path in adapters.items():
        net = PeftModel.from_pretrained(base, path) if path else base
        out[name] = loss_of(net, samples) or 0.0
        if path:
            base = net.unload()  # back to the bare base for the next adapter
    return out


def run_eval(spec: dict, out: Path) -> dict[str, Any]:
    from studio.train.speed import tune_allocator

    tune_allocator()  # not a measured figure: only sooner done

    rows = read_jsonl(Path(spec["eval_path"]))
    adapters = {"base": None, **spec["adapters"]}
    return heldout_losses(spec["model"], adapters, rows, spec["device"])


def run_generate(spec: dict, out: Path) -> dict[str, Any]:
    """Generation figures of the studio's chat as it is."""
    return generation(spec["model"], spec["adapter"], spec["new_tokens"], spec["repeats"])


def run_profile(spec: dict, out: Path) -> dict[str, Any]:
    """`studio bench --profile`: a few profiled steps of the studio's engine, then profiled decoding."""
    from studio.train import engine
    from studio.train.callbacks import StudioCallback

    cfg = studio_config(spec)
    run = runs.create(cfg)
    trainer = engine.build_trainer(run, cfg, StudioCallback(run))
    train = profile.profile_training(trainer)
    engine.save_adapter(trainer, run)
    return {"train": train, "decode": profile.profile_decode(spec["model"], str(run.adapter_dir))}


SIDES = {"baseline": run_baseline, "studio": run_studio, "eval": run_eval, "generate": run_generate,
         "profile": run_profile}


def run_side(sides: dict[str, Any], spec_path: str, out_path: str) -> int:
    """One side of a bench in its own process: the spec file names the side; its result goes to out_path."""
    spec = json.loads(Path(spec_path).read_text(encoding="utf-8"))
    result = sides[spec["side"]](spec, Path(spec["work_dir"]))
    Path(out_path).write_text(json.dumps(result), encoding="utf-8")
    return 0


def main(spec_path: str, out_path: str) -> int:
    return run_side(SIDES, spec_path, out_path)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
