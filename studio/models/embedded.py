"""Embedded offline models: GGUF files shipped in registry packages, converted once into a cached
safetensors folder. GGUF-loaded models refuse `save_pretrained` and the Trainer, so we rebuild the
model from its config, load the de-quantised weights and save a plain HF folder."""
from __future__ import annotations

import hashlib
import importlib.util
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from studio.models import hf
from studio.models.registry import EMBEDDED, ModelEntry, ModelError
from studio.paths import model_cache_dir
from studio.text import Said

Progress = Callable[[float, str], None]
GEMMA_SHA256 = "a5fd3b62230aa5ec60212297dc9d20eaa70578ac519e00d93a17e44c087a6818"
_DONE = ".converted"

# Gemma-3-270M is a base model without a chat template. A plain "Q:/A:" transcript is what a base
# model continues best (it answers the question instead of echoing turn markers), and <eos> after
# each answer teaches the tuned model where to stop.
BASE_CHAT_TEMPLATE = (
    "{{ bos_token }}{% for m in messages %}"
    "{% if m['role'] == 'system' %}{{ m['content'] | trim }}{{ '\\n\\n' }}"
    "{% elif m['role'] == 'user' %}{{ 'Q: ' + (m['content'] | trim) + '\\n' }}"
    "{% elif m['role'] == 'assistant' %}{{ 'A: ' }}{% generation %}{{ m['content'] | trim }}"
    "{{ eos_token }}{% endgeneration %}{{ '\\n' }}{% endif %}{% endfor %}"
    "{% if add_generation_prompt %}{{ 'A: ' }}{% endif %}"
)


class PackageMissing(Said, FileNotFoundError):
    """An embedded model's registry package is not installed."""


def _package_dir(package: str) -> Path:
    # find_spec, never import: these packages' __init__ pull in things we do not need.
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise PackageMissing("err_model_package_missing", package=repr(package))
    return Path(next(iter(spec.submodule_search_locations)))


def gguf_file(entry: ModelEntry, workdir: Path) -> Path:
    """The GGUF file of an embedded model; chunked ones are joined into workdir and checked."""
    if len(entry.gguf) == 2 and entry.gguf[1].endswith(".gguf"):
        return _package_dir(entry.gguf[0]) / entry.gguf[1]
    target = workdir / f"{entry.key}.gguf"
    digest = hashlib.sha256()
    with target.open("wb") as out:
        for package in entry.gguf:
            for chunk in sorted((_package_dir(package) / "data").glob("*.gguf.part*")):
                data = chunk.read_bytes()
                digest.update(data)
                out.write(data)
    if digest.hexdigest() != GEMMA_SHA256:
        raise ModelError("err_model_gguf_sha", key=entry.key)
    return target


def cached_dir(key: str) -> Path:
    return model_cache_dir() / key


def is_converted(key: str) -> bool:
    return (cached_dir(key) / _DONE).exists()


def ensure_converted(key: str, progress: Progress | None = None) -> Path:
    """The safetensors folder of an embedded model, converting the GGUF on first use."""
    target = cached_dir(key)
    if is_converted(key):
        return target
    say = progress or (lambda f, msg: print(f"[{f:4.0%}] {msg}", flush=True))
    entry = EMBEDDED[key]
    with tempfile.TemporaryDirectory(dir=model_cache_dir(), prefix=f".{key}.") as tmp:
        work = Path(tmp)
        say(0.05, f"Reading the embedded GGUF of {key} (first use only)")
        src = gguf_file(entry, work)
        say(0.15, "De-quantising the weights")
        model, tokenizer = _load_gguf(src)
        say(0.75, "Saving safetensors to the studio's model cache")
        out = work / "model"
        _save(model, tokenizer, entry, out)
        (out / _DONE).write_text(entry.hub_id)
        shutil.rmtree(target, ignore_errors=True)
        out.rename(target)  # atomic: a folder is either complete or absent
    say(1.0, f"{key} is ready")
    return target


def _load_gguf(src: Path):
    import torch

    AutoModelForCausalLM, AutoTokenizer = hf.classes("AutoModelForCausalLM", "AutoTokenizer")
    tokenizer = AutoTokenizer.from_pretrained(src.parent, gguf_file=src.name)
    gguf_model = AutoModelForCausalLM.from_pretrained(src.parent, gguf_file=src.name)
    config = gguf_model.config
    config.quantization_config = None
    if hasattr(config, "quantization_config"):
        del config.quantization_config
    with torch.device("meta"):
        model = AutoModelForCausalLM.from_config(config)
    model.load_state_dict(gguf_model.state_dict(), assign=True)
    model.tie_weights()
    return model, tokenizer


def _save(model, tokenizer, entry: ModelEntry, out: Path) -> None:
    if not tokenizer.chat_template:
        tokenizer.chat_template = BASE_CHAT_TEMPLATE
    model.config.name_or_path = entry.hub_id
    model.generation_config.pad_token_id = tokenizer.pad_token_id
    model.save_pretrained(out, safe_serialization=True)
    tokenizer.save_pretrained(out)
