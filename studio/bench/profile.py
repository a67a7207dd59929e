"""`studio bench --profile`: where the time of one training step and one decode step goes, by operator
(torch.profiler, self time), written to docs/profile.md so anyone can see it without running it.

The training steps are the studio's engine (the path of `studio train`) on the bench's rows, profiled
after two warm-up steps; the decode steps are the chat model's greedy answer with the tuned adapter,
profiled on the thread that generates (the app's path)."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from studio.bench.docs import machine, now
from studio.bench.engines import timed as _timed_stream
from studio.bench.gen import _columns
from studio.chat import GenSettings
from studio.compare.engine import Comparer
from studio.models import compute

TOP = 18
WARMUP_STEPS = 2
PROFILED_STEPS = 2
DECODE_TOKENS = 32


def _table(prof, per: int) -> list[dict[str, Any]]:
    """The top operators by self CPU time, per step (or per token)."""
    events = [e for e in prof.key_averages() if e.self_cpu_time_total > 0]
    total = sum(e.self_cpu_time_total for e in events) or 1
    events.sort(key=lambda e: e.self_cpu_time_total, reverse=True)
    return [{"op": e.key, "self_ms": round(e.self_cpu_time_total / 1000 / per, 3),
             "share": round(e.self_cpu_time_total / total, 4), "calls": round(e.count / per, 1)}
            for e in events[:TOP]]


def profile_training(trainer) -> dict[str, Any]:
    """Profile steps WARMUP_STEPS+1 .. WARMUP_STEPS+PROFILED_STEPS of `trainer.train()`."""
    import time

    from torch.profiler import ProfilerActivity, profile
    from transformers import TrainerCallback

    seen: dict[str, Any] = {}

    class Window(TrainerCallback):
        def on_step_begin(self, args, state, control, **kw):
            if state.global_step == WARMUP_STEPS:
                seen["prof"] = profile(activities=[ProfilerActivity.CPU])
                seen["prof"].__enter__()
                seen["t0"] = time.perf_counter()

        def on_step_end(self, args, state, control, **kw):
            if state.global_step == WARMUP_STEPS + PROFILED_STEPS and "prof" in seen:
                seen["prof"].__exit__(None, None, None)
                seen["wall_s"] = (time.perf_counter() - seen["t0"]) / PROFILED_STEPS
                control.should_training_stop = True

    trainer.add_callback(Window())
    trainer.train()
    return {"wall_ms": round(seen["wall_s"] * 1000, 1), "ops": _table(seen["prof"], PROFILED_STEPS)}


def profile_decode(model: str, adapter: str) -> dict[str, Any]:
    """Profile a greedy answer of DECODE_TOKENS tokens on the generating thread; per token."""
    import time

    from torch.profiler import ProfilerActivity, profile

    comparer = Comparer(model, engine="torch")  # the torch path is what the profiler can see
    _, tuned = _columns(adapter, "Tell me about the weather in spring and what people like to do outside.")
    settings = GenSettings(max_new_tokens=DECODE_TOKENS)
    _timed_stream(comparer, [tuned], settings, DECODE_TOKENS)  # warm-up: the adapter loads
    holder: dict[str, Any] = {}

    def start() -> None:
        holder["prof"] = profile(activities=[ProfilerActivity.CPU])
        holder["prof"].__enter__()

    compute.run(start)  # the profiler records the thread that generates
    t0 = time.perf_counter()
    _timed_stream(comparer, [tuned], settings, DECODE_TOKENS)
    wall = time.perf_counter() - t0
    compute.run(holder["prof"].__exit__, None, None, None)
    return {"wall_ms": round(wall * 1000 / DECODE_TOKENS, 2), "packed_linears": comparer.chat.packed,
            "ops": _table(holder["prof"], DECODE_TOKENS)}


def markdown(result: dict[str, Any]) -> str:
    m = result["machine"]
    lines = ["# Where the time goes", "",
             (f"Written by `studio bench --profile` on {result['date']} · {m['name']} ({m['threads']} threads, "
             f"flags: {', '.join(m.get('flags') or []) or 'none of note'}) · torch {m['torch']} · model "
             f"`{result['model']}`. Self time per operator (time inside the operator itself, not its callees), "
             "from torch.profiler; the profiler's own overhead makes the steps slower than unprofiled ones."), ""]
    for key, title, unit in (("train", "One training step (the studio's engine, LoRA, bf16)", "step"),
                             ("decode", "One decode step (the chat model, tuned adapter, greedy)", "token")):
        part = result[key]
        lines += [f"## {title}", "", f"Wall time per {unit} while profiled: {part['wall_ms']} ms.", "",
                  "| operator | self ms per " + unit + " | share | calls per " + unit + " |",
                  "| --- | --- | --- | --- |"]
        lines += [f"| `{r['op']}` | {r['self_ms']:.3f} | {r['share'] * 100:.1f}% | {r['calls']:g} |"
                  for r in part["ops"]]
        lines.append("")
    return "\n".join(lines)


def write(path: Path, result: dict[str, Any]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(markdown(result), encoding="utf-8")
    return path


def header(model: str) -> dict[str, Any]:
    return {"machine": machine(), "date": now(), "model": model}
