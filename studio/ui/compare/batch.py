"""Compare's batch mode: the run's probe prompts (or a pasted list) through every chosen column into
one table, prompt x column, filled as answers come; then the run's task meter per column, and the judge's
where the user accepted one for the run (ui/compare/judge.py)."""
from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import gradio as gr
import pandas as pd

from studio import runs
from studio.compare.engine import iter_table
from studio.evaluate.batch_meter import meter_with_gaps, run_prompts
from studio.text import TEXT, said, t
from studio.ui.compare import judge
from studio.ui.compare.common import Setup, SetupWidgets, column_label, fail, short_text, warn
from studio.ui.context import Ctx, guard
from studio.ui.model_step import engine_footer

MAX_PROMPTS = 50
"""Every prompt costs one answer per column: past 50 the table stops being read and the CPU waits."""
PROBES, PASTE = "probes", "paste"
PENDING = "…"


def prompts_for(source: str, text: str | None, s: Setup) -> list[str]:
    """The prompts to run, or a translated error: none, or too many to paste."""
    if source == PROBES:
        found = run_prompts(s.run())
        if not found:
            fail("batch_no_probes", s.lang, run=s.run_id)
        if len(found) > MAX_PROMPTS:  # a preset's own list: run what fits rather than refuse
            warn("batch_probes_cut", s.lang, n=len(found), limit=MAX_PROMPTS)
        return found[:MAX_PROMPTS]
    found = [ln.strip() for ln in (text or "").splitlines() if ln.strip()]
    if not found:
        fail("batch_empty", s.lang)
    if len(found) > MAX_PROMPTS:
        fail("batch_too_many", s.lang, n=len(found), limit=MAX_PROMPTS)
    return found


def frame(prompts: list[str], keys: list[str], cells: dict[tuple[int, str], str],
          lang: str | None) -> pd.DataFrame:
    """The table: one row per prompt, one column per compare column; pending cells show '…'."""
    headers = [t(lang, "batch_col_prompt")] + [column_label(k, lang or "en") for k in keys]
    rows = [[p, *(cells.get((i, k), PENDING) for k in keys)] for i, p in enumerate(prompts)]
    return pd.DataFrame(rows, columns=headers)


def view(prompts: list[str], keys: list[str], cells: dict[tuple[int, str], str],
         lang: str | None) -> Any:
    """The table with fixed column widths: without them one long answer pushes the others off screen."""
    share = f"{78 / max(1, len(keys)):.0f}%"
    return gr.Dataframe(frame(prompts, keys, cells, lang), column_widths=["22%", *[share] * len(keys)])


def meter_text(line: Any, lang: str | None) -> str:
    """'**ござる style rate** (20 prompts): Base model 3% · Tuned (LoRA) 95%'."""
    lang = lang or "en"

    label = t(lang, f"meter_{line.key}") if f"meter_{line.key}" in TEXT["en"] else line.label
    if not line.shares:
        return t(lang, "batch_meter_none", label=label)
    shares = " · ".join(f"{column_label(k, lang)} {v:.0%}" for k, v in line.shares.items())
    return t(lang, "batch_meter_line", label=label, n=line.scored, total=line.total, cols=shares)


def gaps_text(line: Any, total: int, lang: str | None) -> str:
    """The endpoint columns that could not answer every prompt, and how many they answered."""
    return "\n\n".join(t(lang, "batch_unanswered", col=column_label(col, lang or "en"), n=n, total=total,
                          answered=total - n) for col, n in line.unanswered.items())


