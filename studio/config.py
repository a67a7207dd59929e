"""The one config object. UI and CLI fill a RunConfig; it is saved as config.yaml in the run folder and
the worker reads it back, so a run can always be repeated exactly. Pure data: no torch imports here."""
from __future__ import annotations

import dataclasses
import math
import types
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any, Literal, Union, get_args, get_origin, get_type_hints

import yaml

from studio.fsutil import atomic_write_text
from studio.text import Phrase, Phrases, Said

DEFAULT_MODEL = "smollm2-135m"
Quant = Literal["auto", "nf4", "none"]
DType = Literal["auto", "bf16", "fp16", "fp32"]
Scheduler = Literal["cosine", "linear", "constant", "constant_with_warmup"]
Device = Literal["auto", "cpu", "cuda"]
Strategy = Literal["auto", "ddp", "fsdp"]
Method = Literal["sft", "dpo", "kto", "grpo"]
Engine = Literal["auto", "torch", "llama.cpp"]


class ConfigError(Said, ValueError):
    """A config value a run cannot start with; the message says which field and what is allowed, in the UI's
    language (its problems are Phrases)."""

    @classmethod
    def of(cls, problems: list[str]) -> ConfigError:
        return cls("err_config", problems=Phrases(problems))


def setting(default: Any, help: str, order: int, *, name: str = "", low: float | None = None,
            high: float | None = None, open_low: bool = False, open_high: bool = False,
            special: tuple[Any, ...] = (), level: str = "cli", flag: str = "") -> Any:
    """A config field that is also a user-facing setting: its help, range and place are declared here, once,
    as TRL declares its config fields (metadata={"help": ...}); SETTINGS, the CLI's flags, the Train step's
    widgets and check() are derived from it. order: where it stands in SETTINGS (the widgets' order)."""
    meta = {"help": help, "order": order, "name": name, "low": low, "high": high, "open_low": open_low,
            "open_high": open_high, "special": special, "level": level, "flag": flag}
    return field(default=default, metadata=meta)


@dataclass
class ModelSpec:
    name: str = DEFAULT_MODEL
    """Registry key (e.g. smollm2-135m), a hub id (org/name) or a local folder holding a HF model."""
    trust_remote_code: bool = setting(
        False, "run code shipped with a hub model (off unless asked: it executes someone else's code)", 290)
    revision: str | None = None
    engine: Engine = setting(
        "auto", "what writes the answers: llama.cpp (the base as a 16-bit GGUF, the adapter as a LoRA GGUF) or torch; "
        "auto: llama.cpp on the CPU where it can, else torch", 295)


@dataclass
class DataSpec:
    preset: str | None = None
    """Name of a folder under presets/; its train.jsonl/eval.jsonl are used when no path is given."""
    train_path: str | None = None
    eval_path: str | None = None
    eval_fraction: float = setting(0.1, "share held out for eval when there is no eval file", 270, low=0.0, high=0.9,
                                   open_high=True)
    max_length: int = setting(512, "tokens per row; longer rows are truncated", 50, low=16, high=131072,
                              level="basic")
    system_prompt: str | None = None
    max_rows: int | None = setting(None, "use at most this many training rows", 280, low=1, high=100_000_000)
    mapping: dict[str, str] = field(default_factory=dict)
    """The user's column mapping for a CSV/TSV/JSON file (prompt=ask, response=reply), as the Data step
    checked it: the worker reads the file through the same mapping (--map)."""


@dataclass
class LoraSpec:
    r: int = setting(16, "LoRA rank: adapter capacity", 30, name="lora_r", low=1, high=512, level="basic")
    alpha: float = setting(32, "LoRA scale numerator (default 2 x rank)", 80, name="lora_alpha", low=0.0,
                           high=4096.0, open_low=True, level="advanced")
    dropout: float = setting(0.05, "dropout on the LoRA path", 90, name="lora_dropout", low=0.0, high=1.0,
                             open_high=True, level="advanced")
    target_modules: str | list[str] = "all-linear"


