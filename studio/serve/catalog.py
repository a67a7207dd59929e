"""Which models `studio serve` answers for: each finished run (by its run id, its title as the readable
name) and each base model (the embedded ones, which work offline, and the base of every served run).
A request's `model` is looked up among these ids only: no id is ever read as a path."""
from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from studio import runs
from studio.models import EMBEDDED, ModelError, resolve
from studio.serve import ApiError, ServeError
from studio.train.data import is_text_run

OWNER = "katachi-studio"
KNOWN_FOR_S = 2.0


@dataclass(frozen=True)
class Served:
    """One model the API answers for."""

    id: str
    name: str
    """What people read: a run's title, a base model's registry key or hub id."""
    base: str
    """The model name the studio loads (a run's `model.name`)."""
    adapter: str | None = None
    """A run's adapter folder; None for a base model."""
    raw: bool = False
    """Trained on raw text (continued pretraining): it continues text, it does not chat."""
    system: str | None = None
    """The system prompt the run trained with, given when a request brings none (as Compare does)."""
    created: int = 0

    def card(self, base_id: str) -> dict:
        """The /v1/models entry: OpenAI's fields, then the studio's own."""
        return {"id": self.id, "object": "model", "created": self.created, "owned_by": OWNER, "name": self.name,
                "kind": "run" if self.adapter else "base", "base": base_id,
                "endpoints": ["/v1/completions"] if self.raw else ["/v1/chat/completions", "/v1/completions"]}


def base_id(name: str) -> str:
    """The id a base model is served under: its registry key or hub id; a local folder by its folder name
    (the path itself is not shown)."""
    try:
        resolved = resolve(name)
    except ModelError:
        return Path(name).name or name
    return Path(resolved.location).name if resolved.source == "local" else resolved.name


def finished(run: runs.Run) -> bool:
    return run.status().state == "done" and run.has_adapter()


def served_run(run: runs.Run) -> Served:
    cfg = run.config()
    return Served(run.id, run.title(), cfg.model.name, str(run.adapter_dir), is_text_run(cfg),
                  cfg.data.system_prompt or None, int(run.status().updated_at))


class Catalog:
    """The served models. `run_ids` None means every finished run, looked up afresh on each request (a run
    that finishes while the server runs is served at once); a list is checked now and kept."""

    def __init__(self, run_ids: list[str] | None = None):
        self.started = int(time.time())
        self.run_ids = None if run_ids is None else [check_run(rid) for rid in run_ids]
        self._known: tuple[float, dict[str, Served]] = (0.0, {})
        """(when, the models by id): what find() looked up last, reused for a moment (it reads every run's files)."""

    def runs(self) -> list[Served]:
        found = runs.all_runs() if self.run_ids is None else [runs.get(rid) for rid in self.run_ids]
        return [served_run(run) for run in found if finished(run)]

    def models(self) -> list[Served]:
        """The base models first (embedded, then the runs' bases), then the runs, each id once."""
        served_runs = self.runs()
        bases = {base_id(name): name for name in [*EMBEDDED, *(r.base for r in served_runs)]}
        out = {bid: Served(bid, bid, name, created=self.started) for bid, name in bases.items()}
        out.update({r.id: r for r in served_runs})
        return list(out.values())

    def find(self, model_id: object) -> Served:
        """The served model of that id; 404 (OpenAI's model_not_found) for anything else."""
        if not isinstance(model_id, str) or not model_id:
            raise ApiError(400, "err_serve_missing", param="model", code="missing_required_parameter", name="model")
        found = self._lookup(model_id, fresh=False) or self._lookup(model_id, fresh=True)
        if found is None:
            raise ApiError(404, "err_serve_no_model", param="model", code="model_not_found", model=model_id[:200])
        return found

    def _lookup(self, model_id: str, fresh: bool) -> Served | None:
        """The id among the models: those found a moment ago, or (fresh, or when they are old) found again, so a
        run that just finished is served at once and a burst of requests reads the run store once."""
        when, known = self._known
        if fresh or time.monotonic() - when > KNOWN_FOR_S:
            known = {m.id: m for m in self.models()}
            self._known = (time.monotonic(), known)
        return known.get(model_id)

    def card(self, served: Served) -> dict:
        return served.card(base_id(served.base))


def check_run(run_id: str) -> str:
    """A run named on the command line: it exists and is finished, or `studio serve` does not start."""
    run = runs.get(run_id)  # NoRun (a KeyError that names it) for an unknown id
    if not finished(run):
        raise ServeError("err_serve_unfinished", run=run_id, state=runs.state_term(run.status().state))
    return run_id
