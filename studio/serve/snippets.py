"""The lines that call a running `studio serve`: curl and the official Python client. The key is never
written into them: they read it from $STUDIO_API_KEY, where a key is set."""
from __future__ import annotations

import json
import shlex

from studio.serve.server import KEY_ENV

PROMPT = "Hello! Who are you?"


def curl_snippet(url: str, model: str, keyed: bool) -> str:
    body = json.dumps({"model": model, "messages": [{"role": "user", "content": PROMPT}]}, ensure_ascii=False)
    key = f' \\\n  -H "Authorization: Bearer ${KEY_ENV}"' if keyed else ""
    return (f"curl {url}/chat/completions \\\n  -H \"Content-Type: application/json\"{key} \\\n"
            f"  -d {shlex.quote(body)}")


def python_snippet(url: str, model: str, keyed: bool) -> str:
    key = f"os.environ[{_quoted(KEY_ENV)}]" if keyed else _quoted("not-needed")
    head = "import os\n\n" if keyed else ""
    message = json.dumps({"role": "user", "content": PROMPT}, ensure_ascii=False)
    return (f"{head}from openai import OpenAI\n\n"
            f"client = OpenAI(base_url={_quoted(url)}, api_key={key})\n"
            f"answer = client.chat.completions.create(\n"
            f"    model={_quoted(model)},\n"
            f"    messages=[{message}],\n"
            f")\n"
            f"print(answer.choices[0].message.content)")


def _quoted(text: str) -> str:
    """A Python string literal in double quotes (a JSON string is one)."""
    return json.dumps(text, ensure_ascii=False)
