"""The Export tab's Serve switch: `studio serve` started and stopped inside the app's process (so it answers
with the models the app has already loaded), on 127.0.0.1 only, with its URL and a curl and a Python
snippet to copy for the run picked on the tab."""
from __future__ import annotations

import threading

import gradio as gr

from studio.serve.server import Options, Server
from studio.serve.snippets import curl_snippet, python_snippet
from studio.text import said, t
from studio.ui.context import Ctx

DEFAULT_PORT = 8000
_LOCK = threading.Lock()
_SERVERS: list[Server] = []
"""The one server the app runs, if any: every tab and browser of the app switches the same one."""


def running() -> Server | None:
    return _SERVERS[0] if _SERVERS else None


def stop() -> None:
    with _LOCK:
        while _SERVERS:
            _SERVERS.pop().stop()


def toggle(on: bool, port: float | None, key: str | None, run_id: str | None, lang: str = "en"):
    """(switch, status, curl, python): the server started as asked, or stopped; a refusal (a taken port, a
    short key) is a warning and leaves the switch off."""
    stop()
    if not on:
        return False, t(lang, "serve_off"), *_snippets(None)
    try:
        server = Server(Options(port=int(port or DEFAULT_PORT), api_key=(key or "").strip() or None)).start()
    except (ValueError, OSError) as e:
        gr.Warning(said(lang, e))
        return False, t(lang, "serve_off"), *_snippets(None)
    with _LOCK:
        _SERVERS.append(server)
    return True, *shown(run_id, lang)


def shown(run_id: str | None, lang: str = "en"):
    """(status, curl, python) of the running server for the picked run (or the first served model)."""
    server = running()
    if server is None:
        return t(lang, "serve_off"), *_snippets(None)
    models = server.service.catalog.models()
    ids = [m.id for m in models]
    model = run_id if run_id in ids else next((m.id for m in models if m.adapter), ids[0])
    key = "serve_on_key" if server.options.api_key else "serve_on"
    return t(lang, key, n=len(models), url=server.url, model=model), *_snippets(server, model)


def restore(lang: str = "en"):
    """When the page loads: the switch and the snippets as the app's server stands."""
    return running() is not None, *shown(None, lang)


def _snippets(server: Server | None, model: str = "") -> tuple[dict, dict]:
    if server is None:
        return gr.update(visible=False), gr.update(visible=False)
    keyed = server.options.api_key is not None
    return (gr.update(value=curl_snippet(server.url, model, keyed), visible=True),
            gr.update(value=python_snippet(server.url, model, keyed), visible=True))


def build(ctx: Ctx, pick: gr.Dropdown) -> None:
    L = ctx.labels
    L.md("serve_title")
    with gr.Row(equal_height=True):
        switch = L(gr.Checkbox(False, label=L.text("serve_switch"), elem_id="serve-switch"), "serve_switch")
        port = L(gr.Number(DEFAULT_PORT, precision=0, minimum=1, maximum=65535, label=L.text("serve_port"),
                           elem_id="serve-port"), "serve_port")
        key = gr.Textbox(type="password", label=L.text("serve_key"), info=L.text("serve_key_info"),
                         elem_id="serve-key")
        L(L(key, "serve_key"), "serve_key_info", "info")
    info = gr.Markdown(t("en", "serve_off"), elem_id="serve-info")
    curl = L(gr.Code(language="shell", label=L.text("serve_curl"), interactive=False, visible=False,
                     elem_id="serve-curl"), "serve_curl")
    python = L(gr.Code(language="python", label=L.text("serve_python"), interactive=False, visible=False,
                       elem_id="serve-python"), "serve_python")
    # .input: the user's clicks only, so the switch set back by a refusal does not call toggle again
    switch.input(toggle, [switch, port, key, pick, ctx.lang], [switch, info, curl, python])
    for changed in (pick, ctx.lang):
        changed.change(shown, [pick, ctx.lang], [info, curl, python], show_progress="hidden")
    ctx.on_load.append((restore, ctx.lang, [switch, info, curl, python]))
