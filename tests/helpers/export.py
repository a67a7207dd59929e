"""Helpers shared by the export and import tests: a finished run with a random (non-zero) LoRA, and
greedy answers of a batch of prompts."""
from __future__ import annotations

import json
from contextlib import contextmanager
from pathlib import Path

from studio import runs
from studio.config import DataSpec, LoraSpec, ModelSpec, RunConfig, TrainSpec

PROMPTS = ["Greet guest 1", "What is the capital of France?", "Write a haiku about rain.",
           "Return JSON with a name.", "Say hello like a samurai."]


def random_lora(model, out: Path, r: int = 4, seed: int = 0, scale: float = 1.0) -> None:
    """A non-zero LoRA (random A and B) saved in PEFT format: it changes what the model says."""
    import torch
    from peft import LoraConfig, get_peft_model

    torch.manual_seed(seed)
    cfg = LoraConfig(r=r, lora_alpha=2 * r, target_modules="all-linear", init_lora_weights=False,
                     task_type="CAUSAL_LM")
    tuned = get_peft_model(model, cfg)
    with torch.no_grad():
        for name, p in tuned.named_parameters():
            if "lora_B" in name:
                p.mul_(scale)
    tuned.save_pretrained(out, safe_serialization=True)


def make_run(model_name: str, *, data: Path | None = None, quant: str = "none", seed: int = 0,
             scale: float = 1.0) -> runs.Run:
    """A finished run as the worker leaves it: config, metrics, status done, adapter/ with tokenizer."""
    from studio.models import load_model, load_tokenizer

    cfg = RunConfig(model=ModelSpec(name=model_name), data=DataSpec(train_path=str(data) if data else None),
                    lora=LoraSpec(r=4, alpha=8), train=TrainSpec(quant=quant, max_steps=3))
    run = runs.create(cfg)
    random_lora(load_model(model_name, dtype="fp32", device="cpu"), run.adapter_dir, seed=seed, scale=scale)
    load_tokenizer(model_name).save_pretrained(run.adapter_dir)
    lines = [{"step": 1, "loss": 2.5}, {"step": 2, "loss": 2.0}, {"step": 3, "loss": 1.75, "eval_loss": 1.9}]
    (run.path / "metrics.jsonl").write_text("".join(json.dumps(m) + "\n" for m in lines))
    run.write_status(state="done", step=3, total_steps=3, device="cpu")
    return run


def left_padded(tok, prompts=PROMPTS) -> tuple[list[list[int]], list[list[int]]]:
    """The prompts under the chat template as one left-padded batch (ids, attention mask)."""
    from studio.chat import prompt_ids

    ids = [prompt_ids(tok, [{"role": "user", "content": p}]) for p in prompts]
    width = max(map(len, ids))
    return ([[tok.pad_token_id] * (width - len(i)) + i for i in ids],
            [[0] * (width - len(i)) + [1] * len(i) for i in ids])


@contextmanager
def one_thread():
    """Generation on one thread: on a shared 2-core machine under load, two spinning OpenMP threads were
    measured 14-20x slower than one (41-71 s vs 3 s for the same batch)."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def greedy(model, tok, prompts=PROMPTS, new: int = 12) -> list[list[int]]:
    """Greedy answers to all prompts in one batch (one pass per token, not per prompt)."""
    import torch

    ids, attention = left_padded(tok, prompts)
    batch, mask = torch.tensor(ids), torch.tensor(attention)
    width = batch.shape[1]
    with torch.inference_mode(), one_thread():
        gen = model.generate(batch, attention_mask=mask, max_new_tokens=new, do_sample=False,
                             pad_token_id=tok.pad_token_id)
    return gen[:, width:].tolist()


def tuned_answers(model_name: str, adapter: Path) -> tuple[list, int]:
    """Greedy answers of base + adapter (through peft), and on how many prompts the adapter changes the
    base's very next token (one forward pass: proof that equal answers below are not trivially equal)."""
    import torch
    from peft import PeftModel

    from studio.models import load_model, load_tokenizer

    tok = load_tokenizer(model_name)
    tuned = PeftModel.from_pretrained(load_model(model_name, dtype="fp32", device="cpu"), str(adapter)).eval()
    ids, mask = (torch.tensor(x) for x in left_padded(tok))
    with torch.inference_mode(), one_thread():
        with tuned.disable_adapter():
            base_next = tuned(input_ids=ids, attention_mask=mask).logits[:, -1].argmax(-1)
        tuned_next = tuned(input_ids=ids, attention_mask=mask).logits[:, -1].argmax(-1)
    return greedy(tuned, tok), int((base_next != tuned_next).sum())


def tensors(path: Path) -> dict:
    from safetensors.torch import load_file

    return load_file(str(path))
