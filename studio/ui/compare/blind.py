"""Compare's blind test: the chosen columns answer one prompt, shown shuffled behind A, B, C...; the
user votes for the better answer, then the names are revealed. Votes are kept per run (studio.data.votes),
give a running win rate per column and export as DPO preference pairs."""
from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import gradio as gr
import pandas as pd

from studio import runs
from studio.chat import check_prompt
from studio.compare.engine import build_columns
from studio.config import RunConfig
from studio.data import votes
from studio.text import t
from studio.train import recipe, runner
from studio.ui.compare import judge
from studio.ui.compare.common import KINDS, Setup, SetupWidgets, column_label, fail, stream, warn
from studio.ui.context import Ctx, guard

MAX_SLOTS = len(KINDS)
"""One slot per column kind at most (base, tuned, parent, prompt, fewshot, rag, endpoint)."""
LETTERS = [chr(ord("A") + i) for i in range(MAX_SLOTS)]


def _boxes(state: dict, texts: list[str], reveal: bool, lang: str) -> list[Any]:
    """The answer boxes in blind order; names only once the vote is in."""
    out: list[Any] = []
    for i in range(MAX_SLOTS):
        if i >= len(state["order"]):
            out.append(gr.Chatbot(value=[], visible=False))
            continue
        letter, key = state["order"][i]
        label = f"{letter} — {column_label(key, lang)}" if reveal else letter
        chat = [{"role": "user", "content": state["prompt"]}, {"role": "assistant", "content": texts[i]}]
        out.append(gr.Chatbot(value=chat, label=label, visible=True))
    return out


def _buttons(n: int, active: bool) -> list[Any]:
    """A vote button per shown answer, and the tie button; clickable only while a vote is open."""
    return [*(gr.Button(visible=i < n, interactive=active) for i in range(MAX_SLOTS)),
            gr.Button(interactive=active)]


def ask(s: Setup, prompt: str) -> Iterator[tuple]:
    """Yields (state, MAX_SLOTS answer boxes, a vote button per slot and the tie button, reveal line)."""
    lang = s.lang or "en"
    kinds = s.column_kinds()
    if len(kinds) < 2:
        fail("blind_need_two", lang)
    prompt = guard(check_prompt, prompt, lang=lang)
    columns = guard(build_columns, s.model(), prompt, kinds, **s.column_kw(), lang=lang)
    order = votes.blind_order([c.key for c in columns])
    by_key = {c.key: c for c in columns}
    shuffled = [by_key[slot.key] for slot in order]
    state = {"prompt": prompt, "run": s.run_id, "order": [[o.label, o.key] for o in order],
             "answers": {}, "voted": False}
    texts, comparer = [""] * len(order), s.comparer()
    for texts in stream(comparer, shuffled, s.settings(), lang):
        yield state, *_boxes(state, texts, False, lang), *_buttons(len(order), False), ""
    if comparer.last_failed:  # an endpoint's reason is no answer: nothing to vote on, its words say why
        yield state, *_boxes(state, texts, False, lang), *_buttons(len(order), False), texts[min(comparer.last_failed)]
        return
    state = {**state, "answers": {key: text for (_, key), text in zip(state["order"], texts)}}
    yield state, *_boxes(state, texts, False, lang), *_buttons(len(order), True), which(len(order), lang)


def which(n: int, lang: str) -> str:
    """The question, by how many answers there are: "which is better" of two, "which is best" of more."""
    return t(lang, "blind_which") if n <= 2 else t(lang, "blind_which_n", n=n)


def vote(choice: str, state: dict | None, lang: str | None) -> tuple:
    """choice: a letter or votes.TIE. Records the vote, then reveals the names and the win rates.
    Returns (state, the answer boxes, the vote buttons, reveal line, win-rate table)."""
    lang = lang or "en"
    if not state or not state.get("answers"):
        fail("blind_need_answers", lang)
    if state.get("voted"):
        fail("blind_voted", lang)
    keys = {letter: key for letter, key in state["order"]}
    if choice != votes.TIE and choice not in keys:
        fail("blind_need_answers", lang)
    winner = keys.get(choice, votes.TIE)
    guard(votes.record, state["prompt"], state["answers"], winner, vote_set=state["run"],
          run_id=state["run"], order=[key for _, key in state["order"]], lang=lang)
    state = {**state, "voted": True}
    texts = [state["answers"][key] for _, key in state["order"]]
    return (state, *_boxes(state, texts, True, lang), *_buttons(len(texts), False),
            reveal_text(state, winner, lang), rates_frame(state["run"], lang))


def reveal_text(state: dict, winner: str, lang: str) -> str:
    """'A was **Tuned (LoRA)** (your pick) · B was **Base model**'."""
    parts = []
    for letter, key in state["order"]:
        mark = f" ({t(lang, 'blind_your_pick')})" if key == winner else ""
        parts.append(t(lang, "blind_reveal_line", x=letter, name=column_label(key, lang)) + mark)
    tie = f" — {t(lang, 'blind_tie_done')}" if winner == votes.TIE else ""
    return " · ".join(parts) + tie