@dataclass
class TrainSpec:
    epochs: float = setting(3.0, "passes over the training rows", 10, low=0.0, high=100.0, open_low=True,
                            level="basic")
    max_steps: int = setting(-1, "stop after this many optimizer steps (-1: run the epochs)", 60, low=1,
                             high=1_000_000, special=(-1,), level="basic")
    learning_rate: float = setting(2e-4, "peak learning rate (LoRA likes ~1e-4..5e-4)", 20, low=0.0, high=0.1,
                                   open_low=True, level="basic", flag="--lr")
    batch_size: int = setting(8, "rows per device per optimizer step", 40, low=1, high=1024, level="basic")
    grad_accum: int = setting(1, "micro-batches per optimizer step", 100, low=1, high=1024, level="advanced")
    warmup_ratio: float = setting(0.05, "share of steps spent warming up the learning rate", 110, low=0.0,
                                  high=1.0, open_high=True, level="advanced")
    weight_decay: float = setting(0.0, "AdamW weight decay", 170, low=0.0, high=1.0)
    scheduler: Scheduler = setting("cosine", "learning-rate schedule", 180)
    seed: int = setting(42, "random seed (data order, LoRA init)", 120, low=0, high=2**32 - 1, level="advanced")
    quant: Quant = setting("auto", "nf4 = QLoRA (4-bit base); auto: nf4 on CUDA, and on the CPU only where bf16 "
                           "does not fit (bf16 is faster there; 4 bits let a 24 GB machine tune 3B-7B)", 130,
                           level="advanced")
    dtype: DType = setting("auto", "compute dtype; auto: bf16 where the device has it", 140, level="advanced")
    gradient_checkpointing: bool | None = setting(
        None, "recompute activations to save memory (~25-40% slower); unset: only when memory requires it", 220)
    padding_free: bool = setting(True, "pack rows without padding (else group by length)", 230)
    logging_steps: int = setting(0, "log every N steps (0: auto)", 240, low=0, high=1_000_000)
    eval_steps: int = setting(0, "evaluate every N steps (0: auto)", 250, low=0, high=1_000_000)
    save_steps: int = setting(0, "checkpoint every N steps (0: auto, ~10 a run)", 260, low=0, high=1_000_000)
    device: Device = setting("auto", "where to train", 190)
    processes: int = setting(0, "data-parallel processes via accelerate (0: one per GPU)", 200, low=0, high=64)
    strategy: Strategy = setting("auto", "ddp: a full copy of the model per GPU; fsdp: its weights sharded across "
                                 "the GPUs (a model too big for one); auto: fsdp only when no single GPU holds it",
                                 210)
    method: Method = setting("sft", "sft: learn the answers; dpo: prefer the chosen over the rejected answer "
                             "(preference pairs); kto: answers labelled good or bad; grpo: sample answers to the "
                             "data's prompts and reinforce those the rewards score high", 70, level="basic")
    beta: float = setting(0.1, "DPO/KTO/GRPO: how far the model may move from the reference (lower: further)", 150,
                          low=0.0, high=10.0, open_low=True, level="advanced")
    reward: str | None = setting(None, "GRPO: the rewards, as NAME or NAME:WEIGHT separated by commas "
                                 "(json_schema:1,json_fields:1; `studio rewards --data F` lists those that fit)", 151,
                                 level="advanced")
    generations: int = setting(4, "GRPO: answers sampled per prompt, compared with each other (K)", 152, low=2,
                               high=64, level="advanced")
    max_completion: int = setting(128, "GRPO: tokens per sampled answer at most", 153, low=1, high=8192,
                                  level="advanced")
    temperature: float = setting(1.0, "GRPO: how freely the answers are sampled (lower: nearer the model's own best "
                                 "answer, which a briefly tuned model needs for any answer to score at all)", 154,
                                 low=0.0, high=2.0, open_low=True, level="advanced")
    max_seconds: float = setting(0.0, "stop once the run has trained this many seconds, summed over its resumes (0: no "
                                 "limit); the run then ends done", 155, low=0.0, high=1e7)
    same_time_as: str | None = None
    """The GRPO run whose training seconds this SFT run was given (max_seconds), continuing that run's parent:
    Evaluate's same-time column, which tells whether RL beat simply training longer."""
    start_from: str | None = setting(None, "continue a finished run's adapter (for DPO/KTO/GRPO it is also the "
                                     "reference model)", 160, flag="--from")


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
        raise ConfigError("err_config_mapping", where=prefix.rstrip(".") or "config", got=type(d).__name__)
    names = {f.name for f in fields(cls)}
    unknown = sorted(set(d) - names)
    if unknown:
        raise ConfigError("err_config_unknown", names=", ".join(prefix + u for u in unknown))
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

    def rule(self) -> Phrase:
        """What is allowed, in a few words (check's message, in the UI's language; the CLI's help: its English)."""
        unset = None in self.special
        if self.choices:
            return Phrase("err_rule_choices", first=", ".join(self.choices[:-1]), last=self.choices[-1])
        if self.kind is bool:
            return Phrase("err_rule_unset_auto", rule=Phrase("err_rule_bool")) if unset else Phrase("err_rule_bool")
        if self.kind is str:
            rule = Phrase("err_rule_run_id")
        else:
            lo, hi = _fmt(self.low), _fmt(self.high)
            rule = Phrase("err_rule_whole", low=lo, high=hi) if self.kind is int else Phrase(
                "err_rule_number", span=f"{'(' if self.open_low else '['}{lo}, {hi}{')' if self.open_high else ']'}")
            extra = [repr(v) for v in self.special if v is not None]
            rule = Phrase("err_rule_or", a=extra[0], b=rule) if extra else rule
        return Phrase("err_rule_unset", rule=rule) if unset else rule

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


