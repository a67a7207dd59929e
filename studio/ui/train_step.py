"""Step 3 — train: settings with sensible defaults, a plan, Start/Stop/Resume, and a live view
polled with gr.Timer (no queue worker is held while a run trains)."""
from __future__ import annotations

import functools
import html
from dataclasses import dataclass, replace
from typing import Any

import gradio as gr

from studio import runs
from studio.charts import loss_figure
from studio.config import DEFAULT_MODEL, SETTING, SETTINGS, Setting, flat
from studio.data.choice import DataChoice
from studio.data.store import dataset_file
from studio.evaluate.advisor import advise
from studio.rewards.check import preflight
from studio.text import said, t
from studio.train import cli as train_cli
from studio.train import queue, recipe, runner
from studio.train.plain_log import plain_lines
from studio.ui import train_widgets
from studio.ui.advice import rows_for, verdict_text
from studio.ui.context import Ctx, OnOpen, guard, run_title, say_gpu_freed
from studio.ui.reward_table import latest_answers, reward_table

SHOWN = [s for s in SETTINGS if s.level in ("basic", "advanced")]
"""The Train step's widgets, in config.SETTINGS order; each is labelled by studio.text's hp_<name>."""


@dataclass
class TrainWidgets:
    """One widget per shown setting, by its flat name."""

    by_name: dict[str, Any]

    def inputs(self) -> list[Any]:
        return list(self.by_name.values())

    def values(self, args: tuple) -> dict[str, Any]:
        """The widgets' values (in inputs() order) by flat name, as the setting's type."""
        out = dict(zip(self.by_name, args))
        for name, value in out.items():
            kind = SETTING[name].kind
            if value is not None and kind in (int, float):
                out[name] = kind(value)
            if kind is str and not SETTING[name].choices and not (value or "").strip():
                out[name] = None  # an empty box: not set (GRPO's rewards; config.check asks for them there)
        return out


def _config(model: str, data: DataChoice | None, values: dict | None = None, lang: str = "en"):
    if not data:
        raise gr.Error(t(lang, "toast_need_data"))
    if data.path:  # the choice comes from the browser: only the datasets folder
        data = replace(data, path=str(dataset_file(data.path)))
    return recipe.from_choice(model, data, values)


def start_choices(model: str) -> list[tuple[str, str]]:
    """Finished runs of this model whose adapter a new run can continue (SFT, then DPO on top)."""
    found = []
    for run in runs.all_runs():
        try:
            same = run.has_adapter() and run.config().model.name == model
        except (OSError, ValueError):
            continue
        if same:
            found.append((run.label(), run.id))
    return found


def refresh_start(model: str, current: str | None) -> Any:
    choices = start_choices(model)
    return gr.Dropdown(choices=[("—", "")] + choices, value=current if current in dict(choices).values() else "")


def defaults(model: str, data: DataChoice | None, saved: dict | None = None) -> list[Any]:
    """The suggested settings for this model and data; the user's own edits for the same choice win, so
    a reload (or a trip to another tab) never silently resets Max steps to the suggestion."""
    if not data:
        return [gr.update() for _ in SHOWN]
    try:
        values = flat(_config(model, data))
    except (ValueError, KeyError, OSError):  # a model typed by hand, a data file gone: plan() says why
        return [gr.update() for _ in SHOWN]
    if saved and saved.get("for") == choice_key(model, data):
        values.update({k: v for k, v in saved.get("values", {}).items() if k in values})
    return [values[s.name] for s in SHOWN]


def choice_key(model: str, data: DataChoice | None) -> list[str]:
    return [model, data.key() if data else "null"]


def remember(model: str, data: DataChoice | None, values: dict) -> dict:
    """What ctx.settings keeps (the browser stores it): the edited settings and the choice they were for."""
    return {"for": choice_key(model, data), "values": values}


def plan(model: str, data: DataChoice | None, values: dict, lang: str = "en") -> str:
    """The plan and the shell line that repeats it, both from the config Start would run."""
    T = functools.partial(t, lang)
    if not data:
        return T("need_data")
    try:
        cfg = _config(model, data, values)
        lines = recipe.plan(cfg).say(lang)
        command = f"\n\n{T('plan_command')}\n```bash\n{train_cli.command_for(cfg)}\n```"
    except (ValueError, KeyError, OSError) as e:
        return html.escape(said(lang, e))
    grpo = "\n\n" + reward_table(rows_for(data), cfg.train.reward, lang) if cfg.train.method == "grpo" else ""
    return _advice_line(data, T, lang) + "  \n".join(lines) + grpo + command


