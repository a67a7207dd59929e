"""`studio data ...`: validate, generate and preview datasets, and rebuild the shipped presets, from the shell.

Exit codes, the studio's one policy (studio.cli.main): 0 fine; 2 something the user can fix (the data has
errors, a bad argument, a model that cannot be loaded, a file that would be overwritten); 1 a fault (a
generator that made a bad row, a library's error). One redacted line, never a traceback.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from studio import models
from studio.data import choice, validate
from studio.data.formats import row_problem
from studio.data.generate import KINDS, PRESETS, build_preset, generate, generator
from studio.data.generate.teacher import row_meta, teach
from studio.data.repair import fix_file
from studio.data.template import plain
from studio.fsutil import write_jsonl
from studio.models.info import context_length
from studio.paths import PRESETS_DIR
from studio.text import Said, Term

HUB_PREFIX = "hub:"


class MapFlagError(Said, argparse.ArgumentTypeError):
    """A --map the data commands cannot read: argparse says it (an ArgumentTypeError), in English; the
    catalogue can say it in Japanese too."""


def parse_mapping(text: str) -> dict[str, str]:
    """'prompt=question,response=answer[,system=sys]' -> dict (an argparse `type`): the Data step's parser
    (studio.data.choice), plus what a table needs before it is read (both roles, no other keys)."""
    usage = Term("err_map_usage")  # "write prompt=COL,response=COL[,system=COL]"
    try:
        mapping = choice.parse_mapping(text)
    except choice.MappingError:
        raise MapFlagError("err_map_flag", text=text, usage=usage) from None
    unknown = sorted(set(mapping) - {"prompt", "response", "system"})
    if unknown:
        raise MapFlagError("err_map_flag_parts", parts=", ".join(unknown), usage=usage)
    if not {"prompt", "response"} <= set(mapping):
        raise MapFlagError("err_map_flag_roles")
    return mapping


def register(sub: argparse._SubParsersAction) -> None:
    """Add `data` with its sub-commands to the studio's top-level sub-parsers."""
    data = sub.add_parser("data", help="validate, generate and preview datasets",
                          description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = data.add_subparsers(dest="data_command", metavar="COMMAND", required=True)
    _add_validate(commands)
    _add_generate(commands)
    _add_preview(commands)
    _add_teach(commands)
    _add_build_preset(commands)


def _add_teach(commands: argparse._SubParsersAction) -> None:
    p = commands.add_parser("teach", help="a model (or an endpoint) writes new pairs from seed rows (validated)")
    p.add_argument("--seeds", required=True, help="a dataset file whose rows show the form")
    p.add_argument("--instruction", required=True, help="what the new pairs should be about")
    p.add_argument("--kind", choices=sorted(KINDS), default=None,
                   help="check every new row with this generator's validator")
    p.add_argument("--model", default="smollm2-135m")
    p.add_argument("--endpoint", default=None, metavar="NAME",
                   help="a saved endpoint writes the pairs instead of --model (`studio endpoints list`)")
    p.add_argument("--n", type=int, default=20)
    p.add_argument("--out", required=True)
    p.add_argument("--force", action="store_true")
    p.set_defaults(func=_teach)


def _add_build_preset(commands: argparse._SubParsersAction) -> None:
    p = commands.add_parser("build-preset", help="rebuild a shipped preset's files from its generator (fixed seed)",
                            description="Write presets/NAME/{preset.yaml,train.jsonl,eval.jsonl,probes.txt} "
                            "(and facts.yaml for facts) from the generator that makes them; the files come out "
                            "byte for byte the same until a generator or its corpus changes.")
    p.add_argument("name", choices=[*sorted(PRESETS), "all"], metavar="NAME|all",
                   help=f"one of {', '.join(sorted(PRESETS))}, or all")
    p.add_argument("--out", metavar="DIR", default=str(PRESETS_DIR), help="the folder of preset folders: NAME is "
                   "written to DIR/NAME/ (default: the studio's presets/, replacing the shipped files)")
    p.set_defaults(func=_build_preset)


def _add_validate(commands: argparse._SubParsersAction) -> None:
    p = commands.add_parser("validate", help="check a dataset file line by line")
    p.add_argument("file", help="a .jsonl/.json/.csv/.tsv/.parquet file, "
                   f"or {HUB_PREFIX}OWNER/NAME[:SPLIT]")
    p.add_argument("--max-length", type=int, default=None,
                   help="flag rows longer than this many tokens")
    p.add_argument("--model", default=None,
                   help="count tokens with this model's tokenizer and chat template")
    p.add_argument("--map", dest="mapping", type=parse_mapping, default=None,
                   help="column mapping for tables: prompt=COL,response=COL[,system=COL]")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.add_argument("--fix", action="store_true", help="first write a fixed copy (tool-call arguments encoded "
                   "twice, decoded once) to --out, then check that copy")
    p.add_argument("--out", default=None, help="--fix: where the fixed copy goes (default FILE.fixed.jsonl)")
    p.set_defaults(func=_validate)


def _add_generate(commands: argparse._SubParsersAction) -> None:
    p = commands.add_parser("generate", help="write a generated style/structure dataset as JSONL")
    p.add_argument("--kind", required=True, choices=sorted(KINDS))
    p.add_argument("--n", type=int, required=True, help="number of rows")
    p.add_argument("--out", required=True, help="the .jsonl file to write")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--force", action="store_true", help="overwrite an existing file")
    p.set_defaults(func=_generate)


def _add_preview(commands: argparse._SubParsersAction) -> None:
    p = commands.add_parser("preview", help="print the first rows as chat turns")
    p.add_argument("file")
    p.add_argument("--n", type=int, default=5)
    p.add_argument("--map", dest="mapping", type=parse_mapping, default=None)
    p.add_argument("--width", type=int, default=160, help="cut each turn to this many characters")
    p.set_defaults(func=_preview)


def _load_report(target: str, mapping: dict | None, tokenizer: Any = None,
                 max_length: int | None = None) -> Any:
    options = {"mapping": mapping, "tokenizer": tokenizer, "max_length": max_length}
    if target.startswith(HUB_PREFIX):
        dataset_id, _, split = target[len(HUB_PREFIX):].partition(":")
        return validate.validate_hub(dataset_id, split or "train", **options)
    return validate.validate_file(target, **options)


def _validate(args: argparse.Namespace) -> int:
    tokenizer, max_length = None, args.max_length
    if args.model:
        tokenizer = models.load_tokenizer(args.model)
        if max_length is None:  # a row longer than the model's context can never be trained whole
            max_length = context_length(args.model)
            if max_length:
                print(f"note: rows are checked against {args.model}'s context of {max_length} tokens "
                      "(--max-length to use the training length)", file=sys.stderr)
    target = _fixed(args) if args.fix else args.file
    report = _load_report(target, args.mapping, tokenizer, max_length)
    if args.max_length and tokenizer is None:
        print("note: --max-length needs --model to count tokens; lengths were not checked",
              file=sys.stderr)
    if args.json:
        print(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    else:
        _print_report(report)
    return 2 if report.error_count else 0


def _fixed(args: argparse.Namespace) -> str:
    """Write the fixed copy of a JSONL file and say what changed; the copy is then checked."""
    src = Path(args.file)
    out = Path(args.out) if args.out else src.with_name(src.stem + ".fixed.jsonl")
    rows, calls = fix_file(src, out)
    print(f"fixed: {calls} tool call(s) in {rows} row(s) had arguments encoded twice; wrote {out}", file=sys.stderr)
    return str(out)


def _print_report(report: Any) -> None:
    for issue in report.errors:
        print(issue)
    for issue in report.warnings:
        print(f"warning: {issue}")
    print(report.summary())
    if report.token_stats:
        s = report.token_stats
        print(f"tokens: min {s['min']}, mean {s['mean']}, median {s['median']}, p95 {s['p95']}, "
              f"max {s['max']}, over max_length {s['over_max']}")


def _generate(args: argparse.Namespace) -> int:
    out = Path(args.out)
    if out.exists() and not args.force:
        print(f"error: {out} exists; pass --force to overwrite it", file=sys.stderr)
        return 2
    if not out.parent.is_dir():
        print(f"error: folder {out.parent} does not exist", file=sys.stderr)
        return 2
    rows = generate(args.kind, args.n, seed=args.seed)
    bad = [(i, p) for i, row in enumerate(rows) if (p := row_problem(row))]
    if bad:  # a generator bug must not reach a training file
        print(f"error: generator {args.kind!r} made {len(bad)} bad rows, "
              f"e.g. row {bad[0][0]}: {bad[0][1]}", file=sys.stderr)
        return 1
    written = write_jsonl(out, rows)
    print(f"wrote {written} {args.kind} rows to {out}")
    return 0


def _build_preset(args: argparse.Namespace) -> int:
    root = Path(args.out)
    if not root.is_dir():
        print(f"error: folder {root} does not exist", file=sys.stderr)
        return 2
    for name in sorted(PRESETS) if args.name == "all" else [args.name]:
        folder = root / name
        before = _file_bytes(folder)
        build_preset(name, folder)
        changed = [f for f, data in _file_bytes(folder).items() if before.get(f) != data]
        said = "new" if not before else f"{', '.join(changed)} changed" if changed else "unchanged"
        print(f"wrote {folder}: {said}")
    return 0


def _file_bytes(folder: Path) -> dict[str, bytes]:
    """The files of a folder by name (none when it does not exist yet): what a rebuild may change."""
    return {f.name: f.read_bytes() for f in sorted(folder.glob("*")) if f.is_file()} if folder.is_dir() else {}


def _teach(args: argparse.Namespace) -> int:
    out = Path(args.out)
    if out.exists() and not args.force:
        print(f"error: {out} exists; pass --force to overwrite it", file=sys.stderr)
        return 2
    report = _load_report(args.seeds, None)
    if report.errors or not report.usable:
        print(f"error: {args.seeds}: the seeds have problems; run `studio data validate` first",
              file=sys.stderr)
        return 2
    check = generator(args.kind).check_row if args.kind else None
    result = teach(args.model, report.usable, args.instruction, args.n, check, endpoint=args.endpoint,
                   meta=row_meta(args.kind))
    write_jsonl(out, result.rows)
    rejects = ", ".join(f"{k}: {v}" for k, v in result.rejects.most_common()) or "none"
    print(f"wrote {len(result.rows)} rows to {out} ({result.attempts} attempts; rejects — {rejects})")
    if result.stopped:  # the rows written above are kept; the reason the endpoint stopped is said
        print(f"error: stopped early: {result.stopped}", file=sys.stderr)
        return 2
    return 0


def _preview(args: argparse.Namespace) -> int:
    report = _load_report(args.file, args.mapping)
    for row, line in list(zip(report.usable, report.lines))[: max(args.n, 0)]:
        print(f"[{line}] {_turns_line(row, args.width)}")
    if report.error_count:
        print(f"{report.error_count} errors: run `studio data validate {args.file}` for the list")
    if not report.usable:
        print(report.summary())
        return 2
    return 0


def _turns_line(row: dict, width: int) -> str:
    if "text" in row:
        return f"text: {_one_line(row['text'], width)}"
    return " / ".join(f"{m['role']}: {_one_line(m['content'] or plain([m])[0]['content'], width)}"
                      for m in row["messages"])


def _one_line(text: str, width: int) -> str:
    flat = " ⏎ ".join(text.strip().splitlines())
    return flat if len(flat) <= width else flat[: max(width - 1, 1)] + "…"
