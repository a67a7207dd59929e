"""The facts lab: the article's Romeo -> Bob test in one call.

Train on the `facts` preset (a story where Juliet's lover is called Bob), then ask the probe questions
to four columns: base, tuned, base + the fact prompt, base + retrieval over the preset's notes. The
fact_recall meter counts, per column, the answers naming the new fact (Bob) and the old one (Romeo).
The article's lesson: the tuned model keeps the old fact; the prompt and RAG columns give the new one."""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import yaml

from studio import presets, runs
from studio.chat import GenSettings
from studio.compare.engine import Comparer
from studio.evaluate import meters
from studio.evaluate.run_eval import Progress, answer
from studio.train import recipe, runner

PRESET = "facts"
COLUMNS = ("base", "tuned", "prompt", "rag")
COLUMN_LABELS = {"base": "Base", "tuned": "Tuned (LoRA)", "prompt": "Base + fact prompt",
                 "rag": "Base + notes (RAG)"}
MAX_NEW_TOKENS = 32
"""Enough for a name and a clause; the meter only needs the name."""


@dataclass
class FactsLabResult:
    run: str
    model: str
    steps: int
    table: list[dict]
    """One row per column: column, label, new_fact, old_fact (shares 0..1), primary, n."""
    answers: list[dict]
    """One row per probe: question, then each column's answer (keyed by column)."""
    seconds: dict[str, float]
    old: str = "Romeo"
    new: str = "Bob"
    figure: Any = field(default=None, repr=False)
    """A plotly bar chart: per column, the share naming the new fact and the old one."""

    def to_dict(self) -> dict:
        return {"run": self.run, "model": self.model, "steps": self.steps, "old": self.old, "new": self.new,
                "table": self.table, "answers": self.answers, "seconds": self.seconds}

    def share(self, column: str, key: str = "primary") -> float:
        return next(r[key] for r in self.table if r["column"] == column)


def probe_rows(preset=None) -> tuple[list[dict], str, str]:
    """(rows, old, new): facts.yaml's probes as eval rows whose meta names the new and the old fact."""
    preset = preset or presets.load(PRESET)
    raw = yaml.safe_load((preset.path / "facts.yaml").read_text(encoding="utf-8")) or {}
    old, new = str(raw.get("old", "Romeo")), str(raw.get("new", "Bob"))
    rows = [{"messages": [{"role": "user", "content": p["prompt"]},
                          {"role": "assistant", "content": str(p.get("answer", new))}],
             "meta": {"answer": str(p.get("answer", new)), "wrong": str(p.get("wrong", old))}}
            for p in raw.get("probes") or []]
    if not rows:
        raise ValueError(f"{preset.path / 'facts.yaml'} lists no probes")
    return rows, old, new


def train_facts(model: str, max_steps: int | None, progress: Progress | None = None):
    """A finished run of the facts preset (its own settings, `max_steps` to cut it short)."""
    cfg = recipe.build(model, preset=PRESET, overrides={"max_steps": max_steps})
    run = runner.start(cfg)

    def update(st) -> None:
        if progress and st.total_steps:
            progress(0.8 * st.progress, f"training: step {st.step}/{st.total_steps}")

    st = runner.wait(run, update)
    if st.state != "done":
        raise RuntimeError(f"the facts run {run.id} ended {st.state}: {st.reason or run.log_tail(3)}")
    return run


def run_facts_lab(model: str = "smollm2-135m", max_steps: int | None = None,
                  progress: Progress | None = None, *, run_id: str | None = None) -> FactsLabResult:
    """Train (or reuse the finished facts run `run_id`), ask the probes to every column, score them."""
    t0 = time.time()
    run = runs.get(run_id) if run_id else train_facts(model, max_steps, progress)
    model = run.config().model.name
    t1 = time.time()
    rows, old, new = probe_rows()
    # no repetition penalty: the prompt and RAG columns must copy the name their context repeats
    settings = GenSettings(max_new_tokens=MAX_NEW_TOKENS, temperature=0.0, repetition_penalty=1.0)

    def step(share: float, what: str) -> None:
        if progress:
            progress(0.8 + 0.2 * share, what)

    texts = answer(Comparer(model), rows, COLUMNS, settings, run_id=run.id, progress=step)
    table = [_table_row(key, texts[key], rows) for key in COLUMNS]
    answers = [{"question": r["messages"][0]["content"], **{k: texts[k][i] for k in COLUMNS}}
               for i, r in enumerate(rows)]
    result = FactsLabResult(run.id, model, run.status().step, table, answers,
                            {"train": round(t1 - t0, 1), "answer": round(time.time() - t1, 1)}, old, new)
    result.figure = facts_figure(result)
    return result


def _table_row(key: str, outputs: list[str], rows: list[dict]) -> dict:
    m = meters.score("fact_recall", outputs, rows)
    return {"column": key, "label": COLUMN_LABELS[key], "new_fact": m["new_fact"], "old_fact": m["old_fact"],
            "primary": m["primary"], "n": int(m["scored"])}


def facts_figure(result: FactsLabResult):
    """Grouped bars, like the article's table: per column, % of answers naming the new and the old fact."""
    import plotly.graph_objects as go

    labels = [r["label"] for r in result.table]
    fig = go.Figure([
        go.Bar(name=f"names {result.new} (new fact)", x=labels, y=[100 * r["new_fact"] for r in result.table],
               marker_color="#0f766e", text=[f"{100 * r['new_fact']:.0f}%" for r in result.table]),
        go.Bar(name=f"names {result.old} (old fact)", x=labels, y=[100 * r["old_fact"] for r in result.table],
               marker_color="#c2410c", text=[f"{100 * r['old_fact']:.0f}%" for r in result.table]),
    ])
    n = result.table[0]["n"] if result.table else 0
    title = f"Facts lab: who did Juliet love? ({n} probe questions, {result.model}, {result.steps} steps)"
    fig.update_layout(barmode="group", template="plotly_white", height=340,
                      title={"text": title, "x": 0.01, "font": {"size": 14}},
                      yaxis={"title": "share of answers (%)", "range": [0, 105]},
                      legend={"orientation": "h", "y": -0.2}, margin={"l": 50, "r": 20, "t": 40, "b": 40})
    return fig
