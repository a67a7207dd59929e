"""`studio train | runs | stop | resume`."""
from __future__ import annotations

import argparse
import json
import sys

from studio import presets, runs
from studio.config import DEFAULT_MODEL
from studio.train import recipe, runner
from studio.train.runner import recover_all, resume, stop, wait

FLAGS = [  # (flag, setting, type): each maps onto the RunConfig through recipe.apply
    ("--epochs", "epochs", float), ("--max-steps", "max_steps", int), ("--lr", "learning_rate", float),
    ("--batch-size", "batch_size", int), ("--grad-accum", "grad_accum", int),
    ("--lora-r", "lora_r", int), ("--lora-alpha", "lora_alpha", float),
    ("--lora-dropout", "lora_dropout", float), ("--max-length", "max_length", int),
    ("--quant", "quant", str), ("--dtype", "dtype", str), ("--device", "device", str),
    ("--processes", "processes", int), ("--seed", "seed", int), ("--max-rows", "max_rows", int),
    ("--save-steps", "save_steps", int),
]


def _follow(run, as_json: bool):
    from tqdm import tqdm

    bar = None if as_json else tqdm(total=1, unit="step", desc=run.id, file=sys.stderr)

    def update(st):
        if bar is None:
            return
        bar.total = max(1, st.total_steps)
        bar.n = st.step
        bar.set_postfix_str(st.state)
        bar.refresh()

    st = wait(run, update)
    if bar:
        bar.close()
    return st


def _finish(run, st, as_json: bool) -> int:
    if as_json:
        print(json.dumps({"id": run.id, "state": st.state, "reason": st.reason, "step": st.step}))
    else:
        print(f"{run.id}: {st.state}{' — ' + st.reason if st.reason else ''}")
    return 0 if st.state in ("done", "stopped", "queued", "running") else 1


def cmd_train(args: argparse.Namespace) -> int:
    overrides = {setting: getattr(args, setting) for _, setting, _ in FLAGS}
    model = args.model or _preset_model(args.preset) or DEFAULT_MODEL
    cfg = recipe.build(model, preset=args.preset, train_path=args.data, eval_path=args.eval_data,
                       overrides=overrides)
    if args.system:
        cfg.data.system_prompt = args.system
    run = runner.start(cfg)
    if args.detach:
        return _finish(run, run.status(), args.json)
    return _finish(run, _follow(run, args.json), args.json)


def _preset_model(preset: str | None) -> str | None:
    if not preset:
        return None

    return presets.load(preset).model


def cmd_runs(args: argparse.Namespace) -> int:
    rows = []
    for run in recover_all():
        try:
            cfg = run.config()
        except Exception:  # noqa: BLE001 - an unreadable config must not hide the other runs
            rows.append({"id": run.id, "state": "unreadable", "preset": None, "model": None})
            continue
        st = run.status()
        rows.append({"id": run.id, "preset": cfg.data.preset, "model": cfg.model.name, "state": st.state,
                     "step": st.step, "total_steps": st.total_steps, "reason": st.reason,
                     **runs.final_losses(run)})
    if args.json:
        print(json.dumps(rows, ensure_ascii=False))
        return 0
    for r in rows:
        print(f"{r['id']:48} {r['state']:9} {r.get('step', 0):>5}/{r.get('total_steps', 0):<5} "
              f"loss {r.get('loss') or '-'}")
    return 0


def cmd_stop(args: argparse.Namespace) -> int:
    st = stop(args.id)
    print(f"{args.id}: {st.state}")
    return 0


def cmd_resume(args: argparse.Namespace) -> int:
    run = resume(args.id)
    if args.detach:
        return _finish(run, run.status(), args.json)
    return _finish(run, _follow(run, args.json), args.json)


def register(sub) -> None:
    t = sub.add_parser("train", help="train an adapter (foreground, with a progress bar)")
    src = t.add_mutually_exclusive_group(required=True)
    src.add_argument("--preset")
    src.add_argument("--data", help="a training file (.jsonl, .json, .csv, .tsv, .parquet)")
    t.add_argument("--eval-data")
    t.add_argument("--model", help=f"default: the preset's model, else {DEFAULT_MODEL}")
    t.add_argument("--system", help="a system prompt added to every training row")
    for flag, setting, typ in FLAGS:
        t.add_argument(flag, dest=setting, type=typ, default=None)
    t.add_argument("--detach", action="store_true", help="return at once; the run goes on")
    t.add_argument("--json", action="store_true")
    t.set_defaults(func=cmd_train)
    r = sub.add_parser("runs", help="list runs")
    r.add_argument("--json", action="store_true")
    r.set_defaults(func=cmd_runs)
    s = sub.add_parser("stop", help="stop a run cleanly (saves the adapter)")
    s.add_argument("id")
    s.set_defaults(func=cmd_stop)
    u = sub.add_parser("resume", help="resume a stopped or failed run from its last checkpoint")
    u.add_argument("id")
    u.add_argument("--detach", action="store_true")
    u.add_argument("--json", action="store_true")
    u.set_defaults(func=cmd_resume)
