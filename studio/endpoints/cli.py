"""`studio endpoints ...`: name an OpenAI-compatible endpoint once (URL, model, the variable holding its key),
test it with a one-token call, list and remove them. The key itself is never an argument: it would sit in the
shell's history and the process list."""
from __future__ import annotations

import argparse
import json

from studio.endpoints import client, store
from studio.endpoints.store import DEFAULT_TIMEOUT, Endpoint

KEY_WORDS = {"none": "no key", "set": "key in ${env}", "missing": "key in ${env}: NOT SET"}


def cmd_add(args: argparse.Namespace) -> int:
    endpoint = store.add(Endpoint(args.name, args.url, args.model, args.key_env, args.timeout), replace=args.replace)
    print(f"saved endpoint {endpoint.name}: {endpoint.model} at {endpoint.url} ({_key(endpoint)}); "
          f"test it with `studio endpoints test {endpoint.name}`")
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    saved, picked = store.all_endpoints(), store.current()
    if args.json:
        print(json.dumps([{"name": e.name, "url": e.url, "model": e.model, "key_env": e.key_env,
                           "key": e.key_state(), "timeout": e.timeout, "current": e.name == picked}
                          for e in saved], ensure_ascii=False))
        return 0
    if not saved:
        print("no endpoints: add one with `studio endpoints add NAME --url URL --model MODEL [--key-env VAR]`")
    for e in saved:
        mark = "*" if e.name == picked else " "
        print(f"{mark} {e.name:16} {e.model:28} {e.url}  ({_key(e)}, timeout {e.timeout:g} s)")
    return 0


def cmd_test(args: argparse.Namespace) -> int:
    endpoint = store.get(args.name)
    reply = client.probe(endpoint, timeout=args.timeout)
    print(f"{endpoint.name}: {reply.model} answered in {reply.seconds:.2f} s ({reply.text.strip()[:40]!r})")
    return 0


def cmd_remove(args: argparse.Namespace) -> int:
    store.remove(args.name)
    print(f"removed endpoint {args.name}")
    return 0


def cmd_use(args: argparse.Namespace) -> int:
    endpoint = store.use(args.name)
    print(f"columns, teacher and judge now use {endpoint.name} ({endpoint.model})")
    return 0


def _key(endpoint: Endpoint) -> str:
    return KEY_WORDS[endpoint.key_state()].replace("{env}", endpoint.key_env or "")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("endpoints", help="OpenAI-compatible endpoints the studio may use as teacher, column "
                       "and judge", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = p.add_subparsers(dest="endpoints_command", metavar="COMMAND", required=True)
    a = commands.add_parser("add", help="save an endpoint (it becomes the current one)")
    a.add_argument("name", help="a short name: letters, digits, '.', '_' or '-'")
    a.add_argument("--url", required=True, help="the API's base URL, e.g. http://127.0.0.1:11434/v1 (Ollama)")
    a.add_argument("--model", required=True, help="the model name the endpoint knows, e.g. llama3.1:8b")
    a.add_argument("--key-env", default=None, metavar="VAR",
                   help="the environment variable holding its key (e.g. OPENAI_API_KEY); none for a local server")
    a.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT, help="seconds one call may take")
    a.add_argument("--replace", action="store_true", help="replace a saved endpoint of the same name")
    a.set_defaults(func=cmd_add)
    ls = commands.add_parser("list", help="the saved endpoints (* the current one) and whether each key is set")
    ls.add_argument("--json", action="store_true")
    ls.set_defaults(func=cmd_list)
    t = commands.add_parser("test", help="a one-token call: up, key accepted, model known")
    t.add_argument("name", nargs="?", default=None, help="default: the current endpoint")
    t.add_argument("--timeout", type=float, default=None, help="seconds (default: the endpoint's own)")
    t.set_defaults(func=cmd_test)
    r = commands.add_parser("remove", help="forget an endpoint")
    r.add_argument("name")
    r.set_defaults(func=cmd_remove)
    u = commands.add_parser("use", help="make an endpoint the current one")
    u.add_argument("name")
    u.set_defaults(func=cmd_use)
