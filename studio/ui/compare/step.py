"""Step 4 — compare: one prompt to base, tuned and the article's alternatives, streamed side by side;
then the batch table (compare_batch) and the blind test (compare_blind) on the same choices."""
from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import gradio as gr

from studio import presets, runs
from studio.chat import check_prompt
from studio.compare.engine import build_columns
from studio.endpoints import store as endpoints
from studio.text import said, t
from studio.ui import endpoints_panel
from studio.ui.compare import batch, blind
from studio.ui.compare.common import (
    KEYS,
    KINDS,
    Setup,
    SetupWidgets,
    adapter_choices,
    plain,
    refresh_adapter,
    run_choices,
    short_note,
    short_run_row,
    stream,
    warn,
)
from studio.ui.context import Ctx, OnOpen, bind_run_picker, current_or_newest, guard, labelled
from studio.ui.model_step import engine_footer

__all__ = ["KEYS", "KINDS", "build", "regenerate", "run_choices", "run_context", "send"]


def run_context(run_id: str | None) -> tuple[str, str]:
    """(system prompt, notes) suggested by the run's preset: the facts preset brings both."""
    if not run_id:
        return "", ""
    try:
        cfg = runs.get(run_id).config()
    except (KeyError, ValueError):
        return "", ""
    if not cfg.data.preset:
        return cfg.data.system_prompt or "", ""

    p = presets.load(cfg.data.preset)
    notes = p.path / "notes.md"
    return (p.extra.get("fact_prompt") or p.system or "",
            notes.read_text(encoding="utf-8") if notes.is_file() else "")


_FOOTER = re.compile(r"\n\n<sub>⚙ [^<]*</sub>$")


def _slot(kind: str) -> int:
    """Which chatbot shows a column key ("tuned@checkpoint-4" shows in the tuned one)."""
    return KINDS.index(kind.split("@", 1)[0])


def send(s: Setup, prompt: str, *chatbots: list[dict] | None) -> Iterator[tuple]:
    """The prompt to every ticked column; chatbots: one per kind. Each column continues its own
    conversation."""
    chats = [plain(c) for c in chatbots]
    prompt, model, kinds = guard(check_prompt, prompt, lang=s.lang), s.model(), s.column_kinds()
    columns, failed = _columns(model, prompt, kinds, chats, s)
    if not columns:  # no column can answer: one toast with the first reason
        raise gr.Error(next(iter(failed.values())))
    comparer = s.comparer()
    for k in kinds:
        answer = f"⚠ {failed[k]}" if k in failed else ""  # a column that cannot answer says why, in place
        chats[_slot(k)] += [{"role": "user", "content": prompt}, {"role": "assistant", "content": answer}]
    for texts in stream(comparer, columns, s.settings(), s.lang):
        for col, text in zip(columns, texts):
            chats[_slot(col.key)][-1]["content"] = text
        yield ("", *chats)
    if comparer.last_engine:  # which engine answered, under each local column's answer
        for col in columns:
            if not col.endpoint:
                chats[_slot(col.key)][-1]["content"] += "\n\n" + engine_footer(comparer.last_engine.label, s.lang)
        yield ("", *chats)


def _columns(model: str, prompt: str, kinds: list[str], chats: list[list[dict]], s: Setup):
    """(the columns that can answer, {kind: why not} for those that cannot): a column without its input
    (few-shot without examples, a system prompt never typed) must not silence the others."""
    columns, failed = [], {}
    for k in kinds:
        try:
            columns += build_columns(model, prompt, [k], history=_answered(chats[_slot(k)]), **s.column_kw())
        except (ValueError, KeyError, OSError) as exc:
            failed[k] = said(s.lang, exc).strip("'\"")
    return columns, failed


def _answered(chat: list[dict]) -> list[dict]:
    """A column's history without the turns it could not answer (their '⚠ why' is not a model's answer)."""
    out: list[dict] = []
    for m in chat:
        if m["role"] == "assistant" and m["content"].startswith("⚠ ") and out and out[-1]["role"] == "user":
            out.pop()
        else:  # the engine's footer is the studio's note, not the model's words
            out.append({**m, "content": _FOOTER.sub("", m["content"])} if m["role"] == "assistant" else m)
    return out


def regenerate(kind: str, s: Setup, chatbot: list[dict] | None) -> Iterator[list[dict]]:
    """This column's last answer asked again, sampled (greedy would only repeat it); the other columns
    are not touched."""
    chat = plain(chatbot)
    last = max((i for i, m in enumerate(chat) if m["role"] == "user"), default=None)
    if last is None:
        warn("cmp_nothing_to_redo", s.lang)
        yield chat
        return
    history, prompt = _answered(chat[:last]), chat[last]["content"]
    columns = guard(build_columns, s.model(), prompt, [s.key_for(kind)], history=history,
                    **s.column_kw(), lang=s.lang)
    out = [*history, {"role": "user", "content": prompt}, {"role": "assistant", "content": ""}]
    for texts in stream(s.comparer(), columns, s.settings(sampled=True), s.lang):
        out[-1]["content"] = texts[0]
        yield out


def _regen_for(kind: str) -> Callable[..., Iterator[list[dict]]]:
    def regen(s: Setup, chatbot: list[dict] | None) -> Iterator[list[dict]]:
        yield from regenerate(kind, s, chatbot)
    regen.__name__ = f"regenerate_{kind}"
    return regen


def refresh_pick(run_id: str | None) -> Any:
    """The runs to compare; the current one, else the newest (a first visit is never an empty column)."""
    ids = run_choices()
    return gr.Dropdown(choices=labelled(ids), value=current_or_newest(run_id, ids))


