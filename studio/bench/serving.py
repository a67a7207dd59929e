"""`studio bench --serve`: `studio serve` (the command, in a process of its own) measured by a client no one here
wrote (the official `openai` package) on 127.0.0.1, beside Compare's one answer on the same model, prompt and
greedy settings. Two figures: one
stream's decode tokens/s against Compare's (the server's own cost: HTTP, server-sent events, the answering
thread), and four streams at once against one (the answering thread batches requests that arrive together into
one engine call). Beside them, Compare's four answers at once in this process: the engine's own gain from
batching four rows, the most four streams can reach through any server. Interleaved repeats, medians; its own
section of docs/benchmarks.md."""
from __future__ import annotations

import os
import re
import signal
import statistics
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from studio.bench import BenchFailed
from studio.bench.docs import _fmt, _load_avg, _row, machine, now
from studio.bench.gen import free_port
from studio.chat import GenSettings, messages_for
from studio.compare.engine import Column, Comparer
from studio.config import DEFAULT_MODEL
from studio.paths import REPO_ROOT

DOCS = REPO_ROOT / "docs" / "benchmarks.md"
PROMPTS = ["Tell me about the weather in spring and what people like to do outside.",
           "Describe a busy market in a small town on a Saturday morning.",
           "Explain how a bicycle works to someone who has never seen one.",
           "Write a short story about a cat who learns to swim in a lake."]
"""Four requests of similar length; the one-stream figures use the first."""
TOKENS = 64
REPEATS = 3
TIMEOUT_S = 300.0
"""A client's limit on one answer: a stuck server ends the bench instead of holding it."""
START_S = 300.0
"""The longest the server may take to answer its first /v1/models (it loads nothing before a request)."""
DECODE_WITHIN = 0.90
"""Serve's one stream must decode at 90% of Compare's one answer or better."""
BATCH_GAIN = 2.5
"""Four streams at once must reach 2.5x one stream's tokens/s."""
ENGINE_ENV = "STUDIO_ENGINE"
"""Which engine answers (torch, llama.cpp, auto) where a command names none; the server started here reads it
too, so both sides answer alike."""
_BLOCK = re.compile(r"<!-- bench:serve -->\n.*?<!-- /bench:serve -->\n", re.DOTALL)


@dataclass
class Timed:
    first_s: float
    """Seconds to the first visible text."""
    total_s: float
    tokens: int

    @property
    def decode(self) -> float | None:
        """Tokens/s after the first one."""
        decoding = self.total_s - self.first_s  # none where no text showed before the end (a blank answer)
        return (self.tokens - 1) / decoding if self.tokens > 1 and decoding > 0 else None


def compare_answer(comparer: Comparer, prompt: str, tokens: int) -> Timed:
    """Compare's one answer (the base model's column), greedy."""
    columns = [Column("base", "Base", None, messages_for(prompt))]
    t0, first = time.perf_counter(), None
    for texts in comparer.stream(columns, GenSettings(max_new_tokens=tokens)):
        if first is None and texts[0]:
            first = time.perf_counter() - t0
    total = time.perf_counter() - t0
    return Timed(first or total, total, len(comparer.last_token_ids[0]))


def compare_four(comparer: Comparer, tokens: int) -> tuple[float, list[int]]:
    """Compare's four answers at once (one column per prompt, the base each: one engine call, rows decoded
    together): (seconds, tokens per answer)."""
    columns = [Column(f"p{i}", f"p{i}", None, messages_for(p)) for i, p in enumerate(PROMPTS)]
    t0 = time.perf_counter()
    for _ in comparer.stream(columns, GenSettings(max_new_tokens=tokens)):
        pass
    return time.perf_counter() - t0, [len(ids) for ids in comparer.last_token_ids]


def served_answer(client: Any, model: str, prompt: str, tokens: int) -> Timed:
    """One streamed answer from the server, greedy; its token count from the server's usage."""
    t0, first, n = time.perf_counter(), None, 0
    chunks = client.chat.completions.create(model=model, messages=messages_for(prompt), max_tokens=tokens,
                                            temperature=0, stream=True, stream_options={"include_usage": True})
    for chunk in chunks:
        if first is None and chunk.choices and chunk.choices[0].delta.content:
            first = time.perf_counter() - t0
        if chunk.usage:
            n = chunk.usage.completion_tokens
    total = time.perf_counter() - t0
    return Timed(first or total, total, n)


