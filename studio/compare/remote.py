"""The endpoint columns of one Compare stream: each asked on a thread of its own as the stream starts, so the
network's wait overlaps the local model's generation, its answer streamed token by token as the endpoint sends
it. One that fails (no key, down, a timeout, a reply that is not the API's) shows "⚠ why" in its own column,
in the UI's language; the other columns are not touched."""
from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor

from studio.chat import GenSettings
from studio.compare.columns import Column
from studio.endpoints import client, store
from studio.text import said

MAX_THREADS = 8
"""Endpoint calls in flight at once for one stream (a batch of prompts x columns): a local server serves a
few at a time anyway, and a hosted one limits the rate."""
FAILED = "⚠ "
"""How a column that could not answer begins: Compare's chat drops such turns from a column's history."""
TICK_S = 0.25
"""The longest the merged texts wait for news while endpoints are still out (a missed wake-up costs this)."""


def answer(column: Column, settings: GenSettings) -> Iterator[str]:
    """The endpoint's answer to the column's prompt so far: greedy where the settings are, sampled with their
    seed where not."""
    endpoint = store.get(column.endpoint)
    sampled = settings.temperature > 0
    return client.stream(endpoint, column.messages, max_tokens=int(settings.max_new_tokens),
                         temperature=float(settings.temperature), seed=int(settings.seed) if sampled else None)


class Remote:
    """The endpoint answers of a list of columns, merged with the local columns' texts as they stream."""

    def __init__(self, columns: list[Column], settings: GenSettings, lang: str | None):
        self.lang = lang
        self.local = [i for i, c in enumerate(columns) if not c.endpoint]
        self.texts = [""] * len(columns)
        self.failed: dict[int, Exception] = {}
        self._live: dict[int, str] = {}
        """Each endpoint column's text so far, written by its thread."""
        self._news = threading.Event()
        slots = [i for i, c in enumerate(columns) if c.endpoint]
        pool = ThreadPoolExecutor(max_workers=min(MAX_THREADS, len(slots)), thread_name_prefix="endpoint")
        self._futures: dict[int, Future] = {i: pool.submit(self._follow, i, columns[i], settings) for i in slots}
        for future in self._futures.values():
            future.add_done_callback(lambda _: self._news.set())
        pool.shutdown(wait=False)  # the calls run to their end (or their timeout); nothing more is submitted
        self._settled: set[int] = set()

    def _follow(self, i: int, column: Column, settings: GenSettings) -> str:
        """On the column's thread: its text as it grows, then the whole answer as the future's result."""
        text = ""
        for text in answer(column, settings):
            self._live[i] = text
            self._news.set()
        return text

    def merge(self, local_texts: list[str]) -> list[str]:
        """Every column's text so far: the local ones given, the endpoints' as far as they have come."""
        for i, text in zip(self.local, local_texts):
            self.texts[i] = text
        for i, future in self._futures.items():
            if future.done() and i not in self._settled:
                self._settled.add(i)
                self.texts[i] = self._text(i, future)
            elif i not in self._settled:
                self.texts[i] = self._live.get(i, "")
        return list(self.texts)

    def _text(self, i: int, future: Future) -> str:
        try:
            return future.result()
        except (ValueError, KeyError, OSError) as e:  # EndpointError is a ValueError: said in place
            self.failed[i] = e
            return FAILED + said(self.lang, e)

    def waiting(self) -> Iterator[None]:
        """Yields as an endpoint still out sends more or ends, until none is left."""
        while any(not f.done() for f in self._futures.values()):
            self._news.wait(TICK_S)
            self._news.clear()
            yield

    def spread(self, local_ids: list[list[int]]) -> list[list[int]]:
        """The local columns' token ids in the places of all columns (an endpoint's: none)."""
        out: list[list[int]] = [[] for _ in self.texts]
        for i, ids in zip(self.local, local_ids):
            out[i] = ids
        return out
