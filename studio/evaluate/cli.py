"""`studio eval | advise | pairs | judge | timeline`: measure what tuning changed, and whether to tune."""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from studio import presets
from studio.data.validate import validate_file
from studio.evaluate import EvalError, judge
from studio.evaluate.advisor import advise
from studio.evaluate.meters import format_measure, primary_label
from studio.evaluate.pairs import meter_pairs
from studio.evaluate.run_eval import evaluate_run
from studio.evaluate.timeline import best, checkpoint_timeline, to_dicts


def progress_printer(quiet: bool):
    """A one-line progress printer on stderr (stdout stays clean for --json)."""
    if quiet:
        return None

    def show(share: float, what: str) -> None:
        sys.stderr.write(f"\r{100 * share:5.1f}%  {what[:70]:70}")
        sys.stderr.flush()
        if share >= 1:
            sys.stderr.write("\n")

    return show


def _limit(value: int) -> int:
    if not 1 <= value <= 10_000:
        raise EvalError("err_flag_range", flag="--limit", low=1, high=10_000)
    return value


def _fmt(value: float | None, key: str, n: float | None = None) -> str:
    if value is None:
        return "-"
    shares = ("eval_loss", "perplexity", "n", "scored", "mean_chars", "mean_matches", "distinct_markers",
              "marker_density", "unanswered")
    return f"{value:.3f}" if key in shares else format_measure(key, value, n) if n else f"{100 * value:.1f}%"


def cmd_eval(args: argparse.Namespace) -> int:
    columns = [c.strip() for c in args.columns.split(",") if c.strip()]
    result = evaluate_run(args.run, _limit(args.limit), columns, meter=args.meter,
                          progress=progress_printer(args.json))
    if args.json:
        out = {"run": result.run, "kind": result.kind, "meters": result.meters}
        print(json.dumps(out, ensure_ascii=False))
        return 0
    print(f"{result.run}: {result.kind}, meter {result.meter} ({primary_label(result.meter)}), "
          f"{result.n} eval rows, {result.seconds:.0f} s")
    keys = list(dict.fromkeys(k for m in result.meters.values() for k in m))
    cols = list(result.meters)
    print(f"{'':18}" + "".join(f"{c:>22}" for c in cols))
    for key in keys:  # shares of rows with their 95% intervals
        print(f"{key:18}" + "".join(f"{_fmt(result.meters[c].get(key), key, result.meters[c].get('n') or result.n):>22}"
                                    for c in cols))
    delta = result.delta()
    if delta is not None:
        print(f"primary base -> tuned: {100 * delta:+.1f} points")
    return 0


def _rows_and_goal(args: argparse.Namespace) -> tuple[list[dict], str | None]:
    if args.preset:
        p = presets.load(args.preset)
        return p.train_rows(), args.goal or p.goal.get(p.language) or p.goal.get("en")

    report = validate_file(args.data)
    if not report.usable:
        first = report.errors[0] if report.errors else None
        raise ValueError(f"{args.data} has no usable row" + (f": {first.message}" if first else ""))
    return report.usable, args.goal


def cmd_advise(args: argparse.Namespace) -> int:
    rows, goal = _rows_and_goal(args)
    advice = advise(rows, goal)
    if args.json:
        print(json.dumps(advice.to_dict(), ensure_ascii=False))
        return 0
    print(f"verdict: {advice.verdict} (confidence {advice.confidence:.0%}) -> open the "
          f"'{advice.column}' column in Compare")
    for reason in advice.reasons:
        print(f"  - {reason}")
    print("signals: " + ", ".join(f"{k}={v:g}" for k, v in advice.signals.items()))
    return 0


def _write_html(fig, path: str | None) -> None:
    if path and fig is not None:
        fig.write_html(path, include_plotlyjs="cdn")
        print(f"chart written to {path}", file=sys.stderr)


def cmd_timeline(args: argparse.Namespace) -> int:
    points, fig = checkpoint_timeline(args.run, _limit(args.limit), meter=args.meter,
                                      progress=progress_printer(args.json))
    _write_html(fig, args.html)
    top = best(points)
    if args.json:
        print(json.dumps({"run": args.run, "best": top.checkpoint if top else None,
                          "points": to_dicts(points)}, ensure_ascii=False))
        return 0
    for p in points:
        mark = "  <- best by the meter" if p is top else ""
        print(f"{p.checkpoint:18} step {p.step:>5}  meter {100 * p.meter:5.1f}%  "
              f"loss {_fmt(p.eval_loss, 'eval_loss')}{mark}")
    return 0