def run_batch(s: Setup, source: str, text: str | None, use_judge: bool = False) -> Iterator[tuple[Any, str]]:
    """Yields (table, status) after every answer, then the meter line (and the judge's, when asked)."""
    prompts, keys = prompts_for(source, text, s), s.column_kinds()
    model, comparer, cells, t0, failed = s.model(), s.comparer(), {}, time.monotonic(), {}
    total = len(prompts) * len(keys)
    yield view(prompts, keys, cells, s.lang), t(s.lang, "batch_progress", done=0, total=total)
    rows = iter_table(model, prompts, keys, settings=s.settings(), comparer=comparer, **s.column_kw())
    try:
        for n, row in enumerate(rows):  # rows come prompt by prompt, column by column
            cells[(n // len(keys), row["column"])] = row["text"]
            if row.get("failed"):  # an endpoint's timeout: said in its cell, not scored as an answer
                failed.setdefault(row["column"], set()).add(n // len(keys))
            status = t(s.lang, "batch_progress", done=n + 1, total=total)
            yield view(prompts, keys, cells, s.lang), status
    except (ValueError, KeyError, OSError) as e:
        raise gr.Error(said(s.lang, e)) from None
    answers = {k: [cells[(i, k)] for i in range(len(prompts))] for k in keys}
    line = guard(meter_with_gaps, s.run(), prompts, answers, failed, lang=s.lang)
    done = t(s.lang, "batch_done", total=total, secs=round(time.monotonic() - t0))
    short = short_text(s.run_id, s.lang)  # beside the meter: a tuned 0% after half an epoch is "too early"
    engine = engine_footer(comparer.last_engine.label, s.lang) if comparer.last_engine else ""  # who answered
    status = "\n\n".join(x for x in (done, meter_text(line, s.lang), gaps_text(line, len(prompts), s.lang), short,
                                      engine) if x)
    yield view(prompts, keys, cells, s.lang), status
    judged = judge.meter_note(s, prompts, answers, failed) if use_judge else ""
    if judged:
        yield view(prompts, keys, cells, s.lang), f"{status}\n\n{judged}"


def show_probes(source: str, run_id: str | None, lang: str | None) -> Any:
    """Probes: the list shown read-only. Paste: the box opens for editing and keeps its text, so the
    probes are a starting point for one's own list."""
    if source != PROBES:
        return gr.Textbox(interactive=True)
    try:
        found = run_prompts(runs.get(run_id)) if run_id else []
    except (KeyError, ValueError):
        found = []
    return gr.Textbox(value="\n".join(found[:MAX_PROMPTS]), interactive=False)


def source_choices(lang: str | None) -> Any:
    lang = lang or "en"
    return gr.Radio(choices=[(t(lang, "batch_src_probes"), PROBES), (t(lang, "batch_src_paste"), PASTE)])


def build(ctx: Ctx, setup: SetupWidgets) -> None:
    L = ctx.labels
    L.md("batch_intro")
    with gr.Row():
        source = L(gr.Radio([(L.text("batch_src_probes"), PROBES), (L.text("batch_src_paste"), PASTE)],
                            value=PROBES, label=L.text("batch_source"), elem_id="batch-source", scale=2),
                   "batch_source")
        text = L(gr.Textbox(label=L.text("batch_prompts"), lines=6, max_lines=12, interactive=False,
                            elem_id="batch-prompts", scale=5), "batch_prompts")
    with gr.Row():
        go = L(gr.Button(L.text("batch_go"), variant="primary", elem_id="batch-go", scale=3), "batch_go", "value")
        use_judge = L(gr.Checkbox(True, label=L.text("batch_judge"), elem_id="batch-judge", scale=2), "batch_judge")
    status = gr.Markdown(elem_id="batch-status")
    empty = frame([], ["base", "tuned"], {}, "en")  # headers from the start, not gradio's 1 2 3
    table = L(gr.Dataframe(empty, interactive=False, wrap=True, label=L.text("batch_table"),
                           column_widths=["22%", "39%", "39%"],
                           elem_id="batch-table"), "batch_table")
    setup.on(go.click, run_batch, [source, text, use_judge], [table, status])
    pick = setup.run_id
    ctx.lang.change(source_choices, ctx.lang, source)  # Labels translate the label, not the choices
    source.change(show_probes, [source, pick, ctx.lang], text)
    pick.change(show_probes, [source, pick, ctx.lang], text)
