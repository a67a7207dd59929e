"""Side-by-side generation: one base model in memory, every column answered at once.

"batched" (the default): all columns in ONE `generate` call, a PEFT mixed-adapter batch where each
row names its adapter ("__base__" for the base model); prompts of different lengths are left-padded.
"sequential": the columns one after another, the adapter toggled between them. Both share the same
loaded weights. `python -m studio.bench.compare` measures them: on smollm2-135m (CPU, 64 new tokens
each, greedy) base + tuned batched took 1.22x the time of the tuned answer alone, sequential 1.83x,
so batched is the default (figures in compare_bench's docstring).

Endpoint columns answer over the network on threads of their own while the local columns generate: a slow or
down endpoint says why in its own column ("⚠ …", a timeout named) and never holds the others back.
"""
from __future__ import annotations

import hashlib
import re
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Literal

from studio.chat import ChatModel, GenSettings, get_chat_model, prompt_ids
from studio.compare import CompareError, mask
from studio.compare.adapters import AdapterError, check_adapter
from studio.compare.columns import COLUMN_KINDS, Column, build_columns, parse_kinds
from studio.compare.remote import Remote
from studio.compare.stream import stream_llama, stream_rows
from studio.engine import choose as engine_choose
from studio.engine.choose import Choice
from studio.models import compute

__all__ = ["COLUMN_KINDS", "Column", "Comparer", "GenSettings", "batch_table", "build_columns",
           "iter_table", "parse_kinds"]

Mode = Literal["batched", "sequential"]
DEFAULT_MODE: Mode = "batched"
BASE = "__base__"  # peft's name for "no adapter" in a mixed batch
MAX_ADAPTERS = 6
_OUR_NAME = re.compile(r"^a[0-9a-f]{12}$")  # see adapter_name()


def column_ids(tokenizer, column: Column) -> list[int]:
    """The ids a column generates from: its chat prompt, or (raw) the text itself, no special tokens,
    exactly as continued pretraining saw its passages."""
    if column.raw:
        return tokenizer(column.messages[-1]["content"], add_special_tokens=False)["input_ids"]
    return prompt_ids(tokenizer, column.messages)


