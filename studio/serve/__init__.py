"""`studio serve`: the OpenAI API (models, chat completions, completions) in front of every base model and
finished run, answered by Compare's engine — one base model in memory per base, each run's adapter loaded on
first use, requests that arrive together answered in one batch.

    catalog  which models are served: base models and finished runs, looked up by id only
    params   a request body -> what to generate (every parameter checked, refusals name it)
    prompt   the text the model continues: its chat template (tools included), the context check
    batch    the one thread that answers: queued requests of one base grouped into one engine call
    calls    tool calls in an answer (the plain rendering's <tool_call> blocks) -> OpenAI's tool_calls
    app      the routes (FastAPI), OpenAI-shaped errors, server-sent events
    server   uvicorn on a thread (the Export tab's switch, tests) or in the foreground (`studio serve`)
    vllm     the `vllm serve ... --enable-lora --lora-modules ...` command for the same runs
    snippets the curl and Python lines that call it
"""
from __future__ import annotations

from studio.text import Said

ERROR_TYPES = {401: "authentication_error", 404: "invalid_request_error", 413: "invalid_request_error"}


class ServeError(Said, ValueError):
    """Why `studio serve` will not start as asked (exposed without a key, a run that is not finished)."""


class ApiError(Said, ValueError):
    """A request the API refuses, said as OpenAI's API says it: the HTTP status and
    {"error": {"message", "type", "param", "code"}}, the parameter at fault named in `param`."""

    def __init__(self, status: int, key: str, *, param: str | None = None, code: str | None = None,
                 **fields: object) -> None:
        super().__init__(key, **fields)
        self.status, self.param, self.code = status, param, code

    def body(self) -> dict:
        kind = "server_error" if self.status >= 500 else ERROR_TYPES.get(self.status, "invalid_request_error")
        return {"error": {"message": str(self), "type": kind, "param": self.param, "code": self.code}}
