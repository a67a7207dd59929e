"""Raw text for continued pretraining: documents cut into passages, passages packed into blocks.

Passages are cut from the text by characters, at paragraph (then line) boundaries, before any
tokenizer is known, so the train/eval split is made on passages the way it is made on chat rows, and
Compare can show a passage's opening as a prompt. `pack` then tokenises the passages of one side of
the split, joins them with the end-of-text token and cuts the stream into blocks of `max_length`
tokens: no padding, every token trained, as in pretraining.
"""
from __future__ import annotations

import re
from collections.abc import Iterable

CHARS_PER_TOKEN = 3  # a passage of max_length tokens is about this many characters (less for Japanese)
MIN_BLOCK = 16  # a last block shorter than this is too small to teach anything; it is dropped
_PARAGRAPHS = re.compile(r"\n\s*\n")


def passages(rows: Iterable[dict], max_chars: int) -> list[dict]:
    """Every document's text cut into {"text"} passages of at most about max_chars characters."""
    out: list[dict] = []
    for row in rows:
        out += [{"text": p} for p in _cut(row["text"], max_chars)]
    return out


def _cut(text: str, max_chars: int) -> list[str]:
    pieces: list[str] = []
    for paragraph in _PARAGRAPHS.split(text.strip()):
        pieces += _split_long(paragraph.strip(), max_chars) if paragraph.strip() else []
    out: list[str] = []
    for piece in pieces:  # greedy: paragraphs joined while they fit
        if out and len(out[-1]) + 2 + len(piece) <= max_chars:
            out[-1] += "\n\n" + piece
        else:
            out.append(piece)
    return out


def _split_long(paragraph: str, max_chars: int) -> list[str]:
    if len(paragraph) <= max_chars:
        return [paragraph]
    out: list[str] = []
    for line in paragraph.split("\n"):
        while len(line) > max_chars:  # one very long line: cut it
            out.append(line[:max_chars])
            line = line[max_chars:]
        if out and len(out[-1]) + 1 + len(line) <= max_chars:
            out[-1] += "\n" + line
        elif line:
            out.append(line)
    return out


def pack(tokenizer, rows: list[dict], max_length: int) -> list[list[int]]:
    """The passages' tokens, each followed by the end-of-text token, cut into max_length blocks."""
    stream: list[int] = []
    eos = tokenizer.eos_token_id
    for row in rows:
        stream += tokenizer(row["text"], add_special_tokens=False)["input_ids"]
        if eos is not None:
            stream.append(eos)
    blocks = [stream[i:i + max_length] for i in range(0, len(stream), max_length)]
    if len(blocks) > 1 and len(blocks[-1]) < MIN_BLOCK:
        blocks.pop()
    return [b for b in blocks if len(b) >= min(MIN_BLOCK, len(stream))]


def opening(text: str, words: int = 24) -> tuple[str, str]:
    """(the first `words` words of a passage, the rest): a prompt to continue and its gold answer.
    Japanese has no spaces: then the first third of the characters (at most 80)."""
    parts = re.split(r"(\s+)", text.strip())
    tokens = [p for p in parts if p and not p.isspace()]
    if len(tokens) > words:
        cut = _position_after(parts, words)
        return text.strip()[:cut].rstrip(), text.strip()[cut:].lstrip()
    n = min(80, max(1, len(text.strip()) // 3))
    return text.strip()[:n], text.strip()[n:]


def _position_after(parts: list[str], words: int) -> int:
    seen = pos = 0
    for p in parts:
        pos += len(p)
        if p and not p.isspace():
            seen += 1
            if seen == words:
                return pos
    return pos
