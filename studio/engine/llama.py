"""llama.cpp's side of an answer, through llama-cpp-python's low-level API: one model per base GGUF (memory
mapped, loaded once), its LoRA GGUFs loaded once each, one context reused across calls.

The studio's own prompt ids go in (so both engines see identical prompts) and tokens come out one step at a
time; the logits are turned into tokens by studio.engine.sampling, the torch path's rules. llama.cpp applies
adapters per context, not per sequence: rows that share an adapter decode together (one batch, several
sequences), and groups with different adapters take turns every token, so all columns stream together."""
from __future__ import annotations

import ctypes
import functools
import logging
import os
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from studio.engine import EngineError
from studio.engine.sampling import Sampler

CTX_ROUND = 256
MAX_CTX = 32768
_BASES: dict[str, Base] = {}
_BASES_LOCK = threading.Lock()


def lib() -> Any:
    """llama_cpp's ctypes bindings, quiet: its log lines would otherwise fill the terminal at every load."""
    import llama_cpp

    logging.getLogger("llama-cpp-python").setLevel(logging.ERROR)
    _errors_only(llama_cpp)
    return llama_cpp


_LOG_ERROR, _LOG_CONT = 4, 5
"""ggml's log levels (ggml.h: none, debug, info, warn, error, cont): an error, and the continuation of the line
before. llama-cpp-python's own callback still reads them as they were before ggml added debug, so it prints
warnings as errors."""


@functools.cache
def _errors_only(llama: Any) -> Any:
    """llama.cpp's log callback, errors only: through llama-cpp-python's own, the warnings of every model load
    reached the terminal ("control-looking token", "using full-size SWA cache"), and a user reads them as faults.
    The callback is kept (cached) for as long as the process, as llama.cpp holds on to it."""
    last = [0]

    @llama.llama_log_callback
    def callback(level: int, text: bytes, user_data: Any) -> None:
        last[0] = last[0] if level == _LOG_CONT else level
        if last[0] == _LOG_ERROR:
            sys.stderr.write(text.decode("utf-8", errors="replace"))

    llama.llama_log_set(callback, ctypes.c_void_p(0))
    return callback


def threads() -> int:
    """One thread per core this process may use (llama.cpp slows down past the physical cores)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


class Base:
    """A base GGUF loaded (mmap), its adapters, and one context; `lock` holds one decode at a time."""

    def __init__(self, path: Path):
        llama = lib()
        llama.llama_backend_init()
        params = llama.llama_model_default_params()
        params.use_mmap = True
        self.path = path
        self.model = llama.llama_model_load_from_file(str(path).encode(), params)
        if not self.model:
            raise EngineError("err_engine_load", path=str(path))
        self.n_vocab = llama.llama_vocab_n_tokens(llama.llama_model_get_vocab(self.model))
        self.n_ctx_train = llama.llama_model_n_ctx_train(self.model)
        self.adapters: dict[str, Any] = {}
        self.ctx: Any = None
        self.shape = (0, 0)
        self.lock = threading.Lock()

    def adapter(self, path: Path) -> Any:
        """The LoRA GGUF loaded once (a changed adapter has a new file name: studio.engine.weights)."""
        key = str(path)
        if key not in self.adapters:
            found = lib().llama_adapter_lora_init(self.model, key.encode())
            if not found:
                raise EngineError("err_engine_adapter", path=key)
            self.adapters[key] = found
        return self.adapters[key]

    def context(self, n_ctx: int, n_seq: int) -> Any:
        """A context for n_seq sequences sharing n_ctx cells (kv_unified: a short prompt leaves room to a
        long one), made again only when a call needs more than the last one had."""
        if self.ctx is not None and self.shape[0] >= n_ctx and self.shape[1] >= n_seq:
            return self.ctx
        llama = lib()
        if self.ctx is not None:
            llama.llama_free(self.ctx)
            self.ctx = None
        n_ctx = min(max(n_ctx, self.shape[0]), self.n_ctx_train or MAX_CTX, MAX_CTX)
        n_seq = max(n_seq, self.shape[1])
        params = llama.llama_context_default_params()
        params.n_ctx = n_ctx
        params.n_batch = params.n_ubatch = 512
        params.n_seq_max = n_seq
        params.n_threads = params.n_threads_batch = threads()
        params.kv_unified = True
        params.no_perf = True
        self.ctx = llama.llama_init_from_model(self.model, params)
        if not self.ctx:
            raise EngineError("err_engine_context", tokens=n_ctx)
        self.shape = (n_ctx, n_seq)
        return self.ctx


def forget_adapter(gguf: Path, adapter: Path) -> None:
    """Free an adapter the base no longer needs (GRPO writes one a step; each would stay loaded otherwise)."""
    with _BASES_LOCK:
        held = _BASES.get(str(gguf))
    if held is None:
        return
    with held.lock:
        found = held.adapters.pop(str(adapter), None)
        if found is not None:
            if held.ctx is not None:  # the context may still point at it: it takes none until the next decode
                lib().llama_set_adapters_lora(held.ctx, None, 0, None)
            lib().llama_adapter_lora_free(found)


def base(path: Path) -> Base:
    """The loaded base of a GGUF file, shared by every caller (one copy of the weights per base)."""
    with _BASES_LOCK:
        key = str(path)
        if key not in _BASES:
            _BASES[key] = Base(path)
        return _BASES[key]


@dataclass
class Job:
    """One call: the rows' prompt ids, each row's adapter GGUF (None: the base), and how to stop."""

    rows: list[list[int]]
    adapters: list[Path | None]
    settings: Any
    """A studio.chat.GenSettings (duck-typed: this layer sits below chat)."""
    eos_ids: set[int]
    on_step: Callable[[list[int]], None]
    """Gets every step's new token of each row (a finished row gets its last eos again)."""
    finished: Callable[[int], bool] = lambda row: False
    """A row the caller has seen end (a stop string in its text)."""
    cancel: threading.Event = field(default_factory=threading.Event)
    min_new_tokens: int = 0
    top_k: int = 0
    logits_bf16: bool = False
    """Round the logits to bf16 before choosing (the torch path answers in bf16: see sampling.Sampler)."""


