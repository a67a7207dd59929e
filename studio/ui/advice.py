"""The form-vs-facts advisor in the UI: a verdict with its reasons, and a button that opens the
recommended column in Compare."""
from __future__ import annotations

from dataclasses import replace

import gradio as gr

from studio import presets
from studio.data.choice import DataChoice
from studio.data.store import dataset_file
from studio.evaluate.advisor import advise
from studio.text import t
from studio.train.data import usable
from studio.ui.context import Ctx


def verdict_text(verdict: str, lang: str = "en") -> str:
    """The advisor's verdict as one bold sentence and its why (verdict_* in studio/text/)."""
    return t(lang, f"verdict_{verdict}")


def rows_for(choice: DataChoice | None) -> list[dict]:
    """The choice's usable rows, read once per change of its file (the plan asks on every edit)."""
    if not choice:
        return []
    try:  # the choice comes from the browser: only files of the datasets folder are read
        checked = replace(choice, path=str(dataset_file(choice.path))) if choice.path else choice
        return usable(checked.spec(), checked.method)
    except (ValueError, KeyError, OSError):
        return []


def goal_for(choice: DataChoice | None, lang: str = "en") -> str:
    if choice and choice.preset:
        goal = presets.load(choice.preset).goal
        return goal.get(lang or "en") or goal.get("en", "")
    return ""


def advice_markdown(choice: DataChoice | None, goal: str, lang: str = "en") -> tuple[str, str]:
    """(markdown, the Compare column to open)."""
    rows = rows_for(choice)
    if not rows:
        return "", "tuned"
    a = advise(rows, goal or None)
    said = [t(lang, f"reason_{key}", **fields) for key, fields in a.notes]
    reasons = "\n".join(f"- {r}" for r in said[:5])
    sure = t(lang, "adv_confidence", share=f"{a.confidence:.0%}")
    return (f"### {t(lang, 'adv_title')}\n{verdict_text(a.verdict, lang)} ({sure})\n\n{reasons}"), a.column


def build(ctx: Ctx) -> None:
    """Goal box, verdict and an 'open in Compare' button; wired to Compare once it exists."""
    L = ctx.labels
    with gr.Group():
        goal = gr.Textbox(label=L.text("adv_goal"), elem_id="advisor-goal", placeholder=L.text("adv_goal_hint"))
        L(L(goal, "adv_goal"), "adv_goal_hint", "placeholder")
        verdict = gr.Markdown(elem_id="advisor")
        column = gr.State("tuned")
        show = L(gr.Button(L.text("adv_open"), size="sm"), "adv_open", "value")
    ctx.data.change(goal_for, [ctx.data, ctx.lang], goal).then(advice_markdown, [ctx.data, goal, ctx.lang],
                                                               [verdict, column])
    goal.submit(advice_markdown, [ctx.data, goal, ctx.lang], [verdict, column])
    ctx.lang.change(advice_markdown, [ctx.data, goal, ctx.lang], [verdict, column], show_progress="hidden")

    def wire() -> None:
        def open_column(col: str, kinds: list[str]):
            return sorted(set(kinds or []) | {"base", col}), gr.Tabs(selected="compare")

        show.click(open_column, [column, ctx.compare_kinds], [ctx.compare_kinds, ctx.tabs])

    ctx.after_build.append(wire)
