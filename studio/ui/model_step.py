"""Step 1 — the model: a picker, a card (size, type, template, device, memory fit) and a try-it box."""
from __future__ import annotations

import html

import gradio as gr

from studio.config import DEFAULT_MODEL
from studio.models import ModelError, list_models
from studio.ui.context import Ctx


def choices() -> list[tuple[str, str]]:
    out = []
    for e in list_models():
        tag = "offline" if e.embedded else "hub"
        out.append((f"{e.key} · {e.params_m:.0f}M · {'instruct' if e.instruct else 'base'} · {tag}", e.key))
    return out


def card_markdown(name: str) -> str:
    from studio.models.info import describe

    try:
        card = describe(name)
    except ModelError as e:
        return f"**{html.escape(str(e))}**"
    e = card.entry
    lines = [f"### {card.name}", f"- **Source:** {card.resolved.source} — `{card.resolved.location}`"]
    if e:
        lines += [f"- **Size:** {e.params_m:,.0f} M parameters · {e.layers} layers · hidden {e.hidden}",
                  (f"- **Type:** {'instruct (chat-tuned)' if e.instruct else 'base (not chat-tuned)'} · "
                  f"languages: {e.languages}"),
                  f"- **Context:** {e.context:,} tokens" if e.context else "- **Context:** unknown",
                  f"- **Note:** {e.note}"]
    lines.append(f"- **This machine:** {card.device.describe()}")
    for method, v in card.fits.items():
        mark = "✓" if v.fits else "✗"
        lines.append(f"- **{method.upper()} (batch 8 × 512):** {mark} {v.text}")
    if card.note:
        lines.append(f"- {card.note}")
    template = card.chat_template
    lines.append("- **Chat template:** " + ("loaded on first use" if template is None else ""))
    if template:
        lines.append(f"\n```jinja\n{template[:600]}{'…' if len(template) > 600 else ''}\n```")
    return "\n".join(lines)


def try_it(name: str, prompt: str):
    from studio.chat import get_chat_model, messages_for

    try:
        messages = messages_for(prompt)
        model = get_chat_model(name)
    except (ValueError, OSError) as e:
        raise gr.Error(str(e)) from None
    yield ""
    yield from model.stream(messages)


def build(ctx: Ctx) -> None:
    L = ctx.labels
    L.md("model_intro")
    with gr.Row():
        with gr.Column(scale=3):
            ctx.model = L(gr.Dropdown(choices(), value=DEFAULT_MODEL, allow_custom_value=True,
                                      filterable=True, label=L.text("model_pick"),
                                      info=L.text("model_pick_info"), elem_id="model-pick"),
                          "model_pick")
            card = gr.Markdown(card_markdown(DEFAULT_MODEL), elem_id="model-card")
        with gr.Column(scale=2):
            L.md("try_it")
            prompt = L(gr.Textbox(label=L.text("try_prompt"), lines=2, elem_id="try-prompt",
                                  value="What is the capital of France?"), "try_prompt")
            send = L(gr.Button(L.text("try_send"), variant="secondary"), "try_send", "value")
            answer = L(gr.Textbox(label=L.text("try_answer"), lines=6, interactive=False,
                                  elem_id="try-answer"), "try_answer")
    ctx.model.change(card_markdown, ctx.model, card, show_progress="minimal")
    send.click(try_it, [ctx.model, prompt], answer)
    prompt.submit(try_it, [ctx.model, prompt], answer)
