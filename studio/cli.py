"""`studio ...`: every step of the studio without the UI, on the same code paths.
Each command module registers its sub-parsers; handlers return the exit code. One policy for every command:
an error a user can fix prints one redacted line and exits 2, a fault one line and exits 1, never a
traceback."""
from __future__ import annotations

import argparse
import json
import sys

from studio import chat, presets
from studio.bench import cli as bench_cli
from studio.compare import cli as compare_cli
from studio.config import DEFAULT_MODEL
from studio.data import cli as data_cli
from studio.endpoints import cli as endpoints_cli
from studio.engine import cli as engine_cli
from studio.evaluate import cli as evaluate_cli
from studio.export import cli as export_cli
from studio.facts import cli as facts_cli
from studio.models import cli as models_cli
from studio.redact import redact
from studio.rewards import cli as rewards_cli
from studio.serve import cli as serve_cli
from studio.train import cli as train_cli
from studio.train import plain_log
from studio.ui import cli as ui_cli

# Each package adds its own commands with register(sub); named here so a renamed module fails loudly.
PACKAGE_CLIS = [models_cli, endpoints_cli, engine_cli, data_cli, train_cli, compare_cli, evaluate_cli, facts_cli,
                export_cli, bench_cli, serve_cli, rewards_cli, ui_cli]


def cmd_chat(args: argparse.Namespace) -> int:
    messages = chat.messages_for(args.prompt, args.system)
    # checked before the model loads: a bad setting is refused at once, not after a minute of loading
    settings = chat.GenSettings(max_new_tokens=args.max_new_tokens, temperature=args.temperature)
    model = chat.get_chat_model(args.model, trust_remote_code=args.trust_remote_code)
    if args.json:
        text = model.generate(messages, settings)
        engine = model.last_engine.label if model.last_engine else None
        print(json.dumps({"model": args.model, "prompt": args.prompt, "text": text, "engine": engine},
                         ensure_ascii=False))
        return 0
    shown = ""
    for text in model.stream(messages, settings):
        sys.stdout.write(text[len(shown):] if text.startswith(shown) else "\n" + text)
        sys.stdout.flush()
        shown = text
    print()
    return 0


def cmd_presets(args: argparse.Namespace) -> int:
    rows = [{"name": p.name, "title": p.label(), "task": p.task, "meter": p.meter, "model": p.model,
             "language": p.language, "train_rows": len(p.train_rows()), "eval_rows": len(p.eval_rows())}
            for p in presets.all_presets()]
    if args.json:
        print(json.dumps(rows, ensure_ascii=False))
        return 0
    for r in rows:
        print(f"{r['name']:12} {r['task']:9} {r['model']:14} {r['train_rows']:>5} train {r['eval_rows']:>4} eval"
              f"  {r['title']}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="studio", description="Katachi Studio: tune for form, see what changed.")
    sub = p.add_subparsers(dest="command", required=True)
    ps = sub.add_parser("presets", help="list the dataset presets")
    ps.add_argument("--json", action="store_true")
    ps.set_defaults(func=cmd_presets)
    c = sub.add_parser("chat", help="ask a model one question")
    c.add_argument("prompt")
    c.add_argument("--model", default=DEFAULT_MODEL)
    c.add_argument("--system", default=None)
    c.add_argument("--max-new-tokens", type=int, default=128)
    c.add_argument("--temperature", type=float, default=0.0)
    c.add_argument("--trust-remote-code", action="store_true")
    c.add_argument("--json", action="store_true")
    c.set_defaults(func=cmd_chat)
    for package_cli in PACKAGE_CLIS:
        package_cli.register(sub)
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    # bitsandbytes, imported with peft, logs that a Hub kernel it looked for is not trusted, and suggests
    # trust_remote_code=True: the app and the commands say the plain fact instead (studio.train.plain_log)
    plain_log.install(None)
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except (ValueError, OSError, KeyError) as e:  # what the user can fix: a value, a file, a name
        print(f"error: {one_line(e)}", file=sys.stderr)
        return 2
    except Exception as e:  # noqa: BLE001 - a fault (the studio's or a library's): one line, never a traceback
        print(f"error: {type(e).__name__}: {one_line(e)}", file=sys.stderr)
        return 1


def one_line(e: BaseException) -> str:
    text = redact(str(e)).strip().splitlines()
    msg = text[0] if text else type(e).__name__
    return msg.strip("'\"") if isinstance(e, KeyError) else msg


if __name__ == "__main__":
    sys.exit(main())
