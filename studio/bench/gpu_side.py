"""One side of `studio bench --gpu`, in a process of its own so that its peak GPU memory is its own:
`python -m studio.bench.gpu_side SPEC.json OUT.json`, SPEC["side"] being

    baseline  what a user would otherwise write: transformers + peft + bitsandbytes as the QLoRA recipe of
              the Hugging Face docs shows it (4-bit NF4 with double quantisation and bf16 compute,
              prepare_model_for_kbit_training with gradient checkpointing, LoRA on all linear layers,
              Trainer with paged 8-bit AdamW and DataCollatorForLanguageModeling, which pads each batch
              to its longest row)
    studio    the studio's engine, the code path of `studio train` (engine.build_trainer)

Both sides get the same rows in the same order, the same LoRA (r, alpha, dropout, all linear layers), learning
rate, schedule, steps, batch and gradient accumulation (the same samples and effective batch). The clock starts
after the first `warm` optimizer steps (CUDA start-up, kernel choice). After training (and after its peak
memory is read) each side's trained model gives its loss on the same held-out rows, computed the same way
(answer tokens only, studio.data.tokenize): the final loss. The studio side also gives the base's (adapter
off). Evaluating in the same process spares loading the base a third time (~15 GB read for the 7B shape)."""
from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

from studio.bench import train as bench_train
from studio.bench.train import CountingCollator, peak_mb
from studio.data.tokenize import tokenize_row
from studio.fsutil import read_jsonl
from studio.models.loss import answer_loss as loss_of


def _clock(counter: CountingCollator, warm: int, cuda: bool):
    """A TrainerCallback that notes (time, real, padded, scored, attention pairs) when training begins, at
    the end of step `warm` and at the end of the last step."""
    from transformers import TrainerCallback

    class Clock(TrainerCallback):
        def __init__(self):
            self.marks: dict[str, tuple[float, int, int, int, int]] = {}
            self.steps = 0

        def _mark(self, key: str) -> None:
            if cuda:
                import torch

                torch.cuda.synchronize()
            self.marks[key] = (time.perf_counter(), counter.real, counter.padded, counter.scored,
                               counter.attn_pairs)

        def on_train_begin(self, args, state, control, **kw):
            self._mark("begin")

        def on_step_end(self, args, state, control, **kw):
            self.steps = state.global_step
            if state.global_step == warm:
                self._mark("warm")
            self._mark("end")

    return Clock()


def _figures(trainer, counter: CountingCollator, clock, warm: int) -> dict[str, Any]:
    """Counts and seconds of the timed steps (after warm-up; all steps when the run is too short)."""
    timed_from_warm = "warm" in clock.marks and clock.steps > warm
    start, end = clock.marks["warm" if timed_from_warm else "begin"], clock.marks["end"]
    real, padded, scored, pairs = (end[i] - start[i] for i in range(1, 5))
    losses = [h["loss"] for h in trainer.state.log_history if "loss" in h]
    return {"train_s": end[0] - start[0], "real_tokens": real, "padded_tokens": padded, "scored_tokens": scored,
            "attn_pairs": pairs, "timed_steps": clock.steps - (warm if timed_from_warm else 0),
            "steps": trainer.state.global_step, "all_real_tokens": counter.real,
            "first_train_loss": losses[0] if losses else None, "last_train_loss": losses[-1] if losses else None,
            "train_losses": losses, "optimizer": _optimizer_name(trainer),
            "gradient_checkpointing": bool(getattr(trainer.model, "is_gradient_checkpointing", False)),
            "four_bit_layers": _four_bit_layers(trainer.model)}


def _four_bit_layers(model) -> int:
    """How many of the model's layers are bitsandbytes 4-bit ones (both sides train on the same 4-bit base)."""
    try:
        import bitsandbytes as bnb
    except ImportError:
        return 0
    return sum(isinstance(m, bnb.nn.Linear4bit) for m in model.modules())


def _optimizer_name(trainer) -> str:
    """The optimizer that stepped (accelerate wraps it): its class, and for bitsandbytes' its bits and paging
    (transformers makes `paged_adamw_8bit` a bitsandbytes AdamW with optim_bits=8, is_paged=True)."""
    inner = getattr(trainer.optimizer, "optimizer", trainer.optimizer)
    name = type(inner).__name__
    if type(inner).__module__.startswith("bitsandbytes"):
        bits = getattr(getattr(inner, "args", None), "optim_bits", 32)
        name = f"bitsandbytes {name} {bits}-bit{' paged' if getattr(inner, 'is_paged', False) else ''}"
    return name


def _timed(trainer, spec: dict) -> dict[str, Any]:
    counter = CountingCollator(trainer.data_collator)
    trainer.data_collator = counter
    clock = _clock(counter, spec["warm"], spec["device"] == "cuda")
    trainer.add_callback(clock)
    trainer.train()
    return _figures(trainer, counter, clock, spec["warm"])


