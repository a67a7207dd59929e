"""`studio bench --gpu [--json] [--dry-run]`: the studio's QLoRA engine against the baseline a user
would otherwise write (transformers + peft + bitsandbytes, the Hugging Face docs' QLoRA recipe), in one run
on the same GPU, on a 0.5B-class and a 7B-class shape (studio/bench/shapes.py: real architectures, random
weights, no hub).

Both sides train on the same rows (lengths varying as in real chat data: studio/bench/data.py), with the
same LoRA, samples and effective batch; each side in a process of its own (studio/bench/gpu_side.py).
Reported per shape and side: real (non-padding) tokens/s, peak GPU memory (torch.cuda.max_memory_allocated),
the held-out answer loss after training (final loss) and MFU: the model FLOPs of the timed steps
(studio/bench/flops.py) over the card's bf16 matmul rate measured in the same run. Targets, on the 7B-class
shape: >= 2x the baseline's real tokens/s, peak memory no higher, final loss within 2%.

--dry-run: the same steps and the same JSON keys on the CPU with the tiny shape (CI runs it); the targets
are reported but not judged there."""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

from studio.bench import BenchFailed, flops, shapes
from studio.bench.data import bench_rows
from studio.fsutil import write_jsonl
from studio.paths import REPO_ROOT

MODELS = Path(os.environ.get("STUDIO_GPU_MODELS", Path(tempfile.gettempdir()) / "studio-gpu-shapes"))
"""Where the random-weight shapes are built once and reused (the 7B shape is ~15 GB of safetensors)."""
TARGETS = {"speedup": 2.0, "memory_ratio": 1.0, "loss_gap": 0.02}


@dataclass(frozen=True)
class GpuBench:
    shapes: tuple[str, ...] = ("qwen2.5-0.5b", "qwen2.5-7b")
    target: str = "qwen2.5-7b"
    """The shape the targets are judged on."""
    steps: int = 10
    warm: int = 2
    """Optimizer steps left out of the timing (CUDA start-up, kernel choice)."""
    batch_size: int = 8
    grad_accum: int = 2
    max_length: int = 512
    eval_rows: int = 16
    lora_r: int = 16
    learning_rate: float = 2e-4
    seed: int = 42
    device: str = "cuda"
    quant: bool = True
    dry_run: bool = False


FULL = GpuBench()
DRY = GpuBench(shapes=("tiny",), target="tiny", steps=3, warm=1, batch_size=4, grad_accum=2, max_length=256,
               eval_rows=4, lora_r=4, learning_rate=1e-3, device="cpu", quant=True, dry_run=True)
"""The CPU rehearsal: the tiny shape, 4-bit through bitsandbytes' CPU kernels, plain AdamW (paged optimizers
need CUDA)."""


def _log(msg: str) -> None:
    print(f"[bench --gpu] {msg}", file=sys.stderr, flush=True)


def spec(cfg: GpuBench, work: Path, model: Path, side: str, **extra: Any) -> dict[str, Any]:
    return {"side": side, "work_dir": str(work), "model": str(model), "train_path": str(work / "train.jsonl"),
            "eval_path": str(work / "eval.jsonl"), "steps": cfg.steps, "warm": cfg.warm,
            "batch_size": cfg.batch_size, "grad_accum": cfg.grad_accum, "max_length": cfg.max_length,
            "learning_rate": cfg.learning_rate, "scheduler": "cosine", "warmup_ratio": 0.05, "seed": cfg.seed,
            "lora_r": cfg.lora_r, "lora_alpha": 2 * cfg.lora_r, "lora_dropout": 0.05,
            "target_modules": "all-linear", "device": cfg.device, "quant": cfg.quant, **extra}


def child(s: dict[str, Any], name: str, timeout_s: float = 900) -> dict[str, Any]:
    """Run one side in its own process and return what it measured (its log kept beside its spec)."""
    work = Path(s["work_dir"])
    spec_path, out_path, log_path = (work / f"{name}.{ext}" for ext in ("spec.json", "out.json", "log"))
    spec_path.write_text(json.dumps(s), encoding="utf-8")
    env = {**os.environ, "STUDIO_HOME": str(work / "home"), "TOKENIZERS_PARALLELISM": "false",
           "HF_HUB_DISABLE_PROGRESS_BARS": "1", "HF_HUB_OFFLINE": "1", "PYTHONUNBUFFERED": "1"}
    with log_path.open("wb") as log:
        code = subprocess.call([sys.executable, "-m", "studio.bench.gpu_side", str(spec_path), str(out_path)],
                               stdout=log, stderr=subprocess.STDOUT, env=env, cwd=str(REPO_ROOT), timeout=timeout_s)
    if code != 0 or not out_path.is_file():
        tail = log_path.read_text(encoding="utf-8", errors="replace")[-3000:]
        raise BenchFailed("err_bench_side_failed", name=name, code=code, tail=tail)
    return json.loads(out_path.read_text(encoding="utf-8"))


