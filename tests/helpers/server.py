"""The real app.py served on a free port for a test (its own process, as a user starts it)."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from tests.helpers import ROOT


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def app_server(*args: str, env: dict[str, str] | None = None, log: IO | None = None,
               home: Path | None = None) -> Iterator[int]:
    """Start `python app.py --port PORT *args`, wait until it answers, yield PORT, stop it."""
    port = free_port()
    full = {**os.environ, **(env or {}), **({"STUDIO_HOME": str(home)} if home else {})}
    proc = subprocess.Popen([sys.executable, str(ROOT / "app.py"), "--port", str(port), *args], cwd=ROOT,
                            env=full, stdout=log or subprocess.DEVNULL, stderr=subprocess.STDOUT)
    try:
        for _ in range(240):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2)
                break
            except OSError:
                time.sleep(0.5)
        yield port
    finally:
        proc.terminate()
        proc.wait(timeout=20)
