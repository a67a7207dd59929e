"""What a row looks like to the model's chat template, tool calls included.

A template that knows tools (it reads `tools` and `tool_calls`, as Qwen2.5's and Llama 3.1's do) gets
the row as it is, with `tools=`. Any other template (SmolLM2's, Gemma's, most small models') gets the
**plain rendering**, the Hermes convention that Qwen2.5 uses natively, spelled out in ordinary turns:

- the tool list is added to the system prompt, under "# Tools", one JSON definition per line inside
  <tools></tools>, with the instruction to answer with <tool_call>{"name": ..., "arguments": ...}</tool_call>;
- an assistant's tool calls become its text: each call as <tool_call>\\n{JSON}\\n</tool_call> after any
  words it said;
- the tools' outputs become one user turn, each as <tool_response>\\n…\\n</tool_response>.

So a model without tool support learns to call tools in a form a program can parse, and nothing in
the row is lost. `weight: 0` stays on the assistant turn either way (templates ignore it; the loss
mask reads it).
"""
from __future__ import annotations

import json
from typing import Any

TOOLS_HEADER = ("# Tools\nYou may call these tools. To call one, answer with "
                '<tool_call>{"name": ..., "arguments": {...}}</tool_call>.\n<tools>\n')


def template_text(tokenizer: Any) -> str:
    template = getattr(tokenizer, "chat_template", None) or ""
    if isinstance(template, dict):  # several named templates: any of them may be the tool one
        template = "\n".join(str(v) for v in template.values())
    return str(template)


def knows_tools(tokenizer: Any) -> bool:
    """The template renders tool definitions and assistant tool calls itself."""
    text = template_text(tokenizer)
    return "tools" in text and "tool_calls" in text


def has_tools(row: dict) -> bool:
    return bool(row.get("tools")) or any(m.get("tool_calls") or m["role"] == "tool"
                                         for m in row.get("messages", ()))


def rendering(tokenizer: Any, rows: list[dict]) -> str | None:
    """"native" or "plain" when some row uses tools, else None (nothing to say)."""
    if not any(has_tools(r) for r in rows):
        return None
    return "native" if knows_tools(tokenizer) else "plain"


def template_input(tokenizer: Any, row: dict) -> tuple[list[dict], list[dict] | None]:
    """(messages, tools) to hand to `apply_chat_template` for this model."""
    messages, tools = row["messages"], row.get("tools")
    if not has_tools(row):
        return messages, None
    if knows_tools(tokenizer):
        return messages, tools
    return plain(messages, tools), None


def plain(messages: list[dict], tools: list[dict] | None = None) -> list[dict]:
    """The plain rendering (see the module docstring): only system, user and assistant turns."""
    out: list[dict] = []
    if tools:
        listing = TOOLS_HEADER + "\n".join(json.dumps(t, ensure_ascii=False) for t in tools) + "\n</tools>"
        if messages and messages[0]["role"] == "system":
            out.append({"role": "system", "content": f"{messages[0]['content']}\n\n{listing}"})
            messages = messages[1:]
        else:
            out.append({"role": "system", "content": listing})
    for m in messages:
        if m["role"] == "tool":
            response = f"<tool_response>\n{m['content']}\n</tool_response>"
            if out and out[-1].get("tool_output"):
                out[-1]["content"] += "\n" + response
            else:
                out.append({"role": "user", "content": response, "tool_output": True})
        elif m.get("tool_calls"):
            calls = "\n".join(call_text(c) for c in m["tool_calls"])
            content = f"{m['content']}\n{calls}" if m["content"].strip() else calls
            out.append({**_bare(m), "content": content})
        else:
            out.append(_bare(m))
    return [{k: v for k, v in m.items() if k != "tool_output"} for m in out]


def call_text(call: dict) -> str:
    fn = call["function"]
    body = json.dumps({"name": fn["name"], "arguments": fn["arguments"]}, ensure_ascii=False)
    return f"<tool_call>\n{body}\n</tool_call>"


def _bare(m: dict) -> dict:
    out = {"role": m["role"], "content": m["content"]}
    if m.get("weight") == 0:
        out["weight"] = 0
    return out
