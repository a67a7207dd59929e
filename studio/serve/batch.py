"""The one thread that answers. Requests wait in a queue; the thread takes the oldest and every waiting
request it can answer in the same engine call — the same base model and the same sampling settings, any
adapters (Compare's side-by-side batch: the base and one adapter through a per-row LoRA scale, several
adapters through peft's per-row routing) — and streams each its own rows. Adapters never mix: each row
names its adapter, and one engine call at a time runs on the shared weights (the engine's compute thread
and the model's lock).

A request sampled with its own seed is answered alone: in a batch its random draws would depend on its
neighbours, and the same seed must give the same answer."""
from __future__ import annotations

import secrets
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from studio.chat import ChatModel, GenSettings
from studio.compare.engine import Column, Comparer
from studio.compare.stream import hold_back

MAX_ROWS = 8
"""Rows (choices) in one engine call: more waits for the next."""
STREAM_EVERY_S = 0.04
"""The longest a stream holds new text back (a row's first text goes at once): the server and its client wake
~25 times a second instead of at every token, because on a CPU their work per chunk takes the cores from the
engine's threads (chunks at every token: one stream at 0.86-0.92x Compare's speed on llama.cpp, two cores)."""
GATHER_S = 0.02
"""How long the thread waits after a request arrives for the others sent with it (a client's four
parallel calls reach the server a few milliseconds apart)."""


@dataclass
class Progress:
    texts: list[str]
    """Each choice's text so far."""


@dataclass
class Done:
    texts: list[str]
    tokens: list[int]
    """Tokens generated per choice."""
    finish: list[str]
    """"stop" (an end of answer, a stop string) or "length" (max_tokens reached), per choice."""


@dataclass
class Failed:
    error: BaseException


Update = Progress | Done | Failed


@dataclass(eq=False)
class Job:
    """One request: its prompt for one model (a base, or a base and a run's adapter), n choices."""

    base: str
    chat: ChatModel
    adapter: str | None
    prompt: str
    settings: GenSettings
    post: Callable[[Update], None]
    """Called on the batch thread with each update (the server hands it to its event loop)."""
    n: int = 1
    stops: list[str] = field(default_factory=list)
    seeded: bool = False
    cancelled: threading.Event = field(default_factory=threading.Event)
    """Set when the client has gone: its rows are no longer waited for."""

    def key(self) -> tuple:
        """Requests with equal keys share one engine call."""
        s = self.settings
        sampling = (s.temperature, s.top_p) if s.temperature > 0 else (0.0,)
        return (self.base, id(self.chat), s.max_new_tokens, s.repetition_penalty, *sampling,
                id(self) if self.seeded else None)


class Pace:
    """When a stream's next snapshot goes out: at once for a row's first text, then every STREAM_EVERY_S."""

    def __init__(self, every: float = STREAM_EVERY_S):
        self.every, self.last, self.started = every, float("-inf"), set[int]()

    def due(self, texts: list[str]) -> bool:
        new = {i for i, text in enumerate(texts) if text} - self.started
        now = time.monotonic()
        if not new and now - self.last < self.every:
            return False
        self.started |= new
        self.last = now
        return True


class Cut:
    """One choice's text cut at the request's own stop strings (the engine stops at the model's): what the
    client may see so far, never text that a stop string would take back."""

    def __init__(self, stops: list[str]):
        self.stops, self.text, self.stopped = stops, "", False

    def see(self, text: str, final: bool = False) -> str:
        if self.stopped:
            return self.text
        hits = [i for i in (text.find(s) for s in self.stops) if i >= 0]
        if hits:
            self.text, self.stopped = text[:min(hits)], True
        else:
            self.text = text if final else hold_back(text, self.stops)
        return self.text


