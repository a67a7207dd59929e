"""`studio bench`: the studio's training engine against trl's defaults, generation
speed, and app start-up, measured on this machine in one run and written to docs/benchmarks.md.
How each figure is measured: studio/bench/docs.py (METHOD); one training side: studio/bench/train.py."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

from studio.bench import BenchFailed, flops
from studio.bench import profile as prof
from studio.bench.data import bench_rows
from studio.bench.docs import _load_avg, machine, now, write
from studio.bench.gen import app_first_page, gradio_import_s
from studio.config import DEFAULT_MODEL
from studio.fsutil import write_jsonl
from studio.models.loader import resolve_device
from studio.paths import REPO_ROOT, model_cache_dir

DOCS = REPO_ROOT / "docs" / "benchmarks.md"


@dataclass
class BenchConfig:
    model: str = DEFAULT_MODEL
    steps: int = 20
    batch_size: int = 8
    eval_rows: int = 32
    lora_r: int = 16
    learning_rate: float = 4e-4
    """The studio's suggestion for a model this size; both sides use it (trl's 2e-5 is for full tuning)."""
    new_tokens: int = 64
    repeats: int = 3
    device: str = "auto"
    app: bool = True
    seed: int = 42


QUICK = BenchConfig(steps=4, eval_rows=12, repeats=2)
FULL = BenchConfig()


def _log(msg: str) -> None:
    print(f"[bench] {msg}", file=sys.stderr, flush=True)


def _spec(cfg: BenchConfig, work: Path, device: str, **extra: Any) -> dict[str, Any]:
    return {"work_dir": str(work), "model": cfg.model, "train_path": str(work / "train.jsonl"),
            "eval_path": str(work / "eval.jsonl"), "steps": cfg.steps, "batch_size": cfg.batch_size,
            "learning_rate": cfg.learning_rate, "scheduler": "cosine", "warmup_ratio": 0.05,
            "seed": cfg.seed, "lora_r": cfg.lora_r, "lora_alpha": 2 * cfg.lora_r, "lora_dropout": 0.05,
            "target_modules": "all-linear", "device": device, **extra}


def child(spec: dict[str, Any], name: str) -> dict[str, Any]:
    """Run one side in its own process (its memory is its own) and return what it measured."""
    work = Path(spec["work_dir"])
    spec_path, out_path, log_path = (work / f"{name}.{ext}" for ext in ("spec.json", "out.json", "log"))
    spec_path.write_text(json.dumps(spec), encoding="utf-8")
    env = {**os.environ, "STUDIO_HOME": str(work / "home"), "STUDIO_MODEL_CACHE": str(model_cache_dir()),
           "TOKENIZERS_PARALLELISM": "false", "HF_HUB_DISABLE_PROGRESS_BARS": "1"}
    with log_path.open("wb") as log:
        code = subprocess.call([sys.executable, "-m", "studio.bench.train", str(spec_path), str(out_path)],
                               stdout=log, stderr=subprocess.STDOUT, env=env, cwd=str(REPO_ROOT))
    if code != 0 or not out_path.is_file():
        tail = log_path.read_text(encoding="utf-8", errors="replace")[-2000:]
        raise BenchFailed("err_bench_side_failed", name=name, code=code, tail=tail)
    return json.loads(out_path.read_text(encoding="utf-8"))


def _rate(side: dict) -> float:
    return side["real_tokens"] / max(1e-9, side["train_s"])


def training(cfg: BenchConfig, work: Path, device: str) -> dict[str, Any]:
    train_rows, eval_rows = bench_rows(cfg.steps * cfg.batch_size, cfg.eval_rows, cfg.seed)
    write_jsonl(work / "train.jsonl", train_rows)
    write_jsonl(work / "eval.jsonl", eval_rows)
    sides = {}
    for name in ("baseline", "studio"):
        _log(f"training: {name} ({cfg.steps} steps x {cfg.batch_size})")
        sides[name] = child(_spec(cfg, work, device, side=name), name)
    _log("held-out loss of each adapter")
    adapters = {k: v["adapter"] for k, v in sides.items()}
    losses = child(_spec(cfg, work, device, side="eval", adapters=adapters), "eval")
    return _train_figures(sides, losses, cfg)


def utilisation(cfg: BenchConfig, train: dict, gen: dict, rates: dict[str, float], bf16: bool) -> dict:
    """MFU of each training side and of generation, against the matmul rates measured in this run."""
    shape = flops.model_shape(cfg.model)
    lora = flops.lora_params(train.pop("_adapter"))
    sides = train.pop("_sides")
    peak = rates["bf16"] if bf16 else rates["fp32"]
    out: dict[str, Any] = {"bf16_tflops": round(rates["bf16"] / 1e12, 3),
                           "fp32_tflops": round(rates["fp32"] / 1e12, 3),
                           "shape": flops.shape_dict(shape), "lora_params": lora}
    for name, side in sides.items():
        work = flops.train_flops(shape, lora, side["real_tokens"], side["scored_tokens"], side["attn_pairs"])
        out[f"{name}_train_mfu"] = round(work / side["train_s"] / peak, 4)
        out[f"{name}_flops_per_token"] = round(work / max(1, side["real_tokens"]))
    if gen.get("tokens_per_s"):
        context = gen["prompt_tokens"] + gen["new_tokens"] / 2
        out["generate_mfu"] = round(flops.decode_flops(shape, lora, context) * gen["tokens_per_s"] / peak, 4)
    return out


def _train_figures(sides: dict, losses: dict, cfg: BenchConfig) -> dict[str, Any]:
    b, s = sides["baseline"], sides["studio"]
    return {"_sides": sides, "_adapter": s["adapter"],
            "baseline_tokens_per_s": round(_rate(b), 2), "studio_tokens_per_s": round(_rate(s), 2),
            "speedup": round(_rate(s) / max(1e-9, _rate(b)), 3),
            "baseline_final_loss": round(losses["baseline"], 4), "studio_final_loss": round(losses["studio"], 4),
            "baseline_peak_mb": round(b["peak_mb"], 1), "studio_peak_mb": round(s["peak_mb"], 1),
            "loss_on": "held-out rows, assistant answers, fp32 base",
            "base_final_loss": round(losses["base"], 4),
            "baseline_last_train_loss": b["last_train_loss"], "studio_last_train_loss": s["last_train_loss"],
            "baseline_train_s": round(b["train_s"], 2), "studio_train_s": round(s["train_s"], 2),
            "steps": s["steps"], "baseline_steps": b["steps"], "batch_size": cfg.batch_size,
            "samples": cfg.steps * cfg.batch_size, "real_tokens": s["real_tokens"],
            "baseline_real_tokens": b["real_tokens"],
            "baseline_padding_share": round(1 - b["real_tokens"] / max(1, b["padded_tokens"]), 4),
            "baseline_tokens_per_cpu_s": round(_cpu_rate(b), 2), "studio_tokens_per_cpu_s": round(_cpu_rate(s), 2),
            "speedup_cpu": round(_cpu_rate(s) / max(1e-9, _cpu_rate(b)), 3),
            "baseline_load_avg": b["load_avg"], "studio_load_avg": s["load_avg"]}


def _cpu_rate(side: dict) -> float:
    """Real tokens per CPU second of the training process (less sensitive to other work on the machine)."""
    return side["real_tokens"] / max(1e-9, side["cpu_s"])


def run_bench(cfg: BenchConfig, work: Path) -> dict[str, Any]:
    device = resolve_device(cfg.device)
    info, date = machine(), now()
    _log("matrix product rates (bf16, fp32)")
    rates = {k: flops.matmul_rate(k) for k in ("bf16", "fp32")}
    train = training(cfg, work, device)
    gen = _generation(cfg, work, device)
    mfu = utilisation(cfg, train, gen, rates, info["bf16"])
    _log("app: launch to first page")
    return {"train": train, "generate": gen, "mfu": mfu, "app": _app(cfg), "machine": info, "date": date,
            "config": asdict(cfg), "load_avg_after": _load_avg()}


def _app(cfg: BenchConfig) -> dict[str, Any]:
    """Launch to first page, beside what importing gradio alone takes on this machine (its floor)."""
    first_page = app_first_page() if cfg.app else None
    note = None if first_page is not None else ("App start-up not measured: " + (
        "skipped" if not cfg.app else "app.py is missing or served no page") + ".")
    return {"first_page_s": first_page, "gradio_import_s": gradio_import_s() if cfg.app else None,
            "note": note}


def _generation(cfg: BenchConfig, work: Path, device: str) -> dict[str, Any]:
    """The studio's chat: one tuned answer, then base + tuned side by side."""
    adapter = json.loads((work / "studio.out.json").read_text(encoding="utf-8"))["adapter"]
    extra = {"side": "generate", "adapter": adapter, "new_tokens": cfg.new_tokens, "repeats": cfg.repeats}
    _log("generation: tuned alone vs base + tuned side by side")
    return child(_spec(cfg, work, device, **extra), "generate")


