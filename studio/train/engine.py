"""One training run: model + adapters + data + trl's SFTTrainer, then the adapter saved atomically."""
from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path

from studio import runs
from studio.config import ConfigError, RunConfig
from studio.models import load_model, load_tokenizer
from studio.models.loader import resolve_device, resolve_dtype
from studio.runs import Run
from studio.train import fsdp, rollout
from studio.train.callbacks import StudioCallback
from studio.train.data import is_text_task, load_rows, problems, to_dataset, usable_rows
from studio.train.evidence import Outcome, outcome
from studio.train.recipe import (
    plan_steps,
    to_grpo_config,
    to_lora_config,
    to_preference_config,
    to_sft_config,
    use_quant,
)

MIN_SAVE_S = 30.0
"""Automatic checkpoints at least this far apart: a kill loses at most about this much training."""
REWARDS: Callable[[RunConfig, list[dict]], tuple[list, list[float]]] | None = None
"""A GRPO run's (trl reward functions, weights) for its training rows, checked before the model loads. Set by the
GRPO worker (studio.rewards.worker): the rewards judge with the evaluate layer's meters, above training."""


def _load(cfg: RunConfig, local_rank: int, world: int):
    device = resolve_device(cfg.train.device)
    dtype = resolve_dtype(cfg.train.dtype, device)
    name = cfg.model.name
    tok = load_tokenizer(name, trust_remote_code=cfg.model.trust_remote_code)
    # FSDP: load on the CPU and let FSDP put each rank's shard on its GPU (a whole model per GPU is
    # what FSDP is there to avoid); 4-bit weights are stored in the compute dtype so FSDP can shard them
    sharded = fsdp.enabled()
    device_map = {"": local_rank} if device == "cuda" and not sharded else {"": "cpu"}
    model = load_model(name, quant="nf4" if use_quant(cfg, device) else "none",
                       dtype=cfg.train.dtype, device=device, device_map=device_map,
                       trust_remote_code=cfg.model.trust_remote_code, revision=cfg.model.revision,
                       quant_storage=dtype if sharded else None)
    model.config.use_cache = False
    dtype_name = {"torch.bfloat16": "bf16", "torch.float16": "fp16"}.get(str(dtype), "fp32")
    return model, tok, device, dtype_name


def build_trainer(run: Run, cfg: RunConfig, callback: StudioCallback, local_rank: int = 0,
                  world: int = 1):
    if cfg.train.method == "grpo":
        return build_grpo_trainer(run, cfg, callback, local_rank, world)
    if cfg.train.method != "sft":
        return build_preference_trainer(run, cfg, callback, local_rank, world)
    from trl import SFTTrainer

    train_rows, eval_rows = load_rows(cfg)
    model, tok, device, dtype_name = _load(cfg, local_rank, world)
    model, peft_config = _adapter(model, cfg)
    train_ds = to_dataset(tok, train_rows, cfg.data.max_length)
    eval_ds = to_dataset(tok, eval_rows, cfg.data.max_length) if eval_rows else None
    total = plan_steps(len(train_ds), cfg, world)
    _record_rows(run, cfg, train_rows, eval_rows, len(train_ds))
    args = to_sft_config(cfg, str(run.path / "checkpoints"), device, dtype_name, total, eval_ds is not None)
    if world > 1:
        import torch.distributed as dist

        backend = dist.get_backend() if dist.is_initialized() else "pending"
        print(f"data parallel: world size {world}, backend {backend}", flush=True)
    base = ", 4-bit NF4 base" if use_quant(cfg, device) else ""
    print(f"training {cfg.model.name} on {device} ({dtype_name}{base}), {len(train_ds)} rows, "
          f"{len(eval_ds) if eval_ds else 0} eval rows, ~{total} steps", flush=True)
    if not cfg.train.save_steps and world == 1:  # every rank must agree on saving: clocks don't
        callback.min_save_s = MIN_SAVE_S
    trainer = SFTTrainer(model=model, args=args, train_dataset=train_ds, eval_dataset=eval_ds,
                         processing_class=tok, peft_config=peft_config, callbacks=[callback])
    _speed_up(trainer.model, device, cfg.train.padding_free, mixed=dtype_name in ("bf16", "fp16"))
    return trainer


