"""Evaluate: task meters base → tuned on rows never trained on, the checkpoint timeline, and the facts lab
(the article's lesson in one click: tuning keeps the old fact, a prompt or retrieval gives the new one)."""
from __future__ import annotations

from collections.abc import Callable

import gradio as gr
import pandas as pd

from studio import runs
from studio.compare.columns import COLUMN_KINDS, same_time_run
from studio.evaluate import jobs
from studio.evaluate.meters import PERCENT_KEYS, format_measure, primary_label
from studio.evaluate.run_eval import EvalResult, load_saved
from studio.evaluate.timeline import best, checkpoint_timeline
from studio.text import TEXT, t
from studio.train import runner
from studio.ui import facts_panel
from studio.ui.compare.common import column_label, short_note, short_run_row
from studio.ui.compare.step import endpoint_pick
from studio.ui.context import Ctx, OnOpen, bind_run_picker, current_or_newest, guard, labelled, say_gpu_freed


def _progress(progress: gr.Progress) -> Callable[[float, str], None]:
    return lambda share, what: progress(share, desc=what)


def meters_frame(meters: dict[str, dict[str, float]], meter: str = "", lang: str = "en",
                 n: int | None = None) -> pd.DataFrame:
    """One row per measure, one column per Compare column (base, tuned, ...); the headline measure
    ("primary") is named after its meter; a share of the n rows with its 95% interval."""
    keys = list(dict.fromkeys(k for m in meters.values() for k in m))
    name = {"primary": t(lang, "ev_headline_row", label=primary_label(meter, lang))} if meter else {}
    rows = [[name.get(k) or measure_name(k, lang),
             *(format_measure(k, meters[c].get(k), meters[c].get("n") or n) for c in meters)] for k in keys]
    return pd.DataFrame(rows, columns=[t(lang, "ev_col_measure"), *(column_label(c, lang) for c in meters)])


def measure_name(key: str, lang: str = "en") -> str:
    """A measure's human name ('parses as JSON', not parse_rate); the key itself for a user's own."""
    return t(lang, f"measure_{key}") if f"measure_{key}" in TEXT["en"] else key


def headline(result, lang: str = "en") -> str:
    """The headline measure base -> tuned; beside it the measure that moved most when the headline did not
    move. A run too short to judge says so beside the picker (compare.common.short_run_row)."""
    base, tuned = (result.meters.get(c, {}).get("primary") for c in ("base", "tuned"))
    label = primary_label(result.meter, lang)
    if base is None or tuned is None:
        return t(lang, "ev_head_plain", label=label, n=result.n)
    text = t(lang, "ev_head", label=label, base=f"{100 * base:.0f}", tuned=f"{100 * tuned:.0f}",
             delta=f"{100 * (tuned - base):+.0f}", n=result.n, s=f"{result.seconds:.0f}")
    return text + _moved(result, base, tuned, lang)


def _moved(result, base: float, tuned: float, lang: str) -> str:
    shifts = [(abs(result.meters["tuned"][k] - result.meters["base"][k]), k) for k in result.meters["base"]
              if k in PERCENT_KEYS and k != "primary" and k in result.meters["tuned"]]
    if not shifts or abs(tuned - base) >= 0.05 or max(shifts)[0] < 0.10:
        return ""
    key = max(shifts)[1]
    return "\n\n" + t(lang, "ev_moved", label=measure_name(key, lang), base=f"{100 * result.meters['base'][key]:.0f}",
                       tuned=f"{100 * result.meters['tuned'][key]:.0f}")


def confusion_figure(confusion: dict | None):
    if not confusion or "tuned" not in confusion:
        return None
    import plotly.graph_objects as go

    c = confusion["tuned"]
    fig = go.Figure(go.Heatmap(z=c["matrix"], x=c["labels"], y=c["labels"], colorscale="Oranges",
                               text=c["matrix"], texttemplate="%{text}"))
    fig.update_layout(title="Tuned: confusion matrix (rows: gold, columns: answered)", height=360,
                      xaxis_title="answered", yaxis_title="gold", template="plotly_white")
    return fig


