"""A model card for the Model step: what the model is, what this machine is, and whether training
fits. Cheap: reads the registry and small files, never loads weights."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from studio.models.device import DeviceInfo, detect
from studio.models.embedded import cached_dir, is_converted
from studio.models.fit import Verdict, verdict
from studio.models.registry import ModelEntry, ResolvedModel, resolve


@dataclass
class ModelCard:
    resolved: ResolvedModel
    entry: ModelEntry | None
    device: DeviceInfo
    chat_template: str | None = None
    fits: dict[str, Verdict] = field(default_factory=dict)
    note: str = ""
    """A catalogue key the UI says in its language (card_size_unknown: a hub model not downloaded yet)."""

    @property
    def name(self) -> str:
        return self.resolved.name


def _local_entry(folder: Path) -> ModelEntry | None:
    """Read size and shape from a local folder's config.json (parameters estimated from shapes)."""
    try:
        cfg = json.loads((folder / "config.json").read_text())
    except (OSError, ValueError):
        return None
    cfg = cfg.get("text_config", cfg)
    h, layers = cfg.get("hidden_size", 0), cfg.get("num_hidden_layers", 0)
    vocab, inter = cfg.get("vocab_size", 0), cfg.get("intermediate_size", 4 * h)
    params = (layers * (4 * h * h + 3 * h * inter) + vocab * h) / 1e6
    return ModelEntry(folder.name, str(folder), round(params, 1), "chat_template" in json.dumps(cfg),
                      "?", "Local folder.", (), layers, h, vocab, cfg.get("max_position_embeddings", 0))


def _template(resolved: ResolvedModel) -> str | None:
    folder = None
    if resolved.source == "embedded" and is_converted(resolved.name):
        folder = cached_dir(resolved.name)
    elif resolved.source == "local":
        folder = Path(resolved.location)
    if folder is None:
        return None
    jinja = folder / "chat_template.jinja"
    if jinja.is_file():
        return jinja.read_text(encoding="utf-8")
    try:
        return json.loads((folder / "tokenizer_config.json").read_text()).get("chat_template")
    except (OSError, ValueError):
        return None


def describe(name: str, batch: int = 8, seq_len: int = 512, r: int = 16) -> ModelCard:
    resolved = resolve(name)
    entry = resolved.entry or (_local_entry(Path(resolved.location)) if resolved.source == "local" else None)
    device = detect()
    card = ModelCard(resolved, entry, device, _template(resolved))
    if entry:
        for method in ("qlora", "lora"):
            card.fits[method] = verdict(entry, method, device.memory_mb, device.kind, batch, seq_len, r)
    else:
        card.note = "card_size_unknown"
    return card


def context_length(name: str) -> int | None:
    """The model's context window in tokens (registry, or a local folder's config.json); None if unknown."""
    try:
        resolved = resolve(name)
    except ValueError:
        return None
    entry = resolved.entry or (_local_entry(Path(resolved.location)) if resolved.source == "local" else None)
    return entry.context if entry and entry.context else None
