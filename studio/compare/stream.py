"""Streaming several answers at once out of one `generate` call.

transformers' TextIteratorStreamer refuses batches; ours receives the new token of every row each
step, decodes each row on its own, and stops showing a row at its end-of-sequence token or stop
string (generate keeps computing finished rows, padding them, until the last row is done)."""
from __future__ import annotations

import queue
import threading
from collections.abc import Iterator
from typing import Any

from studio.chat import GenSettings, check_fits, clean, eos_ids
from studio.compare.mask import row_scaling
from studio.engine import choose as engine_choose
from studio.engine.choose import Choice
from studio.engine.llama import Job
from studio.models import compute, hf

_END = object()


class RowsStreamer:
    """Texts so far, one per row, published to a queue after every step. It speaks the protocol
    `generate(streamer=...)` calls (put, end), so this module needs no transformers import."""

    def __init__(self, tokenizer, n_rows: int, stop_strings: list[str], eos_ids: set[int]):
        self.tokenizer = tokenizer
        self.stop_strings = stop_strings
        self.eos_ids = eos_ids
        self.ids: list[list[int]] = [[] for _ in range(n_rows)]
        self.texts = [""] * n_rows
        self.done = [False] * n_rows
        self.queue: queue.Queue = queue.Queue()
        self._prompt_seen = False

    def put(self, value) -> None:
        if not self._prompt_seen:  # generate first hands over the prompt ids: not part of the answer
            self._prompt_seen = True
            return
        self.step(value.reshape(-1).tolist())

    def step(self, tokens: list[int]) -> None:
        """Every row's new token of one step (llama.cpp's engine calls this directly)."""
        for row, token in enumerate(tokens):
            if not self.done[row]:
                self._add(row, int(token))
        self.queue.put(list(self.texts))

    def _add(self, row: int, token: int) -> None:
        if token in self.eos_ids:
            self.done[row] = True
            return
        self.ids[row].append(token)
        # decode the whole row each time: a byte-level token may end mid-character (Japanese), and
        # "\ufffd" is shown only until the next token completes it
        text = self.tokenizer.decode(self.ids[row], skip_special_tokens=True)
        if any(stop in text for stop in self.stop_strings):
            self.done[row] = True  # generate stops this row too (stop_strings), maybe a token later
        else:
            text = hold_back(text, self.stop_strings)
        self.texts[row] = clean(text, self.stop_strings).rstrip("\ufffd")

    def end(self) -> None:
        self.queue.put(_END)

    def final(self) -> list[str]:
        return [clean(self.tokenizer.decode(ids, skip_special_tokens=True), self.stop_strings)
                for ids in self.ids]


def hold_back(text: str, stop_strings: list[str]) -> str:
    r"""Hide an ending that may be the start of a stop string ("\nQ" of "\nQ:"), so that a column
    never shows text that disappears a token later."""
    for stop in stop_strings:
        for n in range(len(stop) - 1, 0, -1):
            if text.endswith(stop[:n]):
                return text[:-n]
    return text


class _Cancel:
    """A stopping criterion that ends generation when the reader has gone (UI: clear, regenerate)."""

    def __init__(self, event: threading.Event):
        self.event = event

    def __call__(self, input_ids, scores, **kwargs):
        import torch

        return torch.full((input_ids.shape[0],), self.event.is_set(), dtype=torch.bool,
                          device=input_ids.device)


def left_padded(rows: list[list[int]], pad_id: int, device) -> dict[str, Any]:
    """Prompts of different lengths in one batch: pad on the left, so every row's next token is last."""
    import torch

    width = max(len(r) for r in rows)
    ids = torch.full((len(rows), width), pad_id, dtype=torch.long)
    mask = torch.zeros((len(rows), width), dtype=torch.long)
    for i, r in enumerate(rows):
        ids[i, width - len(r):] = torch.tensor(r, dtype=torch.long)
        mask[i, width - len(r):] = 1
    return {"input_ids": ids.to(device), "attention_mask": mask.to(device)}


def gen_kwargs(chat, settings: GenSettings, min_new_tokens: int = 0) -> dict[str, Any]:
    kw = settings.kwargs()
    kw["pad_token_id"] = chat.tokenizer.pad_token_id
    if min_new_tokens:
        kw["min_new_tokens"] = int(min_new_tokens)  # benchmarks: every row runs the full length
    if chat.stop_strings:
        kw.update(stop_strings=chat.stop_strings, tokenizer=chat.tokenizer)
    return kw