def measure(run_id: str | None, limit: int, columns: list[str], lang: str = "en",
            endpoint: str | None = None) -> tuple:
    """Start measuring as a job of the engine (studio.evaluate.jobs) and show its progress: the event ends at
    once, the timer polls, and a tab change or a reload finds the job where it is. A second click while the
    run is measured starts nothing and says so."""
    if not run_id:
        raise gr.Error(t(lang, "ev_need_run"))
    if not columns:
        raise gr.Error(t(lang, "ev_need_columns"))
    columns = [f"endpoint@{endpoint}" if c == "endpoint" and endpoint else c for c in columns]  # the one picked
    _, started = guard(jobs.start, run_id, int(limit), columns, lang=lang)
    if not started:
        gr.Info(t(lang, "evjob_already", run=run_id))
    return shown(run_id, lang)


def shown(run_id: str | None, lang: str = "en") -> tuple:
    """(headline, table, confusion, samples, timer) for the run now: a running job's progress (the timer on),
    a failed job's error above the last result, or the last result."""
    job = _job(run_id)
    if job and job.running:
        return (progress_text(job, lang), *_empty(lang)[1:], gr.Timer(active=True))
    head, *rest = saved(run_id, lang)
    if job and job.state == "failed":
        head = "\n\n".join(x for x in (t(lang, "evjob_failed", why=runs.say(job.error, lang)), head) if x)
    return (head, *rest, gr.Timer(active=False))


def _job(run_id: str | None) -> jobs.Job | None:
    try:
        return jobs.current(runs.get(run_id)) if run_id else None
    except (KeyError, ValueError):  # the run was deleted: nothing measures it
        return None


def progress_text(job: jobs.Job, lang: str = "en") -> str:
    """How far the job is, and what else slows it (a run training, another measurement)."""
    key = "evjob_scoring" if job.share >= 1 else "evjob_running"
    text = t(lang, key, run=job.run, pct=f"{100 * job.share:.0f}", secs=f"{job.elapsed:.0f}")
    return "\n\n".join([text, *(f"*{t(lang, k, **f)}*" for k, f in jobs.sharing(job.run))])


def _empty(lang: str) -> tuple:
    heads = [t(lang, "ev_col_measure"), column_label("base", lang), column_label("tuned", lang)]
    return "", pd.DataFrame(columns=heads), gr.Plot(None, visible=False), None


def saved(run_id: str | None, lang: str = "en"):
    """The run's last measurement, so reopening the tab shows it without measuring again."""
    empty = _empty(lang)
    if not run_id:
        return empty
    try:
        data = load_saved(runs.get(run_id))
    except (KeyError, ValueError):
        return empty
    if not data:
        return empty
    result = EvalResult(**data)
    fig = confusion_figure(result.confusion)
    head = headline(result, lang)
    return (f"{head} {t(lang, 'ev_last')}", meters_frame(result.meters, result.meter, lang, result.n),
            gr.Plot(fig, visible=fig is not None), pd.DataFrame(result.samples))


def timeline(run_id: str | None, limit: int, lang: str = "en", progress=gr.Progress()):
    if not run_id:
        raise gr.Error(t(lang, "ev_need_run"))
    points, fig = guard(checkpoint_timeline, run_id, int(limit), progress=_progress(progress), lang=lang)
    top = best(points)
    text = t(lang, "ev_best", checkpoint=top.checkpoint, step=top.step, share=f"{100 * top.meter:.0f}") \
        if top else ""
    return fig, text


def _measure_panel(ctx: Ctx, pick: gr.Dropdown) -> list:
    """The measure controls and results; returns what shown() fills."""
    L = ctx.labels
    with gr.Row():
        limit = L(gr.Slider(5, 100, 30, step=5, label=L.text("eval_limit"), elem_id="eval-limit"), "eval_limit")
        cols = L(gr.CheckboxGroup([(L.text(f"col_{k}"), k) for k in COLUMN_KINDS], value=["base", "tuned"],
                                  label=L.text("compare_columns"), scale=3), "compare_columns")
        ctx.lang.change(lambda lang: gr.CheckboxGroup(choices=[(t(lang, f"col_{k}"), k) for k in COLUMN_KINDS]),
                        ctx.lang, cols)
        endpoint = endpoint_pick(ctx, cols, "eval-endpoint")
        go = L(gr.Button(L.text("eval_go"), variant="primary", elem_id="eval-go"), "eval_go", "value")
    head = gr.Markdown(elem_id="eval-headline")
    table = gr.Dataframe(headers=["measure", "base", "tuned"], interactive=False, elem_id="eval-meters")
    conf = gr.Plot(visible=False)
    with gr.Accordion(L.text("eval_samples"), open=False) as acc:
        sample = gr.Dataframe(interactive=False, wrap=True)
    L(acc, "eval_samples")
    timer = gr.Timer(1.0, active=False)  # on while a job runs: the page asks, no event waits on the job
    outputs = [head, table, conf, sample, timer]
    go.click(measure, [pick, limit, cols, ctx.lang, endpoint], outputs, concurrency_limit=None)
    # the run's measurement as it stands, on a pick, each tick, and said again after a language switch
    for event in (pick.change, timer.tick, ctx.lang.change):
        event(shown, [pick, ctx.lang], outputs, show_progress="hidden", concurrency_limit=None)
    return outputs