def together(client: Any, model: str, tokens: int) -> tuple[float, list[Timed]]:
    """Every prompt at once, one client thread each: (seconds until the last answer ended, each answer)."""
    with ThreadPoolExecutor(len(PROMPTS), thread_name_prefix="bench-client") as pool:
        t0 = time.perf_counter()
        timed = list(pool.map(lambda p: served_answer(client, model, p, tokens), PROMPTS))
    return time.perf_counter() - t0, timed


def _rounds(comparer: Comparer, client: Any, model: str, tokens: int, repeats: int) -> dict[str, list]:
    """A warm-up of each, then `repeats` rounds of the three, interleaved so a change in the machine's load
    falls on all three alike."""
    compare_answer(comparer, PROMPTS[0], tokens)
    served_answer(client, model, PROMPTS[0], tokens)
    together(client, model, tokens)
    compare_four(comparer, tokens)
    out: dict[str, list] = {"compare": [], "compare_four": [], "one": [], "four": []}
    for _ in range(repeats):
        out["compare"].append(compare_answer(comparer, PROMPTS[0], tokens))
        out["compare_four"].append(compare_four(comparer, tokens))
        out["one"].append(served_answer(client, model, PROMPTS[0], tokens))
        out["four"].append(together(client, model, tokens))
    return out


def measure(model: str = DEFAULT_MODEL, tokens: int = TOKENS, repeats: int = REPEATS,
            engine: str = "torch") -> dict[str, Any]:
    """The serve figures: `studio serve` started on a free port of 127.0.0.1, Compare in this process; the two
    take turns, never run at once. Both answer with `engine` (STUDIO_ENGINE, which the server inherits)."""
    import openai

    info, date, load_before = machine(), now(), _load_avg()
    before = os.environ.get(ENGINE_ENV)
    os.environ[ENGINE_ENV] = engine
    try:
        with served(free_port()) as url, openai.OpenAI(base_url=url, api_key="none", max_retries=0,
                                                       timeout=TIMEOUT_S) as client:
            comparer = Comparer(model)
            rounds = _rounds(comparer, client, model, tokens, repeats)
            answered = comparer.last_engine.label if comparer.last_engine else engine
    finally:
        if before is None:
            os.environ.pop(ENGINE_ENV, None)
        else:
            os.environ[ENGINE_ENV] = before
    return {**figures(rounds), "model": model, "max_tokens": tokens, "repeats": repeats, "machine": info,
            "date": date, "load_avg": [load_before, _load_avg()], "engine": engine, "answered": answered}


@contextmanager
def served(port: int) -> Iterator[str]:
    """`studio serve --port PORT` until the block ends (every base model is served by its name); its API's URL."""
    env = {**os.environ, "TOKENIZERS_PARALLELISM": "false"}
    cmd = [sys.executable, "-m", "studio", "serve", "--port", str(port)]
    proc = subprocess.Popen(cmd, cwd=str(REPO_ROOT), env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            start_new_session=True)
    url = f"http://127.0.0.1:{port}/v1"
    try:
        _wait_up(url, proc)
        yield url
    finally:
        _stop(proc)


def _wait_up(url: str, proc: subprocess.Popen) -> None:
    deadline = time.monotonic() + START_S
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            with urllib.request.urlopen(f"{url}/models", timeout=5) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    why = proc.stderr.read().decode(errors="replace")[-800:] if proc.poll() is not None and proc.stderr else ""
    raise BenchFailed("err_bench_side_failed", name="studio serve", code=proc.poll(), tail=why or "not up")


def _stop(proc: subprocess.Popen) -> None:
    """The server and anything it started (its own process group)."""
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        with suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)


def figures(rounds: dict[str, list]) -> dict[str, Any]:
    """Medians of the rounds, and the two ratios the acceptance asks of them."""
    def med(values: list[float | None]) -> float | None:
        found = [v for v in values if v is not None]
        return round(statistics.median(found), 2) if found else None

    one = rounds["one"]
    four_rate = med([sum(t.tokens for t in timed) / wall for wall, timed in rounds["four"]])
    one_rate = med([t.tokens / t.total_s for t in one])
    compare = rounds["compare"]
    out = {"compare_decode": med([t.decode for t in compare]), "serve_decode": med([t.decode for t in one]),
           "compare_first_s": med([t.first_s for t in compare]), "serve_first_s": med([t.first_s for t in one]),
           "compare_tokens": rounds["compare"][0].tokens, "serve_tokens": one[0].tokens,
           "one_rate": one_rate, "four_rate": four_rate,
           "four_tokens": [t.tokens for t in rounds["four"][0][1]],
           "four_first_s": med([max(t.first_s for t in timed) for _, timed in rounds["four"]])}
    out["decode_ratio"] = _ratio(out["serve_decode"], out["compare_decode"])
    out["batch_gain"] = _ratio(four_rate, one_rate)
    out["compare_rate"] = med([t.tokens / t.total_s for t in compare])
    out["compare_four_rate"] = med([sum(n) / wall for wall, n in rounds.get("compare_four", [])])
    out["engine_gain"] = _ratio(out["compare_four_rate"], out["compare_rate"])
    return out


