"""The door of the studio's web servers (the app, `studio serve`): only the studio's own pages may drive them.

A page on another site can make the browser send requests to 127.0.0.1 (and, after re-pointing its own
name there — DNS rebinding — read the answers as if it were the studio). Two headers give it away: the
`Host` such a request carries is the other site's name, and a form or script posting from another page
sends that page's `Origin`. The Gate refuses both with 403 before any route runs, and slows a password
guesser down (429 after a few failed logins from one address)."""
from __future__ import annotations

import hmac
import ipaddress
import socket
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

LOCAL_NAMES = frozenset({"127.0.0.1", "localhost", "::1"})
SHARE_SUFFIX = ".gradio.live"
"""Where gradio's share links live; their tunnel forwards requests under that name."""
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
LOGIN_PATHS = frozenset({"/login", "/login/"})
MAX_FAILED_LOGINS = 5
LOGIN_WINDOW_S = 60.0

Scope = dict[str, Any]
ASGIApp = Callable[[Scope, Callable[[], Awaitable[dict]], Callable[[dict], Awaitable[None]]], Awaitable[None]]


def host_name(value: str) -> str:
    """'Example.COM:7860' -> 'example.com'; '[::1]:7860' -> '::1'; '' -> ''."""
    value = value.strip().lower()
    if value.startswith("["):
        return value[1:value.find("]")] if "]" in value else value
    return value.rsplit(":", 1)[0] if value.count(":") == 1 else value


@dataclass(frozen=True)
class Allowed:
    """The host names the studio answers to."""

    names: frozenset[str]
    suffixes: tuple[str, ...] = ()

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and bool(name) and (
            name in self.names or any(name.endswith(s) for s in self.suffixes))


def allowed_hosts(bind: str, extra: Iterable[str] = (), share: bool = False) -> Allowed:
    """127.0.0.1, localhost and [::1]; the address served on; this machine's own names when it binds every
    interface (0.0.0.0); the names given with --allowed-hosts (a reverse proxy); gradio.live when sharing."""
    names = set(LOCAL_NAMES) | {host_name(bind)} | {host_name(h) for h in extra if h.strip()}
    if _is_wildcard(bind):
        names |= _own_names()
    return Allowed(frozenset(names - {""}), (SHARE_SUFFIX,) if share else ())


def is_local(host: str) -> bool:
    """Reachable from this machine only: a local name or a loopback address."""
    if host in LOCAL_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _is_wildcard(bind: str) -> bool:
    try:
        return ipaddress.ip_address(host_name(bind)).is_unspecified
    except ValueError:
        return False


def _own_names() -> set[str]:
    name = socket.gethostname().lower()
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(name, None)}
    except OSError:
        addresses = set()
    return {name, socket.getfqdn().lower(), *addresses}


def password_check(user: str, password: str) -> Callable[[str, str], bool]:
    """gradio's auth as a function: both fields compared in constant time, so a wrong user name and a
    wrong password take the same path and get the same answer."""
    def check(u: str, p: str) -> bool:
        same_user = hmac.compare_digest(u.encode(), user.encode())
        same_password = hmac.compare_digest(p.encode(), password.encode())
        return same_user and same_password
    return check


@dataclass
class _Failures:
    """Failed logins per client address, forgotten after the window."""

    times: dict[str, list[float]] = field(default_factory=dict)

    def recent(self, client: str, now: float) -> list[float]:
        kept = [t for t in self.times.get(client, []) if now - t < LOGIN_WINDOW_S]
        self.times[client] = kept
        return kept

    def add(self, client: str, now: float) -> None:
        self.recent(client, now).append(now)


class Gate:
    """ASGI middleware: foreign Host -> 403; foreign Origin on a state-changing request -> 403; too many
    failed logins from one address -> 429."""

    def __init__(self, app: ASGIApp, allowed: Allowed):
        self.app, self.allowed, self.failures = app, allowed, _Failures()

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        why = self.refusal(scope)
        if why:
            await _answer(send, scope, *why)
            return
        if scope["type"] == "http" and scope["method"] == "POST" and scope["path"] in LOGIN_PATHS:
            await self._login(scope, receive, send)
            return
        await self.app(scope, receive, send)

    def refusal(self, scope: Scope) -> tuple[int, str] | None:
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        if host_name(headers.get("host", "")) not in self.allowed:
            return 403, "this studio answers only to its own address (see --allowed-hosts)"
        origin = headers.get("origin")
        changes = scope["type"] == "websocket" or scope.get("method") not in SAFE_METHODS
        if origin is not None and changes and host_name(urlsplit(origin).netloc) not in self.allowed:
            return 403, "requests from other sites' pages are refused"
        return None

    async def _login(self, scope: Scope, receive: Any, send: Any) -> None:
        client, now = (scope.get("client") or ("?", 0))[0], time.monotonic()
        if len(self.failures.recent(client, now)) >= MAX_FAILED_LOGINS:
            await _answer(send, scope, 429, "too many failed logins: wait a minute",
                          [(b"retry-after", str(int(LOGIN_WINDOW_S)).encode())])
            return

        async def watch(message: dict) -> None:
            if message["type"] == "http.response.start" and message["status"] >= 400:
                self.failures.add(client, now)
            await send(message)

        await self.app(scope, receive, watch)


async def _answer(send: Any, scope: Scope, status: int, text: str,
                  headers: list[tuple[bytes, bytes]] | None = None) -> None:
    if scope["type"] == "websocket":  # refuse the handshake
        await send({"type": "websocket.close", "code": 1008})
        return
    body = f"{status}: {text}\n".encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"text/plain; charset=utf-8"),
                            (b"content-length", str(len(body)).encode()), *(headers or [])]})
    await send({"type": "http.response.body", "body": body})
