"""Runs: every run on disk with its state and losses; open one in Compare or delete it."""
from __future__ import annotations

import gradio as gr
import pandas as pd

from studio import runs
from studio.charts import overlay_figure, spark_figure
from studio.config import flat
from studio.text import said, t
from studio.train import runner
from studio.train.runner import recover_all
from studio.ui.context import (
    Ctx,
    OnOpen,
    bind_run_picker,
    current_or_newest,
    guard,
    labelled,
    run_title,
    say_gpu_freed,
)

COLUMN_KEYS = ["runs_col_run", "runs_col_state", "runs_col_model", "runs_col_data", "runs_col_step",
               "runs_col_loss", "runs_col_eval_loss"]


def table(lang: str = "en") -> pd.DataFrame:
    rows = []
    for run in recover_all():
        try:
            cfg, st = run.config(), run.status()
        except Exception:  # noqa: BLE001 - one unreadable run must not hide the others
            rows.append([run.id, t(lang, "state_unreadable"), "", "", "", None, None])
            continue
        loss = runs.final_losses(run)
        data = cfg.data.preset or (cfg.data.train_path or "").rsplit("/", 1)[-1]
        rows.append([run.id, t(lang, "state_" + st.state), cfg.model.name, data, f"{st.step}/{st.total_steps}",
                     _round(loss["loss"]), _round(loss["eval_loss"])])
    return pd.DataFrame(rows, columns=[t(lang, k) for k in COLUMN_KEYS])


def _round(x: float | None) -> float | None:
    return None if x is None else round(x, 4)


def refresh(current: str | None, lang: str = "en"):
    frame = table(lang)
    ids = list(frame.iloc[:, 0])
    return frame, gr.Dropdown(choices=labelled(ids), value=current_or_newest(current, ids))


def detail(run_id: str | None, lang: str = "en"):
    """The picked run's loss chart, its state line, and its checkpoints to continue from (last first)."""
    none = gr.Dropdown(choices=[], value=None)
    if not run_id:
        return None, "", none
    try:
        run = runs.get(run_id)
    except (KeyError, ValueError) as e:
        return None, said(lang, e), none
    st = run.status()
    reason, warning = runs.reason_text(st, lang), runs.say(st.warning, lang)
    text = f"**{run.title()}** (`{run_id}`) — {t(lang, 'state_' + st.state)}" + (f": {reason}" if reason else "") \
        + (f"  \n⚠ {warning}" if warning else "")
    metrics = run.metrics()  # none for an imported adapter: no chart rather than "waiting for the first step"
    steps = [] if st.active else [runs.checkpoint_step(p) for p in reversed(run.checkpoints())]
    choices = [(t(lang, "runs_ckpt_step", step=n), n) for n in steps]
    return ((spark_figure(metrics, lang) if metrics or st.active else None), text,
            gr.Dropdown(choices=choices, value=steps[0] if steps else None))


def continue_from(run_id: str | None, step: int | None, lang: str = "en"):
    """Resume the picked run from the chosen checkpoint (a new run unless it is a stopped run's last one),
    make it the current run and show it training in ③ Train."""
    if not run_id or step is None:
        raise gr.Error(t(lang, "toast_need_checkpoint"))
    run = guard(runner.resume, run_id, int(step), lang=lang, on_gpu_freed=say_gpu_freed(lang))
    gr.Info(t(lang, "toast_resumed" if run.id == run_id else "toast_branched", run=run.title(),
              source=run_title(run_id), step=int(step)))  # it becomes the current run: named as people read it
    return run.id, gr.Tabs(selected="train")


def overlay(run_ids: list[str] | None, lang: str = "en"):
    """The chosen runs' loss curves on one chart, and the settings in which they differ (LlamaBoard-style)."""
    chosen = []
    for run_id in run_ids or []:
        try:
            chosen.append(runs.get(run_id))
        except (KeyError, ValueError):
            continue
    if len(chosen) < 2:
        return None, pd.DataFrame()
    configs = {r.id: {**flat(r.config()), "data": r.config().data.preset or r.config().data.train_path,
                      "model": r.config().model.name} for r in chosen}
    keys = [k for k in next(iter(configs.values())) if len({repr(c.get(k)) for c in configs.values()}) > 1]
    frame = pd.DataFrame([[k, *(configs[r.id].get(k) for r in chosen)] for k in keys],
                         columns=[t(lang, "runs_setting"), *(r.id for r in chosen)])
    return overlay_figure({r.id: r.metrics() for r in chosen}, lang), frame


