"""The studio: four steps in order (Model → Data → Train → Compare), then Evaluate, Runs and Export."""
from __future__ import annotations

import base64
import json
from collections.abc import Iterable
from types import ModuleType
from typing import Any

import gradio as gr
from starlette.middleware import Middleware

from studio import gate
from studio.data.choice import DataChoice
from studio.data.store import MAX_UPLOAD_BYTES
from studio.paths import ASSETS_DIR
from studio.text import LANGS, t
from studio.ui import data_step, eval_step, export_step, gradio_words, model_step, runs_step, train_step
from studio.ui.compare import step as compare_step
from studio.ui.context import DEFAULT_STATE, Ctx, OnOpen, data_label, run_title
from studio.ui.i18n import Labels

TABS: list[tuple[str, str, ModuleType]] = [
    ("model", "tab_model", model_step), ("data", "tab_data", data_step), ("train", "tab_train", train_step),
    ("compare", "tab_compare", compare_step), ("eval", "tab_eval", eval_step), ("runs", "tab_runs", runs_step),
    ("export", "tab_export", export_step),
]
"""(tab id, its label's text key, its module): the four steps in order, then Evaluate, Runs and Export. Each
module has build(ctx) -> OnOpen | None."""


def theme() -> gr.Theme:
    return gr.themes.Soft(primary_hue="orange", secondary_hue="teal", neutral_hue="slate",
                          # the machine's own fonts: a web font would tell a third party who uses the
                          # studio, and fail (slowly) offline; Noto covers Japanese on Linux
                          font=["system-ui", "-apple-system", "Segoe UI", "Noto Sans", "Noto Sans CJK JP",
                                "Hiragino Sans", "Meiryo", "sans-serif"],
                          font_mono=["ui-monospace", "monospace"]).set(
        button_primary_background_fill="#c2410c", button_primary_background_fill_hover="#9a3412")


def _header(L: Labels) -> gr.Radio:
    logo = base64.b64encode((ASSETS_DIR / "logo.svg").read_bytes()).decode()
    def header(lang: str = "en") -> str:
        return (f'<div id="studio-header"><img src="data:image/svg+xml;base64,{logo}" alt="logo"/>'
                f'<div><h1>Katachi Studio</h1><div class="sub">{t(lang, "studio_sub")}</div></div></div>')

    with gr.Row(equal_height=True):
        with gr.Column(scale=5):
            title = gr.HTML(header())
        with gr.Column(scale=1, min_width=180):
            lang = L(gr.Radio([(v, k) for k, v in LANGS.items()], value="en", label=L.text("lang"),
                              elem_id="lang"), "lang")
    L.md("tagline")
    lang.change(header, lang, title, show_progress="hidden")
    return lang


def _choice_line(model: str, data: dict | None, run: str | None, lang: str = "en") -> str:
    return (f"**{t(lang, 'choice_model')}:** `{model}` · **{t(lang, 'choice_data')}:** {data_label(data, lang)} · "
            f"**{t(lang, 'choice_run')}:** {run_title(run)}")


def _steps(ctx: Ctx) -> None:
    L = ctx.labels
    for tab_id, key, module in TABS:
        with L(gr.Tab(L.text(key), id=tab_id, elem_id=f"tab-{tab_id}"), key, "label") as tab:
            on_open: OnOpen | None = module.build(ctx)
        if on_open:
            tab.select(on_open.fn, on_open.inputs, on_open.outputs)
    for wire in ctx.after_build:
        wire()


LANG_KEY = "katachi-lang"
"""The language alone, in plain localStorage beside the (encrypted) BrowserState, so the page's head can read
it before the first paint."""
UNVEIL = "() => { setTimeout(() => { delete document.documentElement.dataset.studioVeil; }, 150); }"
"""After the labels changed: gradio applies an update on its next render, so a moment later."""


def veil_head() -> str:
    """A script for the page's head: when the stored language is not English, hide the app behind a line in
    that language until the restore has switched every label, so a reload in Japanese never paints English
    first (the page is built in English; the restore runs after the first paint). It lifts itself after 20 s
    whatever happens, so a failed restore cannot leave the page blank."""
    notes = json.dumps({lang: t(lang, "veil_loading") for lang in LANGS if lang != "en"}, ensure_ascii=False)
    return (f"<script>(() => {{ try {{ const notes = {notes}; const lang = localStorage.getItem('{LANG_KEY}');"
            " if (notes[lang]) { document.documentElement.dataset.studioVeil = notes[lang];"
            " setTimeout(() => { delete document.documentElement.dataset.studioVeil; }, 20000); } }"
            " catch (e) {} })();</script>")


