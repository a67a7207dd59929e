"""Who waits for whom. A device trains one run at a time (locks.py); a queued run waits behind the run that
holds the device, and queued runs take it in the order they joined the queue (RunStatus.queued_at), so the
place the Train step shows is the place the run really has."""
from __future__ import annotations

from dataclasses import dataclass

import yaml

from studio import runs
from studio.config import RunConfig
from studio.runs import Run, RunStatus

HOLDING = ("running", "stopping")
"""States of a run whose worker holds its device's lock."""


@dataclass
class Place:
    """Where a queued run stands: the run it waits behind (the one on its device, else the first queued before
    it; None when none) and its place in the queue (1: it takes the device next)."""

    holder: Run | None
    holder_status: RunStatus | None
    place: int


def same_device(a: str, b: str) -> bool:
    """A device is only known once the worker has resolved it ("auto"): an unknown one may be either."""
    return not a or not b or a == b


def _order(run: Run, st: RunStatus) -> tuple[float, str]:
    return (st.queued_at or st.updated_at, run.id)  # the id breaks a tie: every worker sees the same order


def _active() -> list[tuple[Run, RunStatus]]:
    """Active runs with their true state (a dead worker's run is failed, and waits for nothing)."""
    out = []
    for run in runs.all_runs():
        try:
            if run.status().active:  # the cheap read first: reconcile looks at the process too
                out.append((run, runs.reconcile(run)))
        except (OSError, ValueError):  # a run deleted or half-written meanwhile is in no queue
            continue
    return [(run, st) for run, st in out if st.active]


def place(run: Run) -> Place:
    me = run.status()
    mine = [(other, st) for other, st in _active() if other.id != run.id and same_device(me.device, st.device)]
    holding = [(other, st) for other, st in mine if st.state in HOLDING]
    ahead = sorted(((other, st) for other, st in mine if st.state == "queued" and _order(other, st) < _order(run, me)),
                   key=lambda pair: _order(*pair))
    behind = (holding or ahead or [(None, None)])[0]
    return Place(behind[0], behind[1], len(ahead) + 1)


def my_turn(run: Run) -> bool:
    """For the worker: no run queued before this one still waits for the device."""
    return place(run).place == 1


def twin(cfg: RunConfig) -> Run | None:
    """An active run of this setup, queued or training: Start asks before it makes a second."""
    wanted = setup(cfg)
    for run, st in _active():
        if st.state == "stopping":  # the user is ending it: starting the setup again is no double click
            continue
        try:
            if setup(run.config()) == wanted:
                return run
        except (OSError, ValueError):  # an unreadable config is no twin of anything
            continue
    return None


def setup(cfg: RunConfig) -> dict:
    """What makes two runs the same: the whole config but its name (a name changes the folder, not the
    training), as config.yaml keeps it, so a saved config equals the one about to start."""
    same = yaml.safe_load(cfg.to_yaml())
    same.pop("name", None)
    return same