def rates_frame(run_id: str | None, lang: str | None) -> pd.DataFrame:
    """The running win rate per column over this run's votes; a tie counts half a win."""
    lang = lang or "en"
    heads = [t(lang, k) for k in ("rate_column", "rate_votes", "rate_wins", "rate_ties", "rate_rate")]
    rates = votes.win_rates(votes.load(run_id)) if run_id else {}
    rows = [[column_label(k, lang), int(r["votes"]), int(r["wins"]), int(r["ties"]), f"{r['rate']:.0%}"]
            for k, r in sorted(rates.items(), key=lambda kv: -kv[1]["rate"])]
    return pd.DataFrame(rows, columns=heads)


def export(run_id: str | None, lang: str | None) -> Any:
    """The run's votes as DPO pairs {"prompt", "chosen", "rejected"}, one JSON object a line. Written
    under the system temp folder: gradio serves downloads from there, not from the data home."""
    lang = lang or "en"
    if not run_id:
        fail("cmp_need_run", lang)
    path = Path(tempfile.mkdtemp(prefix="katachi-dpo-")) / f"{run_id}-dpo.jsonl"
    n = guard(votes.export_dpo, path, run_id, lang=lang)
    if n == 0:
        warn("blind_no_pairs", lang)
        return gr.File(value=None, visible=False)
    gr.Info(t(lang, "blind_exported", n=n))
    return gr.File(value=str(path), visible=True)


def train_on_votes(run_id: str | None, lang: str | None) -> Any:
    """A DPO run on this run's votes, continuing its adapter: the loop from judging answers to training."""
    lang = lang or "en"
    if not run_id:
        fail("cmp_need_run", lang)
    cfg, n = guard(recipe.from_votes, run_id, lang=lang)
    run = guard(runner.start, cfg, lang=lang, title=votes_title(run_id, cfg, n, lang))
    gr.Info(t(lang, "blind_dpo_started", n=n, run=run.title()))  # it becomes the current run: say so
    return run.id


def votes_title(run_id: str, cfg: RunConfig, n: int, lang: str) -> str:
    """'gozaru · DPO on 6 votes': what the voted run learnt from, not the votes file's long name. Taken from
    the voted run's title ("gozaru" of "gozaru · SFT"), so a second round of votes keeps the first's word."""
    data = runs.get(run_id).title().split(" · ")[0]
    if n == 1:
        return t(lang, "run_title_vote", data=data, method=cfg.train.method.upper())
    return t(lang, "run_title_votes", data=data, method=cfg.train.method.upper(), n=n)


def _vote_for(choice: str) -> Callable[[dict | None, str | None], tuple]:
    return lambda state, lang: vote(choice, state, lang)


def build(ctx: Ctx, setup: SetupWidgets) -> None:
    L = ctx.labels
    L.md("blind_intro")
    state = gr.State(None)
    with gr.Row():
        prompt = L(gr.Textbox(label=L.text("compare_prompt"), scale=6, elem_id="blind-prompt"),
                   "compare_prompt")
        go = L(gr.Button(L.text("blind_go"), variant="primary", scale=1, elem_id="blind-go"), "blind_go",
               "value")
    with gr.Row():
        boxes = [gr.Chatbot(label=x, height=320, visible=False, buttons=["copy"], elem_id=f"blind-{x}",
                            elem_classes=["compare-col"]) for x in LETTERS]
    reveal = gr.Markdown(elem_id="blind-reveal")
    with gr.Row():
        buttons = [L(gr.Button(L.text(f"blind_vote_{x}"), visible=False, interactive=False, elem_id=f"vote-{x}"),
                     f"blind_vote_{x}", "value") for x in LETTERS]
        buttons.append(L(gr.Button(L.text("blind_tie"), interactive=False, elem_id="vote-tie"),
                         "blind_tie", "value"))
    rates = L(gr.Dataframe(rates_frame(None, "en"), interactive=False, label=L.text("blind_rates"),
                           elem_id="blind-rates"), "blind_rates")
    with gr.Row():
        export_btn = L(gr.Button(L.text("blind_export"), elem_id="blind-export"), "blind_export", "value")
        dpo_btn = L(gr.Button(L.text("blind_dpo"), variant="primary", elem_id="blind-dpo"), "blind_dpo", "value")
        file = L(gr.File(label=L.text("blind_export_file"), visible=False, elem_id="blind-file"),
                 "blind_export_file")
    for trigger in (go.click, prompt.submit):
        setup.on(trigger, ask, [prompt], [state, *boxes, *buttons, reveal])
    for choice, button in zip([*LETTERS, votes.TIE], buttons):
        button.click(_vote_for(choice), [state, ctx.lang], [state, *boxes, *buttons, reveal, rates])
    export_btn.click(export, [setup.run_id, ctx.lang], file)
    dpo_btn.click(train_on_votes, [setup.run_id, ctx.lang], ctx.run)
    setup.run_id.change(rates_frame, [setup.run_id, ctx.lang], rates)
    ctx.lang.change(rates_frame, [setup.run_id, ctx.lang], rates, show_progress="hidden")  # the table follows
    judge.build(ctx, setup)  # an endpoint votes on the same pairs; its agreement with yours, before you trust it
