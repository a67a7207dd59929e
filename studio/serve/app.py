"""The routes of `studio serve`, as OpenAI's API has them: GET /v1/models (and /v1/models/{id}), POST
/v1/chat/completions, POST /v1/completions; answers whole or as server-sent events in OpenAI's chunk format
ending with `data: [DONE]`. Every refusal is OpenAI-shaped JSON ({"error": {"message", "type", "param",
"code"}}) with its status, and nothing a request does stops the server.

Behind the studio's gate (studio.gate: Host allow-list, Origin check) and, when a key is set, the key. No
interactive docs or schema routes: the surface is exactly these routes. fastapi and starlette are imported
when the app is made, so the `studio` command line starts without them."""
from __future__ import annotations

import asyncio
import hmac
import json
import secrets
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

from studio import chat
from studio.gate import Allowed, Gate
from studio.redact import redact
from studio.serve import ApiError
from studio.serve.batch import Batcher, Done, Failed, Job, Progress, Update
from studio.serve.calls import shown, split_calls
from studio.serve.catalog import Catalog
from studio.serve.params import Ask, chat_ask, completion_ask, parse_json
from studio.serve.prompt import chat_text, fit
from studio.text import Said

MAX_BODY_BYTES = 4 * 2**20


@dataclass
class Service:
    """What the routes share: the served models, the answering thread, the key (None: no key asked)."""

    catalog: Catalog
    batcher: Batcher
    api_key: str | None = None

    def check_key(self, header: str | None) -> None:
        """`Authorization: Bearer KEY`, compared in constant time; 401 without it or with another key."""
        if self.api_key is None:
            return
        scheme, _, given = (header or "").partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(), self.api_key.encode()):
            raise ApiError(401, "err_serve_key", code="invalid_api_key")

    def job(self, ask: Ask, kind: str, post: Callable[[Update], None]) -> tuple[Job, int]:
        """The request made ready to queue (on a worker thread: it may load the model): the job and its
        prompt's token count."""
        served = self.catalog.find(ask.model)
        model = chat.get_chat_model(served.base)
        text = chat_text(model, served, ask) if kind == "chat" else ask.prompt or ""
        prompt = fit(model, text, ask, "messages" if kind == "chat" else "prompt")
        job = Job(served.base, model, served.adapter, prompt.text, prompt.settings, post, ask.n, ask.stop,
                  ask.seeded)
        return job, prompt.tokens


def as_api_error(error: BaseException) -> ApiError:
    """Any failure as the API says it: its own status, a user's mistake (a Said) as 400, anything else 500."""
    if isinstance(error, ApiError):
        return error
    if isinstance(error, Said):
        return ApiError(400, error.key, code="invalid_value", **error.fields)
    why = redact(f"{type(error).__name__}: {error}")[:300]
    return ApiError(500, "err_serve_failed", code="internal_error", why=why)


