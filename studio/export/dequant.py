"""The base a QLoRA run trained against, in plain weights: merging a QLoRA adapter.

A QLoRA adapter learned to correct the 4-bit base, not the original one: folded into the original weights it
gives a model that neither the run nor its Compare columns ever ran (the NF4 rounding is missing), and its
greedy answers can drift from base + adapter. So the base is loaded in 4-bit exactly as training loaded it,
and every 4-bit linear layer is replaced by a plain one holding its dequantised weights (bitsandbytes' own
dequantisation, the one its forward uses). The LoRA is then merged into those.

transformers' own `model.dequantize()` is not used: on the CPU, bitsandbytes 0.50 repacks a 4-bit layer's weights
for its CPU kernel at the layer's first forward, and transformers 5.24's dequantize() of such a model returned
weights up to 0.12 away from what the layers compute with (weights of magnitude ~0.07). Here a repacked layer is
unpacked first, and the flags of a quantised model are cleared as transformers' remove_quantization_config does."""
from __future__ import annotations

from studio.config import RunConfig
from studio.models import load_model
from studio.models.loader import resolve_device, resolve_dtype
from studio.runs import Run
from studio.train.recipe import use_quant


def trained_in_4bit(run: Run) -> bool:
    """What training did: a 4-bit base where the run asked for nf4, or for auto on CUDA."""
    device = run.status().device or "cpu"
    return use_quant(run.config(), "cuda" if device.startswith("cuda") else device)


def plain_linears(model, dtype) -> int:
    """Replace every bitsandbytes 4-bit linear layer by an nn.Linear with its dequantised weights, then drop
    the marks of a quantised model (so it saves, casts and merges as a plain one). Returns how many."""
    import bitsandbytes as bnb
    import torch

    swapped = 0
    for name, layer in list(model.named_modules()):
        if not isinstance(layer, bnb.nn.Linear4bit):
            continue
        data, state = layer.weight.data, layer.weight.quant_state
        if getattr(state, "packing_format_for_cpu", False):  # bitsandbytes repacks CPU weights at a first forward
            data, state = bnb.functional._convert_weight_packed_for_cpu_inverse(data, state)
        weight = bnb.functional.dequantize_4bit(data, state)
        plain = torch.nn.Linear(layer.in_features, layer.out_features, bias=layer.bias is not None,
                                device=weight.device, dtype=dtype)
        with torch.no_grad():
            plain.weight.copy_(weight.reshape(layer.out_features, layer.in_features))
            if layer.bias is not None:
                plain.bias.copy_(layer.bias)
        model.set_submodule(name, plain)
        swapped += 1
    _unmark(model)
    model.to(dtype)
    return swapped


def _unmark(model) -> None:
    """What transformers' own remove_quantization_config does, and the 4/8-bit flags it leaves set."""
    for attr in ("hf_quantizer", "quantization_method", "_weight_conversions"):
        if hasattr(model, attr):
            delattr(model, attr)
    if hasattr(model.config, "quantization_config"):
        del model.config.quantization_config
    for flag in ("is_quantized", "is_loaded_in_4bit", "is_loaded_in_8bit"):
        setattr(model, flag, False)


def dequantised_base(cfg: RunConfig, *, dtype: str, device: str, progress=None):
    """The run's base in 4-bit as training loaded it (its compute dtype: the run's, auto resolved on `device`),
    then plain `dtype` weights."""
    base = load_model(cfg.model.name, quant="nf4", dtype=cfg.train.dtype, device=device,
                      trust_remote_code=cfg.model.trust_remote_code, revision=cfg.model.revision, progress=progress)
    torch_dtype = resolve_dtype(dtype, resolve_device(device))
    plain_linears(base, torch_dtype)
    base.config.dtype = torch_dtype
    return base