def _advice_line(data: DataChoice, T, lang: str) -> str:
    a = advise(rows_for(data))
    if a.verdict == "fine-tune":
        return T("plan_advisor_ok", confidence=f"{a.confidence:.0%}") + "  \n"
    return T("plan_advisor_other", verdict=verdict_text(a.verdict, lang).split("**")[1].rstrip(".。")) + "  \n"


def start(model: str, data: dict | None, values: dict, lang: str = "en", another: bool = False):
    """Start a run of these settings. While a run of the same setup is queued or training, a click asks
    first instead (another=True is the answer "start another"). Returns (current run, timer, the ask box,
    its text, the twin's id); the current run changes only with a toast that names the new one."""
    # every bad value (model, preset, path, setting) is one clear message, never a traceback
    cfg = guard(_config, model, data, values, lang, lang=lang)
    if cfg.train.method == "grpo" and cfg.train.reward:  # a reward that cannot guide the run: refused before it exists
        guard(preflight, cfg, lang=lang)
    freed = say_gpu_freed(lang)
    if another:
        run, new = guard(runner.start, cfg, lang=lang, on_gpu_freed=freed), True
    else:
        run, new = guard(runner.start_unless_twin, cfg, lang=lang, on_gpu_freed=freed)
    if not new:
        return gr.skip(), gr.skip(), gr.Group(visible=True), ask_text(run, lang), run.id
    gr.Info(started_text(run, lang))
    return run.id, gr.Timer(active=True), gr.Group(visible=False), "", None


def ask_text(twin: runs.Run, lang: str = "en") -> str:
    st = runs.reconcile(twin)
    step = f" ({_where(st, lang)})" if st.total_steps else ""  # its state alone is said already
    return t(lang, "twin_ask", state=t(lang, "state_" + st.state), run=html.escape(twin.title()), where=step)


def _where(st: runs.RunStatus, lang: str) -> str:
    """How far a run is: its step, else its state (loading or queued, no steps known yet)."""
    return t(lang, "prog_step", step=st.step, total=st.total_steps) if st.total_steps else t(lang, "state_" + st.state)


def started_text(run: runs.Run, lang: str = "en") -> str:
    """The toast for a new current run: its name, and the run it waits behind if the device is taken."""
    where = queue.place(run)
    if where.holder is None:
        return t(lang, "toast_started", run=run.title())
    return t(lang, "toast_started_queued", run=run.title(), holder=where.holder.title(), place=where.place)


def watch(run_id: str | None, lang: str = "en"):
    """The answer "watch the running one": it becomes the current run, and a toast says so."""
    if not run_id:
        return gr.skip(), gr.skip(), gr.Group(visible=False)
    gr.Info(t(lang, "toast_watching", run=run_title(run_id)))
    return run_id, gr.Timer(active=True), gr.Group(visible=False)


def waiting_line(run: runs.Run, st: runs.RunStatus, lang: str = "en") -> str:
    """What a queued run waits for: the run ahead of it and its place; empty once it has the device."""
    if st.state != "queued":
        return ""
    where = queue.place(run)
    if where.holder is None:
        return t(lang, "prog_starting")  # nothing ahead: the worker process is still starting
    return t(lang, "prog_waiting", run=where.holder.title(), where=_where(where.holder_status, lang),
             place=where.place)


def stop(run_id: str | None, lang: str = "en"):
    if not run_id:
        raise gr.Error(t(lang, "toast_no_stop"))
    before = runs.get(run_id).status()
    st = guard(runner.stop, run_id, lang=lang)
    gr.Info(stop_message(run_id, before, st, lang))


def stop_message(run_id: str, before: runs.RunStatus, after: runs.RunStatus, lang: str = "en") -> str:
    """What Stop is waiting for: nothing (a queued run stops at once), the model still loading,
    or the step in progress, with how long a step takes."""
    if after.state != "stopping":
        return t(lang, "toast_state", run=run_id, state=t(lang, "state_" + after.state))
    if not before.total_steps:
        return t(lang, "toast_stop_loading", run=run_id)
    started = before.started_at or before.updated_at
    per_step = max(0.0, before.updated_at - started) / max(1, before.step)
    return t(lang, "toast_stop_step", run=run_id, seconds=f"{per_step:.0f}" if before.step else "?")