def _ratio(a: float | None, b: float | None) -> float | None:
    return round(a / b, 3) if a is not None and b else None


def _mark(value: float | None, target: float) -> str:
    return "—" if value is None else ("✓" if value >= target else "✗")


def section(r: dict) -> str:
    m = r["machine"]
    lines = [
        "## Serving (`studio bench --serve`)", "",
        (f"Measured {r['date']} on {m.get('name')} ({m.get('device')}, {m.get('threads')} threads, torch "
        f"{m.get('torch')}); load average {r['load_avg'][0]} before, {r['load_avg'][1]} after (a shared machine). "
        f"{r['model']}, greedy, at most {r['max_tokens']} new tokens, medians of {r['repeats']} interleaved rounds "
        "after a warm-up; the official `openai` client against `studio serve` started in its own process on "
        f"127.0.0.1; answers by {r.get('answered', r['engine'])} on both sides (STUDIO_ENGINE={r['engine']})."), "",
        _row("", "decode tokens/s", "first token (s)", "tokens", "tokens/s end to end"), _row(*["---"] * 5),
        _row("Compare, one answer", _fmt(r["compare_decode"], 1), _fmt(r["compare_first_s"], 3),
             str(r["compare_tokens"]), ""),
        _row("studio serve, one stream", _fmt(r["serve_decode"], 1), _fmt(r["serve_first_s"], 3),
             str(r["serve_tokens"]), _fmt(r["one_rate"], 1)),
        _row("studio serve, four streams at once", "", f"{_fmt(r['four_first_s'], 3)} (last)",
             " + ".join(map(str, r["four_tokens"])), f"{_fmt(r['four_rate'], 1)} (all four)"),
        _row("Compare, four answers at once (in process)", "", "", "", f"{_fmt(r.get('compare_four_rate'), 1)} "
             f"(all four; one answer {_fmt(r.get('compare_rate'), 1)})"), "",
        (f"- One stream decodes at **{_fmt(r['decode_ratio'], 3)}×** Compare's one answer (target ≥ "
        f"{DECODE_WITHIN:.2f}): {_mark(r['decode_ratio'], DECODE_WITHIN)}"),
        (f"- Four streams at once: **{_fmt(r['batch_gain'])}×** one stream's tokens/s (target ≥ {BATCH_GAIN}×): "
        f"{_mark(r['batch_gain'], BATCH_GAIN)}"),
        (f"- The engine's own gain from four rows at once (Compare in one process, no server): "
         f"**{_fmt(r.get('engine_gain'))}×**; serve's four streams reach "
         f"{_fmt(_ratio(r['batch_gain'], r.get('engine_gain')))} of it"), ""]
    return "\n".join(lines)


def write(path: Path, result: dict) -> Path:
    """The serve section of the file, replaced where it is, else put before the notes (or the method)."""
    block = f"<!-- bench:serve -->\n{section(result)}<!-- /bench:serve -->\n"
    old = path.read_text(encoding="utf-8") if path.is_file() else ""
    if _BLOCK.search(old):
        new = _BLOCK.sub(lambda _: block, old, count=1)
    else:
        at = next((old.index(m) for m in ("<!-- bench:notes -->", "## How it is measured") if m in old), len(old))
        new = old[:at] + block + "\n" + old[at:]
    path.write_text(new, encoding="utf-8")
    return path


def _terminated(signum: int, frame: Any) -> None:
    raise SystemExit(128 + signum)  # unwinds through served(), whose finally ends the server's process group


def cmd(args: Any) -> int:
    signal.signal(signal.SIGTERM, _terminated)  # a bench ended by `timeout` or kill still stops its server
    # the engine a user's `studio serve` answers with: STUDIO_ENGINE, else auto (llama.cpp on a CPU that has it)
    result = measure(args.model or DEFAULT_MODEL, engine=os.environ.get(ENGINE_ENV) or "auto")
    if not args.no_docs:
        write(Path(args.docs or DOCS), result)
    print(section(result))
    return 0
