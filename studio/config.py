"""The one config object. UI and CLI fill a RunConfig; it is saved as config.yaml in the run folder and
the worker reads it back, so a run can always be repeated exactly. Pure data: no torch imports here."""
from __future__ import annotations

import dataclasses
import math
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any, Literal

import yaml

from studio.fsutil import atomic_write_text

DEFAULT_MODEL = "smollm2-135m"
Quant = Literal["auto", "nf4", "none"]
DType = Literal["auto", "bf16", "fp16", "fp32"]


class ConfigError(ValueError):
    """A config value a run cannot start with; the message says which field and what is allowed."""


@dataclass
class ModelSpec:
    name: str = DEFAULT_MODEL
    """Registry key (e.g. smollm2-135m), a hub id (org/name) or a local folder holding a HF model."""
    trust_remote_code: bool = False
    """Run code shipped with a hub model. Off unless the user asks: it executes someone else's code."""
    revision: str | None = None


@dataclass
class DataSpec:
    preset: str | None = None
    """Name of a folder under presets/; its train.jsonl/eval.jsonl are used when no path is given."""
    train_path: str | None = None
    eval_path: str | None = None
    eval_fraction: float = 0.1
    """Share held out for eval when there is no eval file."""
    max_length: int = 512
    """Tokens per sample; longer samples are truncated (and reported by validation)."""
    system_prompt: str | None = None
    max_rows: int | None = None


@dataclass
class LoraSpec:
    r: int = 16
    alpha: int = 32
    dropout: float = 0.05
    target_modules: str | list[str] = "all-linear"


@dataclass
class TrainSpec:
    epochs: float = 3.0
    max_steps: int = -1
    """Stop after this many optimizer steps (-1: run the epochs)."""
    learning_rate: float = 2e-4
    batch_size: int = 8
    grad_accum: int = 1
    warmup_ratio: float = 0.05
    weight_decay: float = 0.0
    scheduler: str = "cosine"
    seed: int = 42
    quant: Quant = "auto"
    """nf4 = QLoRA (4-bit base). auto: nf4 on CUDA, none on the CPU (bf16 is faster there)."""
    dtype: DType = "auto"
    """Compute dtype. auto: bf16 where the device has it, else fp32 (fp16 on old GPUs)."""
    gradient_checkpointing: bool | None = None
    """None: only when memory requires it (it costs ~25-40% speed)."""
    padding_free: bool = True
    """Pack samples without padding (block-diagonal attention); else group by length."""
    logging_steps: int = 0
    """0: every step for short runs, else ~50 points per run."""
    eval_steps: int = 0
    save_steps: int = 0
    """0: ~10 checkpoints a run, at least one every 50 steps, so a kill loses little."""
    device: str = "auto"
    """auto, cpu or cuda."""
    processes: int = 0
    """Data-parallel processes through `accelerate launch`. 0: one per GPU found (1 on the CPU)."""


@dataclass
class RunConfig:
    model: ModelSpec = field(default_factory=ModelSpec)
    data: DataSpec = field(default_factory=DataSpec)
    lora: LoraSpec = field(default_factory=LoraSpec)
    train: TrainSpec = field(default_factory=TrainSpec)
    name: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def to_yaml(self) -> str:
        return yaml.safe_dump(self.to_dict(), sort_keys=False, allow_unicode=True)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> RunConfig:
        return _build(cls, d or {}, "")

    @classmethod
    def from_yaml(cls, path: str | Path) -> RunConfig:
        return cls.from_dict(yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {})

    def save(self, path: str | Path) -> None:
        atomic_write_text(Path(path), self.to_yaml())


_NESTED = {"model": ModelSpec, "data": DataSpec, "lora": LoraSpec, "train": TrainSpec}


def _build(cls: type, d: dict[str, Any], prefix: str) -> Any:
    if not isinstance(d, dict):
        raise ConfigError(f"{prefix.rstrip('.') or 'config'} must be a mapping, got {type(d).__name__}")
    names = {f.name for f in fields(cls)}
    unknown = sorted(set(d) - names)
    if unknown:
        raise ConfigError(f"unknown setting(s) {', '.join(prefix + u for u in unknown)}")
    kwargs = {}
    for key, value in d.items():
        sub = _NESTED.get(key) if cls is RunConfig else None
        kwargs[key] = _build(sub, value, f"{key}.") if sub else value
    return cls(**kwargs)


def replace(cfg: Any, **changes: Any) -> Any:
    return dataclasses.replace(cfg, **changes)


def check(cfg: RunConfig) -> list[str]:
    """Every reason this config cannot run, as 'field: message' lines (empty when fine)."""
    t, lo, d = cfg.train, cfg.lora, cfg.data
    rules: list[tuple[bool, str]] = [
        (is_number(t.epochs) and 0 < t.epochs <= 100, "train.epochs: between 0 and 100"),
        (isinstance(t.max_steps, int) and (t.max_steps == -1 or 1 <= t.max_steps <= 1_000_000),
         "train.max_steps: -1 or 1..1000000"),
        (is_number(t.learning_rate) and 0 < t.learning_rate <= 0.1, "train.learning_rate: in (0, 0.1]"),
        (is_whole(t.batch_size) and 1 <= t.batch_size <= 1024, "train.batch_size: 1..1024"),
        (is_whole(t.grad_accum) and 1 <= t.grad_accum <= 1024, "train.grad_accum: 1..1024"),
        (is_number(t.warmup_ratio) and 0 <= t.warmup_ratio < 1, "train.warmup_ratio: in [0, 1)"),
        (is_number(t.weight_decay) and 0 <= t.weight_decay <= 1, "train.weight_decay: in [0, 1]"),
        (t.quant in ("auto", "nf4", "none"), "train.quant: auto, nf4 or none"),
        (t.dtype in ("auto", "bf16", "fp16", "fp32"), "train.dtype: auto, bf16, fp16 or fp32"),
        (t.device in ("auto", "cpu", "cuda"), "train.device: auto, cpu or cuda"),
        (is_whole(t.processes) and 0 <= t.processes <= 64, "train.processes: 0 (auto)..64"),
        # numpy's seed range: outside it the worker failed at set_seed, after the run was created
        (is_whole(t.seed) and 0 <= t.seed < 2**32, "train.seed: 0..4294967295"),
        (t.scheduler in ("cosine", "linear", "constant", "constant_with_warmup"),
         "train.scheduler: cosine, linear, constant or constant_with_warmup"),
        (is_whole(lo.r) and 1 <= lo.r <= 512, "lora.r: 1..512"),
        (is_number(lo.alpha) and 0 < lo.alpha <= 4096, "lora.alpha: in (0, 4096]"),
        (is_number(lo.dropout) and 0 <= lo.dropout < 1, "lora.dropout: in [0, 1)"),
        (is_whole(d.max_length) and 16 <= d.max_length <= 131072, "data.max_length: 16..131072"),
        (is_number(d.eval_fraction) and 0 <= d.eval_fraction < 0.9, "data.eval_fraction: in [0, 0.9)"),
        (bool(d.preset or d.train_path), "data: choose a preset or a training file"),
        (bool(cfg.model.name), "model.name: choose a model"),
    ]
    return [msg for ok, msg in rules if not ok]


def is_number(x: Any) -> bool:
    """A real, finite number (bools are ints to Python, never to a user)."""
    return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)


def is_whole(x: Any) -> bool:
    """An int that is not a bool."""
    return isinstance(x, int) and not isinstance(x, bool)
