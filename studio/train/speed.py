"""What makes CPU training several times faster (measured by `studio bench`, docs/benchmarks.md).

1. tune_allocator(): glibc malloc keeps freed memory instead of handing it back to the OS. By default
   every large tensor freed after a step is returned (munmap / heap trim) and the next step page-faults
   it back in, zero-filled by the kernel: on a 2-core CPU that made fill_/copy_/add_ cost more than the
   matmuls, and far more when other processes compete for the cores.
2. Variable-length attention for padding-free batches on devices without flash-attention (the CPU).

Padding-free batches are one long row of concatenated samples. With `sdpa`, transformers turns their
position_ids into a dense block-diagonal (T x T) mask; torch's CPU sdpa then takes its math path, which
computes all T^2 scores and keeps the T^2 probabilities of every layer for the backward pass. Here each
sample is attended on its own with `is_causal=True` (torch's fused CPU flash kernel: no mask, no T^2
tensors kept), using the sequence boundaries trl's collator already passes (`cu_seq_lens_q`)."""
from __future__ import annotations

import ctypes
import itertools

import torch  # the training worker's module: the app never imports it at start-up

NAME = "sdpa_varlen"
_M_TRIM_THRESHOLD, _M_TOP_PAD, _M_MMAP_THRESHOLD = -1, -2, -3


def tune_allocator() -> bool:
    """Keep freed memory in the process (glibc only; elsewhere a no-op). Returns whether it applied."""
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:
        return False
    ok = libc.mallopt(_M_MMAP_THRESHOLD, 1 << 30)  # big tensors from the heap, not fresh mmaps
    ok &= libc.mallopt(_M_TRIM_THRESHOLD, 2**31 - 1)  # never trim the heap back to the OS
    ok &= libc.mallopt(_M_TOP_PAD, 64 << 20)  # grow it in 64 MB steps
    return bool(ok)


def varlen_attention(module, query, key, value, attention_mask, dropout: float = 0.0,
                     scaling: float | None = None, **kwargs):
    """query/key/value: (batch, heads, T, dim). Returns (batch, T, heads, dim) like transformers' sdpa."""
    from transformers.integrations.sdpa_attention import repeat_kv, sdpa_attention_forward

    cu = kwargs.get("cu_seq_lens_q")
    if attention_mask is not None or cu is None or query.shape[0] != 1 or query.shape[2] != key.shape[2]:
        return sdpa_attention_forward(module, query, key, value, attention_mask, dropout=dropout,
                                      scaling=scaling, **kwargs)
    groups = getattr(module, "num_key_value_groups", 1)
    key, value = repeat_kv(key, groups), repeat_kv(value, groups)
    p = dropout if module.training else 0.0
    bounds = cu.tolist()
    pieces = [torch.nn.functional.scaled_dot_product_attention(
        query[:, :, s:e], key[:, :, s:e], value[:, :, s:e], dropout_p=p, scale=scaling, is_causal=True)
        for s, e in itertools.pairwise(bounds) if e > s]
    return torch.cat(pieces, dim=2).transpose(1, 2).contiguous(), None


def varlen_mask(*args, attention_mask=None, **kwargs):
    """No mask for unpadded or packed inputs (the attention splits by sequence); sdpa's mask otherwise."""
    from transformers.masking_utils import sdpa_mask

    if attention_mask is None:
        return None
    return sdpa_mask(*args, attention_mask=attention_mask, **kwargs)


def wants_varlen(model, padding_free: bool) -> bool:
    """Padding-free batches on sdpa: flash-attention handles packed rows itself; eager keeps its own path."""
    base = model.get_base_model() if hasattr(model, "get_base_model") else model
    return padding_free and getattr(base.config, "_attn_implementation", None) == "sdpa"


def install(model) -> None:
    """Register the attention and switch `model` (a transformers or peft model) to it."""
    from transformers import AttentionInterface
    from transformers.masking_utils import AttentionMaskInterface

    AttentionInterface.register(NAME, varlen_attention)
    AttentionMaskInterface.register(NAME, varlen_mask)
    base = model.get_base_model() if hasattr(model, "get_base_model") else model
    base.set_attn_implementation(NAME)


def keep_input_dtype(model) -> int:
    """Under bf16/fp16 autocast, stop peft from copying each LoRA layer's input to fp32 (the adapters' dtype).

    peft casts the input of every LoRA layer to the adapter's dtype (fp32) before its dropout and lora_A;
    under autocast the matmul casts it straight back to bf16. The fp32 copies (one per layer: q, k and v
    each copy the same input) and their dropout outputs were kept for the backward pass: more than half
    of a step's activation memory on SmolLM2. Returns how many layers were switched."""
    from peft.tuners.lora import LoraLayer

    layers = [m for m in model.modules() if isinstance(m, LoraLayer)]
    for m in layers:
        m.cast_input_dtype_enabled = False
    return len(layers)


def score_labelled_only() -> bool:
    """Have trl's fused LM head score only the positions with a label on the CPU too.

    trl projects only labelled positions through the LM head where Triton runs (CUDA); elsewhere it scores
    every position, because on XLA devices a varying count would recompile each step. Eager CPU has no
    such cost, and the head is a large share of a small model's compute (Gemma-3-270M: 168M of its 268M
    parameters), so prompt tokens were paid for twice. Returns whether trl had the switch to set."""
    import trl.trainer.utils as trl_utils

    original = getattr(trl_utils, "_use_triton", None)
    if original is None or getattr(original, "_studio", False):
        return original is not None

    def compact(device) -> bool:
        return device.type == "cpu" or original(device)

    compact._studio = True  # type: ignore[attr-defined]
    compact._original = original  # type: ignore[attr-defined]
    trl_utils._use_triton = compact
    return True


class FastDropout(torch.nn.Module):
    """Dropout whose mask costs a third of torch's on the CPU; p is rounded to a multiple of 1/256.

    torch draws one Mersenne-Twister number per element for a dropout mask; on a 2-core CPU that took
    longer than the LoRA matmul it guards (a fifth of a SmolLM2 step). Here one 32-bit draw gives three
    random bytes (the low three: torch's int32 draws leave the top bit 0), each byte one keep/drop
    decision, so p = 0.05 becomes 13/256 = 0.0508."""

    def __init__(self, p: float):
        super().__init__()
        self.p = p
        self.threshold = round(p * 256)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if not self.training or self.threshold == 0:
            return x
        n = x.numel()
        draws = torch.empty((n + 2) // 3, dtype=torch.int32, device=x.device).random_()
        rand = draws.view(torch.uint8).view(-1, 4)[:, :3].reshape(-1)[:n].view(x.shape)
        return torch.where(rand >= self.threshold, x * (256 / (256 - self.threshold)), 0)

    def extra_repr(self) -> str:
        return f"p={self.threshold}/256"


def fast_lora_dropout(model) -> int:
    """Swap the LoRA layers' torch dropout for FastDropout (CPU training). Returns how many were swapped."""
    from peft.tuners.lora import LoraLayer

    swapped = 0
    for m in model.modules():
        if not isinstance(m, LoraLayer):
            continue
        for name, drop in list(m.lora_dropout.items()):
            if isinstance(drop, torch.nn.Dropout) and drop.p > 0:
                fast = FastDropout(drop.p)
                fast.train(drop.training)
                m.lora_dropout[name] = fast
                swapped += 1
    return swapped
