"""What the steps share: the chosen model, dataset and run (kept in the browser so a reload keeps them),
the run-picker binding, the hook a tab returns, and the one guard that turns a fixable error into a toast."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import gradio as gr

from studio import presets, runs
from studio.config import DEFAULT_MODEL
from studio.data.choice import DataChoice
from studio.text import said, t
from studio.ui.i18n import Labels

DEFAULT_STATE = {"model": DEFAULT_MODEL, "data": None, "run": None, "lang": "en", "settings": {}}


@dataclass
class Ctx:
    labels: Labels
    state: Any = None        # gr.BrowserState: the dict above
    model: Any = None        # gr.Dropdown in the Model step (the chosen model name)
    data: Any = None         # gr.State: the Data step's DataChoice (None: nothing chosen yet)
    run: Any = None          # gr.State: the current run id
    settings: Any = None     # gr.State: {"for": [model, data], "values": the Train step's edited settings}
    tabs: Any = None         # gr.Tabs, to move between steps
    lang: Any = None         # gr.Radio
    compare_kinds: Any = None  # gr.CheckboxGroup in Compare: which columns to show
    on_load: list = field(default_factory=list)  # (fn, inputs, outputs) run when the page loads
    after_build: list = field(default_factory=list)  # wiring that needs components of later steps


def data_label(choice: DataChoice | None, lang: str = "en") -> str:
    """What the header calls the chosen data, in lang: a preset by its name and its title."""
    if choice and choice.preset:
        return preset_title(choice.preset, lang)
    return choice.title if choice else "—"


def preset_title(name: str, lang: str = "en") -> str:
    """A preset as the header and the data summary name it: its name (what --preset takes) and its title."""
    try:
        title = presets.load(name).label(lang)
    except (KeyError, ValueError, OSError):  # gone since it was chosen: its name still names it
        title = name
    return t(lang, "data_preset_title", name=name, title=title)


def run_title(run_id: str | None) -> str:
    """The name a person reads for a run (its id where the run is gone or never had one)."""
    if not run_id:
        return "—"
    try:
        return runs.get(run_id).title()
    except (KeyError, ValueError, OSError):
        return run_id


def labelled(ids: list[str]) -> list[tuple[str, str]]:
    """A run picker's choices: each run's title and date shown, its id the value."""
    out = []
    for run_id in ids:
        try:
            out.append((runs.get(run_id).label(), run_id))
        except (KeyError, ValueError, OSError):  # deleted meanwhile: its id still names it
            out.append((run_id, run_id))
    return out


def current_or_newest(run_id: str | None, ids: list[str]) -> str | None:
    """The run a step's picker shows: the current one if it is listed, else the newest (ids come newest
    first), so a first visit never shows an empty picker."""
    return run_id if run_id in ids else (ids[0] if ids else None)


@dataclass
class OnOpen:
    """What a tab's build() may return: fn(inputs) -> outputs, run each time the tab is opened (a run may
    have finished, or been made elsewhere, since it was last shown)."""

    fn: Callable[..., Any]
    inputs: Any
    outputs: Any


def bind_run_picker(ctx: Ctx, pick: Any, refresh: Callable[..., Any], outputs: Any = None, *,
                    inputs: Any = None, sets_current: bool = True) -> OnOpen:
    """The one way a tab's run dropdown follows the current run: refresh(current run, ...) fills it when
    the run changes elsewhere and when the tab opens; a user's pick becomes the current run (unless the
    tab only browses, as Runs does)."""
    inputs = ctx.run if inputs is None else inputs
    outputs = pick if outputs is None else outputs
    if sets_current:
        pick.input(lambda r: r, pick, ctx.run)  # user picks only: programmatic updates must not loop back
    ctx.run.change(refresh, inputs, outputs, show_progress="hidden")
    return OnOpen(refresh, inputs, outputs)


def guard(fn: Callable[..., Any], *args: Any, lang: str | None = "en", **kw: Any) -> Any:
    """fn(*args, **kw), where an error a user can fix (a bad value, a deleted run, a missing file) becomes
    a red toast with its message, in lang where the error can say it (studio.text.said), instead of a crash.
    lang is guard's own keyword: it never reaches fn."""
    try:
        return fn(*args, **kw)
    except (ValueError, KeyError, OSError) as e:
        raise gr.Error(said(lang, e).strip("'\"")) from None


def say_gpu_freed(lang: str | None) -> Callable[[list[str]], None]:
    """For runner.start/resume: a toast naming the app's models unloaded from the GPU for the run."""
    return lambda names: gr.Info(t(lang or "en", "toast_gpu_freed", models=", ".join(names)))
