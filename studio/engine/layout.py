"""How llama.cpp names and lays out a Hugging Face model's tensors, for the families the studio writes: Llama
(SmolLM2 included; q/k rows permuted into Meta's rotary layout), Qwen2 and Gemma 3 (norms stored as w + 1).
The full-model writer (export's merged GGUF, the engine's base GGUF) and the LoRA writer share it, so a
base and its adapter can never disagree on a name or a permutation."""
from __future__ import annotations

import json
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from studio.engine import EngineError
from studio.models import EMBEDDED
from studio.models.embedded import gguf_file

FAMILIES = {"LlamaForCausalLM": "llama", "Qwen2ForCausalLM": "qwen2", "Gemma3ForCausalLM": "gemma3"}
"""HF architecture -> GGUF architecture: the ones whose layout this module writes (and tests)."""
GGUF_TYPES = ("f16", "bf16", "q8_0")
PRE_TOKENIZER = {"llama": "smollm", "qwen2": "qwen2", "gemma3": "default"}
"""llama.cpp's name for how a family splits text before BPE (it warns and falls back without one)."""


def family(config: dict[str, Any]) -> str:
    """The GGUF architecture of a model's config, or a refusal naming the architecture."""
    archs = config.get("architectures") or [config.get("model_type", "?")]
    if archs[0] not in FAMILIES:
        raise EngineError("err_gguf_arch", arch=archs[0], known=", ".join(FAMILIES))
    return FAMILIES[archs[0]]


def check_config(config: dict[str, Any]) -> str:
    """The GGUF architecture of a config whose arithmetic llama.cpp reproduces; else a refusal naming what it
    would compute differently (Gemma 3's attention scale is 1/sqrt(head_dim) there, HF's query_pre_attn_scalar)."""
    architecture = family(config)
    if architecture == "gemma3":
        head_dim = config.get("head_dim") or config["hidden_size"] // config["num_attention_heads"]
        scalar = config.get("query_pre_attn_scalar", head_dim)
        if scalar != head_dim:
            raise EngineError("err_engine_config", what=f"query_pre_attn_scalar {scalar} != head_dim {head_dim}")
    for key in ("attn_logit_softcapping", "final_logit_softcapping"):
        if config.get(key):
            raise EngineError("err_engine_config", what=f"{key} {config[key]}")
    return architecture


def name_map(config: dict[str, Any], architecture: str):
    """gguf-py's HF -> GGUF tensor name map for this architecture and depth."""
    import gguf

    arch = next(a for a, n in gguf.MODEL_ARCH_NAMES.items() if n == architecture)
    return gguf.get_tensor_name_map(arch, config["num_hidden_layers"])


def gguf_name(names: Any, hf_name: str, architecture: str) -> str:
    name = names.get_name(hf_name, try_suffixes=(".weight", ".bias"))
    if name is None:
        raise EngineError("err_gguf_tensor", tensor=hf_name, arch=architecture)
    return name


def write_model(folder: Path, target: Path, architecture: str, gguf_type: str, *, template: str,
                general: Callable[[Any], None], model_name: str, through: str = "") -> None:
    """One GGUF file of the HF folder's weights: metadata (by `general`), hyperparameters, tokenizer, tensors.
    `through` ("bf16", "fp16"): each weight rounded to that dtype first, as the torch path loads it."""
    import gguf

    config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
    writer = gguf.GGUFWriter(str(target), architecture)
    general(writer)
    hyperparameters(writer, config, architecture)
    tokenizer(writer, folder, model_name, architecture)
    if template:  # the one the run trained with (the embedded base's own GGUF may carry another)
        writer.add_chat_template(template)
    for name, data, qtype in tensors(folder, config, architecture, gguf_type, through):
        writer.add_tensor(name, data, raw_dtype=qtype)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()


def hyperparameters(writer: Any, c: dict[str, Any], architecture: str) -> None:
    heads = c["num_attention_heads"]
    head_dim = c.get("head_dim") or c["hidden_size"] // heads
    writer.add_context_length(c["max_position_embeddings"])
    writer.add_embedding_length(c["hidden_size"])
    writer.add_block_count(c["num_hidden_layers"])
    writer.add_feed_forward_length(c["intermediate_size"])
    writer.add_head_count(heads)
    writer.add_head_count_kv(c.get("num_key_value_heads") or heads)
    writer.add_rope_freq_base(rope_theta(c))
    writer.add_layer_norm_rms_eps(c.get("rms_norm_eps", 1e-6))
    writer.add_vocab_size(c["vocab_size"])
    if architecture == "llama":
        writer.add_rope_dimension_count(head_dim)
    if architecture == "gemma3":
        writer.add_key_length(head_dim)
        writer.add_value_length(head_dim)
        if c.get("sliding_window"):
            writer.add_sliding_window(c["sliding_window"])


def rope_theta(c: dict[str, Any]) -> float:
    """transformers 5 keeps it in rope_parameters, per layer type for Gemma 3 (the global layers' base is
    the one llama.cpp calls freq_base)."""
    rope = c.get("rope_parameters") or {}
    theta = c.get("rope_theta") or rope.get("rope_theta") or (rope.get("full_attention") or {}).get("rope_theta")
    return float(theta or 10000.0)


