"""The saved endpoints: STUDIO_HOME/endpoints.json, written whole and atomically. It holds names, URLs, models
and the *names* of key variables, never a key: a URL with a password or a query string is refused, since the
file is plain text on disk."""
from __future__ import annotations

import os
import re
from dataclasses import asdict, dataclass
from pathlib import Path
from urllib.parse import urlsplit

from studio.config import is_number
from studio.endpoints import EndpointError
from studio.fsutil import atomic_write_json, read_json
from studio.paths import check_name, studio_home

FILE = "endpoints.json"
DEFAULT_TIMEOUT = 60.0
"""Seconds one call may take: a big model on a busy server answers 256 tokens well within it."""
MAX_TIMEOUT = 600.0
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")


@dataclass(frozen=True)
class Endpoint:
    name: str
    url: str
    """The API's base URL, the part before /chat/completions (usually ending in /v1)."""
    model: str
    key_env: str | None = None
    """The environment variable holding the key; None for a server that wants none (a local Ollama)."""
    timeout: float = DEFAULT_TIMEOUT

    def key_state(self) -> str:
        """'none' (no key needed), 'set' or 'missing': what a list may show instead of the key."""
        if not self.key_env:
            return "none"
        return "set" if os.environ.get(self.key_env, "").strip() else "missing"


def _file() -> Path:
    return studio_home() / FILE


def _read() -> dict:
    raw = read_json(_file(), {}) or {}
    return raw if isinstance(raw, dict) else {}


def all_endpoints() -> list[Endpoint]:
    """Every saved endpoint, in the order they were added; a damaged entry is skipped, not fatal."""
    found = []
    for item in _read().get("endpoints") or []:
        try:
            found.append(checked(**item))
        except (TypeError, ValueError):
            continue
    return found


def names() -> list[str]:
    return [e.name for e in all_endpoints()]


def get(name: str | None) -> Endpoint:
    """The endpoint of that name; None means the current one (the last added or picked)."""
    name = name or current()
    if not name:
        raise EndpointError("err_endpoint_none_saved")
    for e in all_endpoints():
        if e.name == name:
            return e
    raise EndpointError("err_endpoint_unknown", name=name, names=", ".join(names()) or "—")


def current() -> str | None:
    """The endpoint a column, teacher or judge uses when none is named: the one picked last, else the first."""
    saved = names()
    picked = _read().get("current")
    return picked if picked in saved else (saved[0] if saved else None)


def checked(name: str, url: str, model: str, key_env: str | None = None,
            timeout: float = DEFAULT_TIMEOUT) -> Endpoint:
    """An Endpoint whose every field is usable, or EndpointError naming the field."""
    check_name(name, "endpoint")
    url = (url or "").strip().rstrip("/")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise EndpointError("err_endpoint_url", url=url)
    if parts.username or parts.password or parts.query or parts.fragment:
        raise EndpointError("err_endpoint_url_secret", url=parts._replace(netloc=parts.hostname, query="",
                                                                         fragment="").geturl())
    model = (model or "").strip()
    if not model or len(model) > 200 or any(c in model for c in "\r\n"):
        raise EndpointError("err_endpoint_model_name", model=model[:60])
    key_env = (key_env or "").strip() or None
    if key_env and not _ENV_NAME.match(key_env):
        raise EndpointError("err_endpoint_key_env", name=name)  # never echoed: it may be the key itself
    if not is_number(timeout) or not 1 <= float(timeout) <= MAX_TIMEOUT:
        raise EndpointError("err_endpoint_timeout_range", low=1, high=int(MAX_TIMEOUT))
    return Endpoint(name, url, model, key_env, float(timeout))


def add(endpoint: Endpoint, *, replace: bool = False) -> Endpoint:
    """Save it (it becomes the current one); an existing name needs `replace`."""
    endpoint = checked(**asdict(endpoint))
    kept = all_endpoints()
    if any(e.name == endpoint.name for e in kept) and not replace:
        raise EndpointError("err_endpoint_exists", name=endpoint.name)
    kept = [e for e in kept if e.name != endpoint.name] + [endpoint]
    _write(kept, endpoint.name)
    return endpoint


def remove(name: str) -> None:
    get(name)  # an unknown name is said, not ignored
    kept = [e for e in all_endpoints() if e.name != name]
    picked = current()
    _write(kept, picked if picked != name else None)


def use(name: str) -> Endpoint:
    """Make it the current endpoint."""
    endpoint = get(name)
    _write(all_endpoints(), endpoint.name)
    return endpoint


def _write(endpoints: list[Endpoint], current_name: str | None) -> None:
    atomic_write_json(_file(), {"current": current_name, "endpoints": [asdict(e) for e in endpoints]})
