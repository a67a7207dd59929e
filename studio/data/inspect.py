"""What the Data step shows about a dataset: validation, split, token lengths, and which tokens
are trained. Plain data for the UI (and anyone else) to render."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from studio import presets
from studio.data.passages import CHARS_PER_TOKEN, passages
from studio.data.stats import split, summarise, token_lengths
from studio.data.tokenize import tokenize_row
from studio.data.validate import Report, validate_file


@dataclass
class DataView:
    label: str
    report: Report
    train_n: int = 0
    eval_n: int = 0
    lengths: list[int] = field(default_factory=list)
    stats: dict = field(default_factory=dict)
    preview: list[dict] = field(default_factory=list)
    method: str = "sft"
    """What the rows train with: sft, or dpo/kto for preference data read as such."""
    eval_from: str = "held"
    """Where the eval rows come from: "own" (a preset's own eval file: train keeps every usable row), "held" (a
    share of the usable rows held out) or "passages" (raw text: a share of its passages)."""
    eval_fraction: float = 0.1

    @property
    def usable(self) -> list[dict]:
        return self.report.usable


def trained_pieces(tokenizer, row: dict, max_length: int | None = None) -> list[tuple[str, bool]]:
    """The rendered row as (text piece, trained?) runs, merged for display. Pieces are cut from the
    rendered text by the tokenizer's character offsets, never decoded token by token: one Japanese
    character or emoji is often two byte-level tokens, and decoding each alone garbles it."""
    t = tokenize_row(tokenizer, row, max_length)
    pieces: list[tuple[str, bool]] = []
    pos = 0
    for (_, end), m in zip(t.offsets or [], t.mask):
        text, pos = t.text[pos:max(end, pos)], max(end, pos)  # a gap before a token goes with it
        if not text:
            continue  # the second token of a split character: its text went with the first
        if pieces and pieces[-1][1] == bool(m):
            pieces[-1] = (pieces[-1][0] + text, bool(m))
        else:
            pieces.append((text, bool(m)))
    return pieces


def inspect(report: Report, label: str, tokenizer=None, max_length: int = 512,
            eval_rows: int | None = None, eval_fraction: float = 0.1, sample: int = 2000) -> DataView:
    view = DataView(label, report, preview=report.usable[:6], eval_fraction=eval_fraction)
    if eval_rows is None:  # raw text is split as training splits it: into passages first
        rows = passages(report.usable, max_length * CHARS_PER_TOKEN) if report.task == "text" else report.usable
        tr, ev = split(rows, eval_fraction)
        view.train_n, view.eval_n = len(tr), len(ev)
        view.eval_from = "passages" if report.task == "text" else "held"
    else:
        view.train_n, view.eval_n, view.eval_from = len(report.usable), eval_rows, "own"
    if tokenizer is not None and report.usable:
        view.lengths = token_lengths(tokenizer, report.usable[:sample])
        view.stats = summarise(view.lengths, max_length)
    return view


def inspect_file(path: str | Path, tokenizer=None, max_length: int = 512,
                 mapping: dict | None = None, method: str = "sft") -> DataView:
    report = validate_file(Path(path), mapping=mapping, method=method)
    view = inspect(report, Path(path).name, tokenizer, max_length)
    view.method = method
    return view


def inspect_preset(name: str, tokenizer=None, max_length: int = 512) -> DataView:
    p = presets.load(name)
    report = validate_file(p.train_file)
    return inspect(report, f"preset {name}", tokenizer, max_length, eval_rows=len(p.eval_rows()))