def _lora_config(spec: dict):
    from peft import LoraConfig

    return LoraConfig(r=spec["lora_r"], lora_alpha=spec["lora_alpha"], lora_dropout=spec["lora_dropout"],
                      target_modules=spec["target_modules"], bias="none", task_type="CAUSAL_LM")


def baseline_trainer(spec: dict, out: Path):
    """The Hugging Face docs' QLoRA recipe (bitsandbytes 4-bit + peft + Trainer), nothing of the studio's."""
    import torch
    from datasets import Dataset
    from peft import get_peft_model, prepare_model_for_kbit_training
    from transformers import (
        AutoModelForCausalLM,
        AutoTokenizer,
        BitsAndBytesConfig,
        DataCollatorForLanguageModeling,
        Trainer,
        TrainingArguments,
    )

    cuda = spec["device"] == "cuda"
    tok = AutoTokenizer.from_pretrained(spec["model"])
    kw: dict[str, Any] = {"dtype": torch.bfloat16 if cuda else torch.float32,
                          "device_map": {"": 0} if cuda else {"": "cpu"}}
    if spec["quant"]:
        kw["quantization_config"] = BitsAndBytesConfig(
            load_in_4bit=True, bnb_4bit_quant_type="nf4", bnb_4bit_use_double_quant=True,
            bnb_4bit_compute_dtype=torch.bfloat16)
    model = AutoModelForCausalLM.from_pretrained(spec["model"], **kw)
    model.config.use_cache = False
    model.gradient_checkpointing_enable()
    model = prepare_model_for_kbit_training(model)
    model = get_peft_model(model, _lora_config(spec))
    texts = [tok.apply_chat_template(r["messages"], tokenize=False) for r in read_jsonl(Path(spec["train_path"]))]
    data = Dataset.from_dict({"text": texts}).map(
        lambda b: tok(b["text"], truncation=True, max_length=spec["max_length"], add_special_tokens=False),
        batched=True, remove_columns=["text"])
    args = TrainingArguments(
        output_dir=str(out / "baseline"), per_device_train_batch_size=spec["batch_size"],
        gradient_accumulation_steps=spec["grad_accum"], max_steps=spec["steps"],
        learning_rate=spec["learning_rate"], lr_scheduler_type=spec["scheduler"],
        warmup_steps=spec["warmup_ratio"], seed=spec["seed"], logging_steps=1, bf16=cuda,
        optim="paged_adamw_8bit" if cuda and spec["quant"] else "adamw_torch", save_strategy="no",
        report_to=[], disable_tqdm=True, use_cpu=not cuda, dataloader_num_workers=0)
    return Trainer(model=model, args=args, train_dataset=data,
                   data_collator=DataCollatorForLanguageModeling(tok, mlm=False))


def run_baseline(spec: dict, out: Path) -> dict[str, Any]:
    from transformers import AutoTokenizer

    t0 = time.perf_counter()
    trainer = baseline_trainer(spec, out)
    setup_s = time.perf_counter() - t0
    result = _timed(trainer, spec)
    peak = peak_mb(spec["device"])
    trainer.model.save_pretrained(str(out / "baseline-adapter"), safe_serialization=True)
    samples = heldout(AutoTokenizer.from_pretrained(spec["model"]), spec)
    return {**result, "setup_s": setup_s, "adapter": str(out / "baseline-adapter"), "peak_mb": peak,
            "padding": "to the longest row of each batch", "final_loss": answer_loss(trainer.model, samples)}


def studio_config(spec: dict):
    """The CPU bench's RunConfig (the same settings from the spec) plus what the GPU bench sets besides."""
    return bench_train.studio_config(spec, grad_accum=spec["grad_accum"], max_length=spec["max_length"],
                                     quant="nf4" if spec["quant"] else "none",
                                     dtype="bf16" if spec["device"] == "cuda" else "fp32")


def run_studio(spec: dict, out: Path) -> dict[str, Any]:
    from studio.train import engine

    cfg = studio_config(spec)
    run, trainer, setup_s = bench_train.studio_trainer(cfg)
    result = _timed(trainer, spec)
    peak = peak_mb(spec["device"])
    engine.save_adapter(trainer, run)
    padding = "none (padding-free rows)" if cfg.train.padding_free else "grouped by length"
    samples = heldout(trainer.processing_class, spec)
    with trainer.model.disable_adapter():
        base = answer_loss(trainer.model, samples)
    return {**result, "setup_s": setup_s, "adapter": str(run.adapter_dir), "peak_mb": peak, "padding": padding,
            "final_loss": answer_loss(trainer.model, samples), "base_loss": base}


def heldout(tok, spec: dict) -> list:
    return [tokenize_row(tok, r, spec["max_length"]) for r in read_jsonl(Path(spec["eval_path"]))]


def answer_loss(net, samples) -> float:
    """Mean cross-entropy per answer token (the assistant's turns) over tokenised rows (0 when none)."""
    net.eval()
    return loss_of(net, samples) or 0.0


SIDES = {"baseline": run_baseline, "studio": run_studio}


def main(spec_path: str, out_path: str) -> int:
    return bench_train.run_side(SIDES, spec_path, out_path)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
