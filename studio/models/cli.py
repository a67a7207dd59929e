"""`studio models`: the models the studio knows (embedded, curated hub models) and what else it accepts."""
from __future__ import annotations

import argparse
import json

from studio.models.embedded import is_converted
from studio.models.registry import list_models


def cmd_models(args: argparse.Namespace) -> int:
    rows = []
    for e in list_models():
        where = "embedded" if e.embedded else "hub"
        rows.append({"name": e.key, "hub_id": e.hub_id, "params_m": e.params_m, "source": where,
                     "instruct": e.instruct, "languages": e.languages,
                     "cached": is_converted(e.key) if e.embedded else None, "note": e.note})
    if args.json:
        print(json.dumps(rows, ensure_ascii=False))
        return 0
    print(f"{'name':24} {'params':>7}  {'source':9} {'type':8} hub id / note")
    for r in rows:
        kind = "instruct" if r["instruct"] else "base"
        print(f"{r['name']:24} {r['params_m']:>6.0f}M  {r['source']:9} {kind:8} {r['hub_id']}")
    print("\nAlso accepted: any hub id (org/name) or a local folder holding a HF model (safetensors).")
    return 0


def register(sub) -> None:
    m = sub.add_parser("models", help="list the models the studio knows")
    m.add_argument("--json", action="store_true", help="one JSON list")
    m.set_defaults(func=cmd_models)
