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
    mapping: dict[str, str] = field(default_factory=dict)
    """The user's column mapping for a CSV/TSV/JSON file (prompt=ask, response=reply), as the Data step
    checked it: the worker reads the file through the same mapping (--map)."""


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
    """nf4 = QLoRA (4-bit base). auto: nf4 on CUDA; on the CPU only where bf16 LoRA does not fit (bf16 is
    faster there, 4 bits what lets a 24 GB machine tune a 3B-7B model)."""
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
    strategy: str = "auto"
    """How several processes share the work: ddp (a full copy of the model each), fsdp (its weights sharded
    across them, for a model no single GPU holds). auto: fsdp only when the memory fit says so."""
    method: str = "sft"
    """sft: learn the answers. dpo: prefer the chosen over the rejected answer of each pair. kto: answers
    labelled good or bad."""
    beta: float = 0.1
    """DPO/KTO: how far the tuned model may move from the reference model (lower: further)."""
    start_from: str | None = None
    """A finished run to continue: its adapter is trained further (and, for DPO/KTO, is the reference)."""


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


@dataclass(frozen=True)
class Setting:
    """One user-facing setting: its flat name, where it lives in RunConfig, what values it takes."""

    name: str
    """Flat name, as in `studio train --name`, presets' `train:` and the Train step (lora_r, max_length)."""
    section: Literal["model", "data", "lora", "train"]
    field: str
    kind: type
    help: str
    low: float | None = None
    high: float | None = None
    open_low: bool = False
    """The low end itself is not allowed: (low, high]."""
    open_high: bool = False
    special: tuple[Any, ...] = ()
    """Values allowed outside the range: -1 (run the epochs), None (not set)."""
    choices: tuple[str, ...] = ()
    level: Literal["basic", "advanced", "cli"] = "cli"
    """Where the Train step shows it: the first row, the Advanced accordion, or not at all."""
    flag: str = ""
    """The CLI flag when it is not --name-with-dashes."""

    @property
    def cli_flag(self) -> str:
        return self.flag or "--" + self.name.replace("_", "-")

    def rule(self) -> str:
        """What is allowed, in a few words (the message of check and of the CLI's help)."""
        if self.choices:
            return ", ".join(self.choices[:-1]) + " or " + self.choices[-1]
        if self.kind is str:
            return "a run id" + (" (or unset)" if None in self.special else "")
        if self.kind is bool:
            return "true or false" + (" (or unset: auto)" if None in self.special else "")
        lo, hi = _fmt(self.low), _fmt(self.high)
        span = f"{lo}..{hi}" if self.kind is int else \
            f"in {'(' if self.open_low else '['}{lo}, {hi}{')' if self.open_high else ']'}"
        extra = [repr(v) for v in self.special if v is not None]
        return " or ".join([*extra, span]) + (" (or unset)" if None in self.special else "")

    def ok(self, value: Any) -> bool:
        if any(value is v or (type(value) is type(v) and value == v) for v in self.special):
            return True
        if self.choices:
            return value in self.choices
        if self.kind is str:
            return isinstance(value, str) and bool(value.strip())
        if self.kind is bool:
            return isinstance(value, bool)
        if not (is_whole(value) if self.kind is int else is_number(value)):
            return False
        above = value > self.low if self.open_low else value >= self.low
        below = value < self.high if self.open_high else value <= self.high
        return above and below


def _fmt(x: float | None) -> str:
    return f"{x:g}" if isinstance(x, float) else str(x)


