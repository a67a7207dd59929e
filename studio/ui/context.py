"""What the steps share: the chosen model, dataset and run, kept in the browser so a reload keeps them."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from studio.config import DEFAULT_MODEL
from studio.ui.i18n import Labels

DEFAULT_STATE = {"model": DEFAULT_MODEL, "data": None, "run": None, "lang": "en"}


@dataclass
class Ctx:
    labels: Labels
    state: Any = None        # gr.BrowserState: the dict above
    model: Any = None        # gr.Dropdown in the Model step (the chosen model name)
    data: Any = None         # gr.State: {"preset": name} or {"path": file, "label": ...}
    run: Any = None          # gr.State: the current run id
    tabs: Any = None         # gr.Tabs, to move between steps
    lang: Any = None         # gr.Radio
    compare_kinds: Any = None  # gr.CheckboxGroup in Compare: which columns to show
    on_load: list = field(default_factory=list)  # (fn, inputs, outputs) run when the page loads
    after_build: list = field(default_factory=list)  # wiring that needs components of later steps


def data_label(choice: dict | None) -> str:
    if not choice:
        return "—"
    return f"preset {choice['preset']}" if choice.get("preset") else choice.get("label") or "uploaded file"


def current_or_newest(run_id: str | None, ids: list[str]) -> str | None:
    """The run a step's picker shows: the current one if it is listed, else the newest (ids come newest
    first), so a first visit never shows an empty picker."""
    return run_id if run_id in ids else (ids[0] if ids else None)
