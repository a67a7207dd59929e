"""The Train step's widgets below its settings: where a run starts from, the plan and the buttons, the box that asks
before a second run of the same setup, and the run as it goes. train_step holds what they do."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import gradio as gr


@dataclass
class AskBox:
    """Shown when Start meets a run of the same setup already queued or training: a second run only when
    asked for."""

    box: Any
    text: Any
    another: Any
    watch: Any


def ask_box(L) -> tuple[AskBox, Any]:
    """The ask box and the state holding the twin's id (what "watch" switches to)."""
    with gr.Group(visible=False, elem_id="train-twin") as box:
        text = gr.Markdown(elem_id="train-twin-text")
        with gr.Row():
            another = L(gr.Button(L.text("train_another"), variant="primary", elem_id="train-another"),
                        "train_another", "value")
            watch_btn = L(gr.Button(L.text("train_watch"), elem_id="train-watch"), "train_watch", "value")
    return AskBox(box, text, another, watch_btn), gr.State(None)


@dataclass
class Controls:
    """Where a run starts from, its plan (with the shell line, and GRPO's reward table) and its buttons."""

    origin: Any
    estimate: Any
    go: Any
    halt: Any
    again: Any


def controls(L) -> Controls:
    with gr.Row():
        origin = L(gr.Dropdown([("—", "")], value="", label=L.text("hp_start_from"), elem_id="hp-start-from",
                               scale=2), "hp_start_from")
        L.md("dpo_explain")
    estimate = gr.Markdown(L.text("need_data"), elem_id="train-plan")
    with gr.Row():
        go = L(gr.Button(L.text("start"), variant="primary", elem_id="train-start"), "start", "value")
        halt = L(gr.Button(L.text("stop"), variant="stop", elem_id="train-stop"), "stop", "value")
        again = L(gr.Button(L.text("resume"), elem_id="train-resume"), "resume", "value")
    return Controls(origin, estimate, go, halt, again)


@dataclass
class Progress:
    """The run as it goes: progress, the chart, GRPO's latest answers, the log, and the timer that polls them."""

    prog: Any
    done: Any
    chart: Any
    latest: Any
    log: Any
    timer: Any


def progress(L) -> Progress:
    prog = gr.HTML(elem_id="train-progress")
    done = L(gr.Button(L.text("train_done_compare"), variant="primary", visible=False, elem_id="train-done"),
             "train_done_compare", "value")
    chart = L(gr.Plot(label=L.text("loss_chart"), elem_id="loss-chart"), "loss_chart")
    latest = gr.Markdown(elem_id="train-completions")  # GRPO: the answers it samples, scored, as it goes
    log = L(gr.Textbox(label=L.text("log"), lines=8, max_lines=8, interactive=False, autoscroll=True,
                       elem_id="train-log"), "log")
    return Progress(prog, done, chart, latest, log, gr.Timer(2.0, active=False))