class Batcher:
    """The answering thread and its queue."""

    def __init__(self, max_rows: int = MAX_ROWS, gather_s: float = GATHER_S, stream_every_s: float = STREAM_EVERY_S):
        self.max_rows, self.gather_s, self.stream_every_s = max_rows, gather_s, stream_every_s
        self.sizes: list[int] = []
        """Rows per engine call so far (tests and the bench read how requests were grouped)."""
        self._waiting: deque[Job] = deque()
        self._cv = threading.Condition()
        self._closed = False
        self._thread = threading.Thread(target=self._loop, name="studio-serve-batch", daemon=True)
        self._thread.start()

    def submit(self, job: Job) -> None:
        with self._cv:
            self._waiting.append(job)
            self._cv.notify()

    def close(self) -> None:
        with self._cv:
            self._closed = True
            self._cv.notify()
        self._thread.join(timeout=30)

    def _loop(self) -> None:
        while batch := self._next():
            run_batch(batch, self.sizes, self.stream_every_s)

    def _next(self) -> list[Job]:
        with self._cv:
            while not self._waiting and not self._closed:
                self._cv.wait()
            if self._closed:
                return []
        time.sleep(self.gather_s)
        with self._cv:
            return self._take()

    def _take(self) -> list[Job]:
        """The oldest waiting request and every later one it can share an engine call with."""
        key, batch, rows = self._waiting[0].key(), [], 0
        for job in list(self._waiting):
            if job.cancelled.is_set():
                self._waiting.remove(job)
            elif job.key() == key and (not batch or rows + job.n <= self.max_rows):
                self._waiting.remove(job)
                batch.append(job)
                rows += job.n
        return batch


def run_batch(batch: list[Job], sizes: list[int], stream_every_s: float = STREAM_EVERY_S) -> None:
    """Answer the batch; every request gets its Done, or the error that stopped the call."""
    try:
        if batch:
            sizes.append(sum(job.n for job in batch))
            answer(batch, stream_every_s)
    except Exception as e:  # noqa: BLE001 - said to each client; the thread answers the next batch
        for job in batch:
            job.post(Failed(e))


def answer(batch: list[Job], stream_every_s: float = STREAM_EVERY_S) -> None:
    first = batch[0]
    settings = first.settings if first.seeded else replace(first.settings, seed=secrets.randbelow(2**31))
    rows = [(job, Column(f"row{i}", "", job.adapter, [{"role": "user", "content": job.prompt}], raw=True))
            for job in batch for i in range(job.n)]
    cuts = [Cut(job.stops) for job, _ in rows]
    comparer = Comparer(first.base, chat=first.chat)
    texts: list[str] = [""] * len(rows)
    stream = comparer.stream([column for _, column in rows], settings)
    pace = Pace(stream_every_s)
    try:
        for texts in stream:
            shown = [cut.see(text) for cut, text in zip(cuts, texts)]
            if pace.due(shown):
                _publish(batch, rows, shown)
            if all(cut.stopped or job.cancelled.is_set() for cut, (job, _) in zip(cuts, rows)):
                break  # every row is cut or unread: the engine stops (closing its stream cancels the call)
    finally:
        stream.close()
    finals = [cut.see(text, final=True) for cut, text in zip(cuts, texts)]
    ids = comparer.last_token_ids if len(comparer.last_token_ids) == len(rows) else None
    for job in batch:
        mine = [i for i, (owner, _) in enumerate(rows) if owner is job]
        tokens = [_count(first.chat, finals[i], ids[i] if ids and not cuts[i].stopped else None) for i in mine]
        finish = ["length" if t >= settings.max_new_tokens and not cuts[i].stopped else "stop"
                  for t, i in zip(tokens, mine)]
        job.post(Done([finals[i] for i in mine], tokens, finish))


def _publish(batch: list[Job], rows: list[tuple[Job, Column]], texts: list[str]) -> None:
    for job in batch:
        if not job.cancelled.is_set():
            job.post(Progress([text for (owner, _), text in zip(rows, texts) if owner is job]))


def _count(model: ChatModel, text: str, ids: list[int] | None) -> int:
    """The tokens a choice took: the engine's count, or (an answer cut at a client's stop) its text's."""
    if ids is not None:
        return len(ids)
    return len(model.tokenizer(text, add_special_tokens=False)["input_ids"]) if text else 0
