"""A request body -> what to generate. Every parameter is checked before anything is queued, and a refusal
names the parameter (OpenAI's `param`), so a client's mistake costs a 400, never the server.

The defaults are OpenAI's (temperature 1, top_p 1, n 1); the repetition penalty is the studio's own
(GenSettings'), so a greedy request gives the same tokens as Compare's column for the same prompt."""
from __future__ import annotations

import json
import secrets
from dataclasses import dataclass, field
from typing import Any

from studio.chat import MAX_NEW_TOKENS, GenSettings
from studio.config import is_number, is_whole
from studio.serve import ApiError

DEFAULT_MAX_TOKENS = 256
"""When a request names no max_tokens (shortened to what the context leaves)."""
MAX_N = 8
MAX_STOPS = 4
ROLES = {"system": "system", "developer": "system", "user": "user", "assistant": "assistant", "tool": "tool"}
# Parameters OpenAI defines that this server cannot honour: refused unless they ask for the default.
UNSUPPORTED: dict[str, tuple[Any, ...]] = {
    "logprobs": (None, False, 0), "top_logprobs": (None, 0), "logit_bias": (None, {}), "echo": (None, False),
    "presence_penalty": (None, 0, 0.0), "frequency_penalty": (None, 0, 0.0), "suffix": (None, ""),
    "best_of": (None, 1), "functions": (None, []), "function_call": (None, "none", "auto"),
    "response_format": (None, {"type": "text"}), "audio": (None,), "modalities": (None, ["text"]),
    "prediction": (None,), "web_search_options": (None,),
}


@dataclass
class Ask:
    """What one request asks for, checked."""

    model: str
    settings: GenSettings
    max_tokens_given: bool
    n: int = 1
    stop: list[str] = field(default_factory=list)
    stream: bool = False
    include_usage: bool = False
    seeded: bool = False
    """Sampled with the client's seed: answered alone, so the same request gives the same answer."""
    messages: list[dict] | None = None
    """A chat's turns (roles system, user, assistant, tool), content as text."""
    tools: list[dict] | None = None
    prompt: str | None = None
    """A completion's text, continued as it is (no chat template)."""


def bad(key: str, param: str, **fields: object) -> ApiError:
    return ApiError(400, key, param=param, code="invalid_value", **fields)


def parse_json(raw: bytes) -> dict:
    try:
        body = json.loads(raw or b"null")
    except (ValueError, UnicodeDecodeError):
        body = None
    if not isinstance(body, dict):
        raise ApiError(400, "err_serve_json", code="invalid_json")
    return body


def _number_in(body: dict, name: str, default: float, low: float, high: float, *, open_low: bool = False) -> float:
    value = body.get(name)
    if value is None:
        return default
    if not is_number(value) or value > high or value < low or (open_low and value == low):
        raise bad("err_serve_range_open" if open_low else "err_serve_range", name, name=name, low=low, high=high)
    return float(value)


def _whole_in(body: dict, name: str, default: int | None, low: int, high: int) -> int | None:
    value = body.get(name)
    if value is None:
        return default
    if not is_whole(value) or not low <= value <= high:
        raise bad("err_serve_whole", name, name=name, low=low, high=high)
    return value


def _flag(body: dict, name: str) -> bool:
    value = body.get(name)
    if value is not None and not isinstance(value, bool):
        raise bad("err_serve_bool", name, name=name)
    return bool(value)


def _stops(body: dict) -> list[str]:
    value = body.get("stop")
    stops = [value] if isinstance(value, str) else value if value is not None else []
    if not isinstance(stops, list) or len(stops) > MAX_STOPS or not all(isinstance(s, str) and s for s in stops):
        raise bad("err_serve_stop", "stop", most=MAX_STOPS)
    return stops


def _refuse_unsupported(body: dict) -> None:
    for name, defaults in UNSUPPORTED.items():
        if name in body and body[name] not in defaults:
            raise bad("err_serve_unsupported", name, name=name)