class Comparer:
    """Streams the answers of several columns from one base model and its adapters."""

    def __init__(self, model_name: str, *, mode: Mode = DEFAULT_MODE, trust_remote_code: bool = False,
                 chat: ChatModel | None = None, lang: str | None = "en", engine: str | None = None):
        """`chat` is a ChatModel already loaded (tests pass an fp32 one); else the shared cached one. `lang`:
        the language an endpoint column says its failure in. `engine`: auto, torch or llama.cpp (None: the
        STUDIO_ENGINE environment variable, else auto; see studio.engine.choose)."""
        if mode not in ("batched", "sequential"):
            raise CompareError("err_compare_mode", mode=mode)
        self.model_name = model_name
        self.mode = mode
        self.chat = chat or get_chat_model(model_name, trust_remote_code)
        self.lang = lang
        self.last_token_ids: list[list[int]] = []
        """The answer ids of each column of the last finished stream (token counts, tests)."""
        self.last_failed: dict[int, Exception] = {}
        """The columns of the last stream (by index) whose endpoint could not answer, and why."""
        self.engine = engine
        self.last_engine: Choice | None = None
        """The engine that answered the last stream's local columns (shown under the answers, recorded)."""

    def stream(self, columns: list[Column], settings: GenSettings | None = None, *,
               min_new_tokens: int = 0) -> Iterator[list[str]]:
        """Yield the texts so far, one per column, growing together until all are complete."""
        if not columns:
            return
        settings = settings or GenSettings()
        self.last_failed = {}
        if not any(c.endpoint for c in columns):
            yield from self._local(columns, settings, min_new_tokens)
            return
        remote = Remote(columns, settings, self.lang)
        local = [c for c in columns if not c.endpoint]
        local_texts: list[str] = [""] * len(local)
        self.last_token_ids = []
        for local_texts in (self._local(local, settings, min_new_tokens) if local else ()):
            yield remote.merge(local_texts)
        for _ in remote.waiting():
            yield remote.merge(local_texts)
        yield remote.merge(local_texts)
        self.last_failed = remote.failed
        self.last_token_ids = remote.spread(self.last_token_ids)

    def _local(self, columns: list[Column], settings: GenSettings, min_new_tokens: int) -> Iterator[list[str]]:
        """The columns the local model answers: by llama.cpp (one context, adapters taking turns per token), or
        by torch, batched or one after another."""
        rows = [column_ids(self.chat.tokenizer, c) for c in columns]
        ids: list[list[int]] = []
        choice = self.last_engine = self._choose(columns)
        if choice.engine == "llama.cpp":
            yield from stream_llama(self.chat, choice, rows, [c.adapter or None for c in columns], settings,
                                    min_new_tokens=min_new_tokens, token_ids=ids)
            self.last_token_ids = ids
            return
        names = self._load_adapters(columns)
        one = self._single_adapter(names)
        if self.mode == "batched" and one:  # base rows + one adapter's rows: a per-row LoRA scale
            yield from stream_rows(self.chat, rows, settings, adapter=one, row_mask=[n == one for n in names],
                                   min_new_tokens=min_new_tokens, token_ids=ids)
        elif self.mode == "batched" and len(set(names)) > 1:
            yield from stream_rows(self.chat, rows, settings, adapter_names=names,
                                   min_new_tokens=min_new_tokens, token_ids=ids)
        elif self.mode == "batched":  # one adapter (or none) for all rows: no per-row routing needed
            yield from stream_rows(self.chat, rows, settings, adapter=None if names[0] == BASE else names[0],
                                   min_new_tokens=min_new_tokens, token_ids=ids)
        else:
            yield from self._sequential(rows, names, settings, min_new_tokens, ids)
        self.last_token_ids = ids

    def _choose(self, columns: list[Column]) -> Choice:
        for col in columns:
            if col.adapter:
                check_adapter(col.adapter, self.model_name)
        device, dtype = self.chat.placement()
        return engine_choose.choose(self.model_name, [c.adapter for c in columns], asked=self.engine,
                                    device=device, dtype=dtype)

    def _single_adapter(self, names: list[str]) -> str | None:
        """The adapter, when the rows mix the base with exactly one plain-LoRA adapter (see compare_mask)."""
        adapters = set(names) - {BASE}
        if BASE not in names or len(adapters) != 1:
            return None
        one = adapters.pop()
        return one if mask.supports(self.chat.model, one) else None

    def generate(self, columns: list[Column], settings: GenSettings | None = None, *,
                 min_new_tokens: int = 0) -> list[str]:
        texts = [""] * len(columns)
        for texts in self.stream(columns, settings, min_new_tokens=min_new_tokens):
            pass
        return texts

    def _sequential(self, rows: list[list[int]], names: list[str], settings: GenSettings,
                    min_new_tokens: int, ids: list[list[int]]) -> Iterator[list[str]]:
        done: list[str] = []
        for i, (row, name) in enumerate(zip(rows, names)):
            later = [""] * (len(rows) - i - 1)
            texts = [""]
            for texts in stream_rows(self.chat, [row], settings, adapter=None if name == BASE else name,
                                     min_new_tokens=min_new_tokens, token_ids=ids):
                yield [*done, texts[0], *later]
            done.append(texts[0])

    def _load_adapters(self, columns: list[Column]) -> list[str]:
        """The peft adapter name of each column, loading adapters not yet on the model."""
        names = []
        for col in columns:
            if not col.adapter:
                names.append(BASE)
                continue
            check_adapter(col.adapter, self.model_name)
            name = adapter_name(col.adapter)
            if name not in self.chat.adapters:
                compute.run(self._evict_and_add, name, col.adapter, set(names))
            names.append(name)
        return names

    def _evict_and_add(self, name: str, path: str, keep: set[str]) -> None:
        """On the compute thread, under the model's lock: never change the model under a running generate."""
        with self.chat.lock:
            self._evict(keep=keep)
            self._add(name, path)

    def _evict(self, keep: set[str]) -> None:
        """Drop our oldest adapters beyond MAX_ADAPTERS (a long session of checkpoint picking would
        otherwise keep them all in memory). Adapters the chat tab loaded under its own names stay."""
        ours = [n for n in self.chat.adapters if _OUR_NAME.match(n)]
        for old in ours[: max(0, len(ours) - MAX_ADAPTERS + 1)]:
            if old not in keep:
                with warnings.catch_warnings():  # "adapter was active, now deleted": expected here
                    warnings.simplefilter("ignore", UserWarning)
                    self.chat.model.delete_adapter(old)
                del self.chat.adapters[old]

    def _add(self, name: str, path: str) -> None:
        try:
            self.chat._add(name, path)
        except (OSError, FileNotFoundError) as e:
            raise AdapterError("err_adapter_load_failed", path=path, why=str(e)) from None
        self.chat.model.eval()  # mixed-adapter batches refuse a model in training mode


def adapter_name(path: str) -> str:
    """A peft adapter name for a folder; its weights' mtime is part of it, so an adapter that was
    re-trained in place is loaded afresh instead of the stale copy in memory."""
    folder = Path(path).resolve()
    weights = folder / "adapter_model.safetensors"
    stamp = weights.stat().st_mtime_ns if weights.exists() else 0
    return "a" + hashlib.sha1(f"{folder}|{stamp}".encode()).hexdigest()[:12]


def iter_table(model_name: str, prompts: list[str], columns_kinds: list[str], *,
               settings: GenSettings | None = None, comparer: Comparer | None = None,
               batch_size: int = 8, **kw) -> Iterator[dict]:
    """Every prompt through every column, rows {"prompt", "column", "text"} yielded as each batch ends (and
    "failed": True where an endpoint could not answer: its text then says why).
    Several prompts share one batch (in batched mode), so a probe list runs at batch speed.
    `kw` goes to build_columns (run_id, checkpoint, system_prompt, k, dynamic, notes, train_rows)."""
    comparer = comparer or Comparer(model_name)
    jobs = [(p, col) for p in prompts for col in build_columns(model_name, p, columns_kinds, **kw)]
    size = max(1, batch_size) if comparer.mode == "batched" else 1
    for start in range(0, len(jobs), size):
        chunk = jobs[start:start + size]
        texts = comparer.generate([col for _, col in chunk], settings)
        failed = comparer.last_failed
        yield from ({"prompt": p, "column": col.key, "text": t, **({"failed": True} if i in failed else {})}
                    for i, ((p, col), t) in enumerate(zip(chunk, texts)))


def batch_table(model_name: str, prompts: list[str], columns_kinds: list[str], **kw) -> list[dict]:
    """The batch mode's table: rows {"prompt", "column", "text"}, prompt by prompt (see iter_table)."""
    return list(iter_table(model_name, prompts, columns_kinds, **kw))