def resume(run_id: str | None, lang: str = "en"):
    if not run_id:
        raise gr.Error(t(lang, "toast_no_resume"))
    guard(runner.resume, run_id, lang=lang, on_gpu_freed=say_gpu_freed(lang))
    return gr.Timer(active=True)


def progress_html(run_id: str, st: runs.RunStatus, metrics: list[dict], lang: str = "en", title: str = "",
                  waiting: str = "") -> str:
    """The run box: title (the id on hover), state, bar and one line of how far; waiting: what a queued run
    waits for (waiting_line), which a queued run says instead of a step it has not reached."""
    T = functools.partial(t, lang)
    pct = st.progress * 100
    last = next((m for m in reversed(metrics) if "loss" in m), {})
    eta = T("prog_eta", minutes=f"{st.eta_s / 60:.1f}") if st.eta_s and st.active else ""
    if st.state == "queued":  # not loading yet: it waits for the device, or for its worker to start
        where = waiting or T("prog_starting")
    elif st.active and not st.total_steps:  # the worker is loading the model and the data
        where = T("prog_loading")
    else:
        where = T("prog_step", step=st.step, total=st.total_steps)
    bits = [where, eta,
            T("prog_speed", speed=f"{last['tokens_per_s']:.0f}") if last.get("tokens_per_s") else "",
            T("prog_peak", gb=f"{last['memory_mb'] / 1024:.1f}") if last.get("memory_mb") else ""]
    said = [runs.reason_text(st, lang), "⚠ " + runs.say(st.warning, lang) if st.warning else ""]
    reason = "".join(f'<div class="run-reason">{html.escape(text)}</div>' for text in said if text)
    name = html.escape(title or run_id)
    return (f'<div class="run-box state-{st.state}"><div class="run-head"><b title="{html.escape(run_id)}">{name}</b>'
            f'<span class="badge">{t(lang, "state_" + st.state)}</span></div>'
            f'<div class="bar"><div class="fill" style="width:{pct:.1f}%"></div></div>'
            f'<div class="run-meta">{" · ".join(b for b in bits if b)}</div>{reason}</div>')


NOISE = ("FutureWarning", "warnings.warn(", "UserWarning", "TRLExperimentalWarning")


def log_lines(run: runs.Run, n: int = 15, lang: str = "en") -> str:
    """The log's last lines without the libraries' deprecation chatter: the user's run, not ours; a line the
    studio knows to be harmless (studio.train.plain_log) in the user's plain words."""
    lines = [line for line in run.log_tail(200).splitlines() if not any(word in line for word in NOISE)]
    return "\n".join(plain_lines(lines, lang)[-n:])


def poll(run_id: str | None, lang: str = "en"):
    hidden = gr.Button(visible=False)
    if not run_id:
        return "", None, "", gr.Timer(active=False), hidden
    try:
        run = runs.get(run_id)
    except (KeyError, ValueError):
        return f"run {html.escape(run_id)} is gone", None, "", gr.Timer(active=False), hidden
    st = runs.reconcile(run)
    metrics = run.metrics()
    box = progress_html(run_id, st, metrics, lang, run.title(), waiting_line(run, st, lang))
    # no title: the plot's label already says "Loss" (it said it twice)
    return (box, loss_figure(metrics, "", lang), log_lines(run, lang=lang),
            gr.Timer(active=st.active), gr.Button(visible=st.state == "done" and run.has_adapter()))


def _initial() -> dict[str, Any]:
    return flat(recipe.build(DEFAULT_MODEL, train_path="-", n_rows=400))


def _widget(L, s: Setting, value: Any) -> Any:
    key = f"hp_{s.name}"
    if s.choices:
        return L(gr.Dropdown(list(s.choices), value=value, label=L.text(key), elem_id=f"hp-{s.name}"), key)
    if s.kind is str:
        return L(gr.Textbox(value or "", label=L.text(key), elem_id=f"hp-{s.name}"), key)
    return L(gr.Number(value, label=L.text(key), elem_id=f"hp-{s.name}", precision=0 if s.kind is int else None),
             key)


