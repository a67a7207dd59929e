"""The files llama.cpp answers from, made once and cached: the base model as one GGUF written from the very
weights the torch path loads (each rounded through torch's answer dtype first, so both engines start from the
same numbers), beside the studio's model cache; each adapter as a llama.cpp LoRA GGUF in its run folder, made
again when the adapter's weights change (their size and mtime are in the file name)."""
from __future__ import annotations

import hashlib
import json
import math
import re
import threading
from pathlib import Path
from typing import Any

from studio.engine import EngineError, layout
from studio.fsutil import atomic_file
from studio.models import model_path
from studio.models.device import cpu_has_bf16
from studio.paths import model_cache_dir, runs_dir, studio_home

BASE_TYPES = ("f16", "bf16", "f32", "q8_0")
"""f16 (the default: 16-bit, exact enough to keep greedy answers), bf16, f32, and q8_0: 8-bit, faster, labelled
so wherever it answers (it drifts from the torch path's answers on long outputs)."""
_WRITING = threading.Lock()  # two callers asking for the same file at once: one writes it


def source_folder(name: str) -> Path:
    """The HF folder whose weights the torch path loads: the embedded cache, a local folder, or the hub
    snapshot already downloaded."""
    _, where = model_path(name)
    if Path(where).is_dir():
        return Path(where)
    from huggingface_hub import snapshot_download

    return Path(snapshot_download(where, local_files_only=True))


def config_of(folder: Path) -> dict[str, Any]:
    return json.loads((folder / "config.json").read_text(encoding="utf-8"))


def torch_dtype() -> str:
    """The dtype the torch path answers in on this CPU: bf16 where the CPU has it, else fp32."""
    return "bf16" if cpu_has_bf16() else "fp32"


def base_gguf(name: str, gguf_type: str = "f16", through: str = "") -> Path:
    """The base model as a GGUF, written on first use (seconds for the embedded models); its weights rounded
    through `through` (the torch model's dtype; empty: what the torch path loads on this CPU)."""
    if gguf_type not in BASE_TYPES:
        raise EngineError("err_engine_type", type=gguf_type, types=", ".join(BASE_TYPES))
    folder = source_folder(name)
    architecture = layout.family(config_of(folder))
    through = through or torch_dtype()
    stamp = _stamp(folder.glob("*.safetensors"))
    target = model_cache_dir() / "gguf" / f"{_slug(name)}-{stamp}.{through}-{gguf_type}.gguf"
    with _WRITING:
        if not target.is_file():
            with atomic_file(target) as tmp:
                layout.write_model(folder, tmp, architecture, gguf_type, template="", model_name=name,
                                   general=lambda w: _general(w, name, gguf_type), through=through)
    return target


def _general(writer: Any, name: str, gguf_type: str) -> None:
    writer.add_name(f"{name} (Katachi Studio answer engine, {gguf_type})")


def adapter_scale(adapter: Path) -> tuple[float, int]:
    """(PEFT's scale, rank) of a plain LoRA adapter; anything llama.cpp's LoRA cannot reproduce is refused,
    naming what (DoRA, per-module ranks or alphas, trained embeddings or heads, LoRA biases)."""
    cfg = json.loads((adapter / "adapter_config.json").read_text(encoding="utf-8"))
    odd = [what for what, on in (
        ("peft_type " + str(cfg.get("peft_type")), cfg.get("peft_type", "LORA") != "LORA"),
        ("use_dora", cfg.get("use_dora")), ("rank_pattern", cfg.get("rank_pattern")),
        ("alpha_pattern", cfg.get("alpha_pattern")), ("modules_to_save", cfg.get("modules_to_save")),
        ("lora_bias", cfg.get("lora_bias")), ("trainable_token_indices", cfg.get("trainable_token_indices")),
    ) if on]
    if odd:
        raise EngineError("err_engine_adapter_kind", what=", ".join(odd))
    r, alpha = int(cfg["r"]), float(cfg["lora_alpha"])
    return (alpha / math.sqrt(r) if cfg.get("use_rslora") else alpha / r), r


