"""`studio serve` running: uvicorn on a thread of this process (the Export tab's Serve switch, tests) or in
the foreground (the command). Secure by default, as the app is: 127.0.0.1 unless told otherwise, any other
address only with an API key, and requests naming another host refused by the gate."""
from __future__ import annotations

import errno
import os
import socket
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from studio.gate import allowed_hosts, is_local
from studio.serve import ServeError
from studio.serve.app import Service, create_app
from studio.serve.batch import Batcher
from studio.serve.catalog import Catalog

KEY_ENV = "STUDIO_API_KEY"
MIN_KEY_CHARS = 8


@dataclass
class Options:
    host: str = "127.0.0.1"
    port: int = 8000
    api_key: str | None = None
    """None: no key asked (allowed on 127.0.0.1 only)."""
    runs: list[str] | None = None
    """Run ids to serve; None: every finished run, found afresh on each request."""
    allowed_hosts: list[str] = field(default_factory=list)
    """Host names the server also answers to (a reverse proxy's)."""

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}/v1"


def key_from_env(given: str | None) -> str | None:
    """The key given, else $STUDIO_API_KEY, else None."""
    return given or os.environ.get(KEY_ENV) or None


def check(options: Options) -> None:
    """Refuse what would expose the models to a network without a key, a short key, a bad or taken port."""
    if options.api_key is not None and len(options.api_key) < MIN_KEY_CHARS:
        raise ServeError("err_serve_short_key", most=MIN_KEY_CHARS)
    if not is_local(options.host) and options.api_key is None:
        raise ServeError("err_serve_exposed", where=options.host, env=KEY_ENV)
    if not 1 <= options.port <= 65535:
        raise ServeError("err_serve_port", port=options.port)
    _check_free(options.host, options.port)


def _check_free(host: str, port: int) -> None:
    """Said before uvicorn tries (it would log and exit, which on a thread says nothing to the caller)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as e:
            key = "err_serve_port_taken" if e.errno == errno.EADDRINUSE else "err_serve_bind"
            raise ServeError(key, host=host, port=port, why=e.strerror or str(e)) from None


class Server:
    """The API on its own thread; stop() ends it and its answering thread."""

    def __init__(self, options: Options):
        check(options)
        self.options = options
        self.batcher = Batcher()
        self.service = Service(Catalog(options.runs), self.batcher, options.api_key)
        self._uvicorn = _uvicorn(self.service, options)
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return self.options.url

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self, timeout: float = 30.0) -> Server:
        self._thread = threading.Thread(target=self._uvicorn.run, name="studio-serve", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._uvicorn.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                self.stop()
                raise ServeError("err_serve_bind", host=self.options.host, port=self.options.port,
                                 why="the server did not start")
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        self._uvicorn.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=30)
        self.batcher.close()


def serve_forever(options: Options) -> None:
    """`studio serve`: in the foreground until Ctrl-C."""
    check(options)
    batcher = Batcher()
    try:
        _uvicorn(Service(Catalog(options.runs), batcher, options.api_key), options).run()
    finally:
        batcher.close()


def _uvicorn(service: Service, options: Options) -> Any:
    import uvicorn

    app = create_app(service, allowed_hosts(options.host, options.allowed_hosts))
    config = uvicorn.Config(app, host=options.host, port=options.port, log_level="warning", access_log=False,
                            server_header=False, timeout_graceful_shutdown=5)
    return uvicorn.Server(config)