def _widgets(L) -> TrainWidgets:
    init = _initial()
    by_name: dict[str, Any] = {}
    with gr.Row():
        for s in SHOWN:
            if s.level == "basic":
                by_name[s.name] = _widget(L, s, init[s.name])
    with L(gr.Accordion(L.text("advanced"), open=False), "advanced"), gr.Row():
        for s in SHOWN:
            if s.level == "advanced":
                by_name[s.name] = _widget(L, s, init[s.name])
    return TrainWidgets({s.name: by_name[s.name] for s in SHOWN})


def _wire_plan(ctx: Ctx, w: TrainWidgets, c: train_widgets.Controls) -> None:
    """The suggested settings on a new model or data, and the plan on every change."""
    settings = [ctx.model, ctx.data, c.origin, *w.inputs()]

    def _plan(lang, model, data, start_from, *args):
        return plan(model, data, {**w.values(args), "start_from": start_from or None}, lang)

    def _remember(model, data, *args):
        return remember(model, data, w.values(args))

    for trigger in (ctx.model.change, ctx.data.change):
        trigger(defaults, [ctx.model, ctx.data, ctx.settings], w.inputs(), concurrency_limit=None).then(
            _plan, [ctx.lang, *settings], c.estimate, concurrency_limit=None)
    ctx.lang.change(_plan, [ctx.lang, *settings], c.estimate, show_progress="hidden", concurrency_limit=None)
    ctx.model.change(refresh_start, [ctx.model, c.origin], c.origin, show_progress="hidden")
    c.origin.input(_plan, [ctx.lang, *settings], c.estimate, show_progress="hidden", concurrency_limit=None)
    # User edits only (programmatic updates would fire a plan per widget at once): one listener each for
    # the plan and the remembered settings, on every widget's edit.
    edits = [e for widget in w.inputs()
             for e in ((widget.blur, widget.submit) if isinstance(widget, gr.Number) else (widget.input,))]
    gr.on(edits, _plan, [ctx.lang, *settings], c.estimate, show_progress="hidden", concurrency_limit=None,
          trigger_mode="always_last")
    gr.on(edits, _remember, [ctx.model, ctx.data, *w.inputs()], ctx.settings, show_progress="hidden",
          concurrency_limit=None, trigger_mode="always_last")


def _wire_run(ctx: Ctx, w: TrainWidgets, c: train_widgets.Controls, ask: train_widgets.AskBox, twin: Any,
              v: train_widgets.Progress) -> None:
    """Start (or ask first about a twin), stop, resume, and the run's progress polled while it trains."""
    settings = [ctx.model, ctx.data, c.origin, *w.inputs()]

    def _start(lang, model, data, start_from, *args):
        return start(model, data, {**w.values(args), "start_from": start_from or None}, lang)

    def _another(lang, model, data, start_from, *args):
        return start(model, data, {**w.values(args), "start_from": start_from or None}, lang, another=True)

    started = [ctx.run, v.timer, ask.box, ask.text, twin]
    c.go.click(_start, [ctx.lang, *settings], started, concurrency_limit=None)
    ask.another.click(_another, [ctx.lang, *settings], started, concurrency_limit=None)
    ask.watch.click(watch, [twin, ctx.lang], [ctx.run, v.timer, ask.box])
    c.halt.click(stop, [ctx.run, ctx.lang], None)
    c.again.click(resume, [ctx.run, ctx.lang], v.timer)
    for event in (v.timer.tick, ctx.run.change, ctx.lang.change):
        event(poll, [ctx.run, ctx.lang], [v.prog, v.chart, v.log, v.timer, v.done], show_progress="hidden",
              concurrency_limit=None)
        event(latest_answers, [ctx.run, ctx.lang], v.latest, show_progress="hidden", concurrency_limit=None)
    v.done.click(lambda: gr.Tabs(selected="compare"), None, ctx.tabs)


def build(ctx: Ctx) -> OnOpen:
    L = ctx.labels
    L.md("train_intro")
    w = _widgets(L)
    c = train_widgets.controls(L)
    ask, twin = train_widgets.ask_box(L)
    v = train_widgets.progress(L)
    _wire_plan(ctx, w, c)
    _wire_run(ctx, w, c, ask, twin, v)
    return OnOpen(refresh_start, [ctx.model, c.origin], c.origin)  # a run may have finished since
