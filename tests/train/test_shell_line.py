"""The shell line makes the same run (issue 29): over random edits of the Train step's settings and data
choices, the `studio train …` line the step shows, parsed by the real CLI parser, builds the identical config
and the identical plan (steps, epochs, rows, held-out rows, method, strategy)."""
from __future__ import annotations

import csv
import json
import shlex
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from studio.cli import build_parser
from studio.config import SETTING
from studio.data.choice import DataChoice
from studio.data.store import datasets_dir
from studio.train import recipe
from studio.train.cli import command_for, config_from_args
from studio.ui import train_step

MODEL = "smollm2-135m"


def _chat(path: Path, n: int) -> Path:
    rows = [{"messages": [{"role": "user", "content": f"Name a colour, please ({i})"},
                          {"role": "assistant", "content": f'{{"colour": "red", "n": {i}}}'}]} for i in range(n)]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def _csv(path: Path, n: int) -> Path:
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["ask", "reply", "better"])
        w.writerows([f"question {i}?", f"an answer {i}", f"a better answer {i}"] for i in range(n))
    return path


def _pairs(path: Path, n: int) -> Path:
    rows = [{"prompt": f"Say hello ({i})", "chosen": f"Hello there, friend {i}.", "rejected": f"go away {i}"}
            for i in range(n)]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


@pytest.fixture
def choices(studio_home) -> list[DataChoice]:
    """What the Data step hands the Train step: presets, files of several sizes (3,000 rows: the UI ran 2
    epochs where the old shell line ran 3), a CSV read through a column mapping, preference pairs."""
    home = datasets_dir()
    big, small = _chat(home / "big.jsonl", 3000), _chat(home / "small.jsonl", 150)
    table, pairs = _csv(home / "table.csv", 120), _pairs(home / "pairs.jsonl", 60)
    return [DataChoice(preset="json"), DataChoice(preset="gozaru"),
            DataChoice(path=str(big), label=big.name, rows=3000),
            DataChoice(path=str(small), label=small.name, rows=150),
            DataChoice(path=str(table), label=table.name, rows=120, mapping={"prompt": "ask", "response": "reply"}),
            DataChoice(path=str(table), label=table.name, rows=120, mapping={"prompt": "ask", "response": "better"}),
            DataChoice(path=str(pairs), label=pairs.name, rows=60, method="dpo")]


def _value(name: str) -> st.SearchStrategy:
    """A value the Train step's widget for this setting accepts."""
    s = SETTING[name]
    if s.choices:
        return st.sampled_from(s.choices)
    if s.kind is str:  # GRPO's rewards: a line of names and weights, commas and colons kept through the shell
        return st.sampled_from(["json_parses:1", "length:0.5,json_schema:1", r"regex:^\d+ [a-z]$:2"])
    if s.kind is int:
        whole = st.integers(max(1, int(s.low)), min(int(s.high), 4096))
        return st.one_of(st.just(-1), whole) if -1 in s.special else whole
    low = s.low if not s.open_low else s.low + 1e-6
    return st.floats(low, min(s.high, 100.0), exclude_max=s.open_high, allow_nan=False)


EDITABLE = [s.name for s in train_step.SHOWN if s.name not in ("method", "quant", "dtype")]
EDITS = st.dictionaries(st.sampled_from(EDITABLE), st.none(), max_size=6).flatmap(
    lambda keys: st.fixed_dictionaries({k: _value(k) for k in keys}))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(pick=st.integers(0, 6), edits=EDITS, method=st.sampled_from([None, "kto"]))
def test_the_shown_line_builds_the_same_config_and_plan(choices, pick, edits, method):
    choice = choices[pick]
    shown = dict(zip([s.name for s in train_step.SHOWN], train_step.defaults(MODEL, choice)))  # the widgets
    shown.update(edits)  # the user's edits; the UI sends every widget's value, edited or not
    if method and choice.method != "sft":
        shown["method"] = method  # a preference file may train DPO or KTO
    ui = train_step._config(MODEL, choice, shown)
    line = command_for(ui)
    cli = config_from_args(build_parser().parse_args(shlex.split(line)[1:]))
    assert cli.to_dict() == ui.to_dict(), line
    a, b = recipe.plan(ui), recipe.plan(cli)
    assert (a.steps, a.epochs, a.rows, a.held_out, a.adapter, a.objective, a.strategy) == \
        (b.steps, b.epochs, b.rows, b.held_out, b.adapter, b.objective, b.strategy), line


def test_a_3000_row_file_gets_the_same_epochs_in_the_ui_and_on_the_shell_line(choices):
    """The case the issue measured: the CLI used to suggest as if every --data file had 500 rows."""
    big = choices[2]
    ui = train_step._config(MODEL, big, dict(zip([s.name for s in train_step.SHOWN],
                                                 train_step.defaults(MODEL, big))))
    cli = config_from_args(build_parser().parse_args(shlex.split(command_for(ui))[1:]))
    assert ui.train.epochs == cli.train.epochs == 2


def test_rank_edited_alone_keeps_the_ui_s_alpha_on_the_line(choices):
    """r 32 with the widget's alpha left at 16: the line says --lora-alpha 16, not the CLI's 2 x r."""
    small = choices[3]
    shown = dict(zip([s.name for s in train_step.SHOWN], train_step.defaults(MODEL, small)))
    shown["lora_r"] = 32
    ui = train_step._config(MODEL, small, shown)
    line = command_for(ui)
    assert "--lora-r 32" in line and f"--lora-alpha {ui.lora.alpha:g}" in line and ui.lora.alpha != 64


def test_the_mapping_travels_on_the_line_and_into_the_rows_that_train(choices):
    from studio.train.data import load_rows

    better = choices[5]
    ui = train_step._config(MODEL, better, {})
    line = command_for(ui)
    assert "--map prompt=ask,response=better" in line
    cli = config_from_args(build_parser().parse_args(shlex.split(line)[1:]))
    train, held = load_rows(cli)
    assert len(train) + len(held) == better.rows
    assert all(r["messages"][-1]["content"].startswith("a better answer") for r in train)


def test_a_choice_survives_the_browser_and_hashes(choices):
    """The browser keeps the choice as JSON (as_dict); gradio tells a changed State by its hash."""
    for choice in choices:
        back = DataChoice.from_dict(json.loads(json.dumps(choice.as_dict())))
        assert back == choice and hash(back) == hash(choice)
    assert DataChoice.from_dict({"label": "no data"}) is None and DataChoice.from_dict(None) is None
