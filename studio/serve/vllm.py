"""`studio serve --print-vllm`: the `vllm serve` command that serves the same runs beyond one machine —
vLLM's OpenAI server with the runs' adapters as LoRA modules under the same ids, so a client written
against `studio serve` keeps its model names. One command per base model (vLLM serves one base per
process), on consecutive ports. Nothing here needs vLLM installed; the flags are those vLLM documents:
`--enable-lora`, `--lora-modules name=path ...`, `--max-lora-rank` (one of its allowed ranks), `--max-loras`
(how many adapters one batch may mix), `--served-model-name`, `--port`."""
from __future__ import annotations

import json
import shlex
from pathlib import Path

from studio.models import resolve
from studio.serve import ServeError
from studio.serve.catalog import Served, base_id
from studio.text import t

MAX_LORA_RANKS = (8, 16, 32, 64, 128, 256, 320, 512)
"""The values vLLM's --max-lora-rank accepts."""


def adapter_rank(adapter: str) -> int:
    """The largest LoRA rank in an adapter's config (r, or a per-module rank_pattern)."""
    cfg = json.loads((Path(adapter) / "adapter_config.json").read_text(encoding="utf-8"))
    ranks = [int(cfg.get("r") or 8), *(int(v) for v in (cfg.get("rank_pattern") or {}).values())]
    return max(ranks)


def max_lora_rank(ranks: list[int]) -> int:
    """The smallest rank vLLM allows that holds every adapter's."""
    need = max(ranks, default=8)
    return next((r for r in MAX_LORA_RANKS if r >= need), MAX_LORA_RANKS[-1])


def vllm_model(name: str) -> tuple[str, str | None]:
    """(what vLLM loads for this base, a note to print above the command or None). An embedded model is
    its hub original: the studio trained on its converted GGUF weights, so answers may differ a little."""
    resolved = resolve(name)
    if resolved.source == "embedded" and resolved.entry:
        return resolved.entry.hub_id, t("en", "serve_vllm_embedded", model=name, hub=resolved.entry.hub_id)
    if resolved.entry:
        return resolved.entry.hub_id, None
    return resolved.location, None


def vllm_argv(base: str, runs: list[Served], port: int) -> list[str]:
    model, _ = vllm_model(base)
    modules = [f"{run.id}={Path(run.adapter or '').resolve()}" for run in runs]
    return ["vllm", "serve", model, "--served-model-name", base_id(base), "--port", str(port), "--enable-lora",
            "--max-lora-rank", str(max_lora_rank([adapter_rank(r.adapter or "") for r in runs])),
            "--max-loras", str(len(runs)), "--lora-modules", *modules]


def vllm_commands(runs: list[Served], port: int = 8000) -> list[str]:
    """The lines to print: per base, its note (as a shell comment) and its command, quoted for a shell."""
    if not runs:
        raise ServeError("err_serve_no_runs")
    by_base: dict[str, list[Served]] = {}
    for run in runs:
        by_base.setdefault(run.base, []).append(run)
    lines = []
    for i, (base, served) in enumerate(by_base.items()):
        note = vllm_model(base)[1]
        lines += [f"# {note}"] if note else []
        lines.append(shlex.join(vllm_argv(base, served, port + i)))
    return lines