def _persist(ctx: Ctx, line: gr.Markdown) -> None:
    keep = [ctx.model, ctx.data, ctx.run, ctx.lang, ctx.settings]
    save = lambda m, d, r, lg, st: {"model": m, "data": d.as_dict() if d else None, "run": r, "lang": lg,
                                    "settings": st}
    for comp in keep:
        comp.change(save, keep, ctx.state).then(_choice_line, [ctx.model, ctx.data, ctx.run, ctx.lang], line)
    ctx.lang.change(None, ctx.lang, None, js=f"(l) => {{ try {{ localStorage.setItem('{LANG_KEY}', l); }}"
                    " catch (e) {} }")
    ctx.lang.change(ctx.labels.updates, ctx.lang, ctx.labels.components()).then(None, js=UNVEIL)
    ctx.lang.change(None, ctx.lang, None, js=gradio_words.switch_js())


def _restore(ctx: Ctx, demo: gr.Blocks) -> None:
    def restore(state):
        s = {**DEFAULT_STATE, **(state or {})}
        return s["settings"], s["model"], DataChoice.from_dict(s["data"]), s["run"], s["lang"]

    ev = demo.load(restore, ctx.state, [ctx.settings, ctx.model, ctx.data, ctx.run, ctx.lang])
    for fn, inputs, outputs in ctx.on_load:
        ev = ev.then(fn, inputs, outputs)
    # an English page needs no switch; a Japanese one is unveiled once its labels changed (_persist)
    ev.then(None, ctx.lang, None, js=f"(l) => {{ if (l === 'en') ({UNVEIL})(); }}")
    # gradio's own words: its locale came from the browser, and an unchanged language fires no change event
    ev = ev.then(None, ctx.lang, None, js=gradio_words.switch_js())
    # the page is the user's from here: a choice made before would be overwritten by the restore (tests wait)
    ev.then(None, None, None, js="() => { document.documentElement.dataset.studioReady = '1'; }")


def build_ui() -> gr.Blocks:
    L = Labels()
    ctx = Ctx(labels=L)
    with gr.Blocks(title="Katachi Studio") as demo:
        ctx.state = gr.BrowserState(DEFAULT_STATE, storage_key="katachi-studio")
        ctx.data, ctx.run, ctx.settings = gr.State(None), gr.State(None), gr.State({})
        ctx.lang = _header(L)
        line = gr.Markdown(_choice_line(DEFAULT_STATE["model"], None, None), elem_id="choice-line")
        with gr.Tabs() as ctx.tabs:
            _steps(ctx)
        _persist(ctx, line)
        _restore(ctx, demo)
    _no_public_api(demo)
    return demo


def _no_public_api(demo: gr.Blocks) -> None:
    """The page's events are the page's: none is published as an API endpoint (gradio's /info, its client,
    the "Use via API" page). The studio's automation surface is its command line."""
    for fn in demo.fns.values():
        fn.api_visibility = "private"


def server_options(host: str, share: bool, auth: tuple[str, str] | None,
                   allowed_hosts: Iterable[str] = ()) -> dict[str, Any]:
    """What launch() gives gradio besides the look: the Gate in front of every route, and the password
    check (constant time, one answer for a wrong user and a wrong password)."""
    allowed = gate.allowed_hosts(host, allowed_hosts, share)
    return {"app_kwargs": {"middleware": [Middleware(gate.Gate, allowed=allowed)]},
            "auth": gate.password_check(*auth) if auth else None}


def launch(host: str = "127.0.0.1", port: int = 7860, share: bool = False,
           auth: tuple[str, str] | None = None, allowed_hosts: Iterable[str] = (), **kw) -> None:
    demo = build_ui()
    demo.queue(default_concurrency_limit=4)
    demo.launch(server_name=host, server_port=port, share=share, theme=theme(),
                css_paths=[ASSETS_DIR / "studio.css"], head=veil_head(), favicon_path=str(ASSETS_DIR / "favicon.svg"),
                max_file_size=MAX_UPLOAD_BYTES,  # one limit: gradio refuses what the store would
                footer_links=["gradio"], show_error=True,
                allowed_paths=[str(export_step.exports_dir())],  # the GGUF download: files the user exported
                **server_options(host, share, auth, allowed_hosts), **kw)


__all__ = ["build_ui", "launch", "server_options", "t"]
