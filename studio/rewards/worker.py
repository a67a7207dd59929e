"""A GRPO run's worker: `python -m studio.rewards.worker RUN_DIR`, which the runner starts for method grpo. It is
the training worker with the run's rewards handed to the engine (they judge with the evaluate layer's meters, a
layer above training), checked on the reference answers before the model loads: a reward that does not fit the
data, or cannot tell good answers from broken ones, fails the run at once, saying why in both languages."""
from __future__ import annotations

import json
import sys

from studio import rewards
from studio.config import RunConfig
from studio.rewards import Reward, check
from studio.train import worker


def reward_funcs(cfg: RunConfig, rows: list[dict]) -> tuple[list, list[float]]:
    """(trl reward functions, their weights) for the run's rows, after the pre-flight check (printed to train.log)."""
    chosen = rewards.parse(cfg.train.reward)
    found = check.check(chosen, rows)
    print("\n".join(["rewards on the reference answers and on broken ones:", *check.table(found)]), flush=True)
    return [trl_reward(r, rows) for r in chosen], [r.weight for r in chosen]


def trl_reward(reward: Reward, rows: list[dict]):
    """trl's shape of a reward: (prompts, completions, **dataset columns) -> a score per completion; its name is
    the reward's, so the run's metrics say rewards/json_schema/mean."""
    judge = rewards.judge_for(reward, rows)

    def score(prompts, completions, ref, **_) -> list[float]:
        return [float(judge(_text(c), json.loads(r))) for c, r in zip(completions, ref)]

    score.__name__ = reward.name
    return score


def _text(completion) -> str:
    """A chat completion is a list of messages (the assistant's); a plain one is its text."""
    if isinstance(completion, list):
        return "".join(str(m.get("content", "")) for m in completion)
    return str(completion)


def main(run_dir: str) -> int:
    from studio.train import engine  # the worker's own heavy module: torch and trl load only in this process

    engine.REWARDS = reward_funcs
    return worker.main(run_dir)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
