"""docs/benchmarks.md, written by `studio bench`: a section per kind of run (full, quick), each replaced
only by a run of its own kind, so a quick run never overwrites the full run's table."""
from __future__ import annotations

import platform
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from studio.bench import BenchError
from studio.bench.flops import cpu_flags
from studio.models.device import detect

SECTIONS = ("full", "quick")
TITLES = {"full": "Full run (`studio bench`)", "quick": "Quick run (`studio bench --quick`)"}
_BLOCK = re.compile(r"<!-- bench:(\w+) -->\n(.*?)<!-- /bench:\1 -->", re.DOTALL)

HEADER = """# Benchmarks

Measured by `studio bench` on the machine named in each section; rerun it to refresh the figures
(`studio bench --quick` for a run of a few minutes, written to its own section).
"""

METHOD = """## How it is measured

- **Training.** Both sides train the same model on the same rows (chat conversations built from the
  English presets, 1-5 turns, so lengths vary with a long tail as real chat data does), for the same
  number of optimizer steps, samples and batch size, with the same LoRA shape (rank, alpha, dropout,
  all linear layers), learning rate, schedule and seed. The **baseline** is trl's `SFTTrainer` with its
  own defaults plus a peft `LoraConfig`, as trl's quick-start shows: the model given by path (trl loads
  it in fp32), the `messages` rows passed as-is (trl tokenises them), gradient checkpointing on, bf16
  autocast, padded batches, loss on the whole sequence. The **studio** side is the engine `studio train`
  runs (`studio.train.engine.build_trainer`, then `trainer.train()`), checkpoints included. Each side runs
  in a process of its own; its peak memory is that process's peak resident set (peak GPU allocation on
  CUDA). Real tokens are the non-padding tokens of every batch the trainer built, counted by the same
  wrapper around each side's collator; tokens/s divides them by the wall time of `trainer.train()`.
  The final loss is each adapter's mean cross-entropy on the assistant answers of the same held-out rows
  (built from the presets' eval files), computed by the same code on the same fp32 base weights.
- **What the studio's engine does differently on the CPU** (studio/train/engine.py, studio/train/speed.py):
  the base weights in bf16 (the CPU has AVX-512 bf16) under bf16 autocast; no gradient checkpointing
  while memory allows; padding-free batches, each packed sample attended on its own (variable-length
  sdpa, no T x T mask); trl's fused LM head scoring only the labelled positions (trl does that only
  with Triton); LoRA inputs kept in bf16 instead of peft's fp32 copies; LoRA dropout masks from three
  random bytes per draw (p rounded to 1/256); glibc's allocator kept from returning each step's
  memory to the OS; checkpoints at least 30 s apart.
- **MFU** (studio/bench/flops.py): the FLOPs the model needs per token — training a LoRA on a frozen base:
  4 × the linear layers' parameters (forward, and the backward's input gradients; frozen weights need no
  weight gradients) + 6 × the LoRA parameters + 4 × the LM head per position the loss scores (the studio
  scores the answer positions only, trl's defaults every position) + attention (3 × 2·H·hd·L·T(T+1) a
  sample); decoding: 2 × (linear + LoRA + head) + attention over the context — divided by the seconds taken
  and by the rate of a 2048² bf16 matrix product measured in the same run (fp32 where the CPU lacks bf16).
  Gradient checkpointing's second forward is work the model does not need, so it is not counted.
- **Generation** (studio.compare.engine.Comparer, greedy, exactly N new tokens with end-of-sequence held off so
  every timing does the same work, medians after a warm-up): time to the first visible text, decode
  tokens/s after it, the tuned answer alone, and base + tuned side by side in one call. What the chat model
  does differently (studio/models/inference.py, studio/models/compute.py): bf16 weights packed once for
  oneDNN (the same numbers, without a weight reorder on every product), a lean LoRA forward (the same sums
  without peft's per-call steps), and all model work on one thread (one OpenMP team).
- **App**: seconds from `python app.py --port P` to the first HTTP 200 on `/`, beside the seconds a fresh
  `python -c "import gradio"` takes on the same machine (the floor: the target is gradio + 1.5 s).
- **Profile**: `studio bench --profile` writes docs/profile.md, the top operators by self time of a training
  step and of a decode step.
- The machine may be shared: the load average at the start and end of each side is recorded, and
  tokens per CPU second of the training process are given next to tokens per wall-clock second
  (other work on the machine slows the wall clock of both sides, less so their CPU time).
"""


