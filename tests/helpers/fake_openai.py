"""A stand-in for an OpenAI-compatible endpoint that answers as a test tells it to: scripted replies, slowly,
with a web page instead of JSON, with broken JSON, with JSON that is not a completion, with a 401 that echoes
the key, or with a 500 after some calls. A real http server on a free port of 127.0.0.1, on a thread."""
from __future__ import annotations

import itertools
import json
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self

from tests.helpers.server import free_port

MODES = ("json", "slow", "html", "broken", "nochoices", "auth", "error", "badstream")


def completion(text: str, model: str) -> dict:
    return {"id": "chatcmpl-fake", "object": "chat.completion", "created": int(time.time()), "model": model,
            "choices": [{"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": text}}],
            "usage": {"prompt_tokens": 3, "completion_tokens": 1, "total_tokens": 4}}


class FakeEndpoint:
    def __init__(self, mode: str = "json", replies: list[str] | None = None, delay: float = 0.0,
                 fail_after: int | None = None, reply: Callable[[dict], str] | None = None):
        """`reply`: the answer as a function of the request's body (in place of `replies`' turns), for
        answers that must not depend on which thread's call arrives first."""
        assert mode in MODES, mode
        self.mode, self.delay, self.fail_after, self.reply = mode, delay, fail_after, reply
        self._replies = itertools.cycle(replies or ["OK"])
        self.calls: list[dict[str, Any]] = []
        """Each request's JSON body, with its Authorization header under "_auth"."""
        self._lock = threading.Lock()
        self.port = free_port()
        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), self._handler())
        self._server.daemon_threads = True
        self._server.block_on_close = False  # a slow answer still sleeping must not hold the test's end

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def __enter__(self) -> Self:
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _answer(self, body: dict, auth: str) -> tuple[int, str, bytes]:
        with self._lock:
            self.calls.append({**body, "_auth": auth})
            count, text = len(self.calls), next(self._replies)
        text = self.reply(body) if self.reply else text
        if self.fail_after is not None and count > self.fail_after:
            return 500, "application/json", json.dumps({"error": {"message": "the model crashed"}}).encode()
        if self.mode == "slow":
            time.sleep(self.delay)
        if self.mode == "html":
            return 200, "text/html", b"<html><body>Welcome to nginx!</body></html>"
        if self.mode == "broken":
            return 200, "application/json", b'{"choices": [{"message": '
        if self.mode == "nochoices":
            return 200, "application/json", b'{"status": "ok"}'
        if self.mode == "auth":
            message = f"Incorrect API key provided: {auth.removeprefix('Bearer ')}"
            return 401, "application/json", json.dumps({"error": {"message": message}}).encode()
        if self.mode == "badstream":  # an event stream whose events are not the API's chunks
            return 200, "text/event-stream", b"data: <p>busy</p>\n\n"
        if self.mode == "error":
            return 500, "application/json", json.dumps({"error": {"message": "the model crashed"}}).encode()
        return 200, "application/json", json.dumps(completion(text, body.get("model", "?"))).encode()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                size = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(size) or b"{}")
                status, kind, data = fake._answer(body, self.headers.get("Authorization", ""))
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                try:
                    self.wfile.write(data)
                except OSError:  # the client gave up (a timeout): nothing to answer
                    pass

            def log_message(self, *args: object) -> None:
                pass

        return Handler
