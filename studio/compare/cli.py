"""`studio compare`: a run's tuned model beside its base model and the article's alternatives."""
from __future__ import annotations

import argparse
import json
from pathlib import Path

from studio.chat import GenSettings
from studio.compare import CompareError
from studio.compare.adapters import get_run
from studio.compare.engine import DEFAULT_MODE, Comparer, iter_table, parse_kinds
from studio.engine import ENGINES
from studio.text import Term

MAX_FILE_BYTES = 1_000_000
DEFAULT_COLUMNS = "base,tuned"


def read_text_file(path: str, what: str, limit: int = MAX_FILE_BYTES) -> str:
    """A small UTF-8 text file the user named, with one-line errors for everything that can be wrong."""
    p = Path(path).expanduser()
    what = Term.of(f"err_what_{what.replace(' ', '_')}", what)  # "prompts file" in the UI's language too
    if not p.exists():
        raise CompareError("err_file_missing", what=what, path=path)
    if not p.is_file():
        raise CompareError("err_file_not_file", what=what, path=path)
    size = p.stat().st_size
    if size > limit:
        raise CompareError("err_file_too_big", what=what, path=path, size=size, limit=limit)
    try:
        return p.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise CompareError("err_file_not_utf8", what=what, path=path) from None


def read_prompts(path: str) -> list[str]:
    """One prompt per line; blank lines are skipped."""
    prompts = [ln.strip() for ln in read_text_file(path, "prompts file").splitlines() if ln.strip()]
    if not prompts:
        raise CompareError("err_prompts_none", path=path)
    return prompts


def _settings(args: argparse.Namespace):
    for flag, value, low, high in (("--max-new-tokens", args.max_new_tokens, 1, 4096),
                                   ("--temperature", args.temperature, 0, 5), ("--k", args.k, 0, 20)):
        if not low <= value <= high:
            raise CompareError("err_flag_range", flag=flag, low=low, high=high)
    return GenSettings(max_new_tokens=args.max_new_tokens, temperature=args.temperature, seed=args.seed)


def cmd_compare(args: argparse.Namespace) -> int:
    kinds = parse_kinds(args.columns.split(","))  # bad input fails before the model loads
    prompts = [args.prompt] if args.prompt is not None else read_prompts(args.prompts_file)
    settings = _settings(args)
    notes = [read_text_file(args.notes, "notes file")] if args.notes else None
    cfg = get_run(args.run).config()
    comparer = Comparer(cfg.model.name, mode=args.mode or DEFAULT_MODE,
                        trust_remote_code=cfg.model.trust_remote_code, engine=args.engine or cfg.model.engine)
    rows = iter_table(cfg.model.name, prompts, kinds, settings=settings, comparer=comparer, run_id=args.run,
                      checkpoint=args.checkpoint, system_prompt=args.system, k=args.k,
                      dynamic=not args.static, notes=notes)
    shown = None
    for row in rows:
        if comparer.last_engine and not row.get("failed"):  # which engine wrote the local columns' answers
            row = {**row, "engine": comparer.last_engine.label}
        if args.json:
            print(json.dumps(row, ensure_ascii=False), flush=True)
            continue
        if row["prompt"] != shown:
            shown = row["prompt"]
            print(f"\n### {shown}")
        print(f"\n[{row['column']}] ({row.get('engine', 'endpoint')})\n{row['text']}", flush=True)
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
    c.add_argument("--engine", choices=ENGINES, default=None,
                   help="what answers: llama.cpp, torch, or auto (default: the run's setting, else $STUDIO_ENGINE)")
    c.add_argument("--json", action="store_true", help="one JSON object per line per prompt and column")
    c.set_defaults(func=cmd_compare)
