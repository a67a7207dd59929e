"""What the GPU tests (tests/gpu/) share: a task a model can memorise, a base taught one answer per prompt,
and greedy answers.

Why a taught base: the tests compare greedy tokens across code paths that compute in a different order (a
single 4-bit row takes bitsandbytes' matrix-vector kernel, a batch a dequantise-and-multiply; a merged model
adds the LoRA into its weights). A random model's top two logits are often closer than that rounding, so its
greedy answers could part for no fault of the code. A model trained to near-zero loss on its prompts answers
them with wide margins: then equal tokens are what correct code gives, and unequal tokens a real fault."""
from __future__ import annotations

import json
from pathlib import Path

PROMPTS = [f"code {i:02d}" for i in range(16)]
WORDS = ["apple", "river", "stone", "cloud", "tiger", "lemon", "piano", "candle", "forest", "silver", "rocket",
         "garden", "window", "marble", "violet", "harbor", "copper", "meadow", "falcon", "ember"]


def mapping(seed: int) -> dict[str, str]:
    """One answer of three words per prompt; another seed, other answers."""
    n = len(WORDS)
    return {p: " ".join(WORDS[(i * (3 + 2 * k) + seed * 7 + k) % n] for k in range(3))
            for i, p in enumerate(PROMPTS)}


def rows(answers: dict[str, str]) -> list[dict]:
    return [{"messages": [{"role": "user", "content": p}, {"role": "assistant", "content": a}]}
            for p, a in answers.items()]


def write_rows(path: Path, answers: dict[str, str], repeat: int = 1) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for _ in range(repeat) for r in rows(answers)), encoding="utf-8")
    return path


def qlora_config(base: Path, data: Path, **over):
    """A RunConfig of the studio's defaults on CUDA (quant auto: QLoRA) with a memorising recipe."""
    from studio.train import recipe

    values = {"max_steps": 120, "batch_size": 16, "learning_rate": 1e-3, "lora_r": 16, "device": "cuda",
              "max_length": 64, "warmup_ratio": 0.0, "save_steps": 10_000, **over}
    cfg = recipe.build(str(base), train_path=str(data), overrides=values)
    cfg.data.eval_fraction = 0.0
    return cfg


def _batch(tok, answers: dict[str, str], device: str = "cuda"):
    """Right-padded ids, attention mask and labels (answer tokens and their end-of-turn only)."""
    import torch

    from studio.data.tokenize import tokenize_row

    samples = [tokenize_row(tok, r, 64) for r in rows(answers)]
    width = max(len(s.input_ids) for s in samples)
    ids = torch.full((len(samples), width), tok.pad_token_id)
    labels = torch.full((len(samples), width), -100)
    mask = torch.zeros((len(samples), width), dtype=torch.long)
    for i, s in enumerate(samples):
        n = len(s.input_ids)
        ids[i, :n] = torch.tensor(s.input_ids)
        mask[i, :n] = 1
        labels[i, :n] = torch.tensor([t if m else -100 for t, m in zip(s.input_ids, s.mask)])
    return ids.to(device), mask.to(device), labels.to(device)


def teach(src: Path, out: Path, answers: dict[str, str], max_steps: int = 400, lr: float = 1e-4,
          device: str = "cuda") -> float:
    """Fine-tune every weight of the model in src (fp32, on the GPU) until it answers `answers` at near-zero
    loss; save it in bf16 with its tokenizer to out. Returns the final loss."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tok = AutoTokenizer.from_pretrained(src)
    torch.manual_seed(0)
    model = AutoModelForCausalLM.from_pretrained(src, dtype=torch.float32).to(device)
    model.train()
    ids, mask, labels = _batch(tok, answers, device)
    opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.0)
    loss = float("inf")
    for _ in range(max_steps):
        out_ = model(input_ids=ids, attention_mask=mask, labels=labels)
        out_.loss.backward()
        opt.step()
        opt.zero_grad(set_to_none=True)
        loss = out_.loss.item()
        if loss < 0.002:
            break
    model.to(torch.bfloat16).save_pretrained(out, safe_serialization=True)
    tok.save_pretrained(out)
    del model, opt
    if device == "cuda":
        torch.cuda.empty_cache()
    return loss


def greedy(model, tok, prompts=PROMPTS, new_tokens: int = 16) -> list[list[int]]:
    """Each prompt's greedy answer ids (one row at a time, cut after the end-of-turn)."""
    import torch

    from studio.chat import messages_for, prompt_ids

    model.eval()
    device = next(model.parameters()).device
    answers = []
    with torch.inference_mode():
        for p in prompts:
            ids = torch.tensor([prompt_ids(tok, messages_for(p))], device=device)
            out = model.generate(input_ids=ids, attention_mask=torch.ones_like(ids), max_new_tokens=new_tokens,
                                 do_sample=False, pad_token_id=tok.pad_token_id, eos_token_id=tok.eos_token_id)
            answer = out[0, ids.shape[1]:].tolist()
            if tok.eos_token_id in answer:
                answer = answer[: answer.index(tok.eos_token_id) + 1]
            answers.append(answer)
    return answers


def text_of(tok, answers: list[list[int]]) -> list[str]:
    return [tok.decode(a, skip_special_tokens=True).strip() for a in answers]