def stream_rows(chat, rows: list[list[int]], settings: GenSettings, *, adapter_names: list[str] | None = None,
                adapter: str | None = None, min_new_tokens: int = 0,
                token_ids: list[list[int]] | None = None,
                row_mask: list[bool] | None = None) -> Iterator[list[str]]:
    """Generate every row in one batch; yield the texts so far (the latest only, when the reader is
    slower than the model) and finally the cleaned answers. Either `adapter_names` (a PEFT
    mixed-adapter batch, one name per row) or `adapter` (one adapter, None = base, for all rows; with
    `row_mask`, only on the rows marked True — see studio.compare.mask).
    `token_ids`, when given, receives each row's answer ids (EOS excluded) once generation ends."""
    (StoppingCriteriaList,) = hf.classes("StoppingCriteriaList")

    check_fits(chat.model, max(map(len, rows)), settings)  # over the context: say so, do not grind
    streamer = RowsStreamer(chat.tokenizer, len(rows), chat.stop_strings, eos_ids(chat))
    cancel = threading.Event()
    kw = {**left_padded(rows, chat.tokenizer.pad_token_id, chat.model.device),
          **gen_kwargs(chat, settings, min_new_tokens), "streamer": streamer,
          "stopping_criteria": StoppingCriteriaList([_Cancel(cancel)])}
    if adapter_names is not None:
        kw["adapter_names"] = adapter_names
    errors: list[BaseException] = []
    done = compute.submit_beside(_run, chat, kw, settings.seed, adapter, errors, row_mask)
    try:
        yield from _drain(streamer.queue)
    finally:
        cancel.set()  # the reader stopped early (or finished): let the worker end
        done.result()
    if errors:
        raise errors[0]
    if token_ids is not None:
        token_ids.extend(streamer.ids)
    yield streamer.final()


def stream_llama(chat, choice: Choice, rows: list[list[int]], adapters: list[str | None], settings: GenSettings, *,
                 min_new_tokens: int = 0, token_ids: list[list[int]] | None = None) -> Iterator[list[str]]:
    """stream_rows' contract answered by llama.cpp (studio.engine): the same prompt ids, stopping rules and
    streaming, each row with its adapter folder (None: the base)."""
    check_fits(chat, max(map(len, rows)), settings)
    ends = eos_ids(chat)
    streamer = RowsStreamer(chat.tokenizer, len(rows), chat.stop_strings, ends)
    streamer._prompt_seen = True
    job = Job(rows, list(adapters), settings, ends, on_step=streamer.step,
              finished=lambda row: streamer.done[row], min_new_tokens=min_new_tokens, top_k=_top_k(chat, settings))
    errors: list[BaseException] = []
    # On the compute thread, as torch's answers: llama.cpp's ggml runs its threads as an OpenMP team of the
    # calling thread, and a second team beside torch's puts libgomp past the cores, where it stops spinning
    # and every operator waits for its threads to wake (measured: 16 ms a decode step instead of 10).
    done = compute.submit_beside(_run_llama, chat.name, choice, job, streamer, errors)
    try:
        yield from _drain(streamer.queue)
    finally:
        job.cancel.set()
        done.result()
    if errors:
        raise errors[0]
    if token_ids is not None:
        token_ids.extend(streamer.ids)
    yield streamer.final()


def _top_k(chat, settings: GenSettings) -> int:
    """transformers samples from the top 50 unless the model's generation config says otherwise."""
    if settings.temperature <= 0:
        return 0
    found = getattr(chat.generation_config, "top_k", 50)
    return 50 if found is None else int(found)


def _run_llama(model_name: str, choice: Choice, job: Job, streamer: RowsStreamer, errors: list) -> None:
    try:
        engine_choose.decode(model_name, choice, job)
    except BaseException as e:  # noqa: BLE001 - re-raised in the reader's thread
        errors.append(e)
    finally:
        streamer.end()


def _drain(q: queue.Queue) -> Iterator[list[str]]:
    while True:
        item = q.get()
        while not q.empty() and item is not _END:  # skip stale snapshots: show the newest
            nxt = q.get_nowait()
            if nxt is _END:
                yield item
                return
            item = nxt
        if item is _END:
            return
        yield item


def _run(chat, kw: dict, seed: int, adapter: str | None, errors: list, row_mask: list[bool] | None) -> None:
    import torch

    try:
        mixed = "adapter_names" in kw  # per-row adapters: leave them all enabled
        with chat.lock, torch.inference_mode(), adapter_context(chat, adapter, mixed, row_mask):
            torch.manual_seed(seed)
            chat.model.generate(**kw)
    except BaseException as e:  # noqa: BLE001 - re-raised in the reader's thread
        errors.append(e)
    finally:
        kw["streamer"].end()


def adapter_context(chat, adapter: str | None, mixed: bool = False, row_mask: list[bool] | None = None):
    """The named adapter active, or the base model (adapters bypassed) when adapter is None. A mixed
    batch must not disable the adapters: its per-row adapter_names pick them."""
    import contextlib

    if row_mask is not None and adapter is not None:
        return row_scaling(chat.model, adapter, row_mask)
    if mixed:
        return contextlib.nullcontext()
    if adapter is not None:
        chat.model.set_adapter(adapter)
        return contextlib.nullcontext()
    return chat.model.disable_adapter() if chat.adapters else contextlib.nullcontext()