def cuda_matmul_rate(n: int = 8192, repeats: int = 10) -> float:
    """bf16 FLOP/s of n x n x n products on this GPU: the mean of `repeats` timed products (CUDA events)
    after three warm-ups, on random data."""
    import torch

    a = torch.randn(n, n, device="cuda", dtype=torch.bfloat16)
    b = torch.randn(n, n, device="cuda", dtype=torch.bfloat16)
    for _ in range(3):
        a @ b
    start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
    start.record()
    for _ in range(repeats):
        a @ b
    end.record()
    torch.cuda.synchronize()
    seconds = start.elapsed_time(end) / 1000 / repeats
    del a, b
    torch.cuda.empty_cache()
    return 2.0 * n**3 / seconds


def matmul_rate(device: str) -> float:
    """The peak MFU is measured against: the GPU's bf16 rate, or (dry run) the CPU's fp32 rate."""
    return cuda_matmul_rate() if device == "cuda" else flops.matmul_rate("fp32", n=512, seconds=0.3)


def side_figures(side: dict, shape: flops.Shape, lora: int, rate: float) -> dict[str, Any]:
    work = flops.train_flops(shape, lora, side["real_tokens"], side["scored_tokens"], side["attn_pairs"])
    seconds = max(1e-9, side["train_s"])
    return {"real_tokens_per_s": round(side["real_tokens"] / seconds, 1),
            "padded_tokens_per_s": round(side["padded_tokens"] / seconds, 1),
            "padding_share": round(1 - side["real_tokens"] / max(1, side["padded_tokens"]), 4),
            "peak_mb": round(side["peak_mb"], 1), "final_loss": round(side["final_loss"], 4),
            "first_train_loss": side["first_train_loss"], "last_train_loss": side["last_train_loss"],
            "mfu": round(work / seconds / rate, 4), "achieved_tflops": round(work / seconds / 1e12, 3),
            "train_s": round(side["train_s"], 2), "setup_s": round(side["setup_s"], 2),
            "timed_steps": side["timed_steps"], "steps": side["steps"], "real_tokens": side["real_tokens"],
            "optimizer": side["optimizer"], "gradient_checkpointing": side["gradient_checkpointing"],
            "four_bit_layers": side["four_bit_layers"], "padding": side["padding"]}


def judge(b: dict, s: dict) -> dict[str, Any]:
    """The ratios the targets are on, and whether each is met."""
    speedup = s["real_tokens_per_s"] / max(1e-9, b["real_tokens_per_s"])
    memory = s["peak_mb"] / max(1e-9, b["peak_mb"])
    gap = abs(s["final_loss"] - b["final_loss"]) / max(1e-9, abs(b["final_loss"]))
    return {"speedup": round(speedup, 3), "memory_ratio": round(memory, 3), "loss_gap": round(gap, 4),
            "met": {"speedup": speedup >= TARGETS["speedup"], "memory": memory <= TARGETS["memory_ratio"],
                    "loss": gap <= TARGETS["loss_gap"]}}


def one_shape(cfg: GpuBench, name: str, work: Path, models: Path, rate: float) -> dict[str, Any]:
    _log(f"{name}: building the random-weight shape (once, in {models})")
    model = shapes.ensure(name, models, device=cfg.device)
    here = work / name
    here.mkdir(parents=True, exist_ok=True)
    for f in ("train.jsonl", "eval.jsonl"):
        (here / f).write_bytes((work / f).read_bytes())
    sides = {}
    for side in ("baseline", "studio"):
        _log(f"{name}: {side} ({cfg.steps} steps of {cfg.batch_size} x {cfg.grad_accum})")
        sides[side] = child(spec(cfg, here, model, side), side)
    shape = flops.model_shape(str(model))
    lora = flops.lora_params(sides["studio"]["adapter"])
    out = {k: side_figures(v, shape, lora, rate) for k, v in sides.items()}
    return {"parameters": json.loads((model / shapes.MARKER).read_text())["parameters"],
            "shape": flops.shape_dict(shape), "lora_params": lora,
            "base_loss": round(sides["studio"]["base_loss"], 4),
            **out, **judge(out["baseline"], out["studio"])}


