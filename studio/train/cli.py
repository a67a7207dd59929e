"""`studio train | runs | stop | resume`."""
from __future__ import annotations

import argparse
import json
import shlex
import sys

from studio import presets, runs
from studio.config import DEFAULT_MODEL, SETTINGS, ConfigError, RunConfig, check, get
from studio.data.choice import mapping_text, parse_mapping
from studio.text import Said
from studio.train import launch, recipe, runner
from studio.train.runner import recover_all, resume, stop, wait


class FlagError(Said, argparse.ArgumentTypeError):
    """A flag's value the train commands cannot read: argparse says it (an ArgumentTypeError), in English; the
    catalogue can say it in Japanese too."""


def _bool(text: str) -> bool:
    low = text.strip().lower()
    if low in ("true", "yes", "on", "1"):
        return True
    if low in ("false", "no", "off", "0"):
        return False
    raise FlagError("err_flag_bool", text=text)


def _add_setting_flags(parser: argparse.ArgumentParser) -> None:
    """One flag per row of config.SETTINGS, with its help and what it allows."""
    group = parser.add_argument_group("settings (default: suggested from model and data size, then the preset)")
    for s in SETTINGS:
        kind = _bool if s.kind is bool else s.kind
        metavar = None if s.choices else {int: "N", float: "X", bool: "BOOL"}.get(s.kind, "TEXT")
        bare = {"nargs": "?", "const": True} if s.kind is bool else {}  # `--padding-free` alone means true
        group.add_argument(s.cli_flag, dest=s.name, type=kind, default=None, metavar=metavar,
                           choices=s.choices or None, help=f"{s.help} [{s.rule()}]", **bare)


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
    cfg = config_from_args(args)
    if args.plan:
        return _print_plan(cfg, args.json)
    if args.print_launch:
        return _print_launch(cfg, args.nodes, args.gpus or runner.processes_for(cfg))
    run = runner.start(cfg)
    if args.detach:
        return _finish(run, run.status(), args.json)
    return _finish(run, _follow(run, args.json), args.json)


def config_from_args(args: argparse.Namespace) -> RunConfig:
    """The RunConfig `studio train` runs for these flags: the one reading of a shell line (the Train step's
    line is checked against it)."""
    if args.same_time_as:
        cfg = runner.same_time(args.same_time_as, settings_from(args))
        print(f"SFT from {cfg.train.start_from} for the {cfg.train.max_seconds:g} s of training of {args.same_time_as}",
              file=sys.stderr)
    elif args.votes:
        cfg, n = recipe.from_votes(args.votes, settings_from(args))
        print(f"{n} preference pairs from the votes on {args.votes} -> {cfg.data.train_path}", file=sys.stderr)
    else:
        model = args.model or _preset_model(args.preset) or DEFAULT_MODEL
        cfg = recipe.build(model, preset=args.preset, train_path=args.data, eval_path=args.eval_data,
                           mapping=parse_mapping(args.map), overrides=settings_from(args))
    if args.system:
        cfg.data.system_prompt = args.system
    return cfg


def command_for(cfg: RunConfig) -> str:
    """The `studio train` line that makes this config, as LlamaBoard shows one: the data flags, then each
    setting the CLI would not arrive at by itself. Found to a fixed point, since a flag moves the defaults of
    others (--lora-r sets alpha to 2 x r, --method the learning rate): the line rebuilds cfg exactly."""
    d = cfg.data
    words = ["studio", "train", "--model", cfg.model.name]
    words += ["--preset", d.preset] if d.preset else ["--data", str(d.train_path)]
    words += ["--eval-data", d.eval_path] if d.eval_path else []
    words += ["--map", mapping_text(d.mapping)] if d.mapping else []
    given: dict = {"method": cfg.train.method} if cfg.train.method != "sft" else {}
    for _ in range(len(SETTINGS)):
        shell = recipe.build(cfg.model.name, preset=d.preset, train_path=d.train_path, eval_path=d.eval_path,
                             mapping=d.mapping, overrides=given)
        missing = {s.name: get(cfg, s.name) for s in SETTINGS
                   if s.name not in given and get(cfg, s.name) != get(shell, s.name)}
        if not missing:
            break
        given.update(missing)
    for s in SETTINGS:  # in the table's order, so the line reads the same way every time
        if s.name in given:
            words += [s.cli_flag, _word(given[s.name])]
    if d.system_prompt and d.system_prompt != shell.data.system_prompt:
        words += ["--system", d.system_prompt]
    return " ".join(shlex.quote(w) for w in words)


