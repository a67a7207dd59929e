"""One conversation turn, read from whichever shape a file uses, and the order rules every row obeys.

A turn's text may be a string or a list of content parts (OpenAI's {"type": "text", "text"} and
LLaMA-Factory's {"type": "text", "value"}). An assistant turn may call tools instead of (or besides)
writing text; a `tool` turn carries a tool's output back. `weight: 0` on an assistant turn keeps it
as context without training on it (OpenAI's fine-tuning key).

Images, audio and video are refused with `MediaError` (this studio tunes text models), reasoning
parts with a `RecordError` naming the part: neither is ever dropped silently.
"""
from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, NoReturn

from studio.text import TEXT
from studio.text import t as text_of

ROLES = ("system", "user", "assistant", "tool")
# Every spelling of a role seen in the wild. ShareGPT's function_call is an assistant turn whose
# value is the call; observation (LLaMA-Factory), function (OpenAI's legacy) and ipython (Llama 3)
# carry a tool's output.
ROLE_ALIASES = {
    "system": "system", "developer": "system",
    "user": "user", "human": "user",
    "assistant": "assistant", "gpt": "assistant", "model": "assistant",
    "function_call": "assistant", "tool_call": "assistant",
    "tool": "tool", "observation": "tool", "function": "tool", "ipython": "tool", "tool_response": "tool",
}
CALL_ROLES = ("function_call", "tool_call")  # ShareGPT's (LLaMA-Factory) and ms-swift's: the text is the call
# The keys a turn may carry; any other (non-empty) one is reported as unused.
TURN_KEYS = {"role", "from", "content", "value", "tool_calls", "function_call", "tool_call_id", "name",
             "weight", "training", "loss", "refusal", "reasoning_content", "reasoning", "thinking"}
TEXT_PARTS = ("text", "input_text", "output_text")
MEDIA_PARTS = ("image", "image_url", "input_image", "audio", "input_audio", "video", "video_url", "file")
REASONING = ("reasoning", "thinking", "redacted_thinking")
MEDIA_TAG = re.compile(r"<(image|video|audio)>")
_SURROGATE = re.compile("[\ud800-\udfff]")


class RecordError(ValueError):
    """One record cannot be used: `field` is where, `hint` says what to do. `key` and `words` give the
    message from the text catalogue, so the UI can say it in its own language."""

    def __init__(self, field: str, message: str, hint: str = "", key: str = "",
                 words: dict[str, Any] | None = None) -> None:
        super().__init__(f"{field}: {message}")
        self.field, self.message, self.hint = field, message, hint
        self.key, self.words = key, words or {}


def english(key: str, **words: Any) -> tuple[str, str]:
    """(message, hint) of catalogue key `e_<key>` in English: the words of every report and CLI line."""
    hint = f"e_{key}_hint"
    return text_of("en", f"e_{key}", **words), text_of("en", hint, **words) if hint in TEXT["en"] else ""


def fail(field: str, key: str, **words: Any) -> NoReturn:
    raise RecordError(field, *english(key, **words), key=f"e_{key}", words=words)


class MediaError(RecordError):
    """The record holds an image, audio or video; `kind` says which (the file's verdict names it once)."""

    def __init__(self, field: str, kind: str) -> None:
        super().__init__(field, *english("media", kind=kind), key="e_media", words={"kind": kind})
        self.kind = kind


@dataclass
class Turn:
    role: str
    content: str
    field: str  # where it came from, so errors point back at the input
    calls: list[dict] | None = None  # an assistant's tool calls, OpenAI's shape, arguments as an object
    weight: int | None = None  # 0: context only, not trained
    call_id: str | None = None  # a tool turn: the call it answers

    def message(self) -> dict:
        out: dict[str, Any] = {"role": self.role, "content": self.content}
        if self.calls:
            out["tool_calls"] = self.calls
        if self.weight == 0:
            out["weight"] = 0
        if self.call_id:
            out["tool_call_id"] = self.call_id
        return out


def type_name(value: Any) -> str:
    """The JSON name of a value's type, for messages such as 'expected a string, got a number'."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, (list, tuple)):
        return "a list"
    if isinstance(value, Mapping):
        return "an object"
    return "a string" if isinstance(value, str) else f"a {type(value).__name__}"


def short(value: Any, limit: int = 40) -> str:
    """A repr safe to echo in an error: user data can be megabytes long."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