def machine() -> dict[str, Any]:
    """What the figures were measured on."""
    import torch

    info = detect()
    return {"device": info.kind, "name": _cpu_name() if info.kind == "cpu" else info.name,
            "threads": torch.get_num_threads(), "memory_mb": info.memory_mb, "bf16": info.bf16,
            "torch": torch.__version__, "python": platform.python_version(),
            "load_avg": _load_avg(), **cpu_flags()}


def _cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "CPU"


def _load_avg() -> float | None:
    try:
        import os

        return round(os.getloadavg()[0], 2)
    except OSError:
        return None


def now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")


def _fmt(x: Any, digits: int = 2, unit: str = "") -> str:
    if x is None:
        return "n/a"
    if isinstance(x, float):
        return f"{x:,.{digits}f}{unit}"
    return f"{x}{unit}"


def _mark(ok: bool | None) -> str:
    return "n/a" if ok is None else ("yes" if ok else "**no**")


TARGETS = {"speedup": 4.0, "loss": 1.05, "train_mfu": 0.20, "side_by_side": 1.2, "first_token_s": 1.0,
           "launch_over_gradio_s": 1.5}
"""The targets (issues 7 and 21): training ratios and MFU, generation, the app's start."""


def _at_most(x: float | None, limit: float | None) -> bool | None:
    return None if x is None or limit is None else x <= limit


def verdicts(result: dict) -> dict[str, bool | None]:
    """The targets, judged on this run's ratios."""
    t, g, a, m = result["train"], result["generate"], result["app"], result.get("mfu", {})
    bl, sl = t.get("baseline_final_loss"), t.get("studio_final_loss")
    mfu, gradio = m.get("studio_train_mfu"), a.get("gradio_import_s")
    return {"speedup": None if t.get("speedup") is None else t["speedup"] >= TARGETS["speedup"],
            "loss": None if bl is None or sl is None else sl <= bl * TARGETS["loss"],
            "memory": None if not t.get("baseline_peak_mb") else t["studio_peak_mb"] <= t["baseline_peak_mb"],
            "train_mfu": None if mfu is None else mfu >= TARGETS["train_mfu"],
            "side_by_side": _at_most(g.get("ratio"), TARGETS["side_by_side"]),
            "first_token": _at_most(g.get("first_token_s"), TARGETS["first_token_s"]),
            "first_page": _at_most(a.get("first_page_s"),
                                   None if gradio is None else gradio + TARGETS["launch_over_gradio_s"])}


def _row(*cells: str) -> str:
    return "| " + " | ".join(cells) + " |"


def _intro(kind: str, result: dict) -> list[str]:
    t, m, c = result["train"], result["machine"], result["config"]
    where = (f"{result['date']} · {m['name']} ({m['device']}, {m['threads']} threads, "
             f"{m['memory_mb'] / 1024:.0f} GB, bf16 {'yes' if m['bf16'] else 'no'}) · torch {m['torch']} · "
             f"load average {_fmt(m.get('load_avg'))} before, {_fmt(result.get('load_avg_after'))} after")
    if m.get("flags") is not None:
        rates = result.get("mfu", {})
        where += (f"  \nCPU flags: {', '.join(m['flags']) or 'none of note'}; torch kernels "
                  f"{m.get('torch_kernels') or 'n/a'}; measured matrix products (2048², this run's threads): "
                  f"bf16 {_fmt(rates.get('bf16_tflops'), 3)} TFLOP/s, fp32 {_fmt(rates.get('fp32_tflops'), 3)} TFLOP/s")
    what = (f"Model `{c['model']}`, {t['steps']} steps × {t['batch_size']} samples ({t['samples']} samples, "
            f"{t['real_tokens']:,} real tokens; {_fmt(t['baseline_padding_share'] * 100, 0)}% of the "
            f"baseline's batch tokens were padding), LoRA r={c['lora_r']} all-linear.")
    return [f"## {TITLES[kind]}", "", where, "", what, ""]


