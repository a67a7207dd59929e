"""The columns of a comparison: what each one sends to the model. Base and tuned get the same prompt
(with the system prompt the run trained with, if any); the article's alternatives get the base model
plus a system prompt, few-shot examples, or passages retrieved from the user's notes; an endpoint column sends
the base's prompt to an OpenAI-compatible endpoint (a bigger model: "does my tuned 135M match an 8B?")."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from studio import presets, runs
from studio.chat import check_prompt, messages_for
from studio.compare.adapters import adapter_for, check_adapter, get_run, model_names
from studio.compare.fewshot import fewshot_messages
from studio.compare.retrieval import rag_user_turn, retrieve
from studio.endpoints import EndpointError
from studio.endpoints import store as endpoints
from studio.fsutil import read_jsonl
from studio.text import Said
from studio.train.data import is_text_run


class ColumnError(Said, ValueError):
    """A Compare column that cannot answer, and why: said in place, in the UI's language."""


COLUMN_KINDS = ["base", "tuned", "parent", "prompt", "fewshot", "rag", "sametime", "endpoint"]
"""parent: the run this run started from (the SFT adapter under a DPO run): base -> SFT -> DPO side by side.
sametime: beside a GRPO run, its parent continued with SFT for the same training seconds (did RL beat training
longer?).
endpoint: a saved endpoint ("endpoint@NAME", or the current one), answering over the network."""
PICKED = ("tuned", "endpoint")
"""The kinds whose key may name one of several with '@': a checkpoint of the tuned run, a saved endpoint."""
NOTES_FILE = "notes.md"


@dataclass
class Column:
    key: str
    """"base" | "tuned" | "prompt" | "fewshot" | "rag" | "tuned@checkpoint-40" | "endpoint@NAME"."""
    label: str
    adapter: str | None
    """The adapter folder (a run's adapter/ or one of its checkpoints); None = the base model."""
    messages: list[dict] = field(default_factory=list)
    """The whole prompt of this column: system, few-shot turns or retrieved passages included."""
    raw: bool = False
    """Continue the prompt as plain text, without the chat template: the base and tuned columns of a
    run trained on raw text (continued pretraining), whose prompts are passage openings."""
    endpoint: str | None = None
    """The saved endpoint that answers this column over the network; None = the local model."""


@dataclass
class _Ctx:
    """What every column builder may need; the run and its preset are looked up once."""
    model_name: str
    prompt: str
    history: list[dict]
    run_id: str | None
    checkpoint: str | None
    system_prompt: str | None
    k: int
    dynamic: bool
    endpoint: str | None
    notes: list[str] | None
    train_rows: list[dict] | None

    def __post_init__(self) -> None:
        self.run = get_run(self.run_id) if self.run_id else None
        self.cfg = self.run.config() if self.run else None
        self.preset = _preset(self.cfg.data.preset) if self.cfg and self.cfg.data.preset else None
        self.raw = bool(self.cfg) and is_text_run(self.cfg)

    @property
    def trained_system(self) -> str | None:
        """The system prompt the run trained with: base and tuned both get it, for a fair comparison."""
        return self.cfg.data.system_prompt if self.cfg else None


def _preset(name: str):
    try:
        return presets.load(name)
    except (KeyError, ValueError):
        return None  # a run of a preset that is gone still compares; only its defaults are missing


def parse_kinds(kinds: list[str]) -> list[str]:
    """Known kinds, duplicates dropped, order kept; "tuned@checkpoint-N" picks a checkpoint."""
    out: list[str] = []
    for kind in (k.strip() for k in kinds):
        base = kind.split("@", 1)[0]
        if base not in COLUMN_KINDS or (kind.count("@") and base not in PICKED):
            raise ColumnError("err_column_unknown", kind=repr(kind), kinds=", ".join(COLUMN_KINDS))
        if kind not in out:
            out.append(kind)
    if not out:
        raise ColumnError("err_column_none", kinds=", ".join(COLUMN_KINDS))
    return out


def build_columns(model_name: str, prompt: str, kinds: list[str], *, run_id: str | None = None,
                  checkpoint: str | None = None, history: list[dict] | None = None,
                  system_prompt: str | None = None, k: int = 3, dynamic: bool = True,
                  notes: list[str] | None = None, train_rows: list[dict] | None = None,
                  endpoint: str | None = None) -> list[Column]:
    """One Column per kind, in the order given. Errors a user can fix raise ValueError. `endpoint` names
    the saved endpoint a plain "endpoint" kind uses (default: the current one)."""
    ctx = _Ctx(model_name, check_prompt(prompt), list(history or []), run_id, checkpoint,
               system_prompt, k, dynamic, endpoint, notes, train_rows)
    builders = {"base": _base, "tuned": _tuned, "parent": _parent, "sametime": _same_time, "prompt": _prompt,
                "fewshot": _fewshot, "rag": _rag, "endpoint": _endpoint}
    return [builders[kind.split("@", 1)[0]](ctx, kind) for kind in parse_kinds(kinds)]


def _base(ctx: _Ctx, kind: str) -> Column:
    return Column("base", "Base", None, _trained_prompt(ctx), ctx.raw)


def _trained_prompt(ctx: _Ctx) -> list[dict]:
    """The prompt as the run trained: a raw-text run sees the passage opening alone."""
    if ctx.raw:
        return [{"role": "user", "content": ctx.prompt}]
    return messages_for(ctx.prompt, ctx.trained_system, ctx.history)


