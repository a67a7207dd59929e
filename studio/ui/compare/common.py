"""What the Compare modes (side by side, batch, blind) share: the run, adapter and column choices read
as one Setup, translated errors, and column names."""
from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator
from dataclasses import dataclass, fields
from typing import Any, NoReturn

import gradio as gr

from studio import runs
from studio.chat import GenSettings
from studio.compare.columns import COLUMN_KINDS, endpoint_key
from studio.compare.engine import Comparer
from studio.text import said, t
from studio.train import runner
from studio.train.evidence import shortfall
from studio.ui.context import Ctx, guard, say_gpu_freed

KINDS = COLUMN_KINDS
KEYS = {k: f"col_{k}" for k in KINDS}
FINAL = "final"
"""The adapter dropdown's value for the run's final adapter/ (the others are checkpoint names)."""


def fail(key: str, lang: str | None, **fmt: Any) -> NoReturn:
    raise gr.Error(t(lang, key, **fmt))


def warn(key: str, lang: str | None, **fmt: Any) -> None:
    gr.Warning(t(lang, key, **fmt))


def run_choices() -> list[str]:
    """Runs with something to compare: a final adapter or, for a stopped run, a checkpoint."""
    return [r.id for r in runs.all_runs() if r.has_adapter() or r.checkpoints()]


def adapter_choices(run_id: str | None, lang: str = "en") -> list[tuple[str, str]]:
    if not run_id:
        return []
    try:
        run = runs.get(run_id)
    except (KeyError, ValueError):
        return []
    final = [(t(lang, "cmp_adapter_final"), FINAL)] if run.has_adapter() else []
    return final + [(p.name, p.name) for p in reversed(run.checkpoints())]  # newest first


def refresh_adapter(run_id: str | None, current: str | None, lang: str = "en") -> Any:
    """The adapter dropdown for this run; keeps the current pick when the run still has it."""
    choices = adapter_choices(run_id, lang)
    values = [v for _, v in choices]
    return gr.Dropdown(choices=choices, value=current if current in values else
                       (values[0] if values else None))


def column_label(key: str, lang: str = "en") -> str:
    """'tuned@checkpoint-40' -> 'Tuned (LoRA) · checkpoint-40'."""
    kind, _, checkpoint = key.partition("@")
    name = t(lang, KEYS[kind]) if kind in KEYS else kind
    return f"{name} · {checkpoint}" if checkpoint else name


def text_of(content: Any) -> str:
    """A chat message's text: gradio 6 hands content back as a list of {"type": "text", "text"} parts."""
    if isinstance(content, str):
        return content
    if isinstance(content, dict):
        return str(content.get("text") or "")
    if isinstance(content, list | tuple):
        return "".join(text_of(part) for part in content)
    return ""


def plain(chat: list[dict] | None) -> list[dict]:
    """A chatbot's value as plain {"role", "content": str} messages. Empty answers stay: dropping them
    would leave two user turns in a row, which some chat templates refuse."""
    return [{"role": m["role"], "content": text_of(m.get("content"))} for m in chat or []]


@dataclass
class SetupWidgets:
    """The components every compare mode reads. A handler never counts their positions: `bind` hands it
    one Setup, read by field name."""

    run_id: Any
    adapter: Any
    kinds: Any
    system: Any
    notes: Any
    max_tokens: Any
    lang: Any
    endpoint: Any = None
    """Which saved endpoint answers the Endpoint column (None: the one in use)."""

    def inputs(self) -> list[Any]:
        return [getattr(self, f.name) for f in fields(self)]

    def on(self, trigger: Any, handler: Callable[..., Any], own: list[Any], outputs: Any) -> None:
        """trigger(handler(setup, *own values)): the widgets' values go in after own's and come out as a
        Setup; a generator handler stays one, so its answers still stream."""
        names = [f.name for f in fields(self)]

        def split(values: tuple) -> tuple[Setup, tuple]:
            head, tail = values[:len(own)], values[len(own):]
            return Setup(**dict(zip(names, tail, strict=True))), head

        if inspect.isgeneratorfunction(handler):
            def fn(*values: Any) -> Iterator[Any]:
                setup, head = split(values)
                yield from handler(setup, *head)
        else:
            def fn(*values: Any) -> Any:
                setup, head = split(values)
                return handler(setup, *head)
        fn.__name__ = handler.__name__  # gradio's API page and queue name the handler, not the shim
        trigger(fn, [*own, *self.inputs()], outputs)