def _train_table(t: dict, v: dict) -> list[str]:
    b_loss, s_loss = t["baseline_final_loss"], t["studio_final_loss"]
    return [
        _row("training", "baseline (trl defaults)", "studio", "studio / baseline", "target", "met"),
        _row(*["---"] * 6),
        _row("real tokens/s", _fmt(t["baseline_tokens_per_s"], 1), _fmt(t["studio_tokens_per_s"], 1),
             f"{_fmt(t['speedup'])}×", "≥ 4×", _mark(v["speedup"])),
        _row("MFU (model FLOPs / measured bf16 rate)", _pct(t.get("_mfu_baseline")), _pct(t.get("_mfu_studio")),
             "", f"≥ {TARGETS['train_mfu']:.0%}", _mark(v["train_mfu"])),
        _row("real tokens per CPU second", _fmt(t.get("baseline_tokens_per_cpu_s"), 1),
             _fmt(t.get("studio_tokens_per_cpu_s"), 1), f"{_fmt(t.get('speedup_cpu'))}×", "", ""),
        _row("final loss (held-out answers)", _fmt(b_loss, 3), _fmt(s_loss, 3),
             _fmt(_ratio(s_loss, b_loss), 3), "≤ 1.05", _mark(v["loss"])),
        _row("peak memory (MB)", _fmt(t["baseline_peak_mb"], 0), _fmt(t["studio_peak_mb"], 0),
             _fmt(_ratio(t["studio_peak_mb"], t["baseline_peak_mb"])), "≤ 1", _mark(v["memory"])),
        _row("last logged train loss", _fmt(t.get("baseline_last_train_loss"), 3),
             _fmt(t.get("studio_last_train_loss"), 3), "", "", ""),
        _row("train wall time (s)", _fmt(t.get("baseline_train_s"), 1), _fmt(t.get("studio_train_s"), 1),
             "", "", ""),
        _row("load average (start, end)", _pair(t.get("baseline_load_avg")), _pair(t.get("studio_load_avg")),
             "", "", ""),
        "", f"The base model's held-out loss, before any training: {_fmt(t.get('base_final_loss'), 3)}.", ""]


def _gen_table(g: dict, a: dict, m: dict, v: dict) -> list[str]:
    gradio = a.get("gradio_import_s")
    launch = "n/a" if gradio is None else f"≤ {gradio + TARGETS['launch_over_gradio_s']:.2f} s"
    return [
        _row("generation", "value", "target", "met"), _row(*["---"] * 4),
        _row("time to first token (s)", _fmt(g.get("first_token_s"), 3), f"< {TARGETS['first_token_s']:.0f} s",
             _mark(v["first_token"])),
        _row("tokens/s, one answer", _fmt(g.get("tokens_per_s"), 1), "", ""),
        _row("MFU of decoding (one token a step: low by nature)", _pct(m.get("generate_mfu")), "", ""),
        _row(f"tuned answer alone, {g.get('new_tokens', 'n')} tokens (s)", _fmt(g.get("single_s")), "", ""),
        _row("base + tuned side by side (s)", _fmt(g.get("side_by_side_s")), "", ""),
        _row("side by side / alone", f"{_fmt(g.get('ratio'))}×", f"≤ {TARGETS['side_by_side']}×",
             _mark(v["side_by_side"])),
        _row("gradio alone: `import gradio` (s)", _fmt(gradio), "", ""),
        _row("app: launch to first page (s)", _fmt(a.get("first_page_s")), f"{launch} (gradio + 1.5 s)",
             _mark(v["first_page"])),
        ""]


