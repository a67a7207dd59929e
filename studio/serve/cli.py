"""`studio serve`: an OpenAI-compatible API for every base model and finished run (and `--print-vllm`, the
vLLM command that serves the same runs beyond one machine)."""
from __future__ import annotations

import argparse

from studio.serve.catalog import Catalog
from studio.serve.server import KEY_ENV, Options, key_from_env, serve_forever
from studio.serve.snippets import python_snippet
from studio.serve.vllm import vllm_commands


def options_of(args: argparse.Namespace) -> Options:
    runs = None if args.runs in (None, ["all"]) else args.runs
    return Options(host=args.host, port=args.port, api_key=key_from_env(args.api_key), runs=runs,
                   allowed_hosts=[h.strip() for h in args.allowed_hosts.split(",") if h.strip()])


def cmd_serve(args: argparse.Namespace) -> int:
    options = options_of(args)
    catalog = Catalog(options.runs)  # an unknown or unfinished run named is refused before anything starts
    if args.print_vllm:
        print("\n".join(vllm_commands(catalog.runs(), options.port)))
        return 0
    served = catalog.models()
    print(f"studio serve on {options.url} ({'key required' if options.api_key else 'no key'}); "
          f"{len(served)} models: {', '.join(s.id for s in served)}", flush=True)
    example = next((s.id for s in reversed(served) if s.adapter and not s.raw), served[0].id)
    print("\n" + python_snippet(options.url, example, options.api_key is not None) + "\n", flush=True)
    serve_forever(options)
    return 0


def register(sub) -> None:
    p = sub.add_parser("serve", help="an OpenAI-compatible API (/v1/models, /v1/chat/completions, "
                       "/v1/completions) for every base model and finished run")
    p.add_argument("--host", default="127.0.0.1", help="interface to bind (default: 127.0.0.1 only; any other "
                   "needs an API key)")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--api-key", default=None, metavar="KEY",
                   help=f"the key clients must send as 'Authorization: Bearer KEY' (default: ${KEY_ENV}, else none)")
    p.add_argument("--runs", nargs="+", default=["all"], metavar="ID",
                   help="the runs to serve: all (default: every finished run, new ones included) or run ids")
    p.add_argument("--allowed-hosts", default="", metavar="NAMES",
                   help="comma-separated host names the server also answers to (a reverse proxy's)")
    p.add_argument("--print-vllm", action="store_true",
                   help="print the `vllm serve ... --enable-lora --lora-modules ...` command for these runs; "
                        "start nothing")
    p.set_defaults(func=cmd_serve)
