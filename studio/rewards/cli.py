"""`studio rewards`: the rewards a GRPO run can use on a data set, one line each on what it measures; with
--reward, the pre-flight check's figures for those chosen (refused as the run would be)."""
from __future__ import annotations

import argparse
import json

from studio import rewards
from studio.config import DataSpec
from studio.data.choice import parse_mapping
from studio.rewards import check
from studio.text import t
from studio.train.data import usable


def cmd_rewards(args: argparse.Namespace) -> int:
    rows = usable(DataSpec(preset=args.preset, train_path=args.data, mapping=parse_mapping(args.map)))
    if args.reward:
        found = check.check(rewards.parse(args.reward), rows)
        if args.json:
            print(json.dumps([f.__dict__ for f in found]))
        else:
            print("\n".join(check.table(found)))
        return 0
    fitting = rewards.fits(rows)
    if args.json:
        print(json.dumps({name: t("en", f"reward_{rewards.Reward(name).key}") for name in fitting}))
        return 0
    for name in fitting:
        print(f"{name:<16} {t('en', 'reward_' + rewards.Reward(name).key)}")
    return 0


def register(sub) -> None:
    r = sub.add_parser("rewards", help="the rewards a GRPO run can use on a data set (--reward: check those chosen "
                       "on the references and on broken answers, as the run does before it loads the model)")
    src = r.add_mutually_exclusive_group(required=True)
    src.add_argument("--preset", help="a preset's training rows")
    src.add_argument("--data", help="a training file")
    r.add_argument("--map", metavar="FIELD=COLUMN,...", help="read --data's columns as these fields")
    r.add_argument("--reward", metavar="NAME:WEIGHT,...", help="check these rewards (e.g. json_schema:1,json_fields:1)")
    r.add_argument("--json", action="store_true")
    r.set_defaults(func=cmd_rewards)
