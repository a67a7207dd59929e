"""The form-vs-facts advisor in the UI: a verdict with its reasons, and a button that opens the
recommended column in Compare."""
from __future__ import annotations

import gradio as gr

from studio.ui.context import Ctx

VERDICT_TEXT = {
    "fine-tune": "**Fine-tune.** The answers share a form the model can learn.",
    "rag": "**Retrieval (RAG) will do better.** The answers carry facts; fine-tuning rarely changes what a "
           "model knows. Put the facts in documents and retrieve them.",
    "prompt": "**A system prompt will do better.** State the rule or the fact in the prompt.",
    "few-shot": "**Few-shot examples will do better.** Show a few examples in the prompt.",
}


def rows_for(choice: dict | None) -> list[dict]:
    from studio import presets
    from studio.data.validate import validate_file

    if not choice:
        return []
    from studio.data.store import dataset_file

    if choice.get("preset"):
        return presets.load(choice["preset"]).train_rows()
    try:  # the choice comes from the browser: only files of the datasets folder are read
        return validate_file(dataset_file(choice["path"])).usable
    except (ValueError, KeyError):
        return []


def goal_for(choice: dict | None) -> str:
    from studio import presets

    if choice and choice.get("preset"):
        return presets.load(choice["preset"]).goal.get("en", "")
    return ""


def advice_markdown(choice: dict | None, goal: str) -> tuple[str, str]:
    """(markdown, the Compare column to open)."""
    from studio.evaluate.advisor import advise

    rows = rows_for(choice)
    if not rows:
        return "", "tuned"
    a = advise(rows, goal or None)
    reasons = "\n".join(f"- {r}" for r in a.reasons[:5])
    return (f"### Advisor: form or facts?\n{VERDICT_TEXT.get(a.verdict, a.verdict)} "
            f"(confidence {a.confidence:.0%})\n\n{reasons}"), a.column


def build(ctx: Ctx) -> None:
    """Goal box, verdict and an 'open in Compare' button; wired to Compare once it exists."""
    with gr.Group():
        goal = gr.Textbox(label="Your goal, in a sentence (optional)", elem_id="advisor-goal",
                          placeholder="e.g. answer in the samurai tone / make it remember our product facts")
        verdict = gr.Markdown(elem_id="advisor")
        column = gr.State("tuned")
        show = gr.Button("Open the recommended column in ④ Compare", size="sm")
    ctx.data.change(goal_for, ctx.data, goal).then(advice_markdown, [ctx.data, goal], [verdict, column])
    goal.submit(advice_markdown, [ctx.data, goal], [verdict, column])

    def wire() -> None:
        def open_column(col: str, kinds: list[str]):
            return sorted(set(kinds or []) | {"base", col}), gr.Tabs(selected="compare")

        show.click(open_column, [column, ctx.compare_kinds], [ctx.compare_kinds, ctx.tabs])

    ctx.after_build.append(wire)
