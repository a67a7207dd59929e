"""From what the user chose to a complete RunConfig, and from a RunConfig to library objects.
Defaults depend on model size and dataset size so that a first run works untouched."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from studio import presets, runs
from studio.config import SETTING, ConfigError, DataSpec, LoraSpec, ModelSpec, RunConfig
from studio.data import votes
from studio.data.choice import DataChoice
from studio.models import fit, resolve
from studio.models.device import DeviceInfo
from studio.models.fit import Method, Spread, Verdict
from studio.models.info import ModelCard, describe
from studio.text import t
from studio.train import rollout
from studio.train.data import load_rows, usable_rows


def suggest(params_m: float, n_rows: int, method: str = "sft") -> dict[str, Any]:
    """Hyper-parameters a first run should use (small models and small data like higher lr, more epochs).
    Preference tuning nudges a model it must not break: a tenth of the SFT rate, one or two epochs."""
    lr = 4e-4 if params_m < 500 else 2e-4 if params_m < 3000 else 1e-4
    epochs = 3 if n_rows < 1000 else 2 if n_rows < 5000 else 1
    r = 8 if n_rows < 200 else 16 if n_rows < 5000 else 32
    if method != "sft":
        lr, epochs = lr / 10, min(epochs, 2)
    return {"learning_rate": lr, "epochs": epochs, "lora_r": r, "lora_alpha": 2 * r, "batch_size": 8}


def build(model: str, *, preset: str | None = None, train_path: str | None = None,
          eval_path: str | None = None, mapping: dict[str, str] | None = None,
          overrides: dict[str, Any] | None = None, params_m: float | None = None,
          n_rows: int | None = None) -> RunConfig:
    """Suggestions, then the preset's settings, then the user's: later wins. The suggestions are chosen from
    the data's usable rows, counted here the one way the UI and the shell line share (n_rows: a count given
    for data that is not on disk, as the tests and the Train step's first paint do)."""
    p = presets.load(preset) if preset else None
    entry = resolve(model).entry
    size = params_m or (entry.params_m if entry else 1000)
    user = {k: v for k, v in (overrides or {}).items() if v is not None}
    data = DataSpec(preset=preset, train_path=train_path, eval_path=eval_path, mapping=dict(mapping or {}),
                    system_prompt=p.system if p else None)
    rows = n_rows if n_rows is not None else _usable_or_zero(data, user.get("method", "sft"))
    values = {**suggest(size, rows, user.get("method", "sft")), **(p.train if p else {}), **user}
    if "lora_r" in user and "lora_alpha" not in user:
        values["lora_alpha"] = 2 * user["lora_r"]  # keep the scale alpha/r the suggestions use
    return apply(RunConfig(model=ModelSpec(name=model), data=data), values)


def _usable_or_zero(data: DataSpec, method: str) -> int:
    """The usable rows, or 0 for data that cannot be read (the plan and the run then say why, by name)."""
    try:
        return usable_rows(data, method)
    except ValueError:
        return 0


def from_choice(model: str, choice: DataChoice, values: dict[str, Any] | None = None) -> RunConfig:
    """The run the Train step starts for the Data step's choice: its file read through its mapping, its
    method (preference data comes with dpo or kto) unless the settings say otherwise."""
    method = choice.method if choice.method != "sft" else None
    return build(model, preset=choice.preset, train_path=choice.path, mapping=choice.columns,
                 overrides={"method": method, **(values or {})})


def from_votes(run_id: str, overrides: dict[str, Any] | None = None, *,
               pairs: tuple[Path, int] | None = None) -> tuple[RunConfig, int]:
    """(a DPO run on the blind votes cast on run_id, how many pairs): that run's model and system prompt,
    its adapter as the start and the reference, unless the overrides say otherwise. `pairs`: a pairs file
    already written for the run (the accepted judge's votes) in place of the user's own."""
    source = runs.get(run_id)
    path, n = pairs or votes.run_pairs_file(run_id)
    values = {"method": "dpo", **{k: v for k, v in (overrides or {}).items() if v is not None}}
    if "start_from" not in values and source.has_adapter():
        values["start_from"] = run_id
    original = source.config()
    cfg = build(original.model.name, train_path=str(path), overrides=values)
    cfg.data.system_prompt = original.data.system_prompt
    return cfg, n