def build_preference_trainer(run: Run, cfg: RunConfig, callback: StudioCallback, local_rank: int = 0,
                             world: int = 1):
    """DPO or KTO through trl, on preference rows (studio/data/formats/preference.py, kto.py). Started from a finished
    run, its adapter is trained further and a frozen copy of it is the reference model (trl makes the
    copy inside the same PeftModel: no second base model in memory); from the base model, a new LoRA is
    trained and the reference is the base itself (adapters off)."""
    from datasets import Dataset
    from trl import DPOTrainer, KTOTrainer

    train_rows, eval_rows = load_rows(cfg)
    model, tok, device, dtype_name = _load(cfg, local_rank, world)
    model, peft_config = _adapter(model, cfg)
    total = plan_steps(len(train_rows), cfg, world)
    _record_rows(run, cfg, train_rows, eval_rows, len(train_rows))
    args = to_preference_config(cfg, str(run.path / "checkpoints"), device, dtype_name, total, bool(eval_rows))
    print(f"{cfg.train.method.upper()} on {cfg.model.name} ({device}, {dtype_name}): {len(train_rows)} rows, "
          f"{len(eval_rows)} eval rows, ~{total} steps, beta {cfg.train.beta}, reference: "
          f"{'run ' + cfg.train.start_from if cfg.train.start_from else 'the base model'}", flush=True)
    if not cfg.train.save_steps and world == 1:
        callback.min_save_s = MIN_SAVE_S
    kind = DPOTrainer if cfg.train.method == "dpo" else KTOTrainer
    return kind(model=model, args=args, train_dataset=Dataset.from_list(train_rows),
                eval_dataset=Dataset.from_list(eval_rows) if eval_rows else None, processing_class=tok,
                peft_config=peft_config, callbacks=[callback])


def build_grpo_trainer(run: Run, cfg: RunConfig, callback: StudioCallback, local_rank: int = 0, world: int = 1):
    """GRPO through trl on the run's prompts (each row's turns before its answer), the reference answer kept beside
    each for the rewards that compare against it. The rewards are checked on the references before the model
    loads. Started from a finished run, its adapter trains further and a frozen copy is the KL reference, as for
    DPO; from the base model, a new LoRA and the base itself."""
    from datasets import Dataset

    if REWARDS is None:
        raise ConfigError("err_grpo_worker")
    train_rows, eval_rows = load_rows(cfg)
    funcs, weights = REWARDS(cfg, train_rows)
    model, tok, device, dtype_name = _load(cfg, local_rank, world)
    model.config.use_cache = True  # sampling reuses its keys and values; the loss pass does not ask for them
    model, peft_config = _adapter(model, cfg)
    total = plan_steps(len(train_rows), cfg, world)
    _record_rows(run, cfg, train_rows, eval_rows, len(train_rows))
    args = to_grpo_config(cfg, str(run.path / "checkpoints"), device, dtype_name, total, weights)
    print(f"GRPO on {cfg.model.name} ({device}, {dtype_name}): {len(train_rows)} prompts, {cfg.train.generations} "
          f"answers each of up to {cfg.train.max_completion} tokens, ~{total} steps, beta {cfg.train.beta}, rewards "
          f"{cfg.train.reward}", flush=True)
    if not cfg.train.save_steps and world == 1:
        callback.min_save_s = MIN_SAVE_S
    sampler, said = rollout.plan(cfg.model.name, cfg.model.engine, device, dtype_name, run.path,
                                 quantized=use_quant(cfg, device), processes=world)
    print(said, flush=True)
    prompts = Dataset.from_list([prompt_row(r) for r in train_rows])
    trainer = rollout.trainer_class()(model=model, reward_funcs=funcs, args=args, train_dataset=prompts,
                                      processing_class=tok, peft_config=peft_config, callbacks=[callback])
    trainer.rollout = sampler
    _speed_up_lora(trainer.model, device, mixed=dtype_name in ("bf16", "fp16"))
    return trainer


def prompt_row(row: dict) -> dict:
    """A GRPO prompt: the turns before the last answer; the whole row as JSON beside it (its meta is free-form, which
    a datasets column would force into one type)."""
    turns = row["messages"]
    last = max(i for i, m in enumerate(turns) if m["role"] == "assistant")
    return {"prompt": turns[:last], "ref": json.dumps(row, ensure_ascii=False)}


def _record_rows(run: Run, cfg: RunConfig, train: list, evals: list, trained: int) -> None:
    """The rows this run takes, in status.json, under the names the plan and the Data step use; a row left
    with no answer after truncation is said in the log, never dropped silently."""
    if os.environ.get("RANK", "0") != "0":
        return
    left_out = problems(cfg.data, cfg.train.method)
    rows = {"usable": usable_rows(cfg.data, cfg.train.method), "train": len(train), "eval": len(evals),
            "trained": trained, "problems": left_out}
    run.write_status(rows=rows)
    if left_out:
        print(f"{left_out} problem(s) in {cfg.data.train_path}: those rows are left out, as the data check "
              "shows them (studio data validate)", flush=True)
    if trained < len(train) and not is_text_task(train):  # raw text is packed into blocks: no rows to drop
        print(f"{len(train) - trained} of {len(train)} training rows have no answer left after truncation at "
              f"max_length {cfg.data.max_length} and are left out (raise max_length to keep them)", flush=True)