def _sampling(body: dict) -> dict[str, Any]:
    """The settings every endpoint shares, as Ask's fields."""
    _refuse_unsupported(body)
    temperature = _number_in(body, "temperature", 1.0, 0.0, 2.0)
    top_p = _number_in(body, "top_p", 1.0, 0.0, 1.0, open_low=True)
    given = body.get("max_completion_tokens", body.get("max_tokens"))
    name = "max_completion_tokens" if body.get("max_completion_tokens") is not None else "max_tokens"
    max_tokens = _whole_in({name: given}, name, DEFAULT_MAX_TOKENS, 1, MAX_NEW_TOKENS)
    seed = _whole_in(body, "seed", None, 0, 2**63 - 1)
    options = body.get("stream_options")
    if options is not None and not (isinstance(options, dict)
                                    and isinstance(options.get("include_usage", False), bool)):
        raise bad("err_serve_stream_options", "stream_options")
    seeded = seed is not None and temperature > 0
    settings = GenSettings(max_new_tokens=max_tokens, temperature=temperature, top_p=top_p,
                           seed=seed if seed is not None else secrets.randbelow(2**31))
    return {"settings": settings, "max_tokens_given": given is not None, "seeded": seeded,
            "n": _whole_in(body, "n", 1, 1, MAX_N), "stop": _stops(body), "stream": _flag(body, "stream"),
            "include_usage": bool((options or {}).get("include_usage"))}


def chat_ask(body: dict) -> Ask:
    """POST /v1/chat/completions."""
    ask = Ask(model=body.get("model"), messages=_messages(body.get("messages")), **_sampling(body))
    choice = body.get("tool_choice")
    if choice not in (None, "auto", "none"):
        raise bad("err_serve_tool_choice", "tool_choice")
    ask.tools = None if choice == "none" else _tools(body.get("tools"))
    return ask


def completion_ask(body: dict) -> Ask:
    """POST /v1/completions: one prompt (a string, or a list holding one), continued as plain text."""
    prompt = body.get("prompt")
    if isinstance(prompt, list) and len(prompt) == 1:
        prompt = prompt[0]
    if not isinstance(prompt, str) or not prompt:
        raise bad("err_serve_prompt", "prompt")
    return Ask(model=body.get("model"), prompt=prompt, **_sampling(body))


def _messages(value: object) -> list[dict]:
    if not isinstance(value, list) or not value or not all(isinstance(m, dict) for m in value):
        raise bad("err_serve_messages", "messages")
    return [_message(i, m) for i, m in enumerate(value)]


def _message(i: int, m: dict) -> dict:
    role = ROLES.get(str(m.get("role")))  # "developer" is the newer name of "system"
    if role is None:
        raise bad("err_serve_role", f"messages[{i}].role", i=i, role=str(m.get("role"))[:40])
    calls = m.get("tool_calls") if role == "assistant" else None
    out = {"role": role, "content": _text(i, m.get("content"), empty_ok=bool(calls) or role == "assistant")}
    if calls:
        if not isinstance(calls, list) or not all(_is_call(c) for c in calls):
            raise bad("err_serve_tool_calls", f"messages[{i}].tool_calls", i=i)
        out["tool_calls"] = [_call(c) for c in calls]
    return out


def _text(i: int, content: object, empty_ok: bool) -> str:
    """A message's text: a string, or content parts of type text (joined); images and audio are refused."""
    if content is None and empty_ok:
        return ""
    if isinstance(content, list) and all(isinstance(p, dict) and p.get("type") == "text"
                                         and isinstance(p.get("text"), str) for p in content):
        content = "".join(p["text"] for p in content)
    if not isinstance(content, str):
        raise bad("err_serve_content", f"messages[{i}].content", i=i)
    return content


def _is_call(call: object) -> bool:
    fn = call.get("function") if isinstance(call, dict) else None
    return isinstance(fn, dict) and isinstance(fn.get("name"), str)


def _call(call: dict) -> dict:
    """An assistant's earlier tool call as the templates read it: arguments as an object when they parse."""
    args = call["function"].get("arguments", {})
    if isinstance(args, str):
        try:
            args = json.loads(args)
        except ValueError:
            pass  # not JSON: the model sees the text it wrote
    return {"type": "function", "function": {"name": call["function"]["name"], "arguments": args}}


def _tools(value: object) -> list[dict] | None:
    if value is None or value == []:
        return None
    if not isinstance(value, list) or not all(isinstance(t, dict) and t.get("type", "function") == "function"
                                              and _is_call(t) for t in value):
        raise bad("err_serve_tools", "tools")
    return value
