"""`studio compare`: a run's tuned model beside its base model and the article's alternatives."""
from __future__ import annotations

import argparse
import json
from pathlib import Path

from studio.chat import GenSettings
from studio.compare.adapters import get_run
from studio.compare.engine import DEFAULT_MODE, Comparer, iter_table, parse_kinds

MAX_FILE_BYTES = 1_000_000
DEFAULT_COLUMNS = "base,tuned"


def read_text_file(path: str, what: str, limit: int = MAX_FILE_BYTES) -> str:
    """A small UTF-8 text file the user named, with one-line errors for everything that can be wrong."""
    p = Path(path).expanduser()
    if not p.exists():
        raise ValueError(f"{what} {path} does not exist")
    if not p.is_file():
        raise ValueError(f"{what} {path} is not a file")
    size = p.stat().st_size
    if size > limit:
        raise ValueError(f"{what} {path} is {size} bytes; the limit is {limit}")
    try:
        return p.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise ValueError(f"{what} {path} is not UTF-8 text") from None


def read_prompts(path: str) -> list[str]:
    """One prompt per line; blank lines are skipped."""
    prompts = [ln.strip() for ln in read_text_file(path, "prompts file").splitlines() if ln.strip()]
    if not prompts:
        raise ValueError(f"prompts file {path} holds no prompt (one per line)")
    return prompts


def _settings(args: argparse.Namespace):
    if not 1 <= args.max_new_tokens <= 4096:
        raise ValueError("--max-new-tokens must be between 1 and 4096")
    if not 0 <= args.temperature <= 5:
        raise ValueError("--temperature must be between 0 and 5")
    if not 0 <= args.k <= 20:
        raise ValueError("--k must be between 0 and 20")
    return GenSettings(max_new_tokens=args.max_new_tokens, temperature=args.temperature, seed=args.seed)


def cmd_compare(args: argparse.Namespace) -> int:
    kinds = parse_kinds(args.columns.split(","))  # bad input fails before the model loads
    prompts = [args.prompt] if args.prompt is not None else read_prompts(args.prompts_file)
    settings = _settings(args)
    notes = [read_text_file(args.notes, "notes file")] if args.notes else None
    cfg = get_run(args.run).config()
    comparer = Comparer(cfg.model.name, mode=args.mode or DEFAULT_MODE,
                        trust_remote_code=cfg.model.trust_remote_code)
    rows = iter_table(cfg.model.name, prompts, kinds, settings=settings, comparer=comparer, run_id=args.run,
                      checkpoint=args.checkpoint, system_prompt=args.system, k=args.k,
                      dynamic=not args.static, notes=notes)
    shown = None
    for row in rows:
        if args.json:
            print(json.dumps(row, ensure_ascii=False), flush=True)
            continue
        if row["prompt"] != shown:
            shown = row["prompt"]
            print(f"\n### {shown}")
        print(f"\n[{row['column']}]\n{row['text']}", flush=True)
    return 0


def register(sub) -> None:
    c = sub.add_parser("compare", help="a run's tuned model beside its base model (and prompting, "
                                       "few-shot, retrieval)")
    c.add_argument("--run", required=True, help="run id (see `studio runs`)")
    src = c.add_mutually_exclusive_group(required=True)
    src.add_argument("--prompt", help="one prompt")
    src.add_argument("--prompts-file", help="a UTF-8 text file, one prompt per line")
    c.add_argument("--columns", default=DEFAULT_COLUMNS,
                   help="comma-separated: base, tuned, tuned@checkpoint-N, prompt, fewshot, rag")
    c.add_argument("--checkpoint", default=None, help="use this checkpoint (e.g. checkpoint-40) as tuned")
    c.add_argument("--system", default=None, help="the prompt column's system prompt (default: the preset's)")
    c.add_argument("--notes", default=None, help="a text file to retrieve from (default: the preset's notes.md)")
    c.add_argument("--k", type=int, default=3, help="few-shot examples / retrieved passages")
    c.add_argument("--static", action="store_true", help="few-shot: the first k rows, not the most similar")
    c.add_argument("--max-new-tokens", type=int, default=128)
    c.add_argument("--temperature", type=float, default=0.0)
    c.add_argument("--seed", type=int, default=0)
    c.add_argument("--mode", choices=["batched", "sequential"], default=None,
                   help="all columns in one batch, or one after another (default: the faster, batched)")
    c.add_argument("--json", action="store_true", help="one JSON object per line per prompt and column")
    c.set_defaults(func=cmd_compare)
