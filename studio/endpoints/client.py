"""One call to an endpoint through the official `openai` client: the messages in, the answer's text out, or an
EndpointError that names what went wrong (no key, down, slow, refused, not an OpenAI API). The key is read
from the environment at each call and masked in every message; no retries, so a slow endpoint costs its
timeout once, not three times."""
from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from studio.endpoints import EndpointError
from studio.endpoints.store import Endpoint
from studio.redact import redact

NO_KEY = "none"
"""What is sent as the key to a server that wants none: the client refuses an empty one."""


@dataclass
class Reply:
    text: str
    seconds: float
    model: str


def key_of(endpoint: Endpoint) -> str | None:
    """The key from the environment; None where the endpoint needs none. Said when it needs one that is unset."""
    if not endpoint.key_env:
        return None
    key = os.environ.get(endpoint.key_env, "").strip()
    if not key:
        raise EndpointError("err_endpoint_no_key", name=endpoint.name, env=endpoint.key_env)
    return key


def ask(endpoint: Endpoint, messages: list[dict], *, max_tokens: int = 256, temperature: float = 0.0,
        seed: int | None = None, timeout: float | None = None) -> Reply:
    """The endpoint's answer to a chat; `timeout` (seconds) overrides the endpoint's own."""
    import openai

    key = key_of(endpoint)
    limit = float(timeout or endpoint.timeout)
    extra: dict[str, Any] = {"seed": seed} if seed is not None else {}
    t0 = time.monotonic()
    # strict: a reply that is not the API's JSON is an error, never a string taken for an answer
    with openai.OpenAI(base_url=endpoint.url, api_key=key or NO_KEY, timeout=limit, max_retries=0,
                       _strict_response_validation=True) as client:
        try:
            done = client.chat.completions.create(model=endpoint.model, messages=messages, max_tokens=max_tokens,
                                                  temperature=temperature, **extra)
            text = done.choices[0].message.content or ""
        except Exception as e:  # noqa: BLE001 - every failure of the call becomes one said reason
            raise _said(endpoint, e, limit, key) from None
    return Reply(text, time.monotonic() - t0, done.model or endpoint.model)


def stream(endpoint: Endpoint, messages: list[dict], *, max_tokens: int = 256, temperature: float = 0.0,
           seed: int | None = None) -> Iterator[str]:
    """The answer's text so far, growing as the endpoint sends it (server-sent events, the client's
    stream=True); the same errors as ask. The endpoint's timeout bounds each wait for the next bytes, so a
    slow start is a timeout named while a steady stream runs to its end. A server that answers in one piece
    anyway (no event stream) is asked again without streaming, where ask reads its reply strictly."""
    import openai

    key, limit = key_of(endpoint), float(endpoint.timeout)
    extra: dict[str, Any] = {"seed": seed} if seed is not None else {}
    with openai.OpenAI(base_url=endpoint.url, api_key=key or NO_KEY, timeout=limit, max_retries=0) as client:
        try:
            chunks = client.chat.completions.create(model=endpoint.model, messages=messages, max_tokens=max_tokens,
                                                    temperature=temperature, stream=True, **extra)
            if "event-stream" not in chunks.response.headers.get("content-type", ""):
                chunks.close()
                yield ask(endpoint, messages, max_tokens=max_tokens, temperature=temperature, seed=seed).text
                return
            yield from _texts(chunks)
        except EndpointError:
            raise
        except Exception as e:  # noqa: BLE001 - every failure of the call becomes one said reason
            raise _said(endpoint, e, limit, key) from None


def _texts(chunks: Any) -> Iterator[str]:
    text = ""
    with chunks:
        for chunk in chunks:
            delta = chunk.choices[0].delta.content if chunk.choices else None
            if delta:
                text += delta
                yield text


def probe(endpoint: Endpoint, timeout: float | None = None) -> Reply:
    """A one-token call: the endpoint is up, the key is right and the model exists."""
    return ask(endpoint, [{"role": "user", "content": "Say OK."}], max_tokens=1, timeout=timeout)


def _said(endpoint: Endpoint, e: Exception, limit: float, key: str | None) -> EndpointError:
    """The client's exception as the studio says it; the key never appears, whatever the server echoed."""
    import openai

    where = {"name": endpoint.name, "url": endpoint.url}
    if isinstance(e, openai.APITimeoutError):
        return EndpointError("err_endpoint_timeout", seconds=f"{limit:g}", **where)
    if isinstance(e, openai.APIConnectionError):
        return EndpointError("err_endpoint_down", why=_short(e.__cause__ or e, key), **where)
    if isinstance(e, openai.AuthenticationError | openai.PermissionDeniedError):
        if not endpoint.key_env:
            return EndpointError("err_endpoint_wants_key", status=e.status_code, **where)
        return EndpointError("err_endpoint_key_refused", status=e.status_code, env=endpoint.key_env, **where)
    if isinstance(e, openai.NotFoundError):
        return EndpointError("err_endpoint_not_found", model=endpoint.model, **where)
    if isinstance(e, openai.APIResponseValidationError | json.JSONDecodeError | IndexError | AttributeError):
        body = getattr(getattr(e, "response", None), "text", "") or getattr(e, "doc", "") or ""
        return EndpointError("err_endpoint_not_json", start=_short(body, key, 80) or "—", **where)
    if isinstance(e, openai.APIStatusError):
        return EndpointError("err_endpoint_status", status=e.status_code, why=_short(_message(e), key), **where)
    return EndpointError("err_endpoint_failed", why=_short(f"{type(e).__name__}: {e}", key), **where)


def _message(e: Any) -> str:
    """The error's own message where the body is OpenAI's {"error": {"message"}}, else the body's start."""
    body = getattr(e, "body", None)
    if isinstance(body, dict):
        inner = body.get("error", body)
        return str(inner.get("message") if isinstance(inner, dict) else inner)
    return str(getattr(getattr(e, "response", None), "text", "") or e)


def _short(value: object, key: str | None, limit: int = 160) -> str:
    text = " ".join(redact(str(value), *([key] if key else [])).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