def create_app(service: Service, allowed: Allowed) -> Any:
    from fastapi import FastAPI
    from starlette.exceptions import HTTPException

    app = FastAPI(title="Katachi Studio", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.service = service
    app.add_route("/v1/models", list_models, methods=["GET"])
    app.add_route("/v1/models/{model_id:path}", one_model, methods=["GET"])
    app.add_route("/v1/chat/completions", chat_completions, methods=["POST"])
    app.add_route("/v1/completions", completions, methods=["POST"])
    app.add_exception_handler(Said, _refused)  # ApiError, and a model that cannot load (ModelError)
    app.add_exception_handler(HTTPException, _http_refused)
    app.add_exception_handler(Exception, _failed)
    app.add_middleware(Gate, allowed=allowed)
    return app


def _json(body: dict, status: int = 200) -> Any:
    from starlette.responses import JSONResponse

    return JSONResponse(body, status_code=status)


async def _refused(request: Any, error: Exception) -> Any:
    api = as_api_error(error)
    return _json(api.body(), api.status)


async def _http_refused(request: Any, error: Any) -> Any:
    """Starlette's own refusals (no such route, a wrong method) in OpenAI's shape."""
    api = ApiError(error.status_code, "err_serve_route", code="not_found" if error.status_code == 404 else None,
                   method=request.method, path=request.url.path[:200])
    return _json(api.body(), api.status)


async def _failed(request: Any, error: Exception) -> Any:
    return await _refused(request, error)


async def list_models(request: Any) -> Any:
    service: Service = request.app.state.service
    service.check_key(request.headers.get("authorization"))
    from starlette.concurrency import run_in_threadpool

    served = await run_in_threadpool(service.catalog.models)
    return _json({"object": "list", "data": [service.catalog.card(s) for s in served]})


async def one_model(request: Any) -> Any:
    service: Service = request.app.state.service
    service.check_key(request.headers.get("authorization"))
    from starlette.concurrency import run_in_threadpool

    served = await run_in_threadpool(service.catalog.find, request.path_params["model_id"])
    return _json(service.catalog.card(served))


async def chat_completions(request: Any) -> Any:
    return await _answer(request, "chat")


async def completions(request: Any) -> Any:
    return await _answer(request, "text")


async def _answer(request: Any, kind: str) -> Any:
    from starlette.concurrency import run_in_threadpool
    from starlette.responses import StreamingResponse

    service: Service = request.app.state.service
    service.check_key(request.headers.get("authorization"))
    body = parse_json(await _read_body(request))
    ask = chat_ask(body) if kind == "chat" else completion_ask(body)
    updates: asyncio.Queue[Update] = asyncio.Queue()
    job, prompt_tokens = await run_in_threadpool(service.job, ask, kind, _poster(updates))
    service.batcher.submit(job)
    reply = Reply(kind, ask, prompt_tokens)
    if ask.stream:
        return StreamingResponse(events(reply, updates, job), media_type="text/event-stream",
                                 headers={"cache-control": "no-cache"})
    try:
        while not isinstance(update := await updates.get(), (Done, Failed)):
            pass
    finally:
        job.cancelled.set()  # answered, or the client went away: nothing more to wait for
    if isinstance(update, Failed):
        raise as_api_error(update.error)
    return _json(reply.whole(update))


def _poster(updates: asyncio.Queue) -> Callable[[Update], None]:
    """Updates from the batch thread onto this request's event loop (dropped once the loop is gone)."""
    loop = asyncio.get_running_loop()

    def post(update: Update) -> None:
        try:
            loop.call_soon_threadsafe(updates.put_nowait, update)
        except RuntimeError:  # the server stopped while answering: nobody is left to read it
            pass

    return post


async def _read_body(request: Any) -> bytes:
    """The body, refused with 413 past MAX_BODY_BYTES before it is all read."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        raise ApiError(413, "err_serve_body", code="request_too_large", most=MAX_BODY_BYTES)
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise ApiError(413, "err_serve_body", code="request_too_large", most=MAX_BODY_BYTES)
        chunks.append(chunk)
    return b"".join(chunks)


@dataclass
class Reply:
    """One request's answer in OpenAI's shapes: a whole response, or its stream's chunks."""

    kind: str
    """"chat" (chat.completion) or "text" (text_completion)."""
    ask: Ask
    prompt_tokens: int
    id: str = field(default_factory=lambda: secrets.token_hex(12))
    created: int = field(default_factory=lambda: int(time.time()))

    @property
    def chat(self) -> bool:
        return self.kind == "chat"

    def head(self, kind: str) -> dict:
        prefix = "chatcmpl-" if self.chat else "cmpl-"
        return {"id": prefix + self.id, "object": kind, "created": self.created, "model": self.ask.model}

    def usage(self, done: Done) -> dict:
        made = sum(done.tokens)  # the prompt is read once, however many choices
        return {"prompt_tokens": self.prompt_tokens, "completion_tokens": made,
                "total_tokens": self.prompt_tokens + made}

    def parts(self, text: str) -> tuple[str, list[dict]]:
        """(content, tool calls) of a finished answer: calls only where the request gave tools."""
        return split_calls(text) if self.chat and self.ask.tools else (text, [])

    def whole(self, done: Done) -> dict:
        choices = []
        for i, (text, finish) in enumerate(zip(done.texts, done.finish)):
            if not self.chat:
                choices.append({"index": i, "text": text, "logprobs": None, "finish_reason": finish})
                continue
            content, calls = self.parts(text)
            message: dict = {"role": "assistant", "content": content if content or not calls else None}
            if calls:
                message["tool_calls"] = calls
            choices.append({"index": i, "message": message, "logprobs": None,
                            "finish_reason": "tool_calls" if calls else finish})
        kind = "chat.completion" if self.chat else "text_completion"
        return {**self.head(kind), "choices": choices, "usage": self.usage(done)}

    def chunk(self, choices: list[dict], usage: dict | None = None) -> str:
        body = {**self.head("chat.completion.chunk" if self.chat else "text_completion"), "choices": choices}
        if self.ask.include_usage:
            body["usage"] = usage
        return f"data: {json.dumps(body, ensure_ascii=False)}\n\n"

    def piece(self, i: int, text: str = "", finish: str | None = None, **delta: Any) -> dict:
        if not self.chat:
            return {"index": i, "text": text, "logprobs": None, "finish_reason": finish}
        return {"index": i, "delta": {**({"content": text} if text else {}), **delta}, "logprobs": None,
                "finish_reason": finish}


async def events(reply: Reply, updates: asyncio.Queue, job: Job) -> AsyncIterator[str]:
    """The stream: the assistant's role, each choice's new text as it comes, each choice's end (its tool
    calls whole), the usage when asked for, then `data: [DONE]`. A failure mid-stream is an error event."""
    sent = [""] * reply.ask.n
    try:
        if reply.chat:
            yield reply.chunk([reply.piece(i, role="assistant", content="") for i in range(reply.ask.n)])
        while True:
            update = _newest(await updates.get(), updates)
            if isinstance(update, Failed):
                yield f"data: {json.dumps(as_api_error(update.error).body(), ensure_ascii=False)}\n\n"
                break
            final = isinstance(update, Done)
            visible = [reply.parts(t)[0] if final else shown(t) if reply.ask.tools else t for t in update.texts]
            new = [reply.piece(i, text[len(sent[i]):]) for i, text in enumerate(visible)
                   if text.startswith(sent[i]) and len(text) > len(sent[i])]
            sent = [text if text.startswith(old) else old for text, old in zip(visible, sent)]
            if new:
                yield reply.chunk(new)
            if final:
                yield reply.chunk([_ending(reply, i, text, finish)
                                   for i, (text, finish) in enumerate(zip(update.texts, update.finish))])
                if reply.ask.include_usage:
                    yield reply.chunk([], reply.usage(update))
                break
        yield "data: [DONE]\n\n"
    finally:
        job.cancelled.set()  # ended, or the client went away: its rows are no longer waited for


def _newest(update: Update, updates: asyncio.Queue) -> Update:
    """Skip the snapshots a slow reader has fallen behind on: the newest text holds them all."""
    while isinstance(update, Progress) and not updates.empty():
        update = updates.get_nowait()
    return update


def _ending(reply: Reply, i: int, text: str, finish: str) -> dict:
    calls = reply.parts(text)[1]
    if not calls:
        return reply.piece(i, finish=finish)
    indexed = [{"index": k, **call} for k, call in enumerate(calls)]
    return reply.piece(i, finish="tool_calls", tool_calls=indexed)