def tensors(folder: Path, config: dict[str, Any], architecture: str, gguf_type: str,
            through: str = "") -> Iterator[tuple]:
    """(GGUF name, data, raw dtype) for every weight of the folder, as llama.cpp lays them out."""
    import torch
    from safetensors import safe_open

    rounding = {"bf16": torch.bfloat16, "fp16": torch.float16}.get(through)

    names = name_map(config, architecture)
    tied = config.get("tie_word_embeddings", False)
    for file in sorted(folder.glob("*.safetensors")):
        with safe_open(str(file), framework="pt") as f:
            for hf_name in f.keys():  # noqa: SIM118 - safe_open is not a mapping
                if hf_name == "lm_head.weight" and tied:
                    continue  # llama.cpp reuses token_embd for a tied head
                name = gguf_name(names, hf_name, architecture)
                weight = f.get_tensor(hf_name)
                weight = weight.to(rounding) if rounding is not None else weight
                data = layout(weight.float().numpy(), name, config, architecture)
                yield name, *encode(data, gguf_type)


def layout(data, name: str, config: dict[str, Any], architecture: str):
    if architecture == "llama" and name.endswith(("attn_q.weight", "attn_k.weight")):
        return permute(data, rotary_heads(name, config))
    if architecture == "gemma3" and name.endswith("norm.weight"):
        return data + 1  # llama.cpp's Gemma norms scale by w, HF's by (1 + w)
    return data


def rotary_heads(name: str, config: dict[str, Any]) -> int:
    heads = config["num_attention_heads"]
    return heads if name.endswith("attn_q.weight") else (config.get("num_key_value_heads") or heads)


def permute(w, n_head: int):
    """HF's rotary halves -> Meta's interleaved pairs (the inverse of what GGUF readers undo)."""
    return w.reshape(n_head, 2, w.shape[0] // n_head // 2, *w.shape[1:]).swapaxes(1, 2).reshape(w.shape)


def encode(data, gguf_type: str):
    """1-D tensors (norms, biases) stay F32, as llama.cpp keeps them; the rest in the asked type."""
    import gguf
    import numpy as np

    if data.ndim < 2 or gguf_type == "f32":
        return data.astype(np.float32), gguf.GGMLQuantizationType.F32
    if gguf_type == "f16":
        return data.astype(np.float16), gguf.GGMLQuantizationType.F16
    qtype = gguf.GGMLQuantizationType.BF16 if gguf_type == "bf16" else gguf.GGMLQuantizationType.Q8_0
    if qtype == gguf.GGMLQuantizationType.Q8_0 and data.shape[-1] % 32:
        return data.astype(np.float16), gguf.GGMLQuantizationType.F16  # rows not in blocks of 32
    return gguf.quants.quantize(data, qtype), qtype


def tokenizer(writer: Any, folder: Path, model_name: str, architecture: str) -> None:
    """The embedded model's own GGUF tokenizer when there is one, else one built from tokenizer.json."""
    if model_name in EMBEDDED:
        _copy_tokenizer(writer, model_name)
    else:
        _build_tokenizer(writer, folder, architecture)


def _copy_tokenizer(writer: Any, key: str) -> None:
    """The embedded GGUF's tokenizer (and its license) exactly as llama.cpp wrote them."""
    from gguf import GGUFReader

    with tempfile.TemporaryDirectory(prefix="studio-gguf-src-") as tmp:
        reader = GGUFReader(str(gguf_file(EMBEDDED[key], Path(tmp))))
        for field in reader.fields.values():
            if (field.name.startswith("tokenizer.") and field.name != "tokenizer.chat_template"
                    or field.name == "general.license"):
                sub = field.types[1] if len(field.types) > 1 else None
                writer.add_key_value(field.name, field.contents(), field.types[0], sub_type=sub)


def _build_tokenizer(writer: Any, folder: Path, architecture: str) -> None:
    import gguf

    spec = json.loads((folder / "tokenizer.json").read_text(encoding="utf-8"))
    model = spec.get("model", {})
    if model.get("type") != "BPE":
        raise EngineError("err_gguf_tokenizer", kind=model.get("type"))
    if model.get("byte_fallback"):  # SentencePiece-style (Gemma, Llama 2): llama.cpp's "llama" tokenizer
        vocab: Any = gguf.LlamaHfVocab(folder)
        writer.add_tokenizer_model("llama")
    else:
        vocab = gguf.BpeVocab(folder)
        writer.add_tokenizer_model("gpt2")
        writer.add_tokenizer_pre(PRE_TOKENIZER[architecture])
    tokens, scores, types = zip(*vocab.all_tokens(), strict=True)
    writer.add_token_list(list(tokens))
    writer.add_token_scores(list(scores))
    writer.add_token_types([int(t) for t in types])
    special = gguf.SpecialVocab(folder, load_merges=True)
    special.chat_template = None  # written once, by write_model
    special.add_to_gguf(writer, quiet=True)