def bench(cfg: GpuBench, work: Path, models: Path = MODELS) -> dict[str, Any]:
    t0 = time.perf_counter()
    train_rows, eval_rows = bench_rows(cfg.steps * cfg.batch_size * cfg.grad_accum, cfg.eval_rows, cfg.seed)
    write_jsonl(work / "train.jsonl", train_rows)
    write_jsonl(work / "eval.jsonl", eval_rows)
    _log(f"measuring the {'GPU bf16' if cfg.device == 'cuda' else 'CPU fp32'} matmul rate")
    rate = matmul_rate(cfg.device)
    results = {name: one_shape(cfg, name, work, models, rate) for name in cfg.shapes}
    target = results.get(cfg.target, {})
    return {"kind": "studio bench --gpu", "dry_run": cfg.dry_run, **machine(cfg.device),
            "matmul_tflops": round(rate / 1e12, 3), "matmul_dtype": "bf16" if cfg.device == "cuda" else "fp32",
            "settings": asdict(cfg), "targets": TARGETS, "target_shape": cfg.target, "shapes": results,
            "targets_met": bool(target) and all(target["met"].values()),
            "seconds": round(time.perf_counter() - t0, 1)}


def machine(device: str) -> dict[str, Any]:
    import importlib.metadata as md

    import torch

    versions = {}
    for pkg in ("torch", "transformers", "peft", "trl", "bitsandbytes", "accelerate", "datasets"):
        try:
            versions[pkg] = md.version(pkg)
        except md.PackageNotFoundError:
            versions[pkg] = None
    gpu = torch.cuda.get_device_name(0) if device == "cuda" else None
    return {"device": device, "gpu": gpu, "cuda": torch.version.cuda, "versions": versions,
            "python": sys.version.split()[0]}


def add_arguments(b) -> None:
    b.add_argument("--gpu", action="store_true", help="QLoRA on CUDA: the engine against plain HF + PEFT + "
                   "bitsandbytes on a 0.5B and a 7B shape (docs/gpu.md)")
    b.add_argument("--dry-run", action="store_true", help="with --gpu: the same steps on the CPU, tiny shape")
    b.add_argument("--models", default=None, help=f"with --gpu: where the shapes are built (default {MODELS})")
    b.add_argument("--out", default=None, help="with --gpu: also write the JSON to this file")


def cmd(args: argparse.Namespace) -> int:
    import torch

    cfg = DRY if args.dry_run else FULL
    if args.steps:
        cfg = replace(cfg, steps=args.steps)
    if not cfg.dry_run and not torch.cuda.is_available():
        print("studio bench --gpu needs CUDA (no GPU found); --dry-run rehearses it on the CPU", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="studio-gpu-bench-") as tmp:
        result = bench(cfg, Path(tmp), Path(args.models) if args.models else MODELS)
    text = json.dumps(result, ensure_ascii=False)
    if args.out:
        Path(args.out).write_text(text + "\n", encoding="utf-8")
    print(text if args.json else summary(result))
    return 0


def summary(result: dict) -> str:
    rate = f"matmul {result['matmul_tflops']} TFLOP/s ({result['matmul_dtype']})"
    lines = [f"{result['device']} {result['gpu'] or ''}: {rate}"]
    for name, r in result["shapes"].items():
        b, s = r["baseline"], r["studio"]
        lines.append(f"{name}: studio {s['real_tokens_per_s']:.0f} vs baseline {b['real_tokens_per_s']:.0f} real "
                     f"tok/s ({r['speedup']:.2f}x), peak {s['peak_mb']:.0f} vs {b['peak_mb']:.0f} MB, final loss "
                     f"{s['final_loss']:.3f} vs {b['final_loss']:.3f}, MFU {s['mfu']:.1%} vs {b['mfu']:.1%}")
    verdict = "not judged (dry run)" if result["dry_run"] else ("met" if result["targets_met"] else "NOT met")
    lines.append(f"targets on {result['target_shape']}: {verdict}")
    return "\n".join(lines)
