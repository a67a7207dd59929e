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
from typing import Any

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
    """One record cannot be used: `field` is where, `hint` says what to do."""

    def __init__(self, field: str, message: str, hint: str = "") -> None:
        super().__init__(f"{field}: {message}")
        self.field, self.message, self.hint = field, message, hint


class MediaError(RecordError):
    """The record holds an image, audio or video; `kind` says which (the file's verdict names it once)."""

    def __init__(self, field: str, kind: str) -> None:
        super().__init__(field, f"holds {kind} data: this studio tunes text models",
                         "remove the media rows, or use a vision or audio fine-tuning tool")
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
        raise RecordError(field, f"expected a string, got {type_name(value)}",
                          "write the text as a JSON string")
    # JSON's "\ud800" escape decodes to a lone surrogate: no tokenizer and no UTF-8 writer accepts
    # one, so such a row would only fail later, in the middle of training, with a cryptic error.
    bad = _SURROGATE.search(value)
    if bad:
        raise RecordError(field, f"invalid character U+{ord(bad.group()):04X} (a lone UTF-16 "
                          f"surrogate) at position {bad.start()}",
                          "fix the \\uD8xx escape: a surrogate must be one half of a pair")
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
        raise RecordError(field, f"a {kind} part: this studio trains on the answer text only, and "
                          "dropping the reasoning would teach answers without it",
                          "put the reasoning into the text (e.g. inside <think>…</think>) or remove the part")
    raise RecordError(field, f"expected a content part {{\"type\": \"text\", \"text\": …}}, got "
                      f"{short(part)}", "write the text as a string, or as text parts")


# --- one turn -------------------------------------------------------------------------------------

def turn(item: Any, where: str) -> Turn:
    """One {role, content} (or ShareGPT {from, value}) entry, with its tool calls and weight."""
    if not isinstance(item, Mapping):
        raise RecordError(where, f"expected an object with role and content, got {type_name(item)}",
                          "each turn is a JSON object")
    role_key = next((k for k in ("role", "from") if k in item), None)
    if role_key is None:
        raise RecordError(where, "missing role ('role')", "add \"role\": \"user\" or \"assistant\"")
    raw = item[role_key]
    role = ROLE_ALIASES.get(raw.strip().lower()) if isinstance(raw, str) else None
    if role is None:
        raise RecordError(f"{where}.{role_key}", f"unknown role {short(raw)}",
                          f"use one of: {', '.join(ROLE_ALIASES)}")
    _refuse_reasoning(item, where)
    if raw.strip().lower() in CALL_ROLES:  # the value is the call itself
        value_key = "value" if "value" in item else "content"
        calls = tool_calls(_json_value(item.get(value_key), f"{where}.{value_key}"), f"{where}.{value_key}")
        return Turn("assistant", "", f"{where}.{value_key}", calls)
    calls = _openai_calls(item, where) if role == "assistant" else None
    content_key = next((k for k in ("content", "value") if k in item), None)
    if content_key is None or (item[content_key] is None and calls):
        if not calls:
            raise RecordError(where, "missing text ('content')", "add \"content\"")
        content, field = "", f"{where}.tool_calls"
    else:
        field = f"{where}.{content_key}"
        content = text(item[content_key], field)
    return Turn(role, content, field, calls, _weight(item, role, where), _call_id(item, role))


def _refuse_reasoning(item: Mapping, where: str) -> None:
    for key in ("reasoning_content", "reasoning", "thinking"):
        if item.get(key):
            raise RecordError(f"{where}.{key}", "reasoning kept beside the answer: this studio trains on "
                              "the answer text only, and dropping it silently would change what is learned",
                              "put it into content (e.g. inside <think>…</think>) or remove the key")


def _weight(item: Mapping, role: str, where: str) -> int | None:
    """OpenAI's `weight` (0 or 1); Axolotl's `training` and ms-swift's `loss` (true/false) say the same."""
    key = next((k for k in ("weight", "training", "loss") if item.get(k) is not None), None)
    if key is None:
        return None
    value = item[key]
    if role != "assistant":
        raise RecordError(f"{where}.{key}", f"'{key}' on a {role} turn: only assistant turns are trained",
                          "remove it, or put it on the assistant turn")
    allowed = (True, False) if key != "weight" else (0, 1)
    if value not in allowed or isinstance(value, bool) != (key != "weight"):
        raise RecordError(f"{where}.{key}", f"{key} must be {' or '.join(map(str, allowed)).lower()}, got "
                          f"{short(value)}", "0 (false) = show this answer without training on it, 1 (true) = "
                          "train on it")
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
        raise RecordError(field, f"expected the call as JSON, got {short(value)}",
                          'write {"name": ..., "arguments": {...}}') from None


