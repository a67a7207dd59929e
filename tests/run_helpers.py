"""What the training tests share: waiting for a run's status to reach a state."""
from __future__ import annotations

import time

from studio import runs


def wait_for(run: runs.Run, pred, timeout: float = 120.0) -> runs.RunStatus:
    """Poll the run's reconciled status until pred(status) holds; fail with its log after timeout."""
    t0 = time.time()
    while time.time() - t0 < timeout:
        st = runs.reconcile(run)
        if pred(st):
            return st
        time.sleep(0.05)
    raise AssertionError(f"timed out; last status {run.status()}\n{run.log_tail()}")
