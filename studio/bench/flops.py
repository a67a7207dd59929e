"""Model FLOPs utilisation (MFU): the FLOPs a step of the model needs, over what this machine's own
matrix products reach, measured in the same run. It makes speed comparable across CPUs (an AMX Xeon
multiplies bf16 matrices ~3x faster than an AVX-512 EPYC: the same tokens/s are a third of the MFU).

Counted per token (P = the parameters of the model's linear layers, LM head apart; V x d the head):
    training (LoRA, frozen base)  4 P      forward 2P + the backward's input gradients 2P; frozen
                                           weights need no weight gradients
                                  + 6 Pl   the LoRA matrices: forward, input and weight gradients
                                  + 4 V d  per position the loss scores (the studio scores labelled
                                           positions only; trl's defaults score every position)
                                  + attention, 3 x forward, 2 H hd L T(T+1) a sample of T tokens
    generation (one new token)    2 P + 2 Pl + 2 V d + 4 H hd L (context length)
Gradient checkpointing's second forward is not counted (it is work the model does not need)."""
from __future__ import annotations

import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from studio.models.loader import model_path

FLAGS = ("avx2", "avx512f", "avx512_bf16", "avx512_vnni", "avx_vnni", "amx_tile", "amx_bf16", "amx_int8")


@dataclass(frozen=True)
class Shape:
    linear: int  # parameters of the linear layers, LM head excluded
    head: int  # V x d
    layers: int
    attn_width: int  # heads x head_dim


def model_shape(name: str) -> Shape:
    """Counted on the model's own modules, built on the meta device (no weights are read)."""
    import torch
    from transformers import AutoConfig, AutoModelForCausalLM

    _, where = model_path(name)
    config = AutoConfig.from_pretrained(where)
    with torch.device("meta"):
        model = AutoModelForCausalLM.from_config(config)
    head = model.get_output_embeddings()
    linear = sum(m.weight.numel() for m in model.modules()
                 if isinstance(m, torch.nn.Linear) and m is not head)
    text = getattr(config, "text_config", config)
    heads = text.num_attention_heads
    head_dim = getattr(text, "head_dim", None) or text.hidden_size // heads
    return Shape(linear, head.weight.numel(), text.num_hidden_layers, heads * head_dim)


def lora_params(adapter: str | Path | None) -> int:
    if not adapter:
        return 0
    from safetensors import safe_open

    with safe_open(str(Path(adapter) / "adapter_model.safetensors"), framework="pt") as f:
        return sum(_numel(f.get_slice(k).get_shape()) for k in f.keys())  # noqa: SIM118 - not iterable


def _numel(shape: list[int]) -> int:
    n = 1
    for s in shape:
        n *= s
    return n


def train_flops(s: Shape, lora: int, real: int, scored: int, attn_pairs: int) -> float:
    """`attn_pairs`: the sum over samples of T(T+1) (see the module docstring)."""
    attention = 6.0 * s.attn_width * s.layers * attn_pairs
    return 4.0 * s.linear * real + 6.0 * lora * real + 4.0 * s.head * scored + attention


def decode_flops(s: Shape, lora: int, context: float) -> float:
    return 2.0 * (s.linear + lora + s.head) + 4.0 * s.attn_width * s.layers * context


def matmul_rate(dtype_name: str, n: int = 2048, seconds: float = 1.5) -> float:
    """FLOP/s of square n x n matrix products in this process (its threads), best of a few timed runs."""
    import torch

    dtype = {"bf16": torch.bfloat16, "fp32": torch.float32}[dtype_name]
    a, b = torch.randn(n, n, dtype=dtype), torch.randn(n, n, dtype=dtype)
    for _ in range(2):
        a @ b
    best, spent = 0.0, 0.0
    while spent < seconds:
        t0 = time.perf_counter()
        a @ b
        took = time.perf_counter() - t0
        spent += took
        best = max(best, 2.0 * n**3 / took)
    return best


def cpu_flags() -> dict[str, Any]:
    """The CPU's name and the instruction sets that decide its bf16 speed, and torch's kernel level."""
    import torch

    found: set[str] = set()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("flags"):
                found = set(line.split(":", 1)[1].split())
                break
    except OSError:
        pass
    check = getattr(torch.backends.cpu, "get_cpu_capability", None)
    return {"flags": [f for f in FLAGS if f in found], "torch_kernels": check() if check else None}


def shape_dict(s: Shape) -> dict[str, int]:
    return asdict(s)