PROFILE_DOCS = REPO_ROOT / "docs" / "profile.md"


def profile(cfg: BenchConfig, docs: Path | None) -> dict[str, Any]:
    """`studio bench --profile`: the top operators of a training step and a decode step (docs/profile.md)."""
    steps = prof.WARMUP_STEPS + prof.PROFILED_STEPS
    with tempfile.TemporaryDirectory(prefix="studio-profile-") as tmp:
        work = Path(tmp)
        train_rows, eval_rows = bench_rows(steps * cfg.batch_size, 4, cfg.seed)
        write_jsonl(work / "train.jsonl", train_rows)
        write_jsonl(work / "eval.jsonl", eval_rows)
        _log(f"profiling {steps} training steps and {prof.DECODE_TOKENS} decode steps")
        spec = _spec(replace(cfg, steps=steps), work, resolve_device(cfg.device), side="profile")
        result = {**prof.header(cfg.model), **child(spec, "profile")}
    if docs is not None:
        prof.write(docs, result)
        _log(f"wrote {docs}")
    return result


def bench(cfg: BenchConfig, docs: Path | None, kind: str) -> dict[str, Any]:
    """Run the bench in a scratch folder and write its section of the docs (docs=None: do not write)."""
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="studio-bench-") as tmp:
        result = run_bench(cfg, Path(tmp))
    result["wall_s"] = round(time.perf_counter() - t0, 1)
    if docs is not None:
        write(docs, kind, result)
        _log(f"wrote {docs}")
    return result
