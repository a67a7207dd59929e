"""What the endpoint tests share: a saved endpoint pointing at a stand-in server (tests/helpers/fake_openai.py)
or at `studio serve` itself (tests/serve/conftest.py's server with the tiny model), and a port nothing
listens on."""
from __future__ import annotations

from studio.endpoints import store
from studio.endpoints.store import Endpoint
from tests.helpers.server import free_port
from tests.serve.conftest import loras, model, served, serving  # noqa: F401 - fixtures shared with tests/serve


def save(name: str, url: str, model_name: str = "fake-model", key_env: str | None = None,
         timeout: float = 10.0) -> Endpoint:
    return store.add(Endpoint(name, url, model_name, key_env, timeout), replace=True)


def closed_url() -> str:
    """An endpoint URL on a port of 127.0.0.1 where nothing listens."""
    return f"http://127.0.0.1:{free_port()}/v1"
