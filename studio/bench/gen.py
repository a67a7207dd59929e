"""Generation and start-up figures for the bench: one tuned answer (time to first token, tokens/s),
base + tuned side by side against the tuned answer alone, and seconds from `python app.py` to the
first page served."""
from __future__ import annotations

import os
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

from studio.chat import GenSettings, messages_for
from studio.compare.engine import Column, Comparer, column_ids
from studio.paths import REPO_ROOT

PROMPT = "Tell me about the weather in spring and what people like to do outside."


def _columns(adapter: str, prompt: str):
    msgs = messages_for(prompt)
    return (Column("base", "Base", None, msgs), Column("tuned", "Tuned", adapter, msgs))


def _timed_stream(comparer, columns, settings, tokens: int) -> tuple[float, float, int]:
    """(seconds to the first visible text, seconds in all, new tokens of the longest column)."""
    t0 = time.perf_counter()
    first = None
    for texts in comparer.stream(list(columns), settings, min_new_tokens=tokens):
        if first is None and any(texts):
            first = time.perf_counter() - t0
    total = time.perf_counter() - t0
    n = max((len(ids) for ids in comparer.last_token_ids), default=0)
    return (first if first is not None else total), total, n


def generation(model: str, adapter: str, tokens: int = 64, repeats: int = 3,
               prompt: str = PROMPT) -> dict[str, Any]:
    """Greedy answers of exactly `tokens` new tokens (EOS held off, so both timings do the same work);
    medians of `repeats` runs after one warm-up."""
    comparer = Comparer(model)
    base, tuned = _columns(adapter, prompt)
    settings = GenSettings(max_new_tokens=tokens, temperature=0.0)
    _timed_stream(comparer, [base, tuned], settings, tokens)  # warm-up: adapter load, first allocations
    single = [_timed_stream(comparer, [tuned], settings, tokens) for _ in range(repeats)]
    both = [_timed_stream(comparer, [base, tuned], settings, tokens) for _ in range(repeats)]
    first_s = statistics.median(s[0] for s in single)
    single_s = statistics.median(s[1] for s in single)
    n = single[0][2]
    side_s = statistics.median(b[1] for b in both)
    prompt_tokens = len(column_ids(comparer.chat.tokenizer, tuned))
    return {"prompt_tokens": prompt_tokens, "packed_linears": comparer.chat.packed,
            "first_token_s": round(first_s, 3),
            "tokens_per_s": round((n - 1) / max(1e-9, single_s - first_s), 2) if n > 1 else None,
            "single_s": round(single_s, 3), "side_by_side_s": round(side_s, 3),
            "ratio": round(side_s / single_s, 3), "new_tokens": n, "mode": comparer.mode}


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