def _timeline_panel(ctx: Ctx, pick: gr.Dropdown) -> None:
    L = ctx.labels
    with L(gr.Accordion(L.text("eval_timeline"), open=False), "eval_timeline"):
        L.md("eval_timeline_info")
        with gr.Row():
            limit = L(gr.Slider(5, 50, 15, step=5, label=L.text("eval_limit"), elem_id="timeline-limit"),
                      "eval_limit")
            go = L(gr.Button(L.text("eval_timeline_go"), elem_id="timeline-go"), "eval_timeline_go", "value")
        plot, best = gr.Plot(elem_id="timeline-plot"), gr.Markdown(elem_id="timeline-best")
    go.click(timeline, [pick, limit, ctx.lang], [plot, best])


def same_time_note(run_id: str | None, lang: str = "en") -> tuple[str, object]:
    """Beside a GRPO run started from another run: whether its same-time SFT continuation exists (and which), else
    the button that makes it."""
    try:
        cfg = runs.get(run_id).config() if run_id else None
    except (KeyError, ValueError):
        cfg = None
    if cfg is None or cfg.train.method != "grpo" or not cfg.train.start_from:
        return "", gr.Button(visible=False)
    found = same_time_run(run_id)
    if found is not None:
        return t(lang, "ev_same_time_have", run=found.id), gr.Button(visible=False)
    return t(lang, "ev_same_time_none", parent=cfg.train.start_from), gr.Button(visible=True)


def make_same_time(run_id: str | None, lang: str = "en") -> tuple[str, object]:
    """Start the SFT run continued from the GRPO run's parent for its training seconds (runner.same_time)."""
    if not run_id:
        raise gr.Error(t(lang, "ev_need_run"))
    cfg = guard(runner.same_time, run_id, lang=lang)
    run = guard(runner.start, cfg, lang=lang, on_gpu_freed=say_gpu_freed(lang))
    text = t(lang, "ev_same_time_started", run=run.id, seconds=f"{cfg.train.max_seconds:.0f}")
    gr.Info(text)
    return text, gr.Button(visible=False)


def _same_time_row(ctx: Ctx, pick: gr.Dropdown) -> None:
    L = ctx.labels
    with gr.Row():
        note = gr.Markdown(elem_id="eval-same-time-note")
        button = L(gr.Button(L.text("ev_same_time_go"), visible=False, size="sm", elem_id="eval-same-time"),
                   "ev_same_time_go", "value")
    for event in (pick.change, ctx.lang.change):
        event(same_time_note, [pick, ctx.lang], [note, button], show_progress="hidden")
    button.click(make_same_time, [pick, ctx.lang], [note, button])


def refresh_pick(run_id: str | None):
    ids = runs.with_adapter()
    return gr.Dropdown(choices=labelled(ids), value=current_or_newest(run_id, ids))


def opened(run_id: str | None, lang: str = "en") -> tuple:
    """On opening the tab: the picker, the measurement of the run it shows (a job may have moved on or ended
    while another tab was open), and its short-run note."""
    value = current_or_newest(run_id, runs.with_adapter())  # what refresh_pick shows (an update has no value)
    return (refresh_pick(run_id), *shown(value, lang), *short_note(value, lang))


def build(ctx: Ctx) -> OnOpen:
    L = ctx.labels
    L.md("eval_intro")
    pick = L(gr.Dropdown(labelled(runs.with_adapter()), label=L.text("compare_run"), elem_id="eval-run"), "compare_run")
    note, button = short_run_row(ctx, pick, "eval")  # a short run's tuned column shows no style yet
    _same_time_row(ctx, pick)
    shows = _measure_panel(ctx, pick)
    _timeline_panel(ctx, pick)
    facts_panel.build(ctx)
    bind_run_picker(ctx, pick, refresh_pick)
    return OnOpen(opened, [ctx.run, ctx.lang], [pick, *shows, note, button])
