"""One thread for the app's model work: loading, answers, losses, embeddings.

torch runs its CPU operators on an OpenMP team that belongs to the thread calling them. When several
threads of one process call torch (a new thread per answer, the UI's worker threads, the main thread
that loaded the model), each gets its own team; once libgomp manages more threads than there are
cores, it stops spinning and puts idle threads to sleep, and each of the thousands of small operators
of a decode step then waits for its team to wake. On a 2-core CPU that made every answer ~2.5x
slower for the rest of the process. All model work here runs on one long-lived thread instead."""
from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")
NAME = "studio-compute"
_POOL = ThreadPoolExecutor(max_workers=1, thread_name_prefix=NAME)


def on_compute_thread() -> bool:
    return threading.current_thread().name.startswith(NAME)


def run(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """fn(*args, **kwargs) on the compute thread, waited for (called directly when already on it).
    Callers must not hold a lock that a queued job takes, or the two wait on each other."""
    if on_compute_thread():
        return fn(*args, **kwargs)
    return _POOL.submit(fn, *args, **kwargs).result()


def submit(fn: Callable[..., T], *args: Any, **kwargs: Any) -> Future:
    """Queue fn on the compute thread; the caller reads its progress elsewhere (a streamer's queue)."""
    return _POOL.submit(fn, *args, **kwargs)


def submit_beside(fn: Callable[..., T], *args: Any, **kwargs: Any) -> Future:
    """submit(), except from the compute thread itself (a job that streams an answer): there a queued job
    would wait for its own caller forever, so it runs on a thread of its own."""
    if not on_compute_thread():
        return submit(fn, *args, **kwargs)
    future: Future = Future()

    def work() -> None:
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as e:  # noqa: BLE001 - handed to the caller through the future
            future.set_exception(e)

    threading.Thread(target=work, daemon=True, name="studio-beside").start()
    return future
