"""The blind test's judge: the current endpoint votes on the A/B pairs the user voted on. Its agreement with
the user (the share agreeing and Cohen's κ, 95% intervals, from 20 decided votes) is said before the user may
accept it for the run; then Batch measures with it and its votes export as DPO pairs. The prompt it is asked
with is shown and editable; an answer that is neither A nor B is counted and said, never guessed."""
from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any

import gradio as gr

from studio import runs
from studio.endpoints import store
from studio.evaluate import judge
from studio.text import t
from studio.train import recipe, runner
from studio.ui.compare.common import Setup, SetupWidgets, column_label, fail
from studio.ui.context import Ctx, guard


def judge_line(lang: str | None) -> str:
    """Which endpoint judges: the current one."""
    name = store.current()
    if not name:
        return t(lang, "jdg_none")
    return t(lang, "jdg_endpoint", name=name, model=store.get(name).model)


def accepted_text(run_id: str | None, lang: str | None) -> str:
    found = judge.accepted(run_id)
    if not found:
        return ""
    kappa = "—" if found.get("kappa") is None else f"{found['kappa']:.2f}"
    return t(lang, "jdg_accepted_now", name=found["endpoint"], model=found["model"], kappa=kappa, n=found["n"])


def ask(run_id: str | None, template: str, lang: str | None, progress=gr.Progress()) -> tuple[str, str]:
    """The judge on the run's votes it has not answered with this prompt; then its agreement."""
    if not run_id:
        fail("cmp_need_run", lang)
    found = guard(judge.judge_votes, run_id, None, template, lambda share, what: progress(share, desc=what),
                  lang=lang)
    return judge.say_report(found, lang), accepted_text(run_id, lang)


def accept(run_id: str | None, template: str, lang: str | None) -> str:
    if not run_id:
        fail("cmp_need_run", lang)
    guard(judge.accept, run_id, None, template, lang=lang)
    gr.Info(t(lang, "jdg_accepted", run=run_id))
    return accepted_text(run_id, lang)


def export(run_id: str | None, lang: str | None) -> Any:
    """The accepted judge's votes as DPO pairs, copied under the system temp folder (where gradio serves
    downloads from); the datasets folder keeps its own copy for a DPO run."""
    if not run_id:
        fail("cmp_need_run", lang)
    path, n = guard(judge.judge_pairs_file, run_id, lang=lang)
    served = Path(tempfile.mkdtemp(prefix="katachi-judge-")) / path.name
    shutil.copyfile(path, served)
    gr.Info(t(lang, "jdg_exported", n=n, path=path.name))
    return gr.File(value=str(served), visible=True)


def train(run_id: str | None, lang: str | None) -> str:
    """A DPO run on the accepted judge's votes, continuing the run's adapter (the blind test's own loop, with
    the judge's pairs); it becomes the current run."""
    if not run_id:
        fail("cmp_need_run", lang)
    pairs = guard(judge.judge_pairs_file, run_id, lang=lang)
    cfg, n = guard(recipe.from_votes, run_id, pairs=pairs, lang=lang)
    data = runs.get(run_id).title().split(" · ")[0]
    run = guard(runner.start, cfg, lang=lang, title=t(lang, "run_title_judge", data=data, n=n))
    gr.Info(t(lang, "jdg_dpo_started", n=n, run=run.title()))
    return run.id


def meter_note(s: Setup, prompts: list[str], answers: dict[str, list[str]], failed: dict[str, set[int]]) -> str:
    """Batch's judge meter, where the user accepted a judge for the run; else nothing (the box says when)."""
    if not judge.accepted(s.run_id):
        return ""
    line = guard(judge.judge_meter, s.run_id, prompts, answers, failed=failed, lang=s.lang)
    return judge.say_meter(line, lambda key: column_label(key, s.lang or "en"), s.lang)


def build(ctx: Ctx, setup: SetupWidgets) -> None:
    L = ctx.labels
    box = L(gr.Accordion(L.text("jdg_title"), open=False, elem_id="judge"), "jdg_title")
    with box:
        L.md("jdg_intro")
        who = gr.Markdown(elem_id="judge-endpoint")
        template = L(gr.Textbox(judge.DEFAULT_PROMPT, lines=12, max_lines=30, label=L.text("jdg_prompt"),
                                elem_id="judge-prompt"), "jdg_prompt")
        with gr.Row():
            go = L(gr.Button(L.text("jdg_go"), variant="primary", elem_id="judge-go"), "jdg_go", "value")
            accept_btn = L(gr.Button(L.text("jdg_accept"), elem_id="judge-accept"), "jdg_accept", "value")
            export_btn = L(gr.Button(L.text("jdg_export"), elem_id="judge-export"), "jdg_export", "value")
            train_btn = L(gr.Button(L.text("jdg_train"), elem_id="judge-train"), "jdg_train", "value")
        said = gr.Markdown(elem_id="judge-report")
        trusted = gr.Markdown(elem_id="judge-accepted")
        file = L(gr.File(label=L.text("jdg_file"), visible=False, elem_id="judge-file"), "jdg_file")
    box.expand(judge_line, ctx.lang, who, show_progress="hidden")  # an endpoint may be saved or picked since
    go.click(ask, [setup.run_id, template, ctx.lang], [said, trusted])
    accept_btn.click(accept, [setup.run_id, template, ctx.lang], trusted)
    export_btn.click(export, [setup.run_id, ctx.lang], file)
    train_btn.click(train, [setup.run_id, ctx.lang], ctx.run)
    for event in (setup.run_id.change, ctx.lang.change):
        event(accepted_text, [setup.run_id, ctx.lang], trusted, show_progress="hidden")
    ctx.lang.change(judge_line, ctx.lang, who, show_progress="hidden")
