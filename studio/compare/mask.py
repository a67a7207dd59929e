"""Base rows and one adapter's rows in one batch, without peft's per-row routing.

peft's mixed-adapter batch (`adapter_names=[...]`) splits the batch by adapter in every LoRA layer:
on a small model that indexing costs more than the LoRA maths (base + tuned took ~1.8x one answer).
With a single adapter in play, a vanilla LoRA layer adds `lora_B(lora_A(x)) * scaling`; making
`scaling` a (batch, 1, 1) tensor — the scale on the adapter's rows, 0 on base rows — gives every row
exactly its own answer in one pass with no routing at all."""
from __future__ import annotations

import contextlib
from collections.abc import Iterator

from studio.compare.adapters import AdapterError


def _lora_linears(model, adapter: str) -> list | None:
    """The model's LoRA layers that carry `adapter`, or None when one of them is not a plain Linear
    LoRA (DoRA and other variants add more than a scaled delta: they need peft's own routing)."""
    from peft.tuners.lora.layer import Linear, LoraLayer

    layers = [m for m in model.modules() if isinstance(m, LoraLayer) and adapter in m.scaling]
    if not layers or any(not isinstance(m, Linear) or adapter in m.lora_variant or m.merged for m in layers):
        return None
    return layers


def supports(model, adapter: str) -> bool:
    return _lora_linears(model, adapter) is not None


@contextlib.contextmanager
def row_scaling(model, adapter: str, rows_on: list[bool]) -> Iterator[None]:
    """`adapter` active for the whole batch, its delta kept only on the rows marked True."""
    import torch

    layers = _lora_linears(model, adapter)
    if layers is None:
        raise AdapterError("err_adapter_not_plain_lora", adapter=adapter)
    old = [m.scaling[adapter] for m in layers]
    try:
        for m, scale in zip(layers, old, strict=True):
            w = m.lora_B[adapter].weight
            mask = torch.tensor(rows_on, dtype=w.dtype, device=w.device).view(-1, 1, 1)
            m.scaling[adapter] = mask * scale
        model.set_adapter(adapter)
        yield
    finally:
        for m, scale in zip(layers, old, strict=True):
            m.scaling[adapter] = scale
