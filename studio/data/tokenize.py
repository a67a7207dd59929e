"""Turn a row into token ids and the mask of trained tokens.

A chat row is rendered under the model's own chat template (the same one used at chat time), tools
included (`data/template.py`). Only assistant turns are trained, and not those with `weight: 0`: we
render the template once, find each trained reply's character span by rendering the prefixes, and map
spans to tokens with the tokenizer's offsets. This works for any template, with or without
{% generation %} tags. A raw-text row ({"text"}) has no template: every token is trained, and it ends
with the end-of-text token so packed passages stay apart."""
from __future__ import annotations

from dataclasses import dataclass

from studio.chat import render
from studio.data.template import template_input


@dataclass
class Tokenized:
    input_ids: list[int]
    mask: list[int]
    """1 where the token is trained (assistant content and its end-of-turn), else 0."""
    truncated: bool = False
    offsets: list[tuple[int, int]] | None = None
    text: str = ""
    """The rendered text the ids came from; `offsets` are character spans into it."""

    @property
    def trained(self) -> int:
        return sum(self.mask)


def is_text_row(row: dict) -> bool:
    return "text" in row and "messages" not in row


def rendered(tokenizer, row: dict) -> tuple[str, list[tuple[int, int]]]:
    """The full text the model sees and the [start, end) character spans that are trained."""
    if is_text_row(row):
        text = row["text"] + (tokenizer.eos_token or "")
        return text, [(0, len(text))]
    messages, tools = template_input(tokenizer, row)
    text = render(tokenizer, messages, tools=tools)
    spans = []
    for i, msg in enumerate(messages):
        if msg.get("role") != "assistant" or msg.get("weight") == 0:
            continue
        before = render(tokenizer, messages[:i], generation_prompt=True, tools=tools)
        start = len(before) if text.startswith(before) else len(render(tokenizer, messages[:i], tools=tools))
        end = len(render(tokenizer, messages[: i + 1], tools=tools))
        while end > start and text[end - 1] in "\n ":  # the template's separator after the end-of-turn
            end -= 1
        spans.append((start, end))
    return text, spans


def tokenize_row(tokenizer, row: dict, max_length: int | None = None) -> Tokenized:
    text, spans = rendered(tokenizer, row)
    enc = tokenizer(text, add_special_tokens=False, return_offsets_mapping=True)
    ids, offsets = list(enc["input_ids"]), [tuple(o) for o in enc["offset_mapping"]]
    # overlap, not start: a token like " Hello" begins on the space the template put before it
    mask = [int(any(a < e and b > s for s, e in spans)) for a, b in offsets]
    truncated = bool(max_length) and len(ids) > max_length
    if truncated:
        ids, mask, offsets = ids[:max_length], mask[:max_length], offsets[:max_length]
    return Tokenized(ids, mask, truncated, offsets, text)


def count_tokens(tokenizer, row: dict) -> int:
    if is_text_row(row):
        return len(tokenizer(row["text"], add_special_tokens=False)["input_ids"]) + 1
    messages, tools = template_input(tokenizer, row)
    return len(tokenizer(render(tokenizer, messages, tools=tools), add_special_tokens=False)["input_ids"])
