"""Step 1 — the model: a picker, a card (size, type, template, device, memory fit) and a try-it box."""
from __future__ import annotations

import functools
import html

import gradio as gr

from studio import chat
from studio.config import DEFAULT_MODEL
from studio.models import EMBEDDED, ModelError, list_models
from studio.models.embedded import BASE_CHAT_TEMPLATE, is_converted
from studio.models.info import describe
from studio.text import TEXT, said, t
from studio.ui import endpoints_panel
from studio.ui.context import Ctx, guard

METHODS = {"qlora": "QLoRA", "lora": "LoRA"}
"""The training methods as they are written (the card's keys are lower-case ids)."""


def choices(lang: str = "en") -> list[tuple[str, str]]:
    out = []
    for e in list_models():
        kind = t(lang, "model_tag_instruct" if e.instruct else "model_tag_base")
        tag = t(lang, "model_tag_offline" if e.embedded else "model_tag_hub")
        out.append((f"{e.key} · {e.params_m:.0f}M · {kind} · {tag}", e.key))
    return out


def model_note(e, lang: str = "en") -> str:
    """The registry's note, in the UI's language where the catalogue has it (model_note_<key>)."""
    key = f"model_note_{e.key}"
    return t(lang, key) if key in TEXT["en"] else e.note


def card_markdown(name: str, lang: str = "en") -> str:
    try:
        card = describe(name)
    except ModelError as e:
        return f"**{html.escape(said(lang, e))}**"
    T = functools.partial(t, lang)
    source = T(f"model_source_{card.resolved.source}")
    lines = [f"### {card.name}", f"- **{T('card_source')}:** {source} — `{card.resolved.location}`"]
    if card.entry:
        lines += _entry_lines(card.entry, T)
    lines.append(f"- **{T('card_machine')}:** {card.device.describe(lang)}")
    lines.append(f"- **{T('card_runs')}:** " + (T("card_runs_gpu") if card.device.kind == "cuda" else
                                                 T("card_runs_cpu", dtype="bf16" if card.device.bf16 else "fp32")))
    for method, v in card.fits.items():
        fit = v.say(lang)
        lines.append(f"- **{T('card_fit', method=METHODS.get(method, method))}:** {'✓' if v.fits else '✗'} {fit}")
    if card.note:
        lines.append(f"- {T(card.note)}")
    return "\n".join(lines + _template_lines(card.chat_template or _loaded_template(name), T))


def _loaded_template(name: str) -> str | None:
    """The template of the model as the chat loaded it: a hub model's files are only read then."""
    if not chat.is_loaded(name):
        return None
    return chat.get_chat_model(name).tokenizer.chat_template  # loaded: the cached one, no new load


def _template_lines(template: str | None, T) -> list[str]:
    """The chat template's state: not read yet, none of the model's own (the studio's Q:/A: one), or shown."""
    if template is None:
        return [f"- **{T('card_template')}:** {T('card_template_later')}"]
    head = f"- **{T('card_template')}:** " + (T("card_template_plain") if template == BASE_CHAT_TEMPLATE else "")
    return [head, f"\n```jinja\n{template[:600]}{'…' if len(template) > 600 else ''}\n```"]


def _entry_lines(e, T) -> list[str]:
    """The registry's facts about a known model: size, type, context, note."""
    context = f"{e.context:,} {T('card_tokens')}" if e.context else T("card_unknown")
    return [f"- **{T('card_size')}:** {T('card_size_text', p=f'{e.params_m:,.0f}', l=e.layers, h=e.hidden)}",
            (f"- **{T('card_type')}:** {T('card_instruct' if e.instruct else 'card_base')} · "
             f"{T('card_languages')}: {e.languages.replace('multilingual', T('multilingual'))}"),
            f"- **{T('card_context')}:** {context}", f"- **{T('card_note')}:** {model_note(e, T.args[0])}"]


def try_it(name: str, prompt: str, max_tokens: float = 128, lang: str = "en"):
    """The answer streamed; first what the wait is for (an embedded model is converted once, ~30 s), and
    at the end a note when the answer was cut at the token limit."""
    messages = guard(chat.messages_for, prompt, lang=lang)
    settings = guard(chat.GenSettings, max_new_tokens=int(max_tokens or 128), lang=lang)
    if name in EMBEDDED and not is_converted(name):
        yield t(lang, "try_converting", model=name)
    elif not chat.is_loaded(name):
        yield t(lang, "try_loading", model=name)
    model = guard(chat.get_chat_model, name, lang=lang)
    text, count = "", []
    for text in model.stream(messages, settings, new_tokens=count):
        yield text
    if model.last_engine:  # which engine answered, under the answer
        text += "\n\n" + engine_footer(model.last_engine.label, lang)
    if count and count[0] >= settings.max_new_tokens:
        text += "\n\n" + t(lang, "try_cut", n=settings.max_new_tokens)
    yield text


def engine_footer(label: str, lang: str | None) -> str:
    return f"<sub>⚙ {t(lang or 'en', 'answered_by', engine=label)}</sub>"


def build(ctx: Ctx) -> None:
    L = ctx.labels
    L.md("model_intro")
    with gr.Row():
        with gr.Column(scale=3):
            ctx.model = L(gr.Dropdown(choices(), value=DEFAULT_MODEL, allow_custom_value=True,
                                      filterable=True, label=L.text("model_pick"),
                                      info=L.text("model_pick_info"), elem_id="model-pick"),
                          "model_pick")
            L(ctx.model, "model_pick_info", "info")
            card = gr.Markdown(card_markdown(DEFAULT_MODEL), elem_id="model-card")
        with gr.Column(scale=2):
            L.md("try_it")
            prompt = L(gr.Textbox(label=L.text("try_prompt"), lines=2, elem_id="try-prompt",
                                  value="What is the capital of France?"), "try_prompt")
            with gr.Row():
                send = L(gr.Button(L.text("try_send"), variant="secondary", scale=2), "try_send", "value")
                tokens = L(gr.Number(128, label=L.text("try_tokens"), minimum=1, maximum=2048, precision=0,
                                     scale=1, elem_id="try-tokens"), "try_tokens")
            answer = L(gr.Textbox(label=L.text("try_answer"), lines=6, interactive=False,
                                  elem_id="try-answer"), "try_answer")
    endpoints_panel.build(ctx)  # a bigger model behind an API: teacher, Compare column and judge
    ctx.model.change(card_markdown, [ctx.model, ctx.lang], card, show_progress="minimal")
    ctx.lang.change(card_markdown, [ctx.model, ctx.lang], card, show_progress="hidden")
    ctx.lang.change(lambda lang: gr.Dropdown(choices=choices(lang)), ctx.lang, ctx.model, show_progress="hidden")
    # the first answer loads (or converts) the model: the card then says its template as it really is
    for ask in (send.click, prompt.submit):
        ask(try_it, [ctx.model, prompt, tokens, ctx.lang], answer).then(
            card_markdown, [ctx.model, ctx.lang], card, show_progress="hidden")
