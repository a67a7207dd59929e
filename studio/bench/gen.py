"""Generation and start-up figures for the bench: one tuned answer (time to first token, tokens/s),
base + tuned side by side against the tuned answer alone, and seconds from `python app.py` to the
first page served."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

from studio.bench import engines
from studio.chat import messages_for
from studio.compare.engine import Column, Comparer, column_ids
from studio.paths import REPO_ROOT

PROMPT = "Tell me about the weather in spring and what people like to do outside."


def _columns(adapter: str, prompt: str):
    msgs = messages_for(prompt)
    return (Column("base", "Base", None, msgs), Column("tuned", "Tuned", adapter, msgs))


def generation(model: str, adapter: str, tokens: int = 64, repeats: int = 3,
               prompt: str = PROMPT) -> dict[str, Any]:
    """Greedy answers of exactly `tokens` new tokens (EOS held off, so every timing does the same work);
    medians of `repeats` runs after one warm-up, on each engine (studio.bench.engines). The top-level figures
    are the engine `auto` picks here: what a user's answers run on."""
    figures = engines.engines(model, adapter, tokens, repeats, prompt)
    chosen = figures.get("llama.cpp") or figures["torch"]
    comparer = Comparer(model, engine="torch")
    prompt_tokens = len(column_ids(comparer.chat.tokenizer, _columns(adapter, prompt)[1]))
    return {"prompt_tokens": prompt_tokens, "packed_linears": comparer.chat.packed, **chosen,
            "mode": comparer.mode, "engines": figures}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def app_first_page(timeout_s: float = 120.0, app: Path | None = None) -> float | None:
    """Seconds from launching `python app.py --port P` to the first HTTP 200 on /; None without app.py."""
    app = app or REPO_ROOT / "app.py"
    if not app.is_file():
        return None
    port = free_port()
    env = {**os.environ, "GRADIO_ANALYTICS_ENABLED": "False"}
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, str(app), "--port", str(port)], cwd=str(app.parent), env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        return _poll(f"http://127.0.0.1:{port}/", proc, t0, timeout_s)
    finally:
        _stop(proc)


def gradio_import_s(repeats: int = 3) -> float | None:
    """Seconds a fresh `python -c "import gradio"` takes (best of a few): the floor of the app's start."""
    took = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        code = subprocess.call([sys.executable, "-c", "import gradio"], stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, env={**os.environ, "GRADIO_ANALYTICS_ENABLED": "False"})
        if code != 0:
            return None
        took.append(time.perf_counter() - t0)
    return round(min(took), 2)


def _poll(url: str, proc: subprocess.Popen, t0: float, timeout_s: float) -> float | None:
    while time.perf_counter() - t0 < timeout_s:
        if proc.poll() is not None:
            return None  # the app exited without serving
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return round(time.perf_counter() - t0, 2)
        except OSError:
            pass
        time.sleep(0.05)
    return None


def _stop(proc: subprocess.Popen) -> None:
    """End the app and anything it started (it runs in its own process group)."""
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=10)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
