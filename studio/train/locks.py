"""One run per device at a time. The lock is an flock on a file under the data home: the kernel
drops it when the worker dies, however it dies, so the queue always drains."""
from __future__ import annotations

import contextlib
import fcntl
import time
from collections.abc import Callable, Iterator

from studio.paths import studio_home


@contextlib.contextmanager
def device_lock(device: str, enabled: bool = True, poll_s: float = 1.0,
                my_turn: Callable[[], bool] = lambda: True) -> Iterator[None]:
    """Hold the device. my_turn: whether no one queued earlier still waits; an flock alone goes to whichever
    waiter polls first after a release, so a run queued later could overtake (queue.my_turn)."""
    if not enabled:
        yield
        return
    path = studio_home() / "locks"
    path.mkdir(exist_ok=True)
    with (path / f"{device}.lock").open("w") as f:
        while True:
            try:
                if my_turn():
                    fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
            except BlockingIOError:
                pass
            time.sleep(poll_s)  # queued: another run holds the device, or waits for it since earlier
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def device_busy(device: str) -> bool:
    path = studio_home() / "locks" / f"{device}.lock"
    if not path.exists():
        return False
    with path.open("w") as f:
        try:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(f, fcntl.LOCK_UN)
        return False