@dataclass
class Setup:
    """The values of SetupWidgets, by the same names, as a handler receives them (its first argument)."""
    run_id: str | None
    adapter: str | None
    kinds: list[str]
    system: str | None
    notes: str | None
    max_tokens: float
    lang: str | None
    endpoint: str | None = None

    def run(self) -> runs.Run:
        if not self.run_id:
            fail("cmp_need_run", self.lang)
        try:
            return runs.get(self.run_id)
        except (KeyError, ValueError):
            fail("cmp_run_gone", self.lang, run=self.run_id)

    def model(self) -> str:
        return self.run().config().model.name

    def column_kinds(self) -> list[str]:
        """The ticked kinds' column keys, in display order."""
        kinds = [k for k in KINDS if k in (self.kinds or [])]
        if not kinds:
            fail("cmp_need_columns", self.lang)
        return [self.key_for(k) for k in kinds]

    def key_for(self, kind: str) -> str:
        """The column key of a kind: the tuned one names its checkpoint when one is picked."""
        if kind == "tuned" and self.adapter and self.adapter != FINAL:
            return f"tuned@{self.adapter}"
        if kind == "endpoint":  # named: votes and meters keep which endpoint answered
            return guard(endpoint_key, self.endpoint or None, lang=self.lang)
        return kind

    def column_kw(self) -> dict[str, Any]:
        """build_columns' keywords: the run, and the prompt/RAG columns' own inputs when typed."""
        paras = [p.strip() for p in (self.notes or "").split("\n\n") if p.strip()]
        return {"run_id": self.run_id, "system_prompt": (self.system or "").strip() or None,
                "notes": paras or None}

    def settings(self, *, sampled: bool = False):
        """Greedy by default (the fair setting); `sampled` for a regenerate, which must differ."""
        import random

        if sampled:
            return GenSettings(max_new_tokens=int(self.max_tokens), temperature=0.8,
                               seed=random.randrange(2**31))
        return GenSettings(max_new_tokens=int(self.max_tokens))

    def comparer(self):
        cfg = self.run().config()
        comparer = guard(Comparer, cfg.model.name, trust_remote_code=cfg.model.trust_remote_code, lang=self.lang)
        comparer.lang = self.lang  # an endpoint column says why it could not answer in the UI's language
        return comparer


def short_text(run_id: str | None, lang: str | None) -> str:
    """Why the tuned column may not show the style yet: the run is short of its data (evidence.shortfall)."""
    try:
        short = shortfall(runs.get(run_id)) if run_id else None
    except (KeyError, ValueError, OSError):  # a run deleted meanwhile, a half-written status
        return ""
    if short is None:
        return ""
    if short.how == "resume":
        return t(lang, "short_stopped", step=short.step, total=short.usual)
    return t(lang, "short_more", step=short.step, usual=short.usual, epochs=f"{short.epochs:g}", more=short.more)


def short_note(run_id: str | None, lang: str | None) -> tuple[str, Any]:
    """(the note, the Continue button shown only beside it)."""
    text = short_text(run_id, lang)
    return text, gr.Button(visible=bool(text))


def continue_short(run_id: str | None, lang: str | None) -> tuple[Any, ...]:
    """Continue this run: it becomes the current run's successor (a resumed run is itself), the Train step
    opens on it, and the note goes (the run it spoke of is training again, or has a successor)."""
    if not run_id:
        fail("cmp_need_run", lang)
    run = guard(runner.extend, run_id, lang=lang, on_gpu_freed=say_gpu_freed(lang))
    if run.id == run_id:
        gr.Info(t(lang, "short_resumed", run=run.id))
    else:
        gr.Info(t(lang, "short_extended", run=run.id, source=run_id, more=run.config().train.max_steps))
    return run.id, gr.Tabs(selected="train"), "", gr.Button(visible=False)


def short_run_row(ctx: Ctx, pick: Any, prefix: str) -> tuple[Any, Any]:
    """The note and its button under a run picker (Compare, Evaluate), following the pick and the language."""
    L = ctx.labels
    note = gr.Markdown(elem_id=f"{prefix}-short")
    button = L(gr.Button(L.text("short_continue"), visible=False, size="sm", elem_id=f"{prefix}-continue"),
               "short_continue", "value")
    for event in (pick.change, ctx.lang.change):
        event(short_note, [pick, ctx.lang], [note, button], show_progress="hidden")
    button.click(continue_short, [pick, ctx.lang], [ctx.run, ctx.tabs, note, button])
    return note, button


def stream(comparer: Any, columns: list, settings: Any, lang: str | None = "en") -> Iterator[list[str]]:
    """comparer.stream with the same toasts as guard (an adapter can vanish between two clicks)."""
    try:
        yield from comparer.stream(columns, settings)
    except (ValueError, KeyError, OSError) as e:
        raise gr.Error(said(lang, e)) from None

