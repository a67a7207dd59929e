"""`studio engine`: which engine answers here and why (status), and the GGUF files llama.cpp answers from,
made ahead of the first answer (prepare RUN_ID or MODEL)."""
from __future__ import annotations

import argparse
import importlib.metadata as md
import json
import time

from studio import runs
from studio.engine import ENGINES, choose, weights
from studio.engine.llama import threads


def cmd_status(args: argparse.Namespace) -> int:
    adapters = [str(runs.get(args.run).adapter_dir)] if args.run else []
    model = runs.get(args.run).config().model.name if args.run else args.model
    picked = choose.choose(model, adapters, asked=args.engine)
    try:
        version = md.version("llama-cpp-python")
    except md.PackageNotFoundError:
        version = None
    out = {"asked": choose.preference(args.engine), "engine": picked.engine, "label": picked.label,
           "why": picked.why, "llama_cpp_python": version, "threads": threads(), "model": model}
    if args.json:
        print(json.dumps(out))
    else:
        print("\n".join(f"{k:<18} {v}" for k, v in out.items() if v not in (None, "")))
    return 0


def cmd_prepare(args: argparse.Namespace) -> int:
    """The base GGUF (and the run's LoRA GGUF), written now rather than at the first answer."""
    run = runs.get(args.target) if _is_run(args.target) else None
    model = run.config().model.name if run else args.target
    start = time.perf_counter()
    files = {"base": str(weights.base_gguf(model, args.weights))}
    if run:
        files["adapter"] = str(weights.adapter_gguf(run.adapter_dir, model))
    files["seconds"] = round(time.perf_counter() - start, 1)
    print(json.dumps(files) if args.json else "\n".join(f"{k:<8} {v}" for k, v in files.items()))
    return 0


def _is_run(target: str) -> bool:
    try:
        return runs.get(target).adapter_dir.is_dir()
    except (ValueError, OSError, KeyError):
        return False


def register(sub) -> None:
    e = sub.add_parser("engine", help="the answer engine: llama.cpp on the CPU or torch (status, prepare)")
    esub = e.add_subparsers(dest="engine_cmd", required=True)
    s = esub.add_parser("status", help="which engine would answer here, and why")
    s.add_argument("--model", default="smollm2-135m")
    s.add_argument("--run", help="a run: its base and adapter")
    s.add_argument("--engine", choices=ENGINES, help="as asked (default: $STUDIO_ENGINE, else auto)")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_status)
    p = esub.add_parser("prepare", help="write the GGUF files llama.cpp answers from (a run: its adapter too)")
    p.add_argument("target", help="a run id or a model")
    p.add_argument("--weights", default="f16", choices=weights.BASE_TYPES,
                   help="the base's weights (f16 by default; q8_0 is faster and 8-bit)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_prepare)