S = Setting
SETTINGS: list[Setting] = [
    S("epochs", "train", "epochs", float, "passes over the training rows", 0.0, 100.0, open_low=True,
      level="basic"),
    S("learning_rate", "train", "learning_rate", float, "peak learning rate (LoRA likes ~1e-4..5e-4)", 0.0, 0.1,
      open_low=True, level="basic", flag="--lr"),
    S("lora_r", "lora", "r", int, "LoRA rank: adapter capacity", 1, 512, level="basic"),
    S("batch_size", "train", "batch_size", int, "rows per device per optimizer step", 1, 1024, level="basic"),
    S("max_length", "data", "max_length", int, "tokens per row; longer rows are truncated", 16, 131072,
      level="basic"),
    S("max_steps", "train", "max_steps", int, "stop after this many optimizer steps (-1: run the epochs)",
      1, 1_000_000, special=(-1,), level="basic"),
    S("method", "train", "method", str, "sft: learn the answers; dpo: prefer the chosen over the rejected answer "
      "(preference pairs); kto: answers labelled good or bad", choices=("sft", "dpo", "kto"), level="basic"),
    S("lora_alpha", "lora", "alpha", float, "LoRA scale numerator (default 2 x rank)", 0.0, 4096.0,
      open_low=True, level="advanced"),
    S("lora_dropout", "lora", "dropout", float, "dropout on the LoRA path", 0.0, 1.0, open_high=True,
      level="advanced"),
    S("grad_accum", "train", "grad_accum", int, "micro-batches per optimizer step", 1, 1024, level="advanced"),
    S("warmup_ratio", "train", "warmup_ratio", float, "share of steps spent warming up the learning rate",
      0.0, 1.0, open_high=True, level="advanced"),
    S("seed", "train", "seed", int, "random seed (data order, LoRA init)", 0, 2**32 - 1, level="advanced"),
    S("quant", "train", "quant", str,
      "nf4 = QLoRA (4-bit base); auto: nf4 on CUDA, and on the CPU only where bf16 does not fit",
      choices=("auto", "nf4", "none"), level="advanced"),
    S("dtype", "train", "dtype", str, "compute dtype; auto: bf16 where the device has it",
      choices=("auto", "bf16", "fp16", "fp32"), level="advanced"),
    S("beta", "train", "beta", float, "DPO/KTO: how far the model may move from the reference (lower: further)",
      0.0, 10.0, open_low=True, level="advanced"),
    S("start_from", "train", "start_from", str, "continue a finished run's adapter (for DPO/KTO it is also "
      "the reference model)", special=(None,), flag="--from"),
    S("weight_decay", "train", "weight_decay", float, "AdamW weight decay", 0.0, 1.0),
    S("scheduler", "train", "scheduler", str, "learning-rate schedule",
      choices=("cosine", "linear", "constant", "constant_with_warmup")),
    S("device", "train", "device", str, "where to train", choices=("auto", "cpu", "cuda")),
    S("processes", "train", "processes", int, "data-parallel processes via accelerate (0: one per GPU)", 0, 64),
    S("strategy", "train", "strategy", str, "ddp: a full copy of the model per GPU; fsdp: its weights sharded "
      "across the GPUs (a model too big for one); auto: fsdp only when no single GPU holds it",
      choices=("auto", "ddp", "fsdp")),
    S("gradient_checkpointing", "train", "gradient_checkpointing", bool,
      "recompute activations to save memory (~25-40% slower); unset: only when memory requires it",
      special=(None,)),
    S("padding_free", "train", "padding_free", bool, "pack rows without padding (else group by length)"),
    S("logging_steps", "train", "logging_steps", int, "log every N steps (0: auto)", 0, 1_000_000),
    S("eval_steps", "train", "eval_steps", int, "evaluate every N steps (0: auto)", 0, 1_000_000),
    S("save_steps", "train", "save_steps", int, "checkpoint every N steps (0: auto, ~10 a run)", 0, 1_000_000),
    S("eval_fraction", "data", "eval_fraction", float, "share held out for eval when there is no eval file",
      0.0, 0.9, open_high=True),
    S("max_rows", "data", "max_rows", int, "use at most this many training rows", 1, 100_000_000,
      special=(None,)),
    S("trust_remote_code", "model", "trust_remote_code", bool,
      "run code shipped with a hub model (off unless asked: it executes someone else's code)"),
]
"""The one settings table: `studio train`'s flags, the Train step's widgets, presets' `train:` keys,
recipe.apply and check all read it."""
SETTING: dict[str, Setting] = {s.name: s for s in SETTINGS}
del S


def get(cfg: RunConfig, name: str) -> Any:
    s = SETTING[name]
    return getattr(getattr(cfg, s.section), s.field)


def flat(cfg: RunConfig) -> dict[str, Any]:
    """Every setting by its flat name."""
    return {s.name: get(cfg, s.name) for s in SETTINGS}


def check(cfg: RunConfig) -> list[str]:
    """Every reason this config cannot run, as 'section.field: what is allowed' lines (empty when fine)."""
    wrong = [f"{s.section}.{s.field}: {s.rule()}" for s in SETTINGS if not s.ok(get(cfg, s.name))]
    if not (cfg.data.preset or cfg.data.train_path):
        wrong.append("data: choose a preset or a training file")
    if not cfg.model.name:
        wrong.append("model.name: choose a model")
    return wrong


def is_number(x: Any) -> bool:
    """A real, finite number (bools are ints to Python, never to a user)."""
    return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)


def is_whole(x: Any) -> bool:
    """An int that is not a bool."""
    return isinstance(x, int) and not isinstance(x, bool)