def delete(run_id: str | None, current: str | None, lang: str = "en"):
    if not run_id:
        raise gr.Error(t(lang, "toast_need_run_pick"))
    guard(runs.delete, run_id, lang=lang)
    gr.Info(t(lang, "toast_deleted", run=run_id))
    frame, dd = refresh(None, lang)
    return frame, dd, gr.Button(visible=False), (None if current == run_id else current)


def build(ctx: Ctx) -> OnOpen:
    L = ctx.labels
    L.md("runs_intro")
    frame = gr.Dataframe(table(), interactive=False, wrap=True, elem_id="runs-table")
    with gr.Row():
        pick = L(gr.Dropdown(labelled(list(table().iloc[:, 0])), label=L.text("runs_pick"), elem_id="runs-pick",
                             scale=3), "runs_pick")
        refresh_btn = L(gr.Button(L.text("runs_refresh")), "runs_refresh", "value")
        open_btn = L(gr.Button(L.text("runs_open"), variant="primary", elem_id="runs-open"), "runs_open", "value")
        delete_btn = L(gr.Button(L.text("runs_delete"), variant="stop"), "runs_delete", "value")
        confirm = L(gr.Button(L.text("runs_confirm"), variant="stop", visible=False), "runs_confirm", "value")
    info = gr.Markdown()
    spark = L(gr.Plot(label=L.text("runs_loss")), "runs_loss")
    with gr.Row(equal_height=True):
        ckpt = L(gr.Dropdown([], label=L.text("runs_ckpt"), elem_id="runs-ckpt", scale=3), "runs_ckpt")
        go_on = L(gr.Button(L.text("runs_continue"), elem_id="runs-continue"), "runs_continue", "value")
    with L(gr.Accordion(L.text("runs_overlay"), open=False), "runs_overlay"):
        several = L(gr.Dropdown(labelled(list(table().iloc[:, 0])), multiselect=True, label=L.text("runs_overlay_pick"),
                                elem_id="runs-overlay-pick"), "runs_overlay_pick")
        overlaid = gr.Plot(elem_id="runs-overlay")
        differ = L(gr.Dataframe(interactive=False, wrap=True, label=L.text("runs_differ"), elem_id="runs-differ"),
                   "runs_differ")
    several.change(overlay, [several, ctx.lang], [overlaid, differ])
    refresh_btn.click(refresh, [pick, ctx.lang], [frame, pick])
    ctx.lang.change(refresh, [pick, ctx.lang], [frame, pick], show_progress="hidden")
    pick.change(detail, [pick, ctx.lang], [spark, info, ckpt])
    go_on.click(continue_from, [pick, ckpt, ctx.lang], [ctx.run, ctx.tabs])
    open_btn.click(lambda r: (r, gr.Tabs(selected="compare")), pick, [ctx.run, ctx.tabs])
    delete_btn.click(lambda: gr.Button(visible=True), None, confirm)
    confirm.click(delete, [pick, ctx.run, ctx.lang], [frame, pick, confirm, ctx.run])
    bind_run_picker(ctx, pick, refresh, [frame, pick], inputs=[ctx.run, ctx.lang], sets_current=False)
    return OnOpen(opened, [ctx.run, ctx.lang], [frame, pick, spark, info, ckpt, several])


def opened(current: str | None, lang: str = "en"):
    """When the tab opens: the table, the picked run's chart even when the pick did not change, and every
    run to overlay."""
    frame, dd = refresh(current, lang)
    ids = list(frame.iloc[:, 0])
    return frame, dd, *detail(current_or_newest(current, ids), lang), gr.Dropdown(choices=labelled(ids))
