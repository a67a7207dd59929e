"""`studio rewards`: the rewards a GRPO run can use on a data set, one line each on what it measures; with
--reward, the pre-flight check's figures for those chosen (refused as the run would be)."""
from __future__ import annotations

import argparse
import json
import sys

from studio import rewards
from studio.config import DataSpec
from studio.data.choice import parse_mapping
from studio.rewards import check
from studio.text import t
from studio.train import cli as train_cli
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


def train_checked(args: argparse.Namespace) -> int:
    """`studio train` with GRPO's rewards checked on the data first: a reward that does not fit, or cannot tell the
    references from broken answers, is refused before a run folder exists; --plan prints the figures too."""
    if getattr(args, "method", None) != "grpo" or not args.reward:
        return train_cli.cmd_train(args)  # no rewards: config.check says GRPO needs them, as for any setting
    lines = check.table(check.preflight(train_cli.config_from_args(args)))
    if args.plan and args.json:
        return train_cli.cmd_train(args)
    if not args.plan:
        print("\n".join(lines), file=sys.stderr)
        return train_cli.cmd_train(args)
    code = train_cli.cmd_train(args)
    print("\n".join(["rewards on the reference answers and on broken ones:", *lines]))
    return code


def register(sub) -> None:
    # the train command is registered before this one (studio.cli.PACKAGE_CLIS): its rewards are checked here, in
    # the layer that holds the meters
    sub.choices["train"].set_defaults(func=train_checked)
    r = sub.add_parser("rewards", help="the rewards a GRPO run can use on a data set (--reward: check those chosen "
                       "on the references and on broken answers, as the run does before it loads the model)")
    src = r.add_mutually_exclusive_group(required=True)
    src.add_argument("--preset", help="a preset's training rows")
    src.add_argument("--data", help="a training file")
    r.add_argument("--map", metavar="FIELD=COLUMN,...", help="read --data's columns as these fields")
    r.add_argument("--reward", metavar="NAME:WEIGHT,...", help="check these rewards (e.g. json_schema:1,json_fields:1)")
    r.add_argument("--json", action="store_true")
    r.set_defaults(func=cmd_rewards)
