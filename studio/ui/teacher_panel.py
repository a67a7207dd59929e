"""The Data step's teacher: a saved endpoint (a bigger model) writes new rows in a generator's form, or
rewrites the generator's plain answers in its style (studio.data.generate.teacher). Every row passes the
generator's own check before it is kept; the rest are counted by reason, beside the data's summary. The rows
are a generated set in the datasets folder, chosen like any other."""
from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import gradio as gr

from studio import presets
from studio.data.choice import DataChoice
from studio.data.generate import check_settings, generator
from studio.data.generate.teacher import TeacherResult, restyle, row_meta, teach
from studio.data.inspect import inspect_file
from studio.data.store import teacher_path
from studio.endpoints import store
from studio.fsutil import write_jsonl
from studio.text import said, t
from studio.ui.context import Ctx, guard

WRITE, RESTYLE = "write", "restyle"
SEEDS = 8
"""Rule-based rows shown to the teacher as the form (three at a time, drawn from these)."""
MAX_ROWS = 500
"""Rows one press may ask for: each costs at least one call to the endpoint."""
REASONS = {"did not parse as Q:/A:": "tch_reason_parse", "near-duplicate": "tch_reason_dup",
           "empty answer": "tch_reason_empty"}
CHECK = "failed the check: "


@dataclass
class TeacherWidgets:
    endpoint: Any
    mode: Any
    instruction: Any
    n: Any
    go: Any


def reason_text(reason: str, lang: str | None) -> str:
    """A reject reason in the UI's language; the check's own words (the generator's) stay as written."""
    if reason.startswith(CHECK):
        return t(lang, "tch_reason_check", why=reason.removeprefix(CHECK))
    return t(lang, REASONS[reason]) if reason in REASONS else reason


def result_text(result: TeacherResult, endpoint: str, lang: str | None) -> str:
    rejects = " · ".join(f"{reason_text(k, lang)}: {v}" for k, v in result.rejects.most_common())
    text = t(lang, "tch_result", endpoint=endpoint, kept=len(result.rows), attempts=result.attempts,
             rejects=rejects or t(lang, "tch_rejects_none"))
    if result.stopped:
        text += "\n\n" + t(lang, "tch_stopped", kept=len(result.rows), why=said(lang, result.stopped))
    return text


def default_instruction(kind: str | None, lang: str | None = None) -> str:
    """The kind's preset goal ("Answer everyday questions … in the samurai tone"): what its rows are for; in
    lang, or (None) in the preset's own language, the one the teacher is to write in."""
    try:
        p = presets.load(kind or "")
    except (KeyError, ValueError, OSError):
        return ""
    return p.goal.get(lang or p.language) or p.goal.get("en", "")


def _pairs(rows: list[dict], with_source: bool) -> Iterator[tuple[str, str]]:
    """(question, plain answer) of rows, or with_source=False: (plain, styled) of the examples."""
    for row in rows:
        source = (row.get("meta") or {}).get("source")
        if not source:
            continue
        question = next(m["content"] for m in row["messages"] if m["role"] == "user")
        styled = next(m["content"] for m in reversed(row["messages"]) if m["role"] == "assistant")
        yield (question, source) if with_source else (source, styled)


def ask_teacher(kind: str, n: float, seed: float, endpoint: str | None, mode: str, instruction: str | None,
                lang: str | None, progress: Callable[[float, str], None]) -> TeacherResult:
    rows_n, seed_n = guard(check_settings, n, seed, lang=lang)
    if not endpoint:
        raise gr.Error(t(lang, "tch_need_endpoint"))
    rows_n = min(rows_n, MAX_ROWS)
    gen = guard(generator, kind, lang=lang)
    examples = gen.generate(SEEDS, seed=seed_n)
    instruction = (instruction or "").strip() or default_instruction(kind)
    if mode == RESTYLE:  # the generator's own plain answers, rewritten; its styled rows show how
        shown = list(_pairs(examples, False))
        sources = list(_pairs(gen.generate(rows_n, seed=seed_n + 1), True)) if shown else []
        if not sources:
            raise gr.Error(t(lang, "tch_no_restyle", kind=kind))
        return guard(restyle, sources, shown, instruction, gen.check_row, seed_n, progress, endpoint=endpoint,
                     lang=lang)
    return guard(teach, None, examples, instruction, rows_n, gen.check_row, seed=seed_n, progress=progress,
                 endpoint=endpoint, meta=row_meta(kind), lang=lang)


