"""The model card (README.md) written next to an exported adapter or merged model, and its loss chart.
The chart is a small hand-written SVG: plotly needs kaleido and a browser to write images, and a card
must be writable on any machine, offline."""
from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any, Literal

import yaml

from studio import presets
from studio.config import RunConfig
from studio.evaluate.meters import format_measure, primary_label
from studio.evaluate.run_eval import EVAL_FILE
from studio.fsutil import atomic_write_text, read_json
from studio.models import ModelError, resolve
from studio.models.loader import resolve_dtype
from studio.runs import Run, final_losses
from studio.train.recipe import use_quant

Kind = Literal["adapter", "merged"]
CHART_FILE = "loss.svg"
IMPORT_FILE = "import.json"
"""Written in an imported pseudo-run's folder: where the adapter came from."""
MAX_METER_ROWS = 40


def portable_base(cfg: RunConfig) -> str:
    """The base model's name as others can load it: the hub id of a studio model, else what was given.
    (An embedded model is loaded from a local cache folder whose path means nothing elsewhere.)"""
    try:
        resolved = resolve(cfg.model.name)
    except ModelError:
        return cfg.model.name
    return resolved.entry.hub_id if resolved.entry else resolved.location


def write_card(run: Run, folder: Path, kind: Kind) -> Path:
    """README.md (+ loss.svg when the run logged losses) in folder; returns the card's path."""
    cfg = run.config()
    chart = loss_svg(run.metrics())
    if chart:
        atomic_write_text(folder / CHART_FILE, chart)
    card = card_text(run, cfg, kind, has_chart=bool(chart))
    atomic_write_text(folder / "README.md", card)
    return folder / "README.md"


def card_text(run: Run, cfg: RunConfig, kind: Kind, has_chart: bool) -> str:
    base = portable_base(cfg)
    parts = [_front_matter(cfg, base, kind), f"# {cfg.name or run.id}\n", _intro(base, kind),
             _usage(base, kind, run.id), _data_section(run, cfg), _config_section(run, cfg),
             _results_section(run, has_chart)]
    return "\n".join(p for p in parts if p)


def _front_matter(cfg: RunConfig, base: str, kind: Kind) -> str:
    meta: dict[str, Any] = {"library_name": "peft" if kind == "adapter" else "transformers",
                            "pipeline_tag": "text-generation",
                            "tags": ["katachi-studio", "lora", "sft"] + (["merged"] if kind == "merged" else [])}
    if _is_hub_id(base):
        meta["base_model"] = base  # only a hub id: a local path would be a broken link on the hub
        # The hub's model tree: a LoRA is an adapter of its base; merged into it, a fine-tune of it.
        meta["base_model_relation"] = "adapter" if kind == "adapter" else "finetune"
    language = _preset_language(cfg)
    if language:
        meta["language"] = [language]
    return "---\n" + yaml.safe_dump(meta, sort_keys=False, allow_unicode=True) + "---\n"


def _is_hub_id(name: str) -> bool:
    try:
        return resolve(name).source == "hub"
    except ModelError:
        return False


def _intro(base: str, kind: Kind) -> str:
    what = ("a LoRA adapter (PEFT format)" if kind == "adapter"
            else "a full model: the LoRA adapter merged into the base weights (bf16/fp16/fp32, never 4-bit)")
    return (f"This is {what} for **{base}**, trained with Katachi Studio. Fine-tuning teaches *form* "
            "(tone, format, structure) well and new *facts* poorly: for facts, use prompting, "
            "few-shot examples or retrieval.\n")


def _usage(base: str, kind: Kind, run_id: str) -> str:
    if kind == "adapter":
        code = ("from peft import PeftModel\nfrom transformers import AutoModelForCausalLM, AutoTokenizer\n\n"
                f"base = AutoModelForCausalLM.from_pretrained({json.dumps(base)})\n"
                "model = PeftModel.from_pretrained(base, \"path/to/this/folder\")\n"
                "tokenizer = AutoTokenizer.from_pretrained(\"path/to/this/folder\")\n")
    else:
        code = ("from transformers import AutoModelForCausalLM, AutoTokenizer\n\n"
                "model = AutoModelForCausalLM.from_pretrained(\"path/to/this/folder\")\n"
                "tokenizer = AutoTokenizer.from_pretrained(\"path/to/this/folder\")\n")
    return f"## Use\n\n```python\n{code}```\n\nStudio run: `{run_id}`.\n"


