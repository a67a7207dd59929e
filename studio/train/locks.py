"""One run per device at a time. The lock is an flock on a file under the data home: the kernel
drops it when the worker dies, however it dies, so the queue always drains."""
from __future__ import annotations

import contextlib
import fcntl
import time
from collections.abc import Iterator

from studio.paths import studio_home


@contextlib.contextmanager
def device_lock(device: str, enabled: bool = True, poll_s: float = 1.0) -> Iterator[None]:
    if not enabled:
        yield
        return
    path = studio_home() / "locks"
    path.mkdir(exist_ok=True)
    with (path / f"{device}.lock").open("w") as f:
        while True:
            try:
                fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                time.sleep(poll_s)  # queued: another run holds the device
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
