"""Turn a conversation into token ids and the mask of trained tokens, under the model's own chat
template (the same one used at chat time). Only assistant turns are trained: we render the template
once, find each assistant reply's character span by rendering the prefixes, and map spans to tokens
with the tokenizer's offsets. This works for any template, with or without {% generation %} tags."""
from __future__ import annotations

from dataclasses import dataclass

from studio.chat import render


@dataclass
class Tokenized:
    input_ids: list[int]
    mask: list[int]
    """1 where the token is trained (assistant content and its end-of-turn), else 0."""
    truncated: bool = False

    @property
    def trained(self) -> int:
        return sum(self.mask)


def assistant_spans(tokenizer, messages: list[dict]) -> tuple[str, list[tuple[int, int]]]:
    """The full rendered text and the [start, end) character spans of every assistant reply."""
    text = render(tokenizer, messages)
    spans = []
    for i, msg in enumerate(messages):
        if msg.get("role") != "assistant":
            continue
        start = len(render(tokenizer, messages[:i], generation_prompt=True))
        end = len(render(tokenizer, messages[: i + 1]))
        if text[:start] != render(tokenizer, messages[:i], generation_prompt=True):
            start = len(render(tokenizer, messages[:i]))  # template rewrites history: fall back
        spans.append((start, end))
    return text, spans


def tokenize_messages(tokenizer, messages: list[dict], max_length: int | None = None) -> Tokenized:
    text, spans = assistant_spans(tokenizer, messages)
    enc = tokenizer(text, add_special_tokens=False, return_offsets_mapping=True)
    ids, offsets = enc["input_ids"], enc["offset_mapping"]
    # overlap, not start: a token like " Hello" begins on the space the template put before it
    mask = [int(any(a < e and b > s for s, e in spans)) for a, b in offsets]
    truncated = bool(max_length) and len(ids) > max_length
    if truncated:
        ids, mask = ids[:max_length], mask[:max_length]
    return Tokenized(list(ids), mask, truncated)


def count_tokens(tokenizer, messages: list[dict]) -> int:
    return len(tokenizer(render(tokenizer, messages), add_special_tokens=False)["input_ids"])
