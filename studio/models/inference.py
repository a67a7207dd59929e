"""Faster answers on the CPU: frozen bf16 weights packed once for oneDNN.

`F.linear` on bf16 CPU tensors hands oneDNN a plain weight, which it reorders into its blocked bf16
layout on every call. At decode time (one token: a matrix-vector product) that reorder costs more than
the product: on a 2-core AMD EPYC (AVX-512 BF16) a 576 x 1536 projection took 68 us, 25 us packed; the
49,152-row LM head of SmolLM2 2.7 ms, 0.7 ms (studio bench --profile shows the decode step).

The packed copy gives bit-identical results (oneDNN runs the same kernel either way, only without the
reorder), so answers do not change. It costs one more copy of the weights, so it is only made while
that copy fits comfortably in free memory. Layers that may need a gradient keep the plain path."""
from __future__ import annotations

import os

import torch  # imported by the chat model's loader only: the app's first page never pays for it

MAX_SHARE_OF_FREE = 0.25
"""The packed copies may take at most this share of the memory that is free when the model loads."""


class PackedLinear(torch.nn.Linear):
    """An nn.Linear (peft still wraps it as one) whose no-grad forward uses the packed weight."""

    _packed: torch.Tensor

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if torch.is_grad_enabled() and (x.requires_grad or self.weight.requires_grad):
            return super().forward(x)
        if x.dtype != torch.bfloat16 or x.device.type != "cpu":
            return super().forward(x)
        return torch.ops.mkldnn._linear_pointwise(x, self._packed, self.bias, "none", [], "")


def packable(model: torch.nn.Module) -> list[torch.nn.Linear]:
    """The plain bf16 CPU linears of a model (its LoRA layers' own small matrices are left alone)."""
    if not (torch.backends.mkldnn.is_available() and hasattr(torch.ops.mkldnn, "_reorder_linear_weight")):
        return []
    return [m for m in model.modules() if type(m) is torch.nn.Linear and m.weight.dtype == torch.bfloat16
            and m.weight.device.type == "cpu" and m.weight.shape[1] >= 64]


def free_mb() -> float:
    try:
        with open("/proc/meminfo", encoding="ascii") as f:
            info = dict(line.split(":", 1) for line in f)
        return int(info["MemAvailable"].split()[0]) / 1024
    except (OSError, KeyError, ValueError):
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_AVPHYS_PAGES") / 2**20


def pack_linears(model: torch.nn.Module, budget_mb: float | None = None) -> int:
    """Pack the model's bf16 linears for inference; returns how many were packed (0: none, e.g. no
    oneDNN, an fp32 model, or not enough free memory for the copies)."""
    layers = packable(model)
    need_mb = sum(m.weight.numel() * 2 for m in layers) / 2**20
    budget = free_mb() * MAX_SHARE_OF_FREE if budget_mb is None else budget_mb
    if not layers or need_mb > budget:
        return 0
    for m in layers:
        m._packed = torch.ops.mkldnn._reorder_linear_weight(m.weight.detach(), 1)
        m.__class__ = PackedLinear
    return len(layers)


class _LeanLora:
    """Mixed into peft's LoRA Linear: the same LoRA sum for an answer without peft's per-call steps.

    peft's forward checks its arguments, builds a dict of variant options and calls dropout, lora_A
    and lora_B as modules on every call; for one new token those Python steps cost more than the
    products (SmolLM2-135M with an adapter: 8.8 of 26.7 ms a token over 211 LoRA layers). Here: the
    input in the adapter's dtype (fp32, as peft does), x @ A^T @ B^T with the transposes made once,
    added to the base output in place with the scale. (bf16 products would skip the cast, but oneDNN's
    bf16 path costs ~30 us for such thin matrices against ~9 us in fp32.) Anything else (training,
    gradients, merged or disabled adapters, per-row adapter names, DoRA and other variants, LoRA
    biases, several active adapters) goes to peft's own forward."""

    def forward(self, x: torch.Tensor, *args, **kwargs) -> torch.Tensor:
        active = self.active_adapters
        if (args or kwargs or self.training or torch.is_grad_enabled() or self.disable_adapters
                or self.merged or len(active) != 1):
            return super().forward(x, *args, **kwargs)
        name = active[0]
        if (name not in self.lora_A or name in self.lora_variant or self.lora_B[name].bias is not None
                or self.lora_dropout[name].training):
            return super().forward(x, *args, **kwargs)
        a_t, b_t = self._lean_weights(name)
        result = self.base_layer(x)
        delta = torch.matmul(torch.matmul(self._cast_input_dtype(x, a_t.dtype), a_t), b_t)
        scale = self.scaling[name]
        if isinstance(scale, torch.Tensor):  # a per-row scale (studio.compare.mask): (batch, 1, 1)
            return result.add_(delta * scale)
        return result.add_(delta, alpha=scale)

    def _lean_weights(self, name: str) -> tuple[torch.Tensor, torch.Tensor]:
        """A^T and B^T, contiguous, remade when the adapter's weights change."""
        cache = self.__dict__.setdefault("_lean_cache", {})
        a, b = self.lora_A[name].weight, self.lora_B[name].weight
        key = (a.data_ptr(), b.data_ptr(), a._version, b._version)
        if cache.get(name, (None,))[0] != key:
            cache[name] = (key, a.detach().t().contiguous(), b.detach().t().contiguous())
        return cache[name][1], cache[name][2]


_LEAN: dict[type, type] = {}


def lean_lora(model: torch.nn.Module) -> int:
    """Give the model's plain peft LoRA Linear layers the lean inference forward; returns how many."""
    from peft.tuners.lora.layer import Linear

    swapped = 0
    for m in model.modules():
        if type(m) is Linear:
            m.__class__ = _LEAN.setdefault(Linear, type("LeanLoraLinear", (_LeanLora, Linear), {}))
            swapped += 1
    return swapped
