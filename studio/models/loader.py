"""Loading models and tokenizers: for chat (inference) and for training (QLoRA 4-bit or bf16/fp32).
Only safetensors weights are loaded, and remote code runs only when the user asked for it."""
from __future__ import annotations

import os
from typing import Any

from studio.models import hf
from studio.models.device import cpu_has_bf16
from studio.models.embedded import BASE_CHAT_TEMPLATE, Progress, ensure_converted
from studio.models.registry import ModelError, ResolvedModel, resolve


def model_path(name: str, progress: Progress | None = None) -> tuple[ResolvedModel, str]:
    """Where from_pretrained should look: a folder (embedded cache or local) or a hub id."""
    resolved = resolve(name)
    if resolved.source == "embedded":
        return resolved, str(ensure_converted(resolved.name, progress))
    return resolved, resolved.location


def _common(trust_remote_code: bool, revision: str | None) -> dict[str, Any]:
    kw: dict[str, Any] = {"trust_remote_code": bool(trust_remote_code)}
    if revision:
        kw["revision"] = revision
    return kw


def load_tokenizer(name: str, *, trust_remote_code: bool = False, revision: str | None = None,
                   progress: Progress | None = None):
    (AutoTokenizer,) = hf.classes("AutoTokenizer")
    _, where = model_path(name, progress)
    try:
        tok = AutoTokenizer.from_pretrained(where, **_common(trust_remote_code, revision))
    except OSError as e:
        raise _hub_error(name, e) from None
    if tok.pad_token is None:
        tok.pad_token = tok.eos_token
    if not tok.chat_template:
        tok.chat_template = BASE_CHAT_TEMPLATE  # base models get the plain Q/A transcript
    return tok


def load_configs(name: str, *, trust_remote_code: bool = False) -> tuple[Any, Any]:
    """(the model's config, its generation config) without its weights: what an answer by llama.cpp needs of
    the torch model (context size, end ids, sampling defaults). The generation config is the model's file, else
    the one transformers derives from the config when it loads the model."""
    AutoConfig, GenerationConfig = hf.classes("AutoConfig", "GenerationConfig")
    _, where = model_path(name)
    try:
        config = AutoConfig.from_pretrained(where, **_common(trust_remote_code, None))
    except OSError as e:
        raise _hub_error(name, e) from None
    try:
        generation = GenerationConfig.from_pretrained(where)
    except OSError:  # no generation_config.json
        generation = GenerationConfig.from_model_config(config)
    return config, generation


def dtype_name(dtype: str, device: str) -> str:
    """bf16, fp16 or fp32: what resolve_dtype gives, by name."""
    import torch

    return {torch.bfloat16: "bf16", torch.float16: "fp16"}.get(resolve_dtype(dtype, device), "fp32")


def resolve_dtype(dtype: str, device: str):
    import torch

    if dtype == "auto":
        if device == "cuda":
            dtype = "bf16" if torch.cuda.is_bf16_supported() else "fp16"
        else:
            dtype = "bf16" if cpu_has_bf16() else "fp32"
    return {"bf16": torch.bfloat16, "fp16": torch.float16, "fp32": torch.float32}[dtype]


def resolve_device(device: str) -> str:
    import torch

    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if device == "cuda" and not torch.cuda.is_available():
        raise ModelError("err_no_cuda")
    return device


def bnb_config(compute_dtype, quant_storage=None):
    """QLoRA as in the paper: 4-bit NormalFloat, double quantisation, bf16/fp16 compute. quant_storage (FSDP):
    the dtype the packed 4-bit weights are stored in; FSDP shards only float tensors, so FSDP-QLoRA
    stores them in the compute dtype (default: uint8)."""
    (BitsAndBytesConfig,) = hf.classes("BitsAndBytesConfig")
    storage = {} if quant_storage is None else {"bnb_4bit_quant_storage": quant_storage}
    return BitsAndBytesConfig(load_in_4bit=True, bnb_4bit_quant_type="nf4",
                              bnb_4bit_use_double_quant=True, bnb_4bit_compute_dtype=compute_dtype, **storage)


def load_model(name: str, *, quant: str = "none", dtype: str = "auto", device: str = "auto",
               trust_remote_code: bool = False, revision: str | None = None,
               progress: Progress | None = None, device_map: Any = None, quant_storage: Any = None):
    """A causal LM ready for generation or for adapters. quant='nf4' loads the base in 4 bits."""
    (AutoModelForCausalLM,) = hf.classes("AutoModelForCausalLM")
    device = resolve_device(device)
    torch_dtype = resolve_dtype(dtype, device)
    _, where = model_path(name, progress)
    kw = _common(trust_remote_code, revision)
    kw.update(dtype=torch_dtype, use_safetensors=True, low_cpu_mem_usage=True)
    kw["device_map"] = device_map if device_map is not None else {"": device if device == "cpu" else 0}
    if quant == "nf4":
        kw["quantization_config"] = bnb_config(torch_dtype, quant_storage)  # quant_storage: FSDP
    try:
        model = AutoModelForCausalLM.from_pretrained(where, **kw)
    except OSError as e:
        raise _hub_error(name, e) from None
    return model


def _hub_error(name: str, err: Exception) -> ModelError:
    """A model the hub could not give: offline or not fetched, with the library's first line as the why."""
    key = "err_model_offline" if os.environ.get("HF_HUB_OFFLINE") == "1" else "err_model_unfetched"
    first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
    return ModelError(key, name=name, why=first[:160])
