"""Runs: every run on disk with its state and losses; open one in Compare or delete it."""
from __future__ import annotations

import gradio as gr
import pandas as pd

from studio import runs
from studio.ui.context import Ctx

COLUMNS = ["run", "state", "model", "data", "step", "train loss", "eval loss"]


def table() -> pd.DataFrame:
    from studio.train.runner import recover_all

    rows = []
    for run in recover_all():
        try:
            cfg, st = run.config(), run.status()
        except Exception:  # noqa: BLE001 - one unreadable run must not hide the others
            rows.append([run.id, "unreadable", "", "", "", None, None])
            continue
        loss = runs.final_losses(run)
        data = cfg.data.preset or (cfg.data.train_path or "").rsplit("/", 1)[-1]
        rows.append([run.id, st.state, cfg.model.name, data, f"{st.step}/{st.total_steps}",
                     _round(loss["loss"]), _round(loss["eval_loss"])])
    return pd.DataFrame(rows, columns=COLUMNS)


def _round(x: float | None) -> float | None:
    return None if x is None else round(x, 4)


def refresh(current: str | None):
    frame = table()
    ids = list(frame["run"])
    pick = current if current in ids else (ids[0] if ids else None)
    return frame, gr.Dropdown(choices=ids, value=pick)


def detail(run_id: str | None):
    from studio.charts import spark_figure

    if not run_id:
        return None, ""
    try:
        run = runs.get(run_id)
    except (KeyError, ValueError) as e:
        return None, str(e)
    st = run.status()
    text = f"**{run_id}** — {st.state}" + (f": {st.reason}" if st.reason else "")
    return spark_figure(run.metrics()), text


def delete(run_id: str | None, current: str | None):
    if not run_id:
        raise gr.Error("pick a run first")
    try:
        runs.delete(run_id)
    except (KeyError, ValueError) as e:
        raise gr.Error(str(e)) from None
    gr.Info(f"deleted {run_id}")
    frame, dd = refresh(None)
    return frame, dd, gr.Button(visible=False), (None if current == run_id else current)


def build(ctx: Ctx):
    L = ctx.labels
    L.md("runs_intro")
    frame = gr.Dataframe(table(), interactive=False, wrap=True, elem_id="runs-table")
    with gr.Row():
        pick = L(gr.Dropdown(list(table()["run"]), label=L.text("runs_pick"), elem_id="runs-pick"),
                 "runs_pick")
        refresh_btn = L(gr.Button(L.text("runs_refresh")), "runs_refresh", "value")
        open_btn = L(gr.Button(L.text("runs_open"), variant="primary"), "runs_open", "value")
        delete_btn = L(gr.Button(L.text("runs_delete"), variant="stop"), "runs_delete", "value")
        confirm = L(gr.Button(L.text("runs_confirm"), variant="stop", visible=False), "runs_confirm", "value")
    info = gr.Markdown()
    spark = gr.Plot(label="loss")
    refresh_btn.click(refresh, pick, [frame, pick])
    pick.change(detail, pick, [spark, info])
    open_btn.click(lambda r: (r, gr.Tabs(selected="compare")), pick, [ctx.run, ctx.tabs])
    delete_btn.click(lambda: gr.Button(visible=True), None, confirm)
    confirm.click(delete, [pick, ctx.run], [frame, pick, confirm, ctx.run])
    ctx.run.change(refresh, ctx.run, [frame, pick])
    return refresh, ctx.run, [frame, pick]
