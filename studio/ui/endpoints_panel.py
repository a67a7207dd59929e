"""The Model step's Endpoints panel: the saved OpenAI-compatible endpoints (studio.endpoints), a form to add
one, a one-token test, and which one the Compare column, the Data step's teacher and the blind test's judge
use. No key is ever typed here: the form takes the *name* of the environment variable that holds it, and the
list says only whether that variable is set."""
from __future__ import annotations

from typing import Any

import gradio as gr
import pandas as pd

from studio.endpoints import client, store
from studio.endpoints.store import DEFAULT_TIMEOUT, Endpoint
from studio.text import t
from studio.ui.context import Ctx, guard

HEADS = ["ep_col_current", "ep_col_name", "ep_col_model", "ep_col_url", "ep_col_key", "ep_col_timeout"]


def key_words(endpoint: Endpoint, lang: str | None) -> str:
    """'no key', 'OPENAI_API_KEY set' or 'OPENAI_API_KEY NOT SET': the key's state, never the key."""
    return t(lang, f"ep_key_{endpoint.key_state()}", env=endpoint.key_env or "")


def table(lang: str | None = "en") -> pd.DataFrame:
    picked = store.current()
    rows = [["✓" if e.name == picked else "", e.name, e.model, e.url, key_words(e, lang), f"{e.timeout:g} s"]
            for e in store.all_endpoints()]
    return pd.DataFrame(rows, columns=[t(lang, h) for h in HEADS])


def picker(value: str | None = None) -> Any:
    """The saved endpoints to pick from; the current one unless `value` is still saved."""
    names = store.names()
    return gr.Dropdown(choices=names, value=value if value in names else store.current())


def save(name: str, url: str, model: str, key_env: str, timeout: float | None, lang: str | None) -> tuple:
    endpoint = guard(store.checked, (name or "").strip(), url, model, key_env, timeout or DEFAULT_TIMEOUT, lang=lang)
    guard(store.add, endpoint, replace=True, lang=lang)
    return table(lang), picker(endpoint.name), t(lang, "ep_saved_note", name=endpoint.name)


def test(name: str | None, lang: str | None) -> str:
    endpoint = guard(store.get, name, lang=lang)
    reply = guard(client.probe, endpoint, lang=lang)
    return t(lang, "ep_tested", name=endpoint.name, model=reply.model, secs=f"{reply.seconds:.2f}")


def use(name: str | None, lang: str | None) -> tuple:
    endpoint = guard(store.use, name, lang=lang)
    return table(lang), t(lang, "ep_used", name=endpoint.name)


def remove(name: str | None, lang: str | None) -> tuple:
    if not name:
        raise gr.Error(t(lang, "ep_need_pick"))
    guard(store.remove, name, lang=lang)
    return table(lang), picker(), t(lang, "ep_removed", name=name)


def build(ctx: Ctx) -> None:
    L = ctx.labels
    with L(gr.Accordion(L.text("ep_title"), open=False, elem_id="endpoints"), "ep_title"):
        L.md("ep_intro")
        saved = L(gr.Dataframe(table(), interactive=False, label=L.text("ep_saved"), elem_id="endpoints-table"),
                  "ep_saved")
        with gr.Row():
            pick = L(gr.Dropdown(store.names(), value=store.current(), label=L.text("ep_pick"), scale=3,
                                 elem_id="endpoint-pick"), "ep_pick")
            test_btn = L(gr.Button(L.text("ep_test"), scale=1, elem_id="endpoint-test"), "ep_test", "value")
            use_btn = L(gr.Button(L.text("ep_use"), scale=1, elem_id="endpoint-use"), "ep_use", "value")
            remove_btn = L(gr.Button(L.text("ep_remove"), scale=1, variant="stop", elem_id="endpoint-remove"),
                           "ep_remove", "value")
        status = gr.Markdown(elem_id="endpoint-status")
        with gr.Row():
            name = L(gr.Textbox(label=L.text("ep_name"), placeholder="ollama", scale=1, elem_id="endpoint-name"),
                     "ep_name")
            url = L(gr.Textbox(label=L.text("ep_url"), placeholder="http://127.0.0.1:11434/v1", scale=2,
                               elem_id="endpoint-url"), "ep_url")
            model = L(gr.Textbox(label=L.text("ep_model"), placeholder="llama3.1:8b", scale=2,
                                 elem_id="endpoint-model"), "ep_model")
            key_env = L(gr.Textbox(label=L.text("ep_key_env"), info=L.text("ep_key_env_info"), scale=2,
                                   placeholder="OPENAI_API_KEY", elem_id="endpoint-key-env"), "ep_key_env")
            L(key_env, "ep_key_env_info", "info")
            timeout = L(gr.Number(DEFAULT_TIMEOUT, label=L.text("ep_timeout"), minimum=1, maximum=600, scale=1,
                                  elem_id="endpoint-timeout"), "ep_timeout")
        save_btn = L(gr.Button(L.text("ep_save"), variant="primary", elem_id="endpoint-save"), "ep_save", "value")
    save_btn.click(save, [name, url, model, key_env, timeout, ctx.lang], [saved, pick, status])
    test_btn.click(test, [pick, ctx.lang], status)
    use_btn.click(use, [pick, ctx.lang], [saved, status])
    remove_btn.click(remove, [pick, ctx.lang], [saved, pick, status])
    ctx.lang.change(table, ctx.lang, saved, show_progress="hidden")
    ctx.on_load.append((lambda lang: (table(lang), picker()), [ctx.lang], [saved, pick]))