def run_teacher(show: Callable[..., tuple]) -> Callable[..., tuple]:
    """The button's handler; `show` is the Data step's (summary, problems, preview, histogram, mask)."""

    def teacher_rows(kind: str, n: float, seed: float, endpoint: str | None, mode: str, instruction: str | None,
                     model: str, lang: str | None = "en", progress=gr.Progress()) -> tuple:
        result = ask_teacher(kind, n, seed, endpoint, mode, instruction, lang,
                             lambda share, what: progress(share, desc=what))
        if not result.rows:  # nothing to check or train on: say why, change nothing
            raise gr.Error(result_text(result, endpoint or "", lang).replace("**", ""))
        path = teacher_path(kind, endpoint or "", len(result.rows), int(seed or 0))
        write_jsonl(path, result.rows)
        view = inspect_file(path)
        summary, *rest = show(view, model, lang=lang)
        note = result_text(result, endpoint or "", lang)
        return (f"{note}\n\n{summary}", *rest, DataChoice(path=str(path), label=path.name, rows=len(view.usable)))

    return teacher_rows


def endpoint_picker(value: str | None = None) -> Any:
    names = store.names()
    return gr.Dropdown(choices=names, value=value if value in names else store.current())


def mode_choices(lang: str | None) -> Any:
    return gr.Radio(choices=[(t(lang, "tch_mode_write"), WRITE), (t(lang, "tch_mode_restyle"), RESTYLE)])


def build(ctx: Ctx) -> TeacherWidgets:
    """The accordion, under the generator's own settings (its kind and seed are the teacher's too)."""
    L = ctx.labels
    with L(gr.Accordion(L.text("tch_title"), open=False, elem_id="teacher"), "tch_title"):
        L.md("tch_intro")
        with gr.Row():
            endpoint = L(gr.Dropdown(store.names(), value=store.current(), label=L.text("tch_endpoint"), scale=2,
                                     elem_id="teacher-endpoint"), "tch_endpoint")
            n = L(gr.Number(20, label=L.text("tch_n"), precision=0, minimum=1, maximum=MAX_ROWS, scale=1,
                            elem_id="teacher-n"), "tch_n")
        mode = L(gr.Radio([(L.text("tch_mode_write"), WRITE), (L.text("tch_mode_restyle"), RESTYLE)], value=WRITE,
                          label=L.text("tch_mode"), elem_id="teacher-mode"), "tch_mode")
        instruction = L(gr.Textbox(label=L.text("tch_instruction"), lines=2, elem_id="teacher-instruction",
                                   placeholder=default_instruction("gozaru", "en")),
                        "tch_instruction")
        go = L(gr.Button(L.text("tch_go"), variant="primary", elem_id="teacher-go"), "tch_go", "value")
    endpoint.focus(endpoint_picker, endpoint, endpoint, show_progress="hidden")  # one saved in step ① since
    ctx.lang.change(mode_choices, ctx.lang, mode, show_progress="hidden")
    return TeacherWidgets(endpoint, mode, instruction, n, go)


def wire(ctx: Ctx, w: TeacherWidgets, kind: Any, seed: Any, outputs: list[Any], show: Callable[..., tuple]) -> None:
    """The button, once the Data step's outputs exist (they stand below the tabs)."""
    w.go.click(run_teacher(show), [kind, w.n, seed, w.endpoint, w.mode, w.instruction, ctx.model, ctx.lang], outputs)
    kind.change(lambda k, lang: gr.Textbox(placeholder=default_instruction(k, lang)), [kind, ctx.lang],
                w.instruction, show_progress="hidden")