def apply(cfg: RunConfig, values: dict[str, Any]) -> RunConfig:
    """Set flat settings (lora_r, learning_rate, max_length, ...) where config.SETTINGS says they live."""
    for key, value in values.items():
        if value is None:
            continue
        if key not in SETTING:
            raise ConfigError("err_setting_unknown", name=key, known=", ".join(SETTING))
        s = SETTING[key]
        setattr(getattr(cfg, s.section), s.field, value)
    return cfg


def plan_steps(n_rows: int, cfg: RunConfig, world: int = 1) -> int:
    """Optimizer steps the run will take."""
    per_step = cfg.train.batch_size * cfg.train.grad_accum * world
    per_epoch = max(1, -(-n_rows // per_step))
    if cfg.train.max_steps and cfg.train.max_steps > 0:
        return cfg.train.max_steps
    return max(1, round(per_epoch * cfg.train.epochs))


# measured on a 2-core CPU (docs/benchmarks.md): smollm2-135m ~450 real tokens/s, gemma3-270m ~180;
# a GPU is taken as ~20x that. Rough on purpose: the plan says "~", the live chart says the truth.
CPU_TOKENS_PER_S_AT_135M = 400.0
GPU_SPEEDUP = 20.0
TOKENS_PER_ROW = 80
"""A typical chat row of the presets, chat template included."""
GENERATION_SLOWDOWN = 300.0
"""A decoding step of trl's sampling (up to 8 answers at once) costs about this many trained tokens' time on a CPU.
Measured 2026-12-07 on this project's 2-core CPU, shared and busy: GRPO on smollm2-135m with 2 prompts x 2 answers x
48 tokens took 47-52 s a step, ~0.9 s a token step (Compare's own streaming does 42 tokens/s: trl's generate inside
the training loop is far slower). Where llama.cpp samples (studio.train.rollout), LLAMA_SAMPLE_COST counts instead."""
LLAMA_SAMPLE_COST = 3.0
"""An answer token sampled by llama.cpp (the step's answers decoded together) costs about this many trained tokens'
time, answers taken to fill half their max_completion. Measured 2026-12-07 19:40 UTC on this project's 2-core CPU:
GRPO on smollm2-135m, 8 prompts x 4 answers (mean 43 tokens), sampled in 10.8-12.4 s a step, ~8 ms a token; 19:44-20:07
UTC, 2 prompts x 8 answers (mean ~36 tokens) in 4.8 s a step, 24.6 s with training (the plan said 26 min for the
run's 22.6)."""


@dataclass
class Plan:
    """What a run will do, before it starts: the same for the Train step and `studio train --plan`."""

    adapter: Method
    """How the adapter trains: lora (on a 16-bit base) or qlora (on a 4-bit base); the objective is below."""
    device: DeviceInfo
    rows: int
    steps: int
    epochs: float
    seconds: float
    tokens_per_s: float
    fit: Verdict | None
    """The memory fit of that method on this machine (None: the model's size is unknown)."""
    objective: str = "sft"
    """What the run learns from: sft (answers), dpo (pairs) or kto (labelled answers)."""
    strategy: str = "ddp"
    """How several processes share the run (strategy()): ddp, or fsdp (the weights sharded across them)."""
    spread: Spread | None = None
    """Where the run fits across this machine's GPUs (None: a CPU run, or the model's size is unknown)."""
    processes: int = 1
    kind: str = "cpu"
    """Where it trains: cuda or cpu."""
    chosen: bool = False
    """The strategy was given (--strategy), not chosen by the fit."""
    cpu_4bit: tuple[Verdict, Verdict] | None = None
    """(bf16 LoRA's fit, 4-bit's fit) when the CPU trains in 4 bits because only they fit (auto)."""
    held_out: int | None = None
    """Rows kept aside to evaluate (the eval file, or the share split off the training file); None: not
    counted (a plan for a row count given by hand)."""
    sampled: tuple[int, int, int, str] | None = None
    """A GRPO run's answers: K a prompt, max_completion tokens, prompts a step, and what samples them."""
    """GRPO: (answers per prompt, tokens per answer, prompts per step), which the time counts."""

    def say(self, lang: str = "en") -> list[str]:
        """Three lines of markdown: rows and steps, the rough time, the memory fit; a fourth, the strategy,
        where there is one to tell (several GPUs or processes, a model no GPU holds, --strategy)."""
        fit = self.fit.say(lang) if self.fit else t(lang, "card_unknown")
        mark = "✓" if self.fit and self.fit.fits else "✗"
        held = "" if self.held_out is None else t(lang, "plan_held_out", rows=self.held_out)
        lines = [t(lang, "plan_rows", rows=self.rows, steps=self.steps, epochs=f"{self.epochs:g}",
                   device=self.device.describe(lang)) + held,
                 t(lang, "plan_time", minutes=f"{max(1, self.seconds / 60):.0f}", speed=f"{self.tokens_per_s:.0f}"),
                 f"{t(lang, 'plan_memory')} ({self.adapter.upper()} · {self.objective.upper()}): {mark} {fit}"]
        if self.cpu_4bit:
            lora, qlora = self.cpu_4bit
            lines.append(t(lang, "plan_cpu_4bit", lora=f"{lora.estimate.total_mb / 1024:.1f}",
                           qlora=f"{qlora.estimate.total_mb / 1024:.1f}", have=f"{lora.available_mb / 1024:.0f}"))
        if self.sampled:
            k, tokens, prompts, engine = self.sampled
            lines.append(t(lang, "plan_grpo", k=k, tokens=tokens, generated=k * tokens * prompts, engine=engine))
        strategy = self.strategy_line(lang)
        return lines + ([f"{t(lang, 'plan_strategy')}: {strategy}"] if strategy else [])

    def strategy_line(self, lang: str = "en") -> str:
        name = self.strategy.upper()
        chosen = t(lang, "plan_strategy_chosen", name=name) if self.chosen else ""
        if self.kind != "cuda":
            return t(lang, "plan_strategy_cpu", name=chosen or name, procs=self.processes) \
                if self.processes > 1 or self.chosen else ""
        if self.spread is None or (self.spread.gpus == 1 and self.spread.strategy == "ddp" and not self.chosen):
            return chosen
        return f"{chosen} — {self.spread.say(lang)}" if chosen else self.spread.say(lang)


def plan(cfg: RunConfig, n_rows: int | None = None) -> Plan:
    """The method training will use (use_quant, as the worker decides it), steps, time and memory fit.
    Rows are the training rows, as the worker takes them (load_rows: after the eval split, max_rows and raw
    text cut into passages): the Train step and `studio train --plan` count them here, the one way."""
    held = None
    if n_rows is None:
        train_rows, eval_rows = load_rows(cfg)
        n_rows, held = len(train_rows), len(eval_rows)
    card = describe(cfg.model.name, cfg.train.batch_size, cfg.data.max_length, cfg.lora.r)
    kind = trains_on(cfg, card)
    procs = cfg.train.processes or (card.device.count if kind == "cuda" else 1)
    method, where, chosen_strategy = place(cfg, card, kind, procs)
    steps = plan_steps(n_rows, cfg, procs)  # each step takes a batch on every process
    speed = CPU_TOKENS_PER_S_AT_135M * 135 / max(50.0, card.entry.params_m if card.entry else 1000.0)
    if kind == "cuda":
        speed *= GPU_SPEEDUP
    rows_seen = n_rows * cfg.train.epochs if cfg.train.max_steps <= 0 else steps * cfg.train.batch_size * procs
    epochs = cfg.train.epochs if cfg.train.max_steps <= 0 else round(rows_seen / max(1, n_rows), 2)  # what runs
    passes = 1 if cfg.train.method == "sft" else 3  # chosen and rejected through the policy, and the reference
    sampler = grpo_sampler(cfg, kind, method, procs)
    seconds = passes * rows_seen * TOKENS_PER_ROW / speed + grpo_seconds(cfg, steps, speed, sampler != "torch")
    return Plan(method, card.device, n_rows, steps, epochs, seconds,
                speed, card.fits.get(method), cfg.train.method, chosen_strategy, where, procs, kind,
                cfg.train.strategy != "auto",
                cpu_fit(cfg) if kind == "cpu" and method == "qlora" and cfg.train.quant == "auto" else None, held,
                (cfg.train.generations, cfg.train.max_completion, cfg.train.batch_size, sampler)
                if cfg.train.method == "grpo" else None)


def grpo_seconds(cfg: RunConfig, steps: int, speed: float, llama: bool = False) -> float:
    """What GRPO adds: K answers of up to max_completion tokens for each prompt, generated one token at a time
    for the whole batch at once (by trl: a decoding step costs GENERATION_SLOWDOWN trained tokens' time per 8
    answers; by llama.cpp: LLAMA_SAMPLE_COST a token), then scored by the policy and the reference, and trained
    (3 passes over prompt and answer)."""
    t = cfg.train
    if t.method != "grpo":
        return 0.0
    per_step = t.batch_size * t.generations  # answers decoded together; past 8 the batch costs in proportion
    if llama:
        decode = steps * per_step * t.max_completion / 2 * LLAMA_SAMPLE_COST / speed
    else:
        decode = steps * t.max_completion * GENERATION_SLOWDOWN / speed * max(1.0, per_step / 8)
    return decode + 3 * steps * per_step * (TOKENS_PER_ROW + t.max_completion) / speed


def grpo_sampler(cfg: RunConfig, kind: str, method: Method, procs: int) -> str:
    """What will sample a GRPO run's answers: the engine's label (llama.cpp f16) or torch, by the worker's own
    rule (studio.train.rollout.sampler)."""
    if cfg.train.method != "grpo":
        return "torch"
    choice, _ = rollout.sampler(cfg.model.name, cfg.model.engine, kind, quantized=method == "qlora", processes=procs)
    return choice.label if choice else "torch"


def trains_on(cfg: RunConfig, card: ModelCard) -> str:
    """cuda or cpu: the device setting, or (auto) this machine's."""
    return card.device.kind if cfg.train.device == "auto" else cfg.train.device


def place(cfg: RunConfig, card: ModelCard, kind: str, procs: int) -> tuple[Method, Spread | None, str]:
    """(adapter, the fit across the GPUs, strategy) of a run on `procs` processes on `kind`: the one
    derivation the plan and a launch share."""
    adapter: Method = "qlora" if use_quant(cfg, kind) else "lora"
    where = spread_of(cfg, card, adapter, kind, procs)
    return adapter, where, strategy(cfg, where)


def spread_of(cfg: RunConfig, card: ModelCard, method: Method, kind: str, gpus: int) -> Spread | None:
    """The fit across `gpus` of this machine's GPUs (None: not a GPU run here, or the model's size is unknown)."""
    if kind != "cuda" or card.device.kind != "cuda" or card.entry is None:
        return None
    return fit.spread(card.entry, method, max(1, gpus), card.device.memory_mb, cfg.train.batch_size,
                      cfg.data.max_length, cfg.lora.r)


def strategy(cfg: RunConfig, where: Spread | None) -> str:
    """ddp or fsdp: what --strategy says; auto: fsdp only where no single GPU holds the run and the GPUs
    found hold it together."""
    if cfg.train.strategy in ("ddp", "fsdp"):
        return cfg.train.strategy
    return "fsdp" if where is not None and where.strategy == "fsdp" else "ddp"


def placement(cfg: RunConfig, processes: int, kind: str | None = None) -> tuple[str, bool]:
    """(strategy, qlora) of a launch on `processes` GPUs (or CPU processes), as plan() decides them. kind:
    where the workers train, when that is not this machine (a multi-node launch prepared on a login node)."""
    if processes <= 1 and cfg.train.strategy != "fsdp":
        return "ddp", False
    card = describe(cfg.model.name, cfg.train.batch_size, cfg.data.max_length, cfg.lora.r)
    adapter, _, chosen = place(cfg, card, kind or trains_on(cfg, card), processes)
    return chosen, adapter == "qlora"


def cadence(total: int) -> tuple[int, int, int]:
    """(logging, eval, save) steps: every step for short runs so the chart is never empty; about 10
    checkpoints a run and at most 50 steps apart, so a kill loses little."""
    log = 1 if total <= 200 else max(1, total // 100)
    save = max(1, min(50, -(-total // 10)))
    evals = total if total <= 10 else -(-total // 5)  # ~5 evals a run; a short run evals once, at the end
    return log, evals, save


def to_lora_config(lora: LoraSpec):
    from peft import LoraConfig

    return LoraConfig(r=lora.r, lora_alpha=lora.alpha, lora_dropout=lora.dropout,
                      target_modules=lora.target_modules, bias="none", task_type="CAUSAL_LM")


def use_quant(cfg: RunConfig, device: str) -> bool:
    """QLoRA on CUDA by default. On the CPU bf16 LoRA is faster, so 4 bits when asked, or (auto) when only
    4 bits fit this machine's memory: bitsandbytes' CPU backend is what lets a 24 GB machine tune 3B-7B."""
    if cfg.train.quant != "auto":
        return cfg.train.quant == "nf4"
    return device == "cuda" or cpu_fit(cfg) is not None


def cpu_fit(cfg: RunConfig) -> tuple[Verdict, Verdict] | None:
    """(bf16 LoRA's fit, 4-bit's fit) on this CPU when LoRA does not fit and 4 bits do; else None (it fits in
    bf16, neither fits, the model's size is unknown, or this machine trains on a GPU)."""
    card = describe(cfg.model.name, cfg.train.batch_size, cfg.data.max_length, cfg.lora.r)
    lora, qlora = card.fits.get("lora"), card.fits.get("qlora")
    if card.device.kind != "cpu" or lora is None or qlora is None:
        return None
    return (lora, qlora) if not lora.fits and qlora.fits else None


def optimizer(cfg: RunConfig, device: str) -> str:
    """QLoRA's paged 8-bit AdamW on CUDA (it rides out memory spikes); plain AdamW elsewhere."""
    return "paged_adamw_8bit" if use_quant(cfg, device) and device == "cuda" else "adamw_torch"


def to_sft_config(cfg: RunConfig, out_dir: str, device: str, dtype_name: str, total: int,
                  has_eval: bool):
    from trl import SFTConfig

    t = cfg.train
    return SFTConfig(
        **_trainer_args(cfg, out_dir, device, dtype_name, total, has_eval),
        padding_free=t.padding_free,
        train_sampling_strategy="random" if t.padding_free else "group_by_length",
        max_length=None,  # samples are truncated when tokenised (see studio.train.data)
        remove_unused_columns=True, dataset_num_proc=None,
    )


def to_preference_config(cfg: RunConfig, out_dir: str, device: str, dtype_name: str, total: int,
                         has_eval: bool):
    """trl's DPOConfig or KTOConfig: the same cadence, optimizer and precision as SFT, plus beta; pairs
    are cut to max_length by trl (the prompt keeps its end, the answers their start)."""
    from trl import DPOConfig, KTOConfig

    kind = DPOConfig if cfg.train.method == "dpo" else KTOConfig
    return kind(**_trainer_args(cfg, out_dir, device, dtype_name, total, has_eval), beta=cfg.train.beta,
                max_length=cfg.data.max_length)


def to_grpo_config(cfg: RunConfig, out_dir: str, device: str, dtype_name: str, total: int, weights: list[float]):
    """trl's GRPOConfig: a step takes batch_size prompts, each answered `generations` times (trl counts the
    batch in answers); the answers are scored, never held out (an eval would sample again: the meters of
    `studio eval` judge the result)."""
    from trl import GRPOConfig

    t = cfg.train
    args = _trainer_args(cfg, out_dir, device, dtype_name, total, False)
    args["per_device_train_batch_size"] = args["per_device_eval_batch_size"] = t.batch_size * t.generations
    return GRPOConfig(**args, num_generations=t.generations, max_completion_length=t.max_completion, beta=t.beta,
                      temperature=t.temperature, reward_weights=weights, remove_unused_columns=False,
                      log_completions=False)


def _trainer_args(cfg: RunConfig, out_dir: str, device: str, dtype_name: str, total: int,
                  has_eval: bool) -> dict[str, Any]:
    """The TrainingArguments every method shares."""
    t = cfg.train
    log, evals, save = cadence(total)
    return {
        "output_dir": out_dir, "num_train_epochs": t.epochs, "max_steps": t.max_steps,
        "per_device_train_batch_size": t.batch_size, "per_device_eval_batch_size": t.batch_size,
        "gradient_accumulation_steps": t.grad_accum, "learning_rate": t.learning_rate,
        "lr_scheduler_type": t.scheduler, "warmup_steps": t.warmup_ratio,  # < 1 means a ratio
        "weight_decay": t.weight_decay,
        "seed": t.seed, "bf16": dtype_name == "bf16", "fp16": dtype_name == "fp16",
        "gradient_checkpointing": bool(t.gradient_checkpointing),
        "optim": optimizer(cfg, device),
        "logging_steps": t.logging_steps or log, "save_steps": t.save_steps or save, "save_total_limit": 12,
        "eval_strategy": "steps" if has_eval else "no", "eval_steps": t.eval_steps or evals,
        "report_to": [], "disable_tqdm": True, "dataloader_num_workers": 0, "use_cpu": device == "cpu",
        "save_only_model": False,
        "logging_nan_inf_filter": False,  # a NaN step must show in the logged loss (evidence.judge reads it)
        "ddp_find_unused_parameters": False,  # LoRA uses every adapter each step; the search costs time
    }
