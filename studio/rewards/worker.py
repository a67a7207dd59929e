"""A GRPO run's worker: `python -m studio.rewards.worker RUN_DIR`, which the runner starts for method grpo. It is
the training worker with the run's rewards handed to the engine (they judge with the evaluate layer's meters, a
layer above training), checked on the reference answers before the model loads: a reward that does not fit the
data, or cannot tell good answers from broken ones, fails the run at once, saying why in both languages."""
from __future__ import annotations

import functools
import json
import sys
import time
from pathlib import Path

from studio import rewards
from studio.config import RunConfig
from studio.data.generate import user_text
from studio.fsutil import atomic_write_json
from studio.rewards import LATEST, Reward, check
from studio.train import worker

SHOWN = 8
"""Answers the table keeps: one batch's worth on a CPU run."""


def reward_funcs(cfg: RunConfig, rows: list[dict], latest: Path | None = None) -> tuple[list, list[float]]:
    """(trl reward functions, their weights) for the run's rows, after the pre-flight check (printed to train.log);
    latest: where the last batch's answers and scores go (LATEST in the run folder)."""
    chosen = rewards.parse(cfg.train.reward)
    found = check.check(chosen, rows)
    print("\n".join(["rewards on the reference answers and on broken ones:", *check.table(found)]), flush=True)
    scores: dict[str, list[float]] = {}  # this batch's, by reward: trl calls the functions in order on one batch
    funcs = [trl_reward(r, rows, scores, latest if i == len(chosen) - 1 else None) for i, r in enumerate(chosen)]
    return funcs, [r.weight for r in chosen]


def trl_reward(reward: Reward, rows: list[dict], scores: dict[str, list[float]] | None = None,
               latest: Path | None = None):
    """trl's shape of a reward: (prompts, completions, **dataset columns) -> a score per completion; its name is
    the reward's, so the run's metrics say rewards/json_schema/mean. The last reward also writes the batch's
    answers with every reward's scores to `latest`."""
    judge = rewards.judge_for(reward, rows)

    def score(prompts, completions, ref, **_) -> list[float]:
        found = [float(judge(_text(c), json.loads(r))) for c, r in zip(completions, ref)]
        if scores is not None:
            scores[reward.name] = found
        if latest is not None and scores is not None:
            _record(latest, completions, ref, scores)
        return found

    score.__name__ = reward.name
    return score


def _record(path: Path, completions: list, refs: list[str], scores: dict[str, list[float]]) -> None:
    """The batch's first SHOWN answers: prompt, answer and each reward's score (the Train step's table)."""
    shown = [{"prompt": user_text(json.loads(r)), "answer": _text(c),
              "scores": {name: s[i] for name, s in scores.items() if i < len(s)}}
             for i, (c, r) in enumerate(zip(completions[:SHOWN], refs))]
    atomic_write_json(path, {"time": time.time(), "answers": shown})


def _text(completion) -> str:
    """A chat completion is a list of messages (the assistant's); a plain one is its text."""
    if isinstance(completion, list):
        return "".join(str(m.get("content", "")) for m in completion)
    return str(completion)


def main(run_dir: str) -> int:
    from studio.train import engine  # the worker's own heavy module: torch and trl load only in this process

    engine.REWARDS = functools.partial(reward_funcs, latest=Path(run_dir) / LATEST)
    return worker.main(run_dir)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