def _adapter(model, cfg: RunConfig):
    """(model, peft_config): a new LoRA to add, or (start_from) the finished run's adapter, trainable."""
    if not cfg.train.start_from:
        return model, to_lora_config(cfg.lora)
    from peft import PeftModel

    adapter = runs.get(cfg.train.start_from).adapter_dir
    print(f"continuing the adapter of run {cfg.train.start_from}", flush=True)
    return PeftModel.from_pretrained(model, str(adapter), is_trainable=True), None


def _speed_up(model, device: str, padding_free: bool, mixed: bool) -> None:
    from studio.train import speed

    _speed_up_lora(model, device, mixed)
    if device == "cpu":
        speed.score_labelled_only()  # the LM head skips prompt positions (no label, no loss)
    if speed.wants_varlen(model, padding_free):
        speed.install(model)  # each packed sample attended on its own: no T x T mask, no math path


def _speed_up_lora(model, device: str, mixed: bool) -> None:
    """What any LoRA training gains (SFT's packing and LM head are its own)."""
    from studio.train import speed

    if mixed:  # autocast casts LoRA inputs itself: peft's fp32 copies only cost memory and time
        speed.keep_input_dtype(model)
    if device == "cpu":
        speed.fast_lora_dropout(model)  # torch's CPU dropout mask cost more than the LoRA matmul
        speed.tune_allocator()  # freed step tensors stay in the process instead of page-faulting back


def train(run: Run, cfg: RunConfig, callback: StudioCallback, local_rank: int = 0,
          world: int = 1) -> Outcome | None:
    """Train and save the adapter; the main process returns what the worker judges the run by (None on the
    other ranks, and after a failure, which keeps no adapter that would pass for a finished one)."""
    trainer = build_trainer(run, cfg, callback, local_rank, world)
    if cfg.train.max_seconds and world == 1:  # ranks' clocks differ: a sharded run would stop rank by rank
        callback.budget_s = cfg.train.max_seconds
        print(f"time budget: {cfg.train.max_seconds:g} s of training, then done", flush=True)
    checkpoints = run.checkpoints()
    resume = str(checkpoints[-1]) if checkpoints else None
    if resume:
        print(f"resuming from {resume}", flush=True)
    trainer.train(resume_from_checkpoint=resume)
    if callback.stop_reason not in ("", "stop"):
        return None
    gathered = fsdp.gather(trainer) if fsdp.enabled() else None  # FSDP: every rank sends its shard
    if not trainer.is_world_process_zero():
        return None
    save_adapter(trainer, run, gathered)
    return outcome(trainer, run.adapter_dir, stopped=callback.stop_reason == "stop", out_of_time=callback.out_of_time)


def save_adapter(trainer, run: Run, gathered: dict | None = None) -> None:
    """Write to a temporary folder, then rename: a half-written adapter is never taken for a finished one.
    gathered: an FSDP run's full weights (fsdp.gather), from which peft keeps the adapter's."""
    tmp = run.path / ".adapter.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    model = trainer.model if gathered is None else trainer.accelerator.unwrap_model(trainer.model)
    extra = {} if gathered is None else {"state_dict": gathered}
    try:
        # only the trained adapter: a DPO run's model also holds the frozen reference copy ("ref")
        model.save_pretrained(tmp, safe_serialization=True, selected_adapters=["default"], **extra)
        trainer.processing_class.save_pretrained(tmp)
        (tmp / "studio.json").write_text(json.dumps({"run": run.id, "step": trainer.state.global_step}))
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)  # a full disk should not stay fuller for a failed save
        raise
    final = run.adapter_dir
    old = run.path / ".adapter.old"
    if final.exists():
        final.rename(old)
    tmp.rename(final)  # killed between the two renames: runs.restore_adapter() puts .adapter.old back
    shutil.rmtree(old, ignore_errors=True)
    print(f"adapter saved to {final}", flush=True)


def adapter_step(path: Path) -> int | None:
    try:
        return int(json.loads((path / "studio.json").read_text())["step"])
    except (OSError, ValueError, KeyError):
        return None