# --- text ---------------------------------------------------------------------------------------

def text(value: Any, field: str) -> str:
    """A string value, or a list of text parts joined. Media parts raise MediaError, reasoning parts
    RecordError: a part that is not text is never dropped without a word."""
    if isinstance(value, list):
        return "".join(_part(p, f"{field}[{i}]") for i, p in enumerate(value))
    if not isinstance(value, str):
        fail(field, "not_string", got=type_name(value))
    # JSON's "\ud800" escape decodes to a lone surrogate: no tokenizer and no UTF-8 writer accepts
    # one, so such a row would only fail later, in the middle of training, with a cryptic error.
    bad = _SURROGATE.search(value)
    if bad:
        fail(field, "surrogate", code=f"{ord(bad.group()):04X}", pos=bad.start())
    tag = MEDIA_TAG.search(value)
    if tag:
        raise MediaError(field, tag.group(1))
    return value


def _part(part: Any, field: str) -> str:
    kind = part.get("type") if isinstance(part, Mapping) else None
    if kind in TEXT_PARTS:
        value = part.get("text", part.get("value"))
        return text(value, f"{field}.{'text' if 'text' in part else 'value'}")
    if kind in MEDIA_PARTS:
        raise MediaError(field, kind.split("_")[-1] if kind != "image_url" else "image")
    if kind in REASONING:
        fail(field, "reasoning_part", kind=kind)
    fail(field, "not_part", got=short(part))


# --- one turn -------------------------------------------------------------------------------------

def turn(item: Any, where: str) -> Turn:
    """One {role, content} (or ShareGPT {from, value}) entry, with its tool calls and weight."""
    if not isinstance(item, Mapping):
        fail(where, "turn_not_object", got=type_name(item))
    role_key = next((k for k in ("role", "from") if k in item), None)
    if role_key is None:
        fail(where, "no_role")
    raw = item[role_key]
    role = ROLE_ALIASES.get(raw.strip().lower()) if isinstance(raw, str) else None
    if role is None:
        fail(f"{where}.{role_key}", "unknown_role", role=short(raw), roles=", ".join(ROLE_ALIASES))
    _refuse_reasoning(item, where)
    if raw.strip().lower() in CALL_ROLES:  # the value is the call itself
        value_key = "value" if "value" in item else "content"
        calls = tool_calls(_json_value(item.get(value_key), f"{where}.{value_key}"), f"{where}.{value_key}")
        return Turn("assistant", "", f"{where}.{value_key}", calls)
    calls = _openai_calls(item, where) if role == "assistant" else None
    content_key = next((k for k in ("content", "value") if k in item), None)
    if content_key is None or (item[content_key] is None and calls):
        if not calls:
            fail(where, "no_text")
        content, field = "", f"{where}.tool_calls"
    else:
        field = f"{where}.{content_key}"
        content = text(item[content_key], field)
    return Turn(role, content, field, calls, _weight(item, role, where), _call_id(item, role))


def _refuse_reasoning(item: Mapping, where: str) -> None:
    for key in ("reasoning_content", "reasoning", "thinking"):
        if item.get(key):
            fail(f"{where}.{key}", "reasoning_key")


def _weight(item: Mapping, role: str, where: str) -> int | None:
    """OpenAI's `weight` (0 or 1); Axolotl's `training` and ms-swift's `loss` (true/false) say the same."""
    key = next((k for k in ("weight", "training", "loss") if item.get(k) is not None), None)
    if key is None:
        return None
    value = item[key]
    if role != "assistant":
        fail(f"{where}.{key}", "weight_role", name=key, role=role)
    allowed = (True, False) if key != "weight" else (0, 1)
    if value not in allowed or isinstance(value, bool) != (key != "weight"):
        fail(f"{where}.{key}", "weight_value", name=key, allowed=" / ".join(map(str, allowed)).lower(),
             got=short(value))
    return int(value)


def unused_turn_keys(item: Any) -> list[str]:
    if not isinstance(item, Mapping):
        return []
    return [k for k in item if k not in TURN_KEYS and item[k] not in (None, "", [], {})]


def _call_id(item: Mapping, role: str) -> str | None:
    value = item.get("tool_call_id") if role == "tool" else None
    return value if isinstance(value, str) and value else None