def _word(value) -> str:
    """A setting's value as the CLI parses it back to the same value (floats: the shortest exact form)."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float):
        short = f"{value:g}"
        return short if float(short) == value else repr(value)
    return str(value)


def settings_from(args: argparse.Namespace) -> dict:
    """The settings the user gave as flags (None: not given, the suggestion stands)."""
    return {s.name: getattr(args, s.name) for s in SETTINGS}


def _print_plan(cfg, as_json: bool) -> int:
    """What `studio train` would do, as the Train step shows it; nothing starts."""
    problems = check(cfg)
    if problems:
        raise ConfigError.of(problems)
    p = recipe.plan(cfg)
    if as_json:
        print(json.dumps({"adapter": p.adapter, "objective": p.objective, "device": p.device.kind, "rows": p.rows,
                          "held_out": p.held_out, "steps": p.steps,
                          "epochs": p.epochs, "minutes": round(p.seconds / 60, 1),
                          "tokens_per_s": round(p.tokens_per_s), "fits": p.fit.fits if p.fit else None,
                          "strategy": p.strategy, "spread": p.spread.strategy if p.spread else None}))
        return 0
    print("\n".join(line.replace("**", "") for line in p.say("en")))
    return 0


def _print_launch(cfg, nodes: int, gpus: int) -> int:
    """Make the run folder (config.yaml, accelerate.yaml for nodes x gpus) and print the command for each
    machine; nothing starts here."""
    if nodes < 1 or gpus < 1:
        raise ConfigError("err_launch_size", nodes=nodes, gpus=gpus)
    run, strategy = runner.prepare(cfg, nodes, gpus)
    print(f"# run {run.id}: {strategy.upper()} on {nodes} machine(s) x {gpus} GPU(s), "
          f"config {run.path / launch.CONFIG}")
    if nodes > 1:
        print("# the run folder must be at this same path on every machine (a shared disk, or copied);\n"
              "# HEAD: machine 0's address as the others reach it; run each line on its machine:")
    print("\n".join(launch.node_commands(run, nodes)))
    return 0


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
        rows.append({"id": run.id, "preset": cfg.data.preset, "model": cfg.model.name, "method": cfg.train.method,
                     "from": cfg.train.start_from, "state": st.state,
                     "step": st.step, "total_steps": st.total_steps, "reason": st.reason,
                     "warning": runs.say(st.warning), "rows": st.rows,
                     **runs.final_losses(run)})
    if args.json:
        print(json.dumps(rows, ensure_ascii=False))
        return 0
    for r in rows:
        print(f"{r['id']:48} {r['state']:9} {r.get('step', 0):>5}/{r.get('total_steps', 0):<5} "
              f"loss {r.get('loss') or '-'}" + (f"  warning: {r['warning']}" if r.get("warning") else ""))
    return 0


def cmd_stop(args: argparse.Namespace) -> int:
    st = stop(args.id)
    print(f"{args.id}: {st.state}")
    return 0


def cmd_resume(args: argparse.Namespace) -> int:
    run = resume(args.id, args.step)
    if run.id != args.id and not args.json:
        print(f"{run.id}: continues {args.id} from its checkpoint at step {args.step}")
    if args.detach:
        return _finish(run, run.status(), args.json)
    return _finish(run, _follow(run, args.json), args.json)


def register(sub) -> None:
    t = sub.add_parser("train", help="train an adapter (foreground, with a progress bar)")
    src = t.add_mutually_exclusive_group(required=True)
    src.add_argument("--preset", help="a preset's training rows (see `studio presets`)")
    src.add_argument("--data", help="a training file (.jsonl .json .csv .tsv .parquet .txt .md; preference "
                     "pairs or labelled answers with --method dpo/kto)")
    src.add_argument("--votes", metavar="RUN_ID", help="DPO on the blind-test votes cast on that run, starting "
                     "from its adapter (see Compare's blind test)")
    src.add_argument("--same-time-as", metavar="GRPO_RUN", help="SFT continued from that GRPO run's parent, on the "
                     "parent's data and settings, for the seconds the GRPO run trained: did RL beat simply training "
                     "longer? (Evaluate's same-time column)")
    t.add_argument("--eval-data", help="held-out rows (default: a share of --data, see --eval-fraction)")
    t.add_argument("--model", help=f"default: the preset's model, else {DEFAULT_MODEL}")
    t.add_argument("--system", help="a system prompt added to every training row")
    t.add_argument("--map", metavar="FIELD=COLUMN,...", help="read --data's columns as these fields, as the Data "
                   "step's column mapping does (e.g. prompt=ask,response=reply)")
    _add_setting_flags(t)
    t.add_argument("--plan", action="store_true",
                   help="print the plan (method, steps, rough time, memory fit) and start nothing")
    t.add_argument("--print-launch", action="store_true",
                   help="make the run folder with its accelerate.yaml and print the `accelerate launch` command for "
                        "each machine (--nodes x --gpus); start nothing")
    t.add_argument("--nodes", type=int, default=1, metavar="N", help="--print-launch: machines (default 1)")
    t.add_argument("--gpus", type=int, default=0, metavar="G",
                   help="--print-launch: GPUs per machine (default: --processes, else the GPUs found here)")
    t.add_argument("--detach", action="store_true", help="return at once; the run goes on")
    t.add_argument("--json", action="store_true", help="one JSON object at the end (or the plan)")
    t.set_defaults(func=cmd_train)
    r = sub.add_parser("runs", help="list runs")
    r.add_argument("--json", action="store_true", help="one JSON list")
    r.set_defaults(func=cmd_runs)
    s = sub.add_parser("stop", help="stop a run cleanly (saves the adapter)")
    s.add_argument("id")
    s.set_defaults(func=cmd_stop)
    u = sub.add_parser("resume", help="resume a stopped or failed run from its last checkpoint")
    u.add_argument("id")
    u.add_argument("--step", type=int, help="continue from the checkpoint at this step instead, in a new run "
                   "(the original keeps its later checkpoints); works for finished runs too")
    u.add_argument("--detach", action="store_true")
    u.add_argument("--json", action="store_true", help="one JSON object at the end")
    u.set_defaults(func=cmd_resume)