def opened(run_id: str | None, lang: str | None) -> tuple[Any, ...]:
    """On opening the tab: the picker, and the short-run note of the run it shows (it may have ended since)."""
    value = current_or_newest(run_id, run_choices())  # what refresh_pick shows (an update has no value)
    return (refresh_pick(run_id), *short_note(value, lang))


def kind_choices(lang: str | None) -> Any:
    """The column names in the new language (Labels translate a component's label, not its choices)."""
    return gr.CheckboxGroup(choices=[(t(lang, KEYS[k]), k) for k in KINDS])


def visibility(kinds: list[str]) -> list[Any]:
    return [gr.Column(visible=k in (kinds or [])) for k in KINDS]


def endpoint_pick(ctx: Ctx, kinds: Any, elem_id: str) -> Any:
    """Which saved endpoint answers the Endpoint column; its list is read again when the columns change (an
    endpoint may have been saved in step ① since)."""
    L = ctx.labels
    found = L(gr.Dropdown(endpoints.names(), value=endpoints.current(), scale=2,
                          label=L.text("cmp_endpoint"), info=L.text("cmp_endpoint_info"), elem_id=elem_id),
              "cmp_endpoint")
    L(found, "cmp_endpoint_info", "info")
    kinds.change(endpoints_panel.picker, found, found, show_progress="hidden")
    return found


def _top(ctx: Ctx) -> SetupWidgets:
    """The choices every mode shares."""
    L = ctx.labels
    with gr.Row():
        pick = L(gr.Dropdown(labelled(run_choices()), label=L.text("compare_run"), elem_id="compare-run", scale=3),
                 "compare_run")
        adapter = L(gr.Dropdown(adapter_choices(None), label=L.text("cmp_adapter"), scale=2,
                                info=L.text("cmp_adapter_info"), elem_id="compare-adapter"), "cmp_adapter")
        L(adapter, "cmp_adapter_info", "info")
        kinds = L(gr.CheckboxGroup([(L.text(KEYS[k]), k) for k in KINDS], value=["base", "tuned"],
                                   label=L.text("compare_columns"), elem_id="compare-kinds", scale=4),
                  "compare_columns")
        ctx.compare_kinds = kinds
        endpoint = endpoint_pick(ctx, kinds, "compare-endpoint")
        max_tokens = L(gr.Slider(16, 512, 128, step=16, label=L.text("compare_tokens"), scale=2,
                                 elem_id="compare-tokens"),
                       "compare_tokens")
    with L(gr.Accordion(L.text("cmp_context"), open=False), "cmp_context"):
        system = L(gr.Textbox(label=L.text("cmp_system"), lines=2), "cmp_system")
        notes = L(gr.Textbox(label=L.text("cmp_notes"), lines=6), "cmp_notes")
    return SetupWidgets(pick, adapter, kinds, system, notes, max_tokens, ctx.lang, endpoint)


def _chat_mode(ctx: Ctx, setup: SetupWidgets) -> None:
    L = ctx.labels
    groups, chats = [], []
    with gr.Row():
        for k in KINDS:
            with gr.Column(visible=k in ("base", "tuned"), min_width=220) as group:
                chat = L(gr.Chatbot(label=L.text(KEYS[k]), height=420, elem_id=f"col-{k}",
                                    buttons=["copy", "copy_all"], elem_classes=["compare-col"]), KEYS[k])
                regen = L(gr.Button(L.text("cmp_regen"), size="sm", elem_id=f"regen-{k}"), "cmp_regen",
                          "value")
            setup.on(regen.click, _regen_for(k), [chat], chat)
            groups.append(group)
            chats.append(chat)
    with gr.Row():
        prompt = L(gr.Textbox(label=L.text("compare_prompt"), scale=6, elem_id="compare-prompt"),
                   "compare_prompt")
        go = L(gr.Button(L.text("compare_send"), variant="primary", scale=1, elem_id="compare-send"),
               "compare_send", "value")
        clear = L(gr.Button(L.text("compare_clear"), scale=1, elem_id="compare-clear"), "compare_clear",
                  "value")
    for trigger in (go.click, prompt.submit):
        setup.on(trigger, send, [prompt, *chats], [prompt, *chats])
    clear.click(lambda: [[] for _ in KINDS], None, chats)
    setup.kinds.change(visibility, setup.kinds, groups)


def build(ctx: Ctx) -> OnOpen:
    L = ctx.labels
    L.md("compare_intro")
    setup = _top(ctx)
    pick, adapter = setup.run_id, setup.adapter
    note, button = short_run_row(ctx, pick, "compare")  # a short run's tuned column shows no style yet
    with gr.Tabs():
        with L(gr.Tab(L.text("cmp_mode_chat"), elem_id="compare-mode-chat"), "cmp_mode_chat", "label"):
            _chat_mode(ctx, setup)
        with L(gr.Tab(L.text("cmp_mode_batch"), elem_id="compare-mode-batch"), "cmp_mode_batch", "label"):
            batch.build(ctx, setup)
        with L(gr.Tab(L.text("cmp_mode_blind"), elem_id="compare-mode-blind"), "cmp_mode_blind", "label"):
            blind.build(ctx, setup)
    pick.change(run_context, pick, [setup.system, setup.notes])
    pick.change(refresh_adapter, [pick, adapter, ctx.lang], adapter)
    ctx.lang.change(refresh_adapter, [pick, adapter, ctx.lang], adapter)  # "final adapter" in the new tongue
    ctx.lang.change(kind_choices, ctx.lang, setup.kinds)
    bind_run_picker(ctx, pick, refresh_pick)
    return OnOpen(opened, [ctx.run, ctx.lang], [pick, note, button])

