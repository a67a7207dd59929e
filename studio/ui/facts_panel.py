"""Evaluate's facts lab panel: a corpus (the play, or an upload), the swaps and the variants in; progress, the
chart with intervals, the verdict, the shares, the article's examples table and what tuning cost out. The
last result is kept, so a language switch says it again."""
from __future__ import annotations

import functools

import gradio as gr
import pandas as pd

from studio.data.store import import_upload
from studio.facts.corpus import BUILTIN
from studio.facts.lab import DEFAULT_CORPUS, DEFAULT_SWAP, VARIANTS, LabSpec, latest_result, run_lab, save
from studio.facts.report import column_name, figure, say, summarise
from studio.models import EMBEDDED
from studio.text import said, t
from studio.ui.context import Ctx, guard


def run(model: str, corpus: str, upload: str | None, swaps: str, variants: list[str], samples: float,
        temperature: float, steps: float, lang: str = "en", progress=gr.Progress()):
    if not variants:
        raise gr.Error(t(lang, "facts_need_variant"))
    source = str(guard(import_upload, upload, lang=lang)) if upload else corpus
    spec = LabSpec(corpus=source, swaps=[s.strip() for s in (swaps or "").split(",") if s.strip()],
                   variants=tuple(v for v in VARIANTS if v in variants), samples=int(samples),
                   temperature=float(temperature), max_steps=int(steps), model=model)
    guard(spec.check, lang=lang)
    try:  # a variant's run that fails (out of memory, a NaN loss) says so in a toast, the app goes on
        lab = guard(run_lab, spec, lambda share, what: progress(share, desc=what), lang=lang)
    except RuntimeError as e:
        raise gr.Error(said(lang, e)) from None
    result = summarise(lab)
    save(result, lab.prep.folder)
    return result, *render(result, lang)


def render(result: dict | None, lang: str = "en"):
    """(chart, verdict, shares, examples, cost) of a lab result in lang; nothing before the first run."""
    if not result:
        return None, "", *empty_frames(lang)
    T = functools.partial(t, lang)
    lines = [T("facts_swaps_done", old=s["old"], new=s["new"], n=s["replaced"], left=s["left"])
             for s in result["swaps"]]
    lines += [T("facts_variant_line", name=v["name"], run=v["run"], steps=v["steps"], tokens=v["tokens"],
                seconds=f"{v['seconds']:.0f}") for v in result["variants"]]
    text = "\n".join(f"- {line}" for line in [*lines, *say(result["verdict"], lang)])
    frames = shares_frame(result, lang), examples_frame(result, lang), cost_frame(result, lang)
    return figure(result, lang), text, *frames


def _pct(cell: dict | None) -> str:
    if not cell or cell["share"] is None:  # no probe of that kind, or no question the base got right
        return "—"
    return f"{100 * cell['share']:.0f}% [{100 * cell['lo']:.0f}–{100 * cell['hi']:.0f}]"


def shares_frame(result: dict, lang: str) -> pd.DataFrame:
    swap = result["swaps"][0]
    rows = [[column_name(r["column"], lang), t(lang, f"facts_kind_{r['kind']}"), _pct(r["new"]), _pct(r["old"])]
            for r in result["table"]]
    return pd.DataFrame(rows, columns=_shares_heads(lang, swap["old"]))


def _shares_heads(lang: str, old: str) -> list[str]:
    return [t(lang, "facts_h_column"), t(lang, "facts_h_kind"), t(lang, "facts_h_new"),
            t(lang, "facts_h_old", name=old)]


def _examples_heads(lang: str, keys: list[str]) -> list[str]:
    return [t(lang, "facts_h_probe"), t(lang, "facts_h_kind"), *(column_name(k, lang) for k in keys)]


def _cost_heads(lang: str) -> list[str]:
    return [t(lang, "facts_h_column"), t(lang, "facts_h_asked"), t(lang, "facts_h_still_right"),
            t(lang, "facts_h_confident_wrong")]


