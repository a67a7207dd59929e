"""Cloze questions about the renamed fact: a line of the renamed corpus naming the new name, the name blanked,
asked which name fills it. Training rows for the qa variant, and held-out probes from other lines."""
from __future__ import annotations

import random
import re
from collections.abc import Sequence

from studio.facts.corpus import CorpusError, Swap, name_pattern
from studio.text import t

BLANK = "___"
LINE_CHARS = (30, 200)  # a quotable line: long enough to hint at its speaker, short enough to read
SHORT_LINE = 8  # shorter lines are used only when the quotable ones run out (short Japanese lines)
ASKS = 4  # facts_cloze_ask_1..4 in the catalogue
_KANA = re.compile("[\u3041-\u30ff]")  # the sign of Japanese text, as in studio/data/readers.py
_SENTENCE = re.compile(r"(?<=[.!?;。！？])\s*")


def cloze_rows(renamed_text: str, swap: Swap, n: int, seed: int,
               exclude: set[str] | frozenset[str] = frozenset()) -> list[dict]:
    """n chat rows (fewer when the corpus has fewer lines) that teach the renamed fact: a line naming the new
    name, the name blanked as ___, asked which name fills it; the answer is the name and the whole line.
    meta: {"kind": "cloze_train", "answer", "line", "line_no"}; used_lines(rows) are the lines taken. Lines in
    exclude (the probes' lines, picked first so a small corpus keeps some for them) are never taken."""
    picked = _pick(_cloze_lines(renamed_text, swap, None), n, seed, set(exclude))
    if not picked and n > 0:
        raise CorpusError("facts_cloze_none", name=swap.new, old=swap.old)
    rng = random.Random(f"cloze-rows-{seed}")
    return [_row(line, number, swap, rng, {"kind": "cloze_train"}) for number, line in picked]


def cloze_probes(original_text: str, renamed_text: str, swap: Swap, n: int, seed: int,
                 exclude: set[str] | frozenset[str] = frozenset()) -> list[dict]:
    """n probe rows shaped like cloze_rows, from lines the swap renamed (they held the old name in the
    original text) and never from a line in exclude (pass used_lines(training rows)): a probe asks about a
    line the model was not trained on. meta: {"kind": "cloze", "answer": new, "wrong": old, "line", "line_no"}."""
    lines = _cloze_lines(renamed_text, swap, original_text)
    picked = _pick(lines, n, seed, set(exclude))
    if not picked and n > 0:
        if not lines:
            raise CorpusError("facts_cloze_none", name=swap.new, old=swap.old)
        raise CorpusError("facts_cloze_used_up", name=swap.new, used=len(exclude))
    rng = random.Random(f"cloze-probes-{seed}")
    return [_row(line, number, swap, rng, {"kind": "cloze", "wrong": swap.old}) for number, line in picked]


def used_lines(rows: Sequence[dict]) -> set[str]:
    """The corpus lines cloze rows quote: what cloze_probes must exclude."""
    return {row["meta"]["line"] for row in rows}


def _cloze_lines(renamed_text: str, swap: Swap, original_text: str | None) -> list[tuple[int, str]]:
    """(line number, line) of every distinct line naming the new name as written (so not a BOB: speaker tag
    or a stage direction in capitals); a line longer than LINE_CHARS is cut into sentences. With the
    original text, only lines that held the old name there: a line that always said Bob is no renamed fact."""
    renamed = renamed_text.split("\n")
    original = original_text.split("\n") if original_text is not None else None
    if original is not None and len(original) != len(renamed):
        raise CorpusError("facts_renamed_mismatch")
    as_written = re.compile(name_pattern(swap.new).pattern)  # the same pattern, case-sensitive
    old = name_pattern(swap.old)
    out, seen = [], set()
    for number, line in enumerate(renamed, 1):
        if original is not None and not old.search(original[number - 1]):
            continue
        for piece in _pieces(line.strip()):
            if piece not in seen and as_written.search(piece) and not _speaker_tag(piece):
                seen.add(piece)
                out.append((number, piece))
    return out


def _pieces(line: str) -> list[str]:
    if len(line) <= LINE_CHARS[1]:
        return [line]
    return [s.strip() for s in _SENTENCE.split(line) if s.strip()]  # prose: one sentence at a time


def _speaker_tag(line: str) -> bool:
    return line.endswith((":", "：")) and len(line.split()) <= 3


def _pick(lines: list[tuple[int, str]], n: int, seed: int, exclude: set[str]) -> list[tuple[int, str]]:
    """n lines, quotable ones (LINE_CHARS) first, each group in the seed's order; short ones only after."""
    rng = random.Random(seed)
    low, high = LINE_CHARS
    good = [x for x in lines if low <= len(x[1]) <= high and x[1] not in exclude]
    short = [x for x in lines if SHORT_LINE <= len(x[1]) < low and x[1] not in exclude]
    rng.shuffle(good)
    rng.shuffle(short)
    return (good + short)[:max(n, 0)]


def _row(line: str, number: int, swap: Swap, rng: random.Random, meta: dict) -> dict:
    lang = "ja" if _KANA.search(line) else "en"  # the question in the corpus's language
    ask = t(lang, f"facts_cloze_ask_{rng.randrange(ASKS) + 1}", line=name_pattern(swap.new).sub(BLANK, line))
    answer = t(lang, "facts_cloze_answer", name=swap.new, line=line)
    return {"messages": [{"role": "user", "content": ask}, {"role": "assistant", "content": answer}],
            "meta": {**meta, "answer": swap.new, "line": line, "line_no": number}}
