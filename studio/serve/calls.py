"""Tool calls in an answer -> OpenAI's `tool_calls`. The studio trains tool calls in the Hermes form that
Qwen2.5 writes natively and that its plain rendering teaches every other model (studio.data.template):
<tool_call>{"name": ..., "arguments": {...}}</tool_call>. A block that does not parse stays in the text."""
from __future__ import annotations

import json
import re
import secrets

from studio.compare.stream import hold_back

OPEN = "<tool_call>"
_BLOCK = re.compile(r"<tool_call>\s*(.*?)\s*(?:</tool_call>|\Z)", re.DOTALL)


def split_calls(text: str) -> tuple[str, list[dict]]:
    """(the text around the calls, the calls); (text, []) when a block is not a well-formed call."""
    calls = []
    for block in _BLOCK.finditer(text):
        call = _call(block.group(1))
        if call is None:
            return text, []
        calls.append(call)
    return (_BLOCK.sub("", text).strip(), calls) if calls else (text, [])


def _call(body: str) -> dict | None:
    try:
        found = json.loads(body)
    except ValueError:
        return None
    if not isinstance(found, dict) or not isinstance(found.get("name"), str):
        return None
    args = found.get("arguments", {})
    return {"id": f"call_{secrets.token_hex(12)}", "type": "function",
            "function": {"name": found["name"],
                         "arguments": args if isinstance(args, str) else json.dumps(args, ensure_ascii=False)}}


def shown(text: str) -> str:
    """What a stream shows of an answer that may call tools: the text before the first call, never the start
    of one (the calls are sent whole when the answer ends)."""
    at = text.find(OPEN)
    return text[:at] if at >= 0 else hold_back(text, [OPEN])