def tool_calls(value: Any, field: str) -> list[dict]:
    """Calls in OpenAI's shape ({"type": "function", "function": {"name", "arguments"}}, arguments a
    JSON string), a bare {"name", "arguments"} or a list of either -> OpenAI's shape with the
    arguments as an object, which is what chat templates expect."""
    items = value if isinstance(value, list) else [value]
    if not items:
        raise RecordError(field, "an empty list of tool calls", "remove the key or add a call")
    calls = []
    for i, call in enumerate(items):
        where = f"{field}[{i}]" if isinstance(value, list) else field
        fn = call.get("function", call) if isinstance(call, Mapping) else None
        if not isinstance(fn, Mapping) or not isinstance(fn.get("name"), str) or not fn["name"]:
            raise RecordError(where, f"a tool call needs a name, got {short(call)}",
                              'write {"type": "function", "function": {"name": ..., "arguments": ...}}')
        args = _json_value(fn.get("arguments", fn.get("parameters", {})), f"{where}.arguments")
        if not isinstance(args, Mapping):
            raise RecordError(f"{where}.arguments", f"expected an object, got {type_name(args)}",
                              "the arguments are a JSON object of parameter names and values")
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
        raise RecordError(field, f"expected a list of tool definitions, got {type_name(value)}",
                          'write [{"type": "function", "function": {"name": ..., "parameters": ...}}]')
    out = []
    for i, tool in enumerate(value):
        fn = tool.get("function", tool) if isinstance(tool, Mapping) else None
        if not isinstance(fn, Mapping) or not isinstance(fn.get("name"), str):
            raise RecordError(f"{field}[{i}]", f"a tool definition needs a name, got {short(tool)}",
                              'write {"type": "function", "function": {"name": ..., "parameters": ...}}')
        out.append({"type": "function", "function": dict(fn)})
    return out


# --- the order rules ------------------------------------------------------------------------------

_EMPTY = {
    "assistant": ("empty answer", "write the answer the model should give, or drop the row"),
    "user": ("empty user turn", "write the user's message, or drop the row"),
    "system": ("empty system prompt", "write one or remove the system turn"),
    "tool": ("empty tool output", "write what the tool returned"),
}


def check_turns(turns: list[Turn]) -> None:
    """An optional system turn first, then a user turn; the user and assistant alternate, except that
    an assistant's tool calls are followed by the tools' outputs and then the assistant again; the
    row ends with an assistant turn that is trained."""
    if not turns:
        raise RecordError("messages", "no turns", "add a user turn and the assistant's answer")
    for index, t in enumerate(turns):
        if t.role == "system" and index:
            raise RecordError(t.field, "a system turn must come first", "move it to the start")
        if not t.content.strip() and not t.calls:
            raise RecordError(t.field, *_EMPTY[t.role])
    previous: Turn | None = None
    for t in turns[1:] if turns[0].role == "system" else turns:
        _check_step(previous, t)
        previous = t
    _check_ending(turns)


def _check_step(previous: Turn | None, t: Turn) -> None:
    if previous is None and t.role != "user":
        raise RecordError(t.field, f"{t.role} turn with no user turn before it",
                          "start the conversation with the user's message")
    if t.role == "tool" and not (previous and (previous.calls or previous.role == "tool")):
        raise RecordError(t.field, "a tool output with no tool call before it",
                          "put the assistant's tool_calls turn before the tool's output")
    if previous and previous.calls and t.role != "tool":
        raise RecordError(t.field, "a tool call with no tool output after it",
                          "add the tool's output as a role 'tool' turn")
    if previous and previous.role == "tool" and t.role == "user":
        raise RecordError(t.field, "a user turn right after a tool output",
                          "the assistant answers from the tool's output before the user speaks again")
    if previous and t.role == previous.role and t.role != "tool":
        raise RecordError(t.field, f"two {t.role} turns in a row", "user and assistant turns "
                          "must alternate: merge them or add the missing turn")


def _check_ending(turns: list[Turn]) -> None:
    answers = [t for t in turns if t.role == "assistant"]
    if not answers:
        raise RecordError(turns[-1].field, "no assistant turn: there is nothing for the model to "
                          "learn", "add the answer the model should give")
    if turns[-1].role != "assistant":
        raise RecordError(turns[-1].field, f"the conversation ends with a {turns[-1].role} turn",
                          "end each row with the assistant's answer")
    if all(t.weight == 0 for t in answers):
        raise RecordError(answers[-1].field, "every assistant turn has weight 0: nothing is trained",
                          "set weight 1 (or remove the key) on the turns the model should learn")
