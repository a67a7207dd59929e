"""The Data step's widgets: its four sources (a preset, an upload, a hub dataset, a generated set), the preview of the
chosen rows and the table of problems. data_step holds what they do."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import gradio as gr

from studio.data.generate import KINDS
from studio.data.readers import SUPPORTED
from studio.ui import teacher_panel
from studio.ui.context import Ctx


@dataclass
class Sources:
    """The four ways to choose data, a tab each: a preset, an upload (its column mapping, its one-click fix), a hub
    dataset, a generated set (or the teacher's)."""

    preset: Any
    blurb: Any
    use_preset: Any
    upload: Any
    mapping: Any
    use_file: Any
    fix: Any
    hub_id: Any
    hub_split: Any
    use_hub: Any
    kind: Any
    n: Any
    seed: Any
    gen: Any
    teacher: Any


def _preset_tab(L, presets: list[tuple[str, str]]) -> tuple[Any, Any, Any]:
    with L(gr.Tab(L.text("src_preset"), id="preset"), "src_preset"):
        preset = L(gr.Dropdown(presets, value=None, label=L.text("preset"), elem_id="preset-pick"), "preset")
        blurb = gr.Markdown(elem_id="preset-blurb")
        use = L(gr.Button(L.text("validate"), variant="primary", elem_id="use-preset"), "validate", "value")
    return preset, blurb, use


def _upload_tab(L) -> tuple[Any, Any, Any, Any]:
    with L(gr.Tab(L.text("src_upload"), id="upload"), "src_upload"):
        upload = L(gr.File(label=L.text("upload"), file_types=list(SUPPORTED), elem_id="data-upload"), "upload")
        mapping = L(gr.Textbox(label=L.text("mapping"), placeholder="prompt=question,response=answer",
                               elem_id="data-mapping"), "mapping")
        use = L(gr.Button(L.text("validate"), variant="primary", elem_id="use-file"), "validate", "value")
        fix = L(gr.Button(L.text("fix_twice"), visible=False, elem_id="fix-twice"), "fix_twice", "value")
    return upload, mapping, use, fix


def _hub_tab(L) -> tuple[Any, Any, Any]:
    with L(gr.Tab(L.text("src_hub"), id="hub"), "src_hub"):
        hub_id = L(gr.Textbox(label=L.text("hub_id"), placeholder="tatsu-lab/alpaca", elem_id="hub-id"), "hub_id")
        split = L(gr.Textbox("train", label=L.text("hub_split"), elem_id="hub-split"), "hub_split")
        use = L(gr.Button(L.text("validate"), variant="primary", elem_id="use-hub"), "validate", "value")
    return hub_id, split, use


def _generate_tab(ctx: Ctx) -> tuple[Any, Any, Any, Any, Any]:
    L = ctx.labels
    with L(gr.Tab(L.text("src_generate"), id="generate"), "src_generate"):
        kind = L(gr.Dropdown(list(KINDS), value="gozaru", label=L.text("gen_kind")), "gen_kind")
        with gr.Row():
            n = L(gr.Number(400, label=L.text("gen_n"), precision=0, minimum=1, maximum=100000), "gen_n")
            seed = L(gr.Number(0, label=L.text("gen_seed"), precision=0), "gen_seed")
        gen = L(gr.Button(L.text("gen_go"), variant="primary"), "gen_go", "value")
        teacher = teacher_panel.build(ctx)  # an endpoint writes the rows instead, checked alike
    return kind, n, seed, gen, teacher


def sources(ctx: Ctx, presets: list[tuple[str, str]]) -> Sources:
    """The source tabs; presets: the preset picker's choices (title, name)."""
    with gr.Tabs():
        return Sources(*_preset_tab(ctx.labels, presets), *_upload_tab(ctx.labels), *_hub_tab(ctx.labels),
                       *_generate_tab(ctx))


def preview(L) -> tuple[Any, Any, Any]:
    """The rows as chat bubbles, the token histogram and the view of the trained tokens."""
    bubbles = L(gr.Chatbot(label=L.text("data_preview"), height=300, elem_id="data-preview", autoscroll=False),
                "data_preview")
    hist = L(gr.Plot(label=L.text("data_hist")), "data_hist")
    L.md("data_mask_info")
    return bubbles, hist, gr.HTML()


def errors_table(L, keys: list[str]) -> Any:
    """The problems, by file, line, field, problem and fix (keys: their headers' catalogue keys)."""
    # the full width: file, line, field, problem and fix side by side, not squeezed into a column
    return L(gr.Dataframe(headers=[L.text(k) for k in keys], label=L.text("data_errors"), wrap=True,
                          max_height=320, elem_id="data-errors", column_widths=["14%", "8%", "16%", "36%", "26%"]),
             "data_errors")