def empty_frames(lang: str = "en") -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The tables before the first run: their headers for the default setup, no rows (gradio heads a frame
    without columns "1 | 2 | 3")."""
    old = DEFAULT_SWAP.split("=")[0]
    keys = ["base", "text", "qa", "prompt", "rag"]
    return (pd.DataFrame(columns=_shares_heads(lang, old)), pd.DataFrame(columns=_examples_heads(lang, keys)),
            pd.DataFrame(columns=_cost_heads(lang)))


def examples_frame(result: dict, lang: str) -> pd.DataFrame:
    """The article's shape: the probe, then each column's sampled answers."""
    keys = [c["key"] for c in result["columns"]]
    rows = [[e["probe"], t(lang, f"facts_kind_{e['kind']}"),
             *("\n".join(f"• {a.strip()}" for a in e["answers"][k]) for k in keys)] for e in result["examples"]]
    return pd.DataFrame(rows, columns=_examples_heads(lang, keys))


def cost_frame(result: dict, lang: str) -> pd.DataFrame:
    c = result["collateral"]
    rows = [[column_name(key, lang), col["n"], _pct(col["still_right"]), _pct(col["confident_wrong"])]
            for key, col in c["columns"].items()]
    return pd.DataFrame(rows, columns=_cost_heads(lang))


def build(ctx: Ctx) -> None:
    L = ctx.labels
    with L(gr.Accordion(L.text("eval_facts"), open=False, elem_id="facts-panel"), "eval_facts"):
        L.md("eval_facts_info")
        with gr.Row():
            model = L(gr.Dropdown(list(EMBEDDED), value="smollm2-135m", label=L.text("facts_model"),
                                  elem_id="facts-model"), "facts_model")
            corpus = L(gr.Dropdown(list(BUILTIN), value=DEFAULT_CORPUS, label=L.text("facts_corpus"),
                                   elem_id="facts-corpus"), "facts_corpus")
            upload = L(gr.File(label=L.text("facts_upload"), file_types=[".txt", ".md", ".jsonl", ".json"],
                               type="filepath", elem_id="facts-upload", height=110), "facts_upload")
        with gr.Row():
            swaps = L(gr.Textbox(DEFAULT_SWAP, label=L.text("facts_swaps"), elem_id="facts-swaps"), "facts_swaps")
            variants = L(gr.CheckboxGroup(list(VARIANTS), value=["text", "qa"], label=L.text("facts_variants"),
                                          elem_id="facts-variants"), "facts_variants")
            samples = L(gr.Number(5, precision=0, minimum=1, maximum=20, label=L.text("facts_samples"),
                                  elem_id="facts-samples"), "facts_samples")
            temperature = L(gr.Number(0.8, minimum=0, maximum=2, step=0.1, label=L.text("facts_temperature"),
                                      elem_id="facts-temperature"), "facts_temperature")
            steps = L(gr.Number(60, precision=0, minimum=1, maximum=5000, label=L.text("facts_steps"),
                                elem_id="facts-steps"), "facts_steps")
        go = L(gr.Button(L.text("eval_facts_go"), variant="primary", elem_id="facts-go"), "eval_facts_go", "value")
        verdict = gr.Markdown(elem_id="facts-verdict")
        plot = gr.Plot(elem_id="facts-plot", show_label=False)
        empty = empty_frames()
        table = gr.Dataframe(empty[0], interactive=False, wrap=True, elem_id="facts-shares")
        with L(gr.Accordion(L.text("facts_examples"), open=False), "facts_examples"):
            examples = gr.Dataframe(empty[1], interactive=False, wrap=True, elem_id="facts-examples")
        cost = L(gr.Dataframe(empty[2], interactive=False, wrap=True, label=L.text("facts_cost"),
                              elem_id="facts-cost"), "facts_cost")
    last = gr.State(None)
    shown = [plot, verdict, table, examples, cost]
    go.click(run, [model, corpus, upload, swaps, variants, samples, temperature, steps, ctx.lang], [last, *shown])
    ctx.lang.change(render, [last, ctx.lang], shown, show_progress="hidden")
    ctx.on_load.append((shown_after_reload, [ctx.lang], [last, *shown]))


def shown_after_reload(lang: str = "en"):
    """The last lab's result, from disk: a run of ten minutes is not lost to a reload."""
    result = latest_result()
    return result, *render(result, lang)
