"""`studio bench [--quick] [--json]`: measure training, generation and start-up on this machine."""
from __future__ import annotations

import argparse
import json
from dataclasses import replace
from pathlib import Path

from studio.bench import engines, gpu, run, serving
from studio.config import DEFAULT_MODEL


def cmd_bench(args: argparse.Namespace) -> int:
    if args.gpu:  # QLoRA on CUDA against plain HF + PEFT + bitsandbytes (studio/bench/gpu.py)
        return gpu.cmd(args)
    if args.serve:  # studio serve through the openai client (studio/bench/serving.py)
        return serving.cmd(args)
    if args.agreement:  # the two answer engines on a run's held-out prompts (studio/bench/engines.py)
        result = engines.heldout_agreement(args.agreement, args.limit, dtype=args.dtype)
        print(json.dumps(result, ensure_ascii=False) if args.json else _agreement_text(result))
        return 0
    cfg = replace(run.QUICK if args.quick else run.FULL, model=args.model or DEFAULT_MODEL)
    if args.steps:
        cfg = replace(cfg, steps=args.steps)
    if args.profile:
        docs = None if args.no_docs else Path(args.docs or run.PROFILE_DOCS)
        result = run.profile(cfg, docs)
        print(json.dumps(result, ensure_ascii=False) if args.json else (docs or "profiled (nothing written)"))
        return 0
    docs = None if args.no_docs else Path(args.docs or run.DOCS)
    result = run.bench(cfg, docs, "quick" if args.quick else "full")
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
    else:
        _print(result)
    return 0


def _print(result: dict) -> None:
    t, g, a = result["train"], result["generate"], result["app"]
    print(f"training  baseline {t['baseline_tokens_per_s']:.1f} tok/s, studio {t['studio_tokens_per_s']:.1f} "
          f"tok/s ({t['speedup']:.2f}x); held-out loss {t['baseline_final_loss']:.3f} vs "
          f"{t['studio_final_loss']:.3f}; peak {t['baseline_peak_mb']:.0f} vs {t['studio_peak_mb']:.0f} MB")
    m = result.get("mfu", {})
    print(f"generate  first token {g['first_token_s']:.2f} s, {g['tokens_per_s']} tok/s; side by side "
          f"{g['side_by_side_s']:.2f} s vs {g['single_s']:.2f} s alone ({g['ratio']:.2f}x), {g.get('engine', 'torch')}")
    _print_engines(g.get("engines") or {})
    print(f"MFU       training {m.get('studio_train_mfu')} (baseline {m.get('baseline_train_mfu')}), generation "
          f"{m.get('generate_mfu')}; measured bf16 {m.get('bf16_tflops')} TFLOP/s, fp32 {m.get('fp32_tflops')}")
    print(f"app       first page {a['first_page_s']} s (import gradio alone {a.get('gradio_import_s')} s)")


def _agreement_text(r: dict) -> str:
    lines = [(f"{r['same']} of {r['prompts']} held-out answers of {r['run']} are the same on torch {r['torch_dtype']} "
              f"and llama.cpp {r['weights']} ({r['share']:.0%}; seconds {r['seconds']}); {r['meter']}: {r['scores']}")]
    lines += [f"  differs at token {d['token']} of {d['of']}: torch {d['torch']!r}, llama.cpp {d['llama.cpp']!r}, "
              f"torch's top-2 logit gap {d['top2_gap']}" for d in r["differ"]]
    return "\n".join(lines)


def _print_engines(e: dict) -> None:
    for key in ("torch", "llama.cpp"):
        if key in e:
            f = e[key]
            print(f"  {f['engine']:<14} {f['tokens_per_s']} tok/s, first token {f['first_token_s']:.3f} s, "
                  f"base + tuned {f['ratio']:.2f}x one answer")
    for kind, f in (e.get("llama_cpp_itself") or {}).items():
        print(f"  llama.cpp itself {kind} + LoRA: {f['tokens_per_s']} tok/s, first token {f['first_token_s']:.3f} s")
    if e.get("ratios"):
        print(f"  ratios {e['ratios']}; agreement {e.get('agreement')}")


def register(sub) -> None:
    b = sub.add_parser("bench", help="measure training, generation and start-up; write docs/benchmarks.md")
    b.add_argument("--quick", action="store_true", help="a short run (a few minutes), its own docs section")
    b.add_argument("--json", action="store_true", help="print one JSON object with every figure")
    b.add_argument("--model", default=None, help=f"default {DEFAULT_MODEL}")
    b.add_argument("--steps", type=int, default=None, help="optimizer steps per training side")
    b.add_argument("--profile", action="store_true",
                   help="profile one training step and one decode step by operator; write docs/profile.md")
    b.add_argument("--docs", default=None, help="the markdown file to write (default docs/benchmarks.md, "
                   "or docs/profile.md with --profile)")
    b.add_argument("--no-docs", action="store_true", help="measure only; write nothing")
    b.add_argument("--serve", action="store_true", help="studio serve through the openai client on 127.0.0.1: one "
                   "stream against Compare's one answer, four streams at once against one; its own docs section")
    b.add_argument("--agreement", metavar="RUN_ID", default=None, help="greedy answers of torch and llama.cpp on "
                   "the run's held-out prompts, as Evaluate asks them: the share that agree, and where the others part")
    b.add_argument("--limit", type=int, default=60, help="--agreement: held-out prompts at most")
    b.add_argument("--dtype", choices=["auto", "fp32"], default="auto", help="--agreement: the torch side's dtype "
                   "(auto: the answer path's, bf16 on this CPU; fp32: torch in fp32 against an f32 GGUF)")
    gpu.add_arguments(b)  # --gpu, --dry-run, --models, --out (studio/bench/gpu.py)
    b.set_defaults(func=cmd_bench)
