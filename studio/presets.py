"""Presets are data: presets/<name>/preset.yaml + train.jsonl + eval.jsonl + probes.txt."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from studio.config import SETTING, ConfigError
from studio.fsutil import read_jsonl
from studio.paths import PRESETS_DIR, check_name, inside
from studio.text import Said


@dataclass
class Preset:
    name: str
    path: Path
    title: dict[str, str]
    description: dict[str, str]
    language: str
    task: str
    meter: str
    model: str
    hub_model: str = ""
    system: str | None = None
    goal: dict[str, str] = field(default_factory=dict)
    train: dict[str, Any] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def train_file(self) -> Path:
        return self.path / "train.jsonl"

    @property
    def eval_file(self) -> Path:
        return self.path / "eval.jsonl"

    def train_rows(self) -> list[dict]:
        return read_jsonl(self.train_file)

    def eval_rows(self) -> list[dict]:
        return read_jsonl(self.eval_file)

    def probes(self) -> list[str]:
        p = self.path / "probes.txt"
        if not p.is_file():
            return []
        return [ln.strip() for ln in p.read_text(encoding="utf-8").splitlines() if ln.strip()]

    def label(self, lang: str = "en") -> str:
        return self.title.get(lang) or self.title.get("en") or self.name


class NoPreset(Said, KeyError):
    """No preset of that name: a KeyError, as a missing key of the presets folder."""


def load(name: str) -> Preset:
    check_name(name, "preset")
    path = inside(PRESETS_DIR, name)
    meta_file = path / "preset.yaml"
    if not meta_file.is_file():
        raise NoPreset("err_no_preset", name=repr(name), names=", ".join(names()))
    raw = yaml.safe_load(meta_file.read_text(encoding="utf-8")) or {}
    known = set(Preset.__dataclass_fields__) - {"path", "extra", "name"}
    unknown_train = set(raw.get("train") or {}) - set(SETTING)  # the one settings table
    if unknown_train:
        raise ConfigError("err_preset_settings", file=meta_file, names=sorted(unknown_train))
    return Preset(name=name, path=path, **{k: raw[k] for k in known if k in raw},
                  extra={k: v for k, v in raw.items() if k not in known and k != "name"})


def names() -> list[str]:
    if not PRESETS_DIR.is_dir():
        return []
    return sorted(p.name for p in PRESETS_DIR.iterdir() if (p / "preset.yaml").is_file())


def all_presets() -> list[Preset]:
    return [load(n) for n in names()]
