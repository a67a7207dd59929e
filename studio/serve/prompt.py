"""The text a served model continues, and the check that it fits the model's context.

A chat is rendered by the model's own chat template exactly as Compare renders a column (chat.render with the
generation prompt; the run's trained system prompt when the request brings none), and tools the way the
studio trains them (data.template: natively where the template knows tools, else the plain rendering). The
text is then handed to the engine as it is, so it meets the same ids as Compare's own path."""
from __future__ import annotations

from dataclasses import dataclass, replace

from studio import chat
from studio.chat import ChatModel, GenSettings, context_size
from studio.data import template
from studio.serve import ApiError
from studio.serve.catalog import Served
from studio.serve.params import Ask


@dataclass(frozen=True)
class Prompt:
    text: str
    tokens: int
    settings: GenSettings
    """The request's settings, max_new_tokens shortened to the context where the request named none."""


def chat_text(model: ChatModel, served: Served, ask: Ask) -> str:
    """The chat's turns under the model's chat template, ending with the assistant's opening."""
    if served.raw:
        raise ApiError(400, "err_serve_text_run", param="model", code="model_not_chat", model=served.id)
    messages = ask.messages or []
    if served.system and not any(m["role"] == "system" for m in messages):
        messages = [{"role": "system", "content": served.system}, *messages]
    row = {"messages": messages, **({"tools": ask.tools} if ask.tools else {})}
    turns, tools = template.template_input(model.tokenizer, row)
    from jinja2 import TemplateError

    try:
        return chat.render(model.tokenizer, turns, generation_prompt=True, tools=tools)
    except (TemplateError, TypeError, KeyError, ValueError) as e:  # e.g. "roles must alternate": the template's
        raise ApiError(400, "err_serve_template", param="messages", code="invalid_value", why=str(e)[:300]) from None


def fit(model: ChatModel, text: str, ask: Ask, param: str) -> Prompt:
    """The prompt's tokens against the context: 413 when the prompt alone is past it, 400 (max_tokens) when
    the answer asked for would not fit; an unnamed max_tokens is shortened to what is left."""
    tokens = len(model.tokenizer(text, add_special_tokens=False)["input_ids"])
    if not tokens:
        raise ApiError(400, "err_serve_prompt", param=param, code="invalid_value")
    limit = context_size(model)
    new = ask.settings.max_new_tokens
    if limit and tokens >= limit:
        raise ApiError(413, "err_serve_context", param=param, code="context_length_exceeded", tokens=tokens,
                       limit=limit)
    if limit and tokens + new > limit:
        if ask.max_tokens_given:
            raise ApiError(400, "err_serve_too_long", param="max_tokens", code="context_length_exceeded",
                           tokens=tokens, new=new, limit=limit)
        new = limit - tokens
    return Prompt(text, tokens, replace(ask.settings, max_new_tokens=new))
