"""What every preset builder shares: preset.yaml's fields in their one order, and writing a preset folder.

Each shipped preset is written by its generator module's `build_preset(out_dir)` (the registry is
`studio.data.generate.PRESETS`; `studio data build-preset NAME|all` runs it). A builder computes its rows,
then hands them to `write_preset` with the spec made by `preset_spec`.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from studio.fsutil import atomic_write_text, write_jsonl

PRESET_FILES = ("preset.yaml", "train.jsonl", "eval.jsonl", "probes.txt")
CORPUS_DIR = Path(__file__).resolve().parent / "corpus"  # the generators' inputs, written for this project
EnJa = dict[str, str]  # a text the UI shows: {"en": ..., "ja": ...}


def train_settings(epochs: int, learning_rate: float, max_length: int, *, lora_alpha: int | None = None,
                   lora_r: int = 16, batch_size: int = 8) -> dict[str, Any]:
    """A preset's `train:` block: the settings the studio starts from when this preset is picked."""
    alpha = {} if lora_alpha is None else {"lora_alpha": lora_alpha}
    return {"epochs": epochs, "learning_rate": learning_rate, "max_length": max_length, "lora_r": lora_r,
            **alpha, "batch_size": batch_size}


def preset_spec(name: str, *, title: EnJa, description: EnJa, goal: EnJa, task: str, meter: str,
                hub_model: str, train: dict[str, Any], language: str = "en", model: str = "smollm2-135m",
                **extra: Any) -> dict[str, Any]:
    """preset.yaml as a dict, keys in the order every preset shows them; `extra` fields (the facts preset's
    fact_prompt) stand after `system`. Titles, descriptions and goals are {"en": ..., "ja": ...}."""
    return {"name": name, "title": title, "description": description, "language": language, "task": task,
            "meter": meter, "model": model, "hub_model": hub_model, "system": None, **extra, "goal": goal,
            "train": train}


def write_preset(
    out_dir: str | Path, spec: dict, train: list[dict], evals: list[dict], probes: list[str]
) -> Path:
    """Write preset.yaml, train.jsonl, eval.jsonl and probes.txt into out_dir."""
    out = Path(out_dir)
    write_yaml(out / "preset.yaml", spec)
    write_jsonl(out / "train.jsonl", train)
    write_jsonl(out / "eval.jsonl", evals)
    atomic_write_text(out / "probes.txt", "".join(p + "\n" for p in probes))
    for name in PRESET_FILES:
        (out / name).chmod(0o644)  # temp files are created 0600; presets are meant to be shared
    return out


def write_yaml(path: Path, data: Any) -> None:
    """A preset's YAML file (preset.yaml, facts.yaml), written the one way the committed files are."""
    atomic_write_text(path, yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100))
    path.chmod(0o644)