def _tuned(ctx: _Ctx, kind: str) -> Column:
    if ctx.run is None:
        raise ColumnError("err_column_tuned_no_run")
    run_model = ctx.cfg.model.name
    if not model_names(run_model) & model_names(ctx.model_name):
        raise ColumnError("err_column_other_model", run=ctx.run.id, theirs=repr(run_model), ours=repr(ctx.model_name))
    checkpoint = kind.split("@", 1)[1] if "@" in kind else ctx.checkpoint
    adapter = adapter_for(ctx.run, checkpoint)
    check_adapter(adapter, run_model)
    key = f"tuned@{checkpoint}" if checkpoint else "tuned"
    label = f"Tuned ({ctx.run.id}{', ' + checkpoint if checkpoint else ''})"
    return Column(key, label, str(adapter), _trained_prompt(ctx), ctx.raw)


def _parent(ctx: _Ctx, kind: str) -> Column:
    start = ctx.cfg.train.start_from if ctx.cfg else None
    if not start:
        raise ColumnError("err_column_parent")
    parent = get_run(start)
    adapter = adapter_for(parent, None)
    check_adapter(adapter, parent.config().model.name)
    return Column("parent", f"Started from ({parent.id})", str(adapter), _trained_prompt(ctx), ctx.raw)


def same_time_run(run_id: str) -> runs.Run | None:
    """The newest finished SFT run continued for the same training seconds as this GRPO run (train.same_time_as)."""
    return next((r for r in runs.all_runs() if r.has_adapter() and _same_time_as(r) == run_id), None)


def _same_time_as(run: runs.Run) -> str | None:
    try:
        return run.config().train.same_time_as
    except (OSError, ValueError):  # an unreadable config is no continuation
        return None


def _same_time(ctx: _Ctx, kind: str) -> Column:
    found = same_time_run(ctx.run.id) if ctx.run else None
    if found is None:
        raise ColumnError("err_column_same_time", run=ctx.run.id if ctx.run else "?")
    adapter = adapter_for(found, None)
    check_adapter(adapter, found.config().model.name)
    return Column("sametime", f"SFT for the same time ({found.id})", str(adapter), _trained_prompt(ctx), ctx.raw)


def default_system_prompt(preset) -> str | None:
    """The preset's prompt-only alternative: its fact prompt, its system prompt, or its goal."""
    if preset is None:
        return None
    goal = preset.goal.get(preset.language) or preset.goal.get("en")
    return preset.extra.get("fact_prompt") or preset.system or goal


def _prompt(ctx: _Ctx, kind: str) -> Column:
    system = (ctx.system_prompt or "").strip() or default_system_prompt(ctx.preset)
    if not system:
        raise ColumnError("err_column_prompt")
    return Column("prompt", "Base + system prompt", None, messages_for(ctx.prompt, system, ctx.history))


def default_train_rows(ctx: _Ctx) -> list[dict]:
    if ctx.preset is not None:
        return ctx.preset.train_rows()
    if ctx.cfg and ctx.cfg.data.train_path:
        return read_jsonl(Path(ctx.cfg.data.train_path))
    return []


def _fewshot(ctx: _Ctx, kind: str) -> Column:
    rows = ctx.train_rows if ctx.train_rows is not None else default_train_rows(ctx)
    shots = fewshot_messages(rows, ctx.prompt, ctx.k, ctx.dynamic)
    if not shots:
        raise ColumnError("err_column_fewshot")
    system = [{"role": "system", "content": ctx.trained_system}] if ctx.trained_system else []
    how = "most similar" if ctx.dynamic else "first"
    label = f"Base + {len(shots) // 2} examples ({how})"
    return Column("fewshot", label, None, [*system, *shots, *messages_for(ctx.prompt, None, ctx.history)])


def preset_notes(preset) -> list[str]:
    """The preset's notes.md (the facts preset ships one), or nothing."""
    if preset is None:
        return []
    path = preset.path / NOTES_FILE
    return [path.read_text(encoding="utf-8")] if path.is_file() else []


def _rag(ctx: _Ctx, kind: str) -> Column:
    notes = [n for n in (ctx.notes if ctx.notes is not None else preset_notes(ctx.preset)) if n.strip()]
    if not notes:
        raise ColumnError("err_column_rag")
    passages = retrieve(ctx.prompt, notes, ctx.k)
    return Column("rag", "Base + notes (RAG)", None,
                  messages_for(rag_user_turn(ctx.prompt, passages), None, ctx.history))


def endpoint_key(name: str | None = None) -> str:
    """The column key of a saved endpoint ("endpoint@NAME"; None: the current one): votes and meters keep
    which endpoint answered, so two endpoints are never counted as one column."""
    try:
        return f"endpoint@{endpoints.get(name).name}"
    except EndpointError as e:
        raise ColumnError("err_column_endpoint", why=e) from None


def _endpoint(ctx: _Ctx, kind: str) -> Column:
    if ctx.raw:  # an endpoint speaks chat: a raw-text run's passage openings are no question for it
        raise ColumnError("err_column_endpoint_raw")
    name = kind.split("@", 1)[1] if "@" in kind else ctx.endpoint
    key = endpoint_key(name)
    saved = endpoints.get(key.split("@", 1)[1])
    return Column(key, f"Endpoint ({saved.name} · {saved.model})", None, _trained_prompt(ctx), endpoint=saved.name)