def cmd_pairs(args: argparse.Namespace) -> int:
    result = meter_pairs(args.run, k=args.k, limit=_limit(args.limit), temperature=args.temperature,
                         seed=args.seed, out=Path(args.out) if args.out else None, progress=progress_printer(args.json))
    summary = {"file": str(result.path), "meter": result.meter, "prompts": result.prompts, "pairs": result.pairs,
               "mean_best": result.mean_best, "mean_worst": result.mean_worst}
    if args.json:
        print(json.dumps(summary))
        return 0
    print(f"{result.pairs} pairs from {result.prompts} prompts ({args.k} answers each, meter {result.meter}): "
          f"best {result.mean_best:.3f} vs worst {result.mean_worst:.3f} -> {result.path}")
    print(f"train on them: studio train --method dpo --data {result.path} --from {args.run}")
    return 0 if result.pairs else 2


def register(sub) -> None:
    e = sub.add_parser("eval", help="score a run's base and tuned model on its eval rows")
    e.add_argument("--run", required=True)
    e.add_argument("--limit", type=int, default=50, help="eval rows to answer (default 50)")
    e.add_argument("--columns", default="base,tuned", help="Compare columns: base,tuned,parent,prompt,fewshot,rag,"
                   "sametime (a GRPO run's same-time SFT continuation), endpoint (the current endpoint) or "
                   "endpoint@NAME")
    e.add_argument("--meter", help="override the preset's meter (an id, or regex:PATTERN)")
    e.add_argument("--json", action="store_true")
    e.set_defaults(func=cmd_eval)
    a = sub.add_parser("advise", help="fine-tune, or prompt / few-shot / RAG? (form vs facts)")
    src = a.add_mutually_exclusive_group(required=True)
    src.add_argument("--preset")
    src.add_argument("--data", help="a dataset file (.jsonl, .json, .csv, .tsv, .parquet)")
    a.add_argument("--goal", help="what you want the model to do, in your words")
    a.add_argument("--json", action="store_true")
    a.set_defaults(func=cmd_advise)
    p = sub.add_parser("pairs", help="preference pairs made by the task meter: sample k answers per training "
                       "prompt, pair the best against the worst (for `studio train --method dpo`)")
    p.add_argument("--run", required=True, help="a finished run: its adapter answers, its meter scores")
    p.add_argument("--k", type=int, default=4, help="answers sampled per prompt (2..16, default 4)")
    p.add_argument("--limit", type=int, default=64, help="training prompts to use (default 64)")
    p.add_argument("--temperature", type=float, default=0.9)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", help="the JSONL to write (default: the datasets folder, pairs-RUN.jsonl)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_pairs)
    _add_judge(sub)
    t = sub.add_parser("timeline", help="score every saved checkpoint of a run by its meter")
    t.add_argument("--run", required=True)
    t.add_argument("--limit", type=int, default=12, help="eval rows per checkpoint (default 12)")
    t.add_argument("--meter", help="override the preset's meter")
    t.add_argument("--html", help="write the chart to this HTML file")
    t.add_argument("--json", action="store_true")
    t.set_defaults(func=cmd_timeline)


def cmd_judge(args: argparse.Namespace) -> int:
    template = Path(args.prompt_file).read_text(encoding="utf-8") if args.prompt_file else judge.DEFAULT_PROMPT
    found = judge.judge_votes(args.run, args.endpoint, template, progress=progress_printer(False))
    print(judge.say_report(found).replace("**", ""))
    if args.accept:
        judge.accept(args.run, args.endpoint, template)
        print(f"accepted for run {args.run}: Batch may measure with it, and `--dpo` writes its votes as DPO pairs")
    if args.dpo:
        path, n = judge.judge_pairs_file(args.run)
        print(f"wrote {n} DPO pairs from the judge's votes to {path}")
    return 0


def _add_judge(sub) -> None:
    j = sub.add_parser("judge", help="an endpoint votes on the blind-test pairs you voted on; its agreement with "
                       "you (share and Cohen's kappa, 95%% intervals)")
    j.add_argument("--run", required=True, help="the run whose blind-test votes the judge answers")
    j.add_argument("--endpoint", default=None, metavar="NAME", help="a saved endpoint (default: the current one)")
    j.add_argument("--prompt-file", default=None, help="the judge prompt, holding {prompt}, {a} and {b} "
                   "(default: the studio's)")
    j.add_argument("--accept", action="store_true", help="trust this judge for the run (needs "
                   f"{judge.MIN_VOTES} decided votes)")
    j.add_argument("--dpo", action="store_true", help="write the accepted judge's votes as DPO pairs")
    j.set_defaults(func=cmd_judge)