def _data_section(run: Run, cfg: RunConfig) -> str:
    d = cfg.data
    imported = read_json(run.path / IMPORT_FILE) or {}
    if imported:  # the run's config holds only what the adapter's own files say
        return (f"## Data\n\n- Training data: not recorded (adapter imported from "
                f"`{imported.get('source', '?')}`)\n")
    source = f"preset `{d.preset}`" if d.preset else f"file `{Path(d.train_path).name}`" if d.train_path \
        else "not recorded"
    rows = count_rows(cfg)
    lines = [f"- Training data: {source}", f"- Rows: {rows if rows is not None else 'unknown'}",
             f"- Max length: {d.max_length} tokens"]
    if d.system_prompt:
        lines.append(f"- System prompt: {d.system_prompt!r}")
    return "## Data\n\n" + "\n".join(lines) + "\n"


def count_rows(cfg: RunConfig) -> int | None:
    """Training rows used (capped by data.max_rows); None when the data is not on this machine."""
    d = cfg.data
    try:
        if d.train_path:
            text = Path(d.train_path).read_text(encoding="utf-8")
            n = sum(1 for line in text.splitlines() if line.strip()) if d.train_path.endswith(".jsonl") \
                else None
        elif d.preset:
            n = len(presets.load(d.preset).train_rows())
        else:
            return None
    except (OSError, ValueError, KeyError):
        return None
    return min(n, d.max_rows) if n is not None and d.max_rows else n


def _preset_language(cfg: RunConfig) -> str | None:
    if not cfg.data.preset:
        return None
    try:
        return presets.load(cfg.data.preset).language
    except (OSError, ValueError, KeyError):
        return None


def _config_section(run: Run, cfg: RunConfig) -> str:
    lo = cfg.lora
    rows = [("LoRA rank r", lo.r), ("LoRA alpha", lo.alpha), ("LoRA dropout", lo.dropout),
            ("Target modules", lo.target_modules)]
    if (run.path / IMPORT_FILE).exists():  # training settings of an imported adapter are unknown: say so
        rows.append(("Training settings", "not recorded (imported adapter)"))
    else:
        rows += _train_rows(cfg, run.status().device)
    table = "\n".join(f"| {k} | {_fmt(v)} |" for k, v in rows)
    return f"## Training configuration\n\n| Setting | Value |\n|---|---|\n{table}\n"


def _train_rows(cfg: RunConfig, device: str | None) -> list[tuple[str, Any]]:
    t = cfg.train
    return [("Epochs", t.epochs), ("Max steps", t.max_steps),
            ("Learning rate", t.learning_rate), ("Batch size", t.batch_size), ("Grad accumulation", t.grad_accum),
            ("Scheduler", t.scheduler), ("Warmup ratio", t.warmup_ratio),
            ("Quantisation", _quant_used(cfg, device)),
            ("Compute dtype", _dtype_used(cfg, device)), ("Seed", t.seed)]


def _dtype_used(cfg: RunConfig, device: str | None) -> str:
    """The dtype training computed in: "auto" resolved for the device the run trained on."""
    if cfg.train.dtype != "auto" or not device:
        return cfg.train.dtype
    resolved = resolve_dtype("auto", "cuda" if device.startswith("cuda") else "cpu")
    name = {"torch.bfloat16": "bf16", "torch.float16": "fp16"}.get(str(resolved), "fp32")
    return f"{name} (auto on {device})"


def _quant_used(cfg: RunConfig, device: str | None) -> str:
    """What training did, not only what was asked: "auto" means 4-bit on CUDA and bf16 LoRA elsewhere."""
    if not device:
        return cfg.train.quant
    return f"{'nf4 (QLoRA)' if use_quant(cfg, device) else 'none (LoRA)'} on {device}"


def _results_section(run: Run, has_chart: bool) -> str:
    losses = final_losses(run)
    st = run.status()
    state = f"- State: {st.state}" + (f" at step {st.step}" if st.step else "") \
        + (f" of {st.total_steps}" if st.total_steps else "") + (f" ({st.reason})" if st.reason else "")
    lines = [state,
             f"- Final train loss: {_fmt(losses['loss'])}", f"- Final eval loss: {_fmt(losses['eval_loss'])}"]
    text = "## Results\n\n" + "\n".join(lines) + "\n" + meters_section(read_json(run.path / EVAL_FILE))
    if has_chart:
        text += f"\n![Training and eval loss]({CHART_FILE})\n"
    return text


