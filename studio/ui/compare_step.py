"""Step 4 — compare: one prompt to base, tuned and the article's alternatives, streamed side by side."""
from __future__ import annotations

import gradio as gr

from studio import runs
from studio.ui.context import Ctx

KINDS = ["base", "tuned", "prompt", "fewshot", "rag"]
KEYS = {"base": "col_base", "tuned": "col_tuned", "prompt": "col_prompt", "fewshot": "col_fewshot",
        "rag": "col_rag"}


def run_choices() -> list[str]:
    return [r.id for r in runs.all_runs() if r.has_adapter()]


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
    from studio import presets

    p = presets.load(cfg.data.preset)
    notes = p.path / "notes.md"
    return (p.extra.get("fact_prompt") or p.system or "",
            notes.read_text(encoding="utf-8") if notes.is_file() else "")


def _history(chat: list[dict]) -> list[dict]:
    return [{"role": m["role"], "content": m["content"]} for m in chat or [] if m.get("content")]


def send(run_id, kinds, prompt, system, notes, max_tokens, *chats):
    from studio.chat import GenSettings, check_prompt
    from studio.compare import Comparer, build_columns

    if not run_id and any(k != "base" for k in kinds if k == "tuned"):
        raise gr.Error("pick a tuned run first (train one in step ③)")
    try:
        prompt = check_prompt(prompt)
        model = runs.get(run_id).config().model.name if run_id else None
        if model is None:
            raise ValueError("pick a tuned run first")
        paras = [p.strip() for p in (notes or "").split("\n\n") if p.strip()]
        hist = _history(chats[0])
        columns = build_columns(model, prompt, kinds, run_id=run_id, history=hist,
                                system_prompt=system or None, notes=paras or None)
        comparer = Comparer(model)
    except (ValueError, KeyError, OSError) as e:
        raise gr.Error(str(e)) from None
    out = [list(c or []) + [{"role": "user", "content": prompt}, {"role": "assistant", "content": ""}]
           for c in chats]
    index = {k: i for i, k in enumerate(KINDS)}
    settings = GenSettings(max_new_tokens=int(max_tokens))
    for texts in comparer.stream(columns, settings):
        for col, text in zip(columns, texts):
            out[index[col.key.split("@")[0]]][-1]["content"] = text
        yield ("", *out)


def refresh_pick(run_id: str | None):
    ids = run_choices()
    return gr.Dropdown(choices=ids, value=run_id if run_id in ids else None)


def visibility(kinds: list[str]):
    return [gr.Chatbot(visible=k in kinds) for k in KINDS]


def build(ctx: Ctx):
    L = ctx.labels
    L.md("compare_intro")
    with gr.Row():
        pick = L(gr.Dropdown(run_choices(), label=L.text("compare_run"), elem_id="compare-run", scale=3),
                 "compare_run")
        kinds = L(gr.CheckboxGroup([(L.text(KEYS[k]), k) for k in KINDS], value=["base", "tuned"],
                                   label=L.text("compare_columns"), elem_id="compare-kinds", scale=4),
                  "compare_columns")
        ctx.compare_kinds = kinds
        max_tokens = L(gr.Slider(16, 512, 128, step=16, label=L.text("compare_tokens"), scale=2),
                       "compare_tokens")
    with gr.Accordion("System prompt and notes (for the prompt and RAG columns)", open=False):
        system = gr.Textbox(label="System prompt", lines=2)
        notes = gr.Textbox(label="Notes / documents for retrieval (paragraphs)", lines=6)
    with gr.Row():
        chats = [L(gr.Chatbot(label=L.text(KEYS[k]), height=420, visible=k in ("base", "tuned"),
                              elem_id=f"col-{k}", elem_classes=["compare-col"]), KEYS[k]) for k in KINDS]
    with gr.Row():
        prompt = L(gr.Textbox(label=L.text("compare_prompt"), scale=6, elem_id="compare-prompt"),
                   "compare_prompt")
        go = L(gr.Button(L.text("compare_send"), variant="primary", scale=1, elem_id="compare-send"),
               "compare_send", "value")
        clear = L(gr.Button(L.text("compare_clear"), scale=1), "compare_clear", "value")
    inputs = [pick, kinds, prompt, system, notes, max_tokens, *chats]
    go.click(send, inputs, [prompt, *chats])
    prompt.submit(send, inputs, [prompt, *chats])
    clear.click(lambda: [[] for _ in KINDS], None, chats)
    kinds.change(visibility, kinds, chats)
    pick.change(run_context, pick, [system, notes])
    pick.input(lambda r: r, pick, ctx.run)  # user picks only: programmatic updates must not loop back
    ctx.run.change(refresh_pick, ctx.run, pick)
    return refresh_pick, ctx.run, pick  # also run when the tab opens: a run may have finished since
