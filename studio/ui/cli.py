"""`studio app`: the web app, on 127.0.0.1 unless told otherwise, and never exposed without a password.
(`python app.py ...` and `make run` are this command under another name.)"""
from __future__ import annotations

import argparse

from studio.gate import is_local
from studio.text import Said, Term


class ExposureError(Said, ValueError):
    """Why the app will not start as asked (exposed without a password, a bad port). Raised as the code of a
    SystemExit, so the process ends printing its English; said(lang, e.code) says it in another language."""


def add_flags(p: argparse.ArgumentParser) -> argparse.ArgumentParser:
    p.add_argument("--host", default="127.0.0.1", help="interface to bind (default: 127.0.0.1 only)")
    p.add_argument("--port", type=int, default=7860)
    p.add_argument("--share", action="store_true", help="public gradio.live link (needs --auth)")
    p.add_argument("--auth", default=None, help="USER:PASS required to open the app")
    p.add_argument("--allowed-hosts", default="", metavar="NAMES",
                   help="comma-separated host names the studio also answers to (a reverse proxy's); requests "
                        "naming any other host get 403")
    return p


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    return add_flags(argparse.ArgumentParser(description="Katachi Studio web app")).parse_args(argv)


def check_exposure(args: argparse.Namespace) -> tuple[str, str] | None:
    """Refuse to expose the studio without a password; return the (user, password) pair if given."""
    auth = None
    if args.auth:
        user, sep, password = args.auth.partition(":")
        if not sep or not user or len(password) < 8:
            raise SystemExit(ExposureError("err_app_auth"))
        auth = (user, password)
    if (args.share or not is_local(args.host)) and auth is None:
        where = Term("err_app_share_link") if args.share else args.host
        raise SystemExit(ExposureError("err_app_exposed", where=where))
    if not 1 <= args.port <= 65535:
        raise SystemExit(ExposureError("err_app_port", port=args.port))
    return auth


def cmd_app(args: argparse.Namespace) -> int:
    auth = check_exposure(args)
    from studio.ui.app import launch  # gradio is imported only now

    print(f"Katachi Studio on http://{args.host}:{args.port}", flush=True)
    launch(host=args.host, port=args.port, share=args.share, auth=auth,
           allowed_hosts=[h.strip() for h in args.allowed_hosts.split(",") if h.strip()])
    return 0


def main(argv: list[str] | None = None) -> int:
    """`python app.py ...`: the same as `studio app ...`."""
    return cmd_app(parse(argv))


def register(sub) -> None:
    p = add_flags(sub.add_parser("app", help="start the web app (http://127.0.0.1:7860)"))
    p.set_defaults(func=cmd_app)
