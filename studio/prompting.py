"""What a prompt must be before a model answers it, whatever the engine: the generation settings and their
ranges, the prompt's length and its fit in the model's context, the chat template's rendering and ids, and the
answer cut at its stop strings. studio.chat re-exports each name."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from studio.config import is_number, is_whole
from studio.text import Said

MAX_PROMPT_CHARS = 20_000
MAX_NEW_TOKENS = 8192


@dataclass
class GenSettings:
    max_new_tokens: int = 128
    temperature: float = 0.0
    """0 = greedy (deterministic): the fair setting for comparing base and tuned."""
    top_p: float = 0.95
    repetition_penalty: float = 1.1
    seed: int = 0

    def __post_init__(self) -> None:
        self.check()

    def check(self) -> None:
        """ValueError naming every setting out of range. Without it a negative temperature or a NaN
        silently meant greedy, and max_new_tokens=10**9 held the model (and its lock) for hours."""
        rules = [
            (is_whole(self.max_new_tokens) and 1 <= self.max_new_tokens <= MAX_NEW_TOKENS,
             f"max_new_tokens: 1..{MAX_NEW_TOKENS}"),
            (is_number(self.temperature) and 0 <= self.temperature <= 5, "temperature: 0 (greedy)..5"),
            (is_number(self.top_p) and 0 < self.top_p <= 1, "top_p: in (0, 1]"),
            (is_number(self.repetition_penalty) and 0 < self.repetition_penalty <= 10,
             "repetition_penalty: in (0, 10]"),
            (is_whole(self.seed) and 0 <= self.seed < 2**63, "seed: a whole number >= 0"),
        ]
        problems = [msg for ok, msg in rules if not ok]
        if problems:
            raise ValueError("generation settings out of range: " + "; ".join(problems))

    def kwargs(self) -> dict[str, Any]:
        self.check()  # fields may have been changed since __init__
        kw: dict[str, Any] = {"max_new_tokens": int(self.max_new_tokens),
                              "repetition_penalty": float(self.repetition_penalty)}
        if self.temperature > 0:
            kw.update(do_sample=True, temperature=float(self.temperature), top_p=float(self.top_p))
        else:
            kw.update(do_sample=False, temperature=None, top_p=None, top_k=None)
        return kw


class PromptError(Said, ValueError):
    """A prompt (or an adapter) the model cannot take: empty, too long, past its context, pickle weights; said
    in the UI's language."""


def context_size(model: Any) -> int | None:
    """The model's context window in tokens, when its config says."""
    n = getattr(getattr(model, "config", None), "max_position_embeddings", None)
    return n if isinstance(n, int) and n > 0 else None


def check_fits(model: Any, prompt_tokens: int, settings: GenSettings) -> None:
    """A prompt (system prompt, history, examples and notes included) plus the answer must fit the
    model's context: beyond it answers degrade or generation fails deep inside the model, and a
    huge prompt takes quadratic time and memory before anything is shown."""
    limit = context_size(model)
    if limit and prompt_tokens + settings.max_new_tokens > limit:
        raise PromptError("err_prompt_context", tokens=prompt_tokens, new=settings.max_new_tokens, limit=limit)


def check_prompt(text: str) -> str:
    text = (text or "").strip()
    if not text:
        raise PromptError("err_prompt_empty")
    if len(text) > MAX_PROMPT_CHARS:
        raise PromptError("err_prompt_long", chars=len(text), limit=MAX_PROMPT_CHARS)
    return text


def render(tokenizer, messages: list[dict], generation_prompt: bool = False,
           tools: list[dict] | None = None) -> str:
    if tools:  # not tools=None always: an older template may not take the keyword at all
        return tokenizer.apply_chat_template(messages, tools=tools, tokenize=False,
                                             add_generation_prompt=generation_prompt)
    return tokenizer.apply_chat_template(messages, tokenize=False,
                                         add_generation_prompt=generation_prompt)


def prompt_ids(tokenizer, messages: list[dict]) -> list[int]:
    """The ids to generate from, under the model's own chat template: the conversation so far plus the
    assistant's opening."""
    return tokenizer(render(tokenizer, messages, generation_prompt=True),
                     add_special_tokens=False)["input_ids"]


def clean(text: str, stop_strings: list[str]) -> str:
    for stop in stop_strings:
        cut = text.find(stop)
        if cut >= 0:
            text = text[:cut]
    return text.strip()


def messages_for(prompt: str, system: str | None = None,
                 history: list[dict] | None = None) -> list[dict]:
    msgs = [{"role": "system", "content": system}] if system else []
    return [*msgs, *(history or []), {"role": "user", "content": check_prompt(prompt)}]