def generate(gguf: Path, job: Job) -> list[list[int]]:
    """Decode every row of the job; each row's new token ids (eos excluded)."""
    held = base(gguf)
    with held.lock:
        return _Decode(held, job).run()


class _Decode:
    def __init__(self, held: Base, job: Job):
        self.held, self.job, self.llama = held, job, lib()
        n_new = int(job.settings.max_new_tokens)
        need = sum(len(r) + n_new for r in job.rows)
        if any(len(r) + n_new > (held.n_ctx_train or MAX_CTX) for r in job.rows) or need > MAX_CTX:
            raise EngineError("err_engine_context", tokens=need)
        self.ctx = held.context(-(-need // CTX_ROUND) * CTX_ROUND, len(job.rows))
        self.llama.llama_memory_clear(self.llama.llama_get_memory(self.ctx), True)
        self.samplers = [Sampler(job.settings, seed_offset=i, eos_ids=job.eos_ids, min_new=job.min_new_tokens,
                                 top_k=job.top_k, history=r, logits_bf16=job.logits_bf16)
                         for i, r in enumerate(job.rows)]
        self.pos = [len(r) for r in job.rows]
        self.out: list[list[int]] = [[] for _ in job.rows]
        self.done = [False] * len(job.rows)
        self.groups = _groups(job.adapters)

    def run(self) -> list[list[int]]:
        batch = self.llama.llama_batch_init(512, 0, 1)
        try:
            self.batch = batch
            logits = self._prefill()
            for step in range(int(self.job.settings.max_new_tokens)):
                tokens = self._sample(logits, step)
                self.job.on_step(tokens)
                self._mark_done(tokens)
                if all(self.done) or self.job.cancel.is_set() or step + 1 == self.job.settings.max_new_tokens:
                    break
                logits = self._advance(tokens)
        finally:
            self.llama.llama_batch_free(batch)
        return self.out

    def _prefill(self) -> dict[int, Any]:
        logits: dict[int, Any] = {}
        for adapter, rows in self.groups:
            self._use(adapter)
            items = [(row, pos, tok) for row in rows for pos, tok in enumerate(self.job.rows[row])]
            logits.update(self._feed(items))
        return logits

    def _advance(self, tokens: list[int]) -> dict[int, Any]:
        logits: dict[int, Any] = {}
        for adapter, rows in self.groups:
            live = [row for row in rows if not self.done[row]]
            if not live:
                continue
            self._use(adapter)
            logits.update(self._feed([(row, self.pos[row], tokens[row]) for row in live]))
            for row in live:
                self.pos[row] += 1
        return logits

    def _sample(self, logits: dict[int, Any], step: int) -> list[int]:
        tokens = []
        for row, sampler in enumerate(self.samplers):
            if self.done[row]:
                tokens.append(self.out[row][-1] if self.out[row] else next(iter(self.job.eos_ids), 0))
                continue
            token = sampler.next(logits[row], step)
            tokens.append(token)
        return tokens

    def _mark_done(self, tokens: list[int]) -> None:
        for row, token in enumerate(tokens):
            if self.done[row]:
                continue
            if token in self.job.eos_ids:
                self.done[row] = True
            else:
                self.out[row].append(token)
                self.samplers[row].seen(token)
                self.done[row] = self.job.finished(row)

    def _use(self, adapter: Path | None) -> None:
        """The context's adapter for the next decode (llama.cpp changes it only when it differs)."""
        llama = self.llama
        if adapter is None:
            llama.llama_set_adapters_lora(self.ctx, None, 0, None)
            return
        arr = (llama.llama_adapter_lora_p_ctypes * 1)(self.held.adapter(adapter))
        scales = (ctypes.c_float * 1)(1.0)
        llama.llama_set_adapters_lora(self.ctx, arr, 1, scales)

    def _feed(self, items: list[tuple[int, int, int]]) -> dict[int, Any]:
        """Decode (row, position, token) items in chunks of the batch size; the logits after each row's
        last item."""
        import numpy as np

        last = {row: i for i, (row, _, _) in enumerate(items)}
        out: dict[int, Any] = {}
        for start in range(0, len(items), 512):
            chunk = items[start:start + 512]
            b = self.batch
            b.n_tokens = len(chunk)
            for j, (row, pos, tok) in enumerate(chunk):
                b.token[j], b.pos[j], b.n_seq_id[j] = tok, pos, 1
                b.seq_id[j][0] = row
                b.logits[j] = last[row] == start + j
            if self.llama.llama_decode(self.ctx, b) != 0:
                raise EngineError("err_engine_decode", tokens=len(chunk))
            for j, (row, _, _) in enumerate(chunk):
                if last[row] == start + j:
                    ptr = self.llama.llama_get_logits_ith(self.ctx, j)
                    out[row] = np.ctypeslib.as_array(ptr, shape=(self.held.n_vocab,)).copy()
        return out


def _groups(adapters: list[Path | None]) -> list[tuple[Path | None, list[int]]]:
    """Rows by adapter, in first-seen order: each group decodes as one batch."""
    groups: dict[Path | None, list[int]] = {}
    for row, adapter in enumerate(adapters):
        groups.setdefault(adapter, []).append(row)
    return list(groups.items())
