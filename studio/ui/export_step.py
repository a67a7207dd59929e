"""Export: the adapter as a zip, a merged model, the hub."""
from __future__ import annotations

import gradio as gr

from studio.ui.context import Ctx


def build(ctx: Ctx) -> None:
    ctx.labels.md("export_intro")
    gr.Markdown("(wired to studio.export below)")
