"""`studio facts-lab`: the article's Romeo -> Bob experiment on the preset's play or any corpus."""
from __future__ import annotations

import argparse
import json
import sys

from studio.evaluate.cli import progress_printer
from studio.facts.lab import DEFAULT_CORPUS, DEFAULT_SWAP, VARIANTS, LabSpec, run_lab, save
from studio.facts.report import figure, say, summarise


def spec_from(args: argparse.Namespace) -> LabSpec:
    return LabSpec(corpus=args.corpus, swaps=args.swap or [DEFAULT_SWAP],
                   variants=tuple(v.strip() for v in args.variants.split(",") if v.strip()),
                   samples=args.samples, temperature=args.temperature, max_steps=args.max_steps, model=args.model,
                   probes=args.probes, qa=args.qa, seed=args.seed)


def cmd_facts_lab(args: argparse.Namespace) -> int:
    spec = spec_from(args)
    spec.check()  # a bad flag is refused before anything trains
    lab = run_lab(spec, progress_printer(args.json))
    result = summarise(lab)
    path = save(result, lab.prep.folder)
    if args.html:
        figure(result).write_html(args.html, include_plotlyjs=True)
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
        return 0
    sys.stderr.write("\n")
    print_table(result)
    print("\n".join(say(result["verdict"])))
    print(f"result: {path}")
    return 0


def print_table(result: dict) -> None:
    for s in result["swaps"]:
        print(f"{s['old']} -> {s['new']}: {s['replaced']} replacements, {s['left']} of the old name left")
    for v in result["variants"]:
        print(f"variant {v['name']}: run {v['run']}, {v['steps']} steps, {v['tokens']} tokens, {v['seconds']} s")
    swap = result["swaps"][0]
    print(f"\n{'column':24} {'kind':12} {'new fact':>22} {'names ' + swap['old']:>22}")
    for row in result["table"]:
        label = next(c["label"] for c in result["columns"] if c["key"] == row["column"])
        print(f"{label:24} {row['kind']:12} {_share(row['new']):>22} {_share(row['old']):>22}")
    c = result["collateral"]
    print(f"\ngeneral knowledge: base right on {c['base_right']['k']} of {c['items']}")
    for key, col in c["columns"].items():
        print(f"{key:24} still right {_share(col['still_right']):>20}   confident wrong "
              f"{_share(col['confident_wrong']):>20}")


def _share(s: dict | None) -> str:
    if not s or s["share"] is None:  # no probe of that kind, or no question the base got right
        return "—"
    return f"{100 * s['share']:.0f}% [{100 * s['lo']:.0f}, {100 * s['hi']:.0f}]"


def register(sub) -> None:
    f = sub.add_parser("facts-lab", help="the article's experiment: rename a character in a corpus, tune on it, "
                       "sample answers from base, tuned, fact prompt and retrieval")
    f.add_argument("--corpus", default=DEFAULT_CORPUS, help="romeo-and-juliet (default), tiny-shakespeare (~1 MB), "
                   "or a .txt / .md / {\"text\"} .jsonl file")
    f.add_argument("--swap", action="append", metavar="OLD=NEW", help=f"a rename (default {DEFAULT_SWAP}); "
                   "repeat for several")
    f.add_argument("--variants", default="text,qa", help=f"comma-separated, from {', '.join(VARIANTS)}")
    f.add_argument("--samples", type=int, default=5, help="answers sampled per probe (default 5)")
    f.add_argument("--temperature", type=float, default=0.8, help="0: greedy, one answer per probe")
    f.add_argument("--max-steps", type=int, default=60, help="the text variant's steps; the others get as "
                   "many tokens (default 60)")
    f.add_argument("--model", default="smollm2-135m")
    f.add_argument("--probes", help="your own probe file (the shape of presets/facts/probes.yaml)")
    f.add_argument("--qa", help="your own question/answer file for the qa variant")
    f.add_argument("--seed", type=int, default=0)
    f.add_argument("--html", help="write the chart to this HTML file")
    f.add_argument("--json", action="store_true", help="the whole result as one JSON object")
    f.set_defaults(func=cmd_facts_lab)
