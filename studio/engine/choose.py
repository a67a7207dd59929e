"""Which engine writes an answer. One setting (config's ModelSpec.engine; `STUDIO_ENGINE` for the app and the
commands that take no run): `auto` takes llama.cpp on the CPU when it can and torch otherwise, `torch` always
torch, `llama.cpp` llama.cpp or an error saying why not. What llama.cpp cannot do, torch does: an architecture
the studio's GGUF writer does not lay out, an adapter other than a plain LoRA (DoRA, per-module ranks), a
model on a GPU, llama-cpp-python not installed. The choice says which engine and why, so every answer surface
can show it."""
from __future__ import annotations

import importlib.util
import os
from dataclasses import dataclass
from pathlib import Path

from studio.engine import ENGINES, EngineError, layout, weights
from studio.engine.llama import Job, generate

WEIGHTS_ENV = "STUDIO_ENGINE_WEIGHTS"
"""f16 by default; q8_0 (faster, 8-bit, labelled so) or bf16/f32 when set."""


@dataclass(frozen=True)
class Choice:
    engine: str
    """"torch" or "llama.cpp"."""
    why: str = ""
    """Why torch answers where llama.cpp was allowed (empty when llama.cpp answers or torch was asked)."""
    weights: str = ""
    """llama.cpp's weight type (f16, q8_0...)."""
    through: str = ""
    """The dtype the torch path holds the weights in (bf16, fp32): the base GGUF is written from them."""

    @property
    def label(self) -> str:
        """What the user sees under an answer: `llama.cpp f16`, `torch`."""
        return f"{self.engine} {self.weights}" if self.weights else self.engine


def preference(asked: str | None = None) -> str:
    """torch or llama.cpp when asked so; else (None, auto: a run's default) what STUDIO_ENGINE says, else auto."""
    value = asked if asked and asked != "auto" else os.environ.get("STUDIO_ENGINE") or "auto"
    if value not in ENGINES:
        raise EngineError("err_engine_unknown", engine=value, engines=", ".join(ENGINES))
    return value


def weight_type() -> str:
    value = os.environ.get(WEIGHTS_ENV) or "f16"
    if value not in weights.BASE_TYPES:
        raise EngineError("err_engine_type", type=value, types=", ".join(weights.BASE_TYPES))
    return value


def choose(model_name: str, adapters: list[str | Path | None], *, asked: str | None = None,
           device: str = "cpu", dtype: str = "") -> Choice:
    """The engine for these answers (one base, each row's adapter folder or None); `dtype`: the torch model's
    (bf16, fp16, fp32; empty: what the torch path loads on this CPU)."""
    wanted = preference(asked)
    if wanted == "torch":
        return Choice("torch")
    why = why_not(model_name, adapters, device)
    if why and wanted == "llama.cpp":
        raise EngineError("err_engine_cannot", why=why)
    return Choice("torch", why) if why else Choice("llama.cpp", weights=weight_type(), through=dtype)


def why_not(model_name: str, adapters: list[str | Path | None], device: str) -> str:
    """Why llama.cpp cannot answer these, in a few English words; empty when it can."""
    if device != "cpu":
        return f"the model is on {device}: llama.cpp answers on the CPU here"
    if importlib.util.find_spec("llama_cpp") is None:
        return "llama-cpp-python is not installed (make install builds it)"
    try:
        layout.check_config(weights.config_of(weights.source_folder(model_name)))
        for adapter in {a for a in adapters if a}:
            weights.adapter_scale(Path(adapter))
    except Exception as e:  # noqa: BLE001 - any reason llama.cpp cannot is a reason torch answers
        return str(e) or type(e).__name__
    return ""


def dtype_of(model) -> str:
    """bf16, fp16 or fp32: the dtype of a torch model's weights (empty when it has none)."""
    weight = next(iter(model.parameters()), None) if hasattr(model, "parameters") else None
    names = {"torch.bfloat16": "bf16", "torch.float16": "fp16", "torch.float32": "fp32"}
    return names.get(str(getattr(weight, "dtype", "")), "")


def decode(model_name: str, choice: Choice, job: Job) -> list[list[int]]:
    """The job decoded by llama.cpp: the base GGUF and each adapter's LoRA GGUF made (once), then generate."""
    base = weights.base_gguf(model_name, choice.weights or "f16", choice.through)
    job.adapters = [weights.adapter_gguf(Path(a), model_name) if a else None for a in job.adapters]
    job.logits_bf16 = (choice.through or weights.torch_dtype()) == "bf16"
    return generate(base, job)