def _openai_calls(item: Mapping, where: str) -> list[dict] | None:
    if item.get("tool_calls"):
        return tool_calls(item["tool_calls"], f"{where}.tool_calls")
    if item.get("function_call"):  # OpenAI's legacy single call
        return tool_calls(item["function_call"], f"{where}.function_call")
    return None


def _json_value(value: Any, field: str) -> Any:
    if not isinstance(value, str):
        return value
    try:
        return json.loads(value)
    except ValueError:
        fail(field, "call_json", got=short(value))


def _json_or_none(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return None


def tool_calls(value: Any, field: str) -> list[dict]:
    """Calls in OpenAI's shape ({"type": "function", "function": {"name", "arguments"}}, arguments a
    JSON string), a bare {"name", "arguments"} or a list of either -> OpenAI's shape with the
    arguments as an object, which is what chat templates expect."""
    items = value if isinstance(value, list) else [value]
    if not items:
        fail(field, "no_calls")
    calls = []
    for i, call in enumerate(items):
        where = f"{field}[{i}]" if isinstance(value, list) else field
        fn = call.get("function", call) if isinstance(call, Mapping) else None
        if not isinstance(fn, Mapping) or not isinstance(fn.get("name"), str) or not fn["name"]:
            fail(where, "call_name", got=short(call))
        args = _json_value(fn.get("arguments", fn.get("parameters", {})), f"{where}.arguments")
        if isinstance(args, str) and isinstance(_json_or_none(args), Mapping):
            fail(f"{where}.arguments", "call_args_twice")  # a JSON string of a JSON string: say so, offer --fix
        if not isinstance(args, Mapping):
            fail(f"{where}.arguments", "call_args", got=type_name(args))
        out = {"type": "function", "function": {"name": fn["name"], "arguments": dict(args)}}
        if isinstance(call, Mapping) and isinstance(call.get("id"), str):
            out["id"] = call["id"]
        calls.append(out)
    return calls


def tool_list(value: Any, field: str = "tools") -> list[dict] | None:
    """A `tools` list (OpenAI's, or LLaMA-Factory's JSON string of it); each in OpenAI's
    {"type": "function", "function": {...}} shape."""
    value = _json_value(value, field) if isinstance(value, str) and value.strip() else value
    if value in (None, "", []):
        return None
    if not isinstance(value, list):
        fail(field, "tools_list", got=type_name(value))
    out = []
    for i, tool in enumerate(value):
        fn = tool.get("function", tool) if isinstance(tool, Mapping) else None
        if not isinstance(fn, Mapping) or not isinstance(fn.get("name"), str):
            fail(f"{field}[{i}]", "tool_name", got=short(tool))
        out.append({"type": "function", "function": dict(fn)})
    return out


# --- the order rules ------------------------------------------------------------------------------

def check_turns(turns: list[Turn]) -> None:
    """An optional system turn first, then a user turn; the user and assistant alternate, except that
    an assistant's tool calls are followed by the tools' outputs and then the assistant again; the
    row ends with an assistant turn that is trained."""
    if not turns:
        fail("messages", "no_turns")
    for index, t in enumerate(turns):
        if t.role == "system" and index:
            fail(t.field, "system_first")
        if not t.content.strip() and not t.calls:
            fail(t.field, f"empty_{t.role}")
    previous: Turn | None = None
    for t in turns[1:] if turns[0].role == "system" else turns:
        _check_step(previous, t)
        previous = t
    _check_ending(turns)


def _check_step(previous: Turn | None, t: Turn) -> None:
    if previous is None and t.role != "user":
        fail(t.field, "first_not_user", role=t.role)
    if t.role == "tool" and not (previous and (previous.calls or previous.role == "tool")):
        fail(t.field, "tool_without_call")
    if previous and previous.calls and t.role != "tool":
        fail(t.field, "call_without_tool")
    if previous and previous.role == "tool" and t.role == "user":
        fail(t.field, "user_after_tool")
    if previous and t.role == previous.role and t.role != "tool":
        fail(t.field, "two_in_a_row", role=t.role)


def _check_ending(turns: list[Turn]) -> None:
    answers = [t for t in turns if t.role == "assistant"]
    if not answers:
        fail(turns[-1].field, "no_assistant")
    if turns[-1].role != "assistant":
        fail(turns[-1].field, "ends_with", role=turns[-1].role)
    if all(t.weight == 0 for t in answers):
        fail(answers[-1].field, "all_weight_zero")