def _engines_table(e: dict) -> list[str]:
    """The answer engines side by side (studio.bench.engines): the studio on torch and on llama.cpp, and
    llama.cpp itself on the same weights."""
    if not e:
        return []
    rows = [_row("answers by", "tokens/s", "first token (s)", "base + tuned / alone"), _row(*["---"] * 4)]
    for key in ("torch", "llama.cpp"):
        if key in e:
            f = e[key]
            rows.append(_row(f"studio, {f.get('engine', key)}", _fmt(f.get("tokens_per_s"), 1),
                             _fmt(f.get("first_token_s"), 3), f"{_fmt(f.get('ratio'))}×"))
    for kind, f in (e.get("llama_cpp_itself") or {}).items():
        rows.append(_row(f"llama.cpp itself, {kind} + LoRA", _fmt(f.get("tokens_per_s"), 1),
                         _fmt(f.get("first_token_s"), 3), ""))
    r, agree = e.get("ratios") or {}, e.get("agreement") or {}
    itself, torch = r.get("studio_llama_over_llama_itself_f16"), r.get("studio_llama_over_torch")
    notes = [(f"Studio on llama.cpp / llama.cpp itself (f16): {_fmt(itself)}×; / the torch path: {_fmt(torch)}×; "
              f"{r.get('threads', '?')} threads.")]
    if agree:
        notes.append(f"Greedy agreement of the two engines: {agree['same']} of {agree['prompts']} prompts give the "
                     f"same {agree['tokens']} tokens.")
    if e.get("note"):
        notes.append(e["note"])
    return [*rows, "", *notes, ""]


def _pct(x: float | None) -> str:
    return "n/a" if x is None else f"{x * 100:.1f}%"


def section(kind: str, result: dict) -> str:
    t, g, a, m = result["train"], result["generate"], result["app"], result.get("mfu", {})
    v = verdicts(result)
    t = {**t, "_mfu_baseline": m.get("baseline_train_mfu"), "_mfu_studio": m.get("studio_train_mfu")}
    lines = _intro(kind, result) + _train_table(t, v)
    lines += _gen_table(g, a, m, v) + _engines_table(g.get("engines") or {})
    if a.get("note"):
        lines += [a["note"], ""]
    return "\n".join(lines)


def _pair(x: list | None) -> str:
    return ", ".join(_fmt(v) for v in x) if x else "n/a"


def _ratio(a: float | None, b: float | None) -> float | None:
    return None if a is None or not b else a / b


# serve: `studio bench --serve` writes it (bench/serving.py); engines: the answer engines' notes, by hand
KEPT = ("serve", "engines", "notes", "earlier")
"""Blocks a run never rewrites: notes written by hand, and the earlier full runs (newest first)."""


def write(path: Path, kind: str, result: dict) -> Path:
    """Replace the `kind` section of the file at `path`, keeping the other sections as they were; a full
    run's previous section moves to "Earlier full runs" (figures from before a change stay readable)."""
    if kind not in SECTIONS:
        raise BenchError("err_bench_section", kind=kind)
    old = path.read_text(encoding="utf-8") if path.is_file() else ""
    blocks = {name: body for name, body in _BLOCK.findall(old)}
    previous = blocks.get(kind, "")
    if kind == "full" and previous.startswith(f"## {TITLES['full']}"):
        demoted = previous.replace(f"## {TITLES['full']}", "### Full run", 1)
        blocks["earlier"] = demoted + "\n" + blocks.get("earlier", "").replace("## Earlier full runs\n\n", "")
        blocks["earlier"] = "## Earlier full runs\n\n" + blocks["earlier"]
    blocks[kind] = section(kind, result) + "\n"
    parts = [HEADER]
    for name in SECTIONS:
        body = blocks.get(name) or f"## {TITLES[name]}\n\nNot run yet.\n"
        parts.append(f"<!-- bench:{name} -->\n{body}<!-- /bench:{name} -->\n")
    parts += [f"<!-- bench:{name} -->\n{blocks[name]}<!-- /bench:{name} -->\n" for name in KEPT if name in blocks]
    parts.append(METHOD)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(parts), encoding="utf-8")
    return path