def meters_section(result: Any) -> str:
    """`studio eval`'s last result as a table: one row per measure, one column per model column."""
    meters = result.get("meters") if isinstance(result, dict) else None
    if not isinstance(meters, dict):
        return ""
    columns = [c for c, m in meters.items() if isinstance(m, dict)]
    keys = list(dict.fromkeys(k for c in columns for k, v in meters[c].items() if _is_number(v)))
    if not columns or not keys:
        return ""
    meter = str(result.get("meter") or "")
    head = f"| Measure | {' | '.join(columns)} |\n|---|{'---|' * len(columns)}\n"
    body = "".join(f"| {_fmt(primary_label(meter) if k == 'primary' else k)} | "
                   + " | ".join(format_measure(k, _number(meters[c].get(k))) for c in columns) + " |\n"
                   for k in keys[:MAX_METER_ROWS])
    n = result.get("n")
    where = f" on {n} held-out rows the run never trained on" if _is_number(n) else ""
    return f"\n### Task meters\n\nMeasured by `studio eval`{where}, greedy decoding.\n\n{head}{body}"


def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def _number(v: Any) -> float | None:
    return float(v) if _is_number(v) else None


def _fmt(v: Any) -> str:
    if v is None:
        return "-"
    if isinstance(v, float):
        return f"{v:.4g}"
    if isinstance(v, (list, tuple)):
        return ", ".join(map(str, v))
    return str(v).replace("|", "\\|").replace("\n", " ")


def loss_svg(metrics: list[dict], width: int = 640, height: int = 320) -> str:
    """A line chart of train loss (and eval loss points) against step; '' when nothing was logged."""
    train = _points(metrics, "loss")
    evals = _points(metrics, "eval_loss")
    every = train + evals
    if not every:
        return ""
    pad = 48
    x0, x1 = min(s for s, _ in every), max(s for s, _ in every)
    y0, y1 = min(v for _, v in every), max(v for _, v in every)

    def xy(step: float, value: float) -> tuple[float, float]:
        x = pad + (step - x0) / ((x1 - x0) or 1) * (width - 2 * pad)
        y = height - pad - (value - y0) / ((y1 - y0) or 1) * (height - 2 * pad)
        return x, y

    line = " ".join("{:.1f},{:.1f}".format(*xy(s, v)) for s, v in train)
    dots = "".join('<circle cx="{:.1f}" cy="{:.1f}" r="3" fill="#e8590c"/>'.format(*xy(s, v)) for s, v in evals)
    return _svg_frame(width, height, pad, (x0, x1, y0, y1), line, dots)


def _points(metrics: list[dict], key: str) -> list[tuple[float, float]]:
    out = []
    for m in metrics:
        v, s = m.get(key), m.get("step")
        if isinstance(v, (int, float)) and isinstance(s, (int, float)) and math.isfinite(v):
            out.append((float(s), float(v)))
    return out


def _svg_frame(w: int, h: int, pad: int, bounds: tuple[float, ...], line: str, dots: str) -> str:
    x0, x1, y0, y1 = bounds
    axis = f'<path d="M{pad},{pad} V{h - pad} H{w - pad}" stroke="#555" fill="none"/>'
    labels = (f'<text x="{pad - 6}" y="{pad + 4}" text-anchor="end">{y1:.3g}</text>'
              f'<text x="{pad - 6}" y="{h - pad + 4}" text-anchor="end">{y0:.3g}</text>'
              f'<text x="{pad}" y="{h - pad + 18}">{x0:g}</text>'
              f'<text x="{w - pad}" y="{h - pad + 18}" text-anchor="end">step {x1:g}</text>'
              f'<text x="{w / 2}" y="{pad - 18}" text-anchor="middle">loss</text>'
              f'<text x="{w - pad}" y="{pad - 18}" text-anchor="end" fill="#1c7ed6">train</text>'
              f'<text x="{w - pad - 50}" y="{pad - 18}" text-anchor="end" fill="#e8590c">eval</text>')
    poly = f'<polyline points="{line}" fill="none" stroke="#1c7ed6" stroke-width="2"/>' if line else ""
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" '
            f'font-family="sans-serif" font-size="12"><rect width="{w}" height="{h}" fill="white"/>'
            f"{axis}{labels}{poly}{dots}</svg>\n")