def adapter_gguf(adapter: Path, model_name: str) -> Path:
    """The adapter folder as a llama.cpp LoRA GGUF, cached in its run folder (or the studio's engine folder
    for an adapter outside the runs), made again when its weights change; older copies are removed."""
    adapter = Path(adapter).resolve()
    weights = adapter / "adapter_model.safetensors"
    scale, rank = adapter_scale(adapter)
    folder = _cache_folder(adapter)
    label = _slug(str(adapter.relative_to(folder.parent)) if adapter.is_relative_to(folder.parent) else adapter.name)
    target = folder / f"{label}-{_stamp([weights])}.lora.gguf"
    with _WRITING:
        if not target.is_file():
            config = config_of(source_folder(model_name))
            with atomic_file(target) as tmp:
                write_lora(weights, tmp, config, scale * rank)
            for old in folder.glob(f"{label}-*.lora.gguf"):
                if old != target:
                    old.unlink(missing_ok=True)
    return target


def _cache_folder(adapter: Path) -> Path:
    root = runs_dir().resolve()
    if adapter.is_relative_to(root) and len(adapter.relative_to(root).parts) > 1:
        return root / adapter.relative_to(root).parts[0] / "engine"
    return studio_home() / "engine"


def write_lora(weights: Path, target: Path, config: dict[str, Any], alpha: float) -> None:
    """A llama.cpp LoRA GGUF as convert_lora_to_gguf.py writes one: general.type adapter, adapter.type lora,
    adapter.lora.alpha, and per adapted weight `<name>.lora_a` (rank x in) and `<name>.lora_b` (out x rank),
    lora_b's rows permuted as its base weight's are (q/k of the Llama family). F32: the torch path keeps
    LoRA weights in fp32 too. `alpha` is PEFT's scale x rank, since llama.cpp scales by alpha / rank."""
    import gguf

    architecture = layout.family(config)
    writer = gguf.GGUFWriter(str(target), architecture)
    writer.add_type(gguf.GGUFType.ADAPTER)
    writer.add_string(gguf.Keys.Adapter.TYPE, "lora")
    writer.add_float32(gguf.Keys.Adapter.LORA_ALPHA, float(alpha))
    for name, data in lora_tensors(weights, config, architecture):
        writer.add_tensor(name, data, raw_dtype=gguf.GGMLQuantizationType.F32)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()


_LORA = re.compile(r"^(?:base_model\.model\.)?(?P<module>.+)\.lora_(?P<part>[AB])(?:\.[^.]+)?\.weight$")


def lora_tensors(weights: Path, config: dict[str, Any], architecture: str):
    """(GGUF name, float32 data) of each lora_A / lora_B of a PEFT safetensors file."""
    import numpy as np
    from safetensors import safe_open

    names = layout.name_map(config, architecture)
    with safe_open(str(weights), framework="pt") as f:
        for key in sorted(f.keys()):
            found = _LORA.match(key)
            if not found:
                raise EngineError("err_engine_adapter_kind", what=key)
            base = layout.gguf_name(names, found["module"] + ".weight", architecture)
            data = f.get_tensor(key).float().numpy().astype(np.float32)
            if found["part"] == "B" and architecture == "llama" and base.endswith(("attn_q.weight", "attn_k.weight")):
                data = layout.permute(data, layout.rotary_heads(base, config))
            yield f"{base}.lora_{found['part'].lower()}", np.ascontiguousarray(data)


def _stamp(files) -> str:
    """Size and mtime of the files: a changed file gets a new name (no hashing of gigabytes)."""
    seen = [(str(p), p.stat().st_size, p.stat().st_mtime_ns) for p in sorted(files)]
    return hashlib.sha1(repr(seen).encode()).hexdigest()[:10]


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", text).strip("_")[:80] or "model"