def _kind(hint: Any) -> tuple[type, tuple[str, ...], bool]:
    """(the value's type, its choices where it is a Literal, whether None is allowed) of a field's annotation."""
    args = get_args(hint)
    optional = get_origin(hint) in (Union, types.UnionType) and type(None) in args
    if optional:
        hint = next(a for a in args if a is not type(None))
    if get_origin(hint) is Literal:
        return str, get_args(hint), optional
    return hint, (), optional


def _settings() -> list[Setting]:
    """SETTINGS, read off the config dataclasses' setting() fields, in their declared order."""
    found = []
    for section, spec in (("model", ModelSpec), ("data", DataSpec), ("lora", LoraSpec), ("train", TrainSpec)):
        hints = get_type_hints(spec)
        for f in fields(spec):
            if "help" not in f.metadata:
                continue
            m = f.metadata
            kind, choices, optional = _kind(hints[f.name])
            found.append((m["order"], Setting(
                m["name"] or f.name, section, f.name, kind, m["help"], m["low"], m["high"], m["open_low"],
                m["open_high"], m["special"] + ((None,) if optional else ()), choices, m["level"], m["flag"])))
    return [s for _, s in sorted(found, key=lambda pair: pair[0])]


SETTINGS: list[Setting] = _settings()
"""The one settings table: `studio train`'s flags, the Train step's widgets, presets' `train:` keys,
recipe.apply and check all read it; each row is declared once, on its config field."""
SETTING: dict[str, Setting] = {s.name: s for s in SETTINGS}


def get(cfg: RunConfig, name: str) -> Any:
    s = SETTING[name]
    return getattr(getattr(cfg, s.section), s.field)


def flat(cfg: RunConfig) -> dict[str, Any]:
    """Every setting by its flat name."""
    return {s.name: get(cfg, s.name) for s in SETTINGS}


def check(cfg: RunConfig) -> list[Phrase]:
    """Every reason this config cannot run, as 'section.field: what is allowed' phrases (empty when fine)."""
    wrong = [Phrase("err_setting", where=f"{s.section}.{s.field}", rule=s.rule())
             for s in SETTINGS if not s.ok(get(cfg, s.name))]
    if not (cfg.data.preset or cfg.data.train_path):
        wrong.append(Phrase("err_config_no_data"))
    if not cfg.model.name:
        wrong.append(Phrase("err_config_no_model"))
    if cfg.train.method == "grpo" and not (cfg.train.reward or "").strip():
        wrong.append(Phrase("err_reward_none"))  # GRPO learns from nothing else
    return wrong


def is_number(x: Any) -> bool:
    """A real, finite number (bools are ints to Python, never to a user)."""
    return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)


def is_whole(x: Any) -> bool:
    """An int that is not a bool."""
    return isinstance(x, int) and not isinstance(x, bool)
