import math
from pathlib import Path

import pytest

from studio.config import ConfigError, RunConfig, check
from studio.train import recipe


def test_yaml_round_trip_keeps_every_field(tmp_path):
    cfg = recipe.build("smollm2-135m", train_path="x.jsonl", overrides={"lora_r": 4, "epochs": 2})
    cfg.save(tmp_path / "config.yaml")
    back = RunConfig.from_yaml(tmp_path / "config.yaml")
    assert back == cfg
    assert back.lora.r == 4 and back.lora.alpha == 8 and back.train.epochs == 2


def test_unknown_setting_is_named():
    with pytest.raises(ConfigError, match="train.bogus"):
        RunConfig.from_dict({"train": {"bogus": 1}})


@pytest.mark.parametrize("key,value", [
    ("epochs", -1), ("epochs", 1000), ("learning_rate", 0), ("learning_rate", 5.0),
    ("learning_rate", math.nan), ("batch_size", 0), ("batch_size", 2.5), ("lora_r", 0),
    ("lora_r", 100000), ("lora_dropout", 1.5), ("max_length", 4), ("quant", "int3"),
    ("device", "tpu"), ("max_steps", 0), ("warmup_ratio", 2), ("processes", -1),
])
def test_absurd_values_are_refused(key, value):
    cfg = recipe.apply(recipe.build("smollm2-135m", train_path="x.jsonl"), {key: value})
    problems = check(cfg)
    assert problems and any(key.replace("lora_", "") in p for p in problems)


def test_defaults_pass_the_check():
    assert check(recipe.build("smollm2-135m", train_path="x.jsonl")) == []


def test_suggestions_follow_model_and_data_size():
    small, big = recipe.suggest(135, 300), recipe.suggest(7000, 20000)
    assert small["learning_rate"] > big["learning_rate"]
    assert small["epochs"] > big["epochs"]
    assert small["lora_r"] < big["lora_r"]


def test_cadence_logs_every_step_on_short_runs():
    log, evals, save = recipe.cadence(30)
    assert log == 1 and 1 <= save <= 3 and evals >= 1
    log, _, save = recipe.cadence(5000)
    assert log == 50 and save == 50  # a kill loses at most 50 steps


def test_plan_steps():
    cfg = recipe.build("smollm2-135m", train_path="x", overrides={"batch_size": 8, "epochs": 2})
    assert recipe.plan_steps(100, cfg) == 26
    cfg.train.max_steps = 7
    assert recipe.plan_steps(100, cfg) == 7


def test_library_objects():
    cfg = recipe.build("smollm2-135m", train_path="x", overrides={"lora_r": 8, "lora_alpha": 16})
    lora = recipe.to_lora_config(cfg.lora)
    assert lora.r == 8 and lora.lora_alpha == 16 and lora.target_modules == "all-linear"
    args = recipe.to_sft_config(cfg, "/tmp/x", "cpu", "bf16", total=40, has_eval=True)
    assert args.bf16 and not args.gradient_checkpointing and args.padding_free
    assert args.optim == "adamw_torch" and args.logging_steps == 1
    assert recipe.use_quant(cfg, "cuda") and not recipe.use_quant(cfg, "cpu")
    assert recipe.optimizer(cfg, "cuda") == "paged_adamw_8bit"
    assert recipe.optimizer(cfg, "cpu") == "adamw_torch"
    no_eval = recipe.to_sft_config(cfg, "/tmp/x", "cpu", "fp32", total=40, has_eval=False)
    assert no_eval.eval_strategy == "no" and not no_eval.bf16


def test_bnb_config_is_qlora():
    import torch

    from studio.models.loader import bnb_config

    q = bnb_config(torch.bfloat16)
    assert q.load_in_4bit and q.bnb_4bit_quant_type == "nf4" and q.bnb_4bit_use_double_quant


def test_one_settings_table_feeds_the_cli_the_ui_the_presets_and_the_check():
    from studio import presets
    from studio.cli import build_parser
    from studio.config import SETTING, SETTINGS, flat
    from studio.text import TEXT
    from studio.ui.train_step import SHOWN

    helps = build_parser().parse_args(["train", "--preset", "json"])
    assert all(getattr(helps, s.name) is None for s in SETTINGS)  # unset flags leave the suggestions alone
    cfg = recipe.build("smollm2-135m", train_path="x.jsonl")
    assert set(flat(cfg)) == set(SETTING) and set(recipe.suggest(135, 300)) <= set(SETTING)
    assert all(set(p.train) <= set(SETTING) for p in presets.all_presets())
    assert [s.name for s in SHOWN] == [s.name for s in SETTINGS if s.level != "cli"]
    assert all(f"hp_{s.name}" in TEXT["en"] and f"hp_{s.name}" in TEXT["ja"] for s in SHOWN)
    assert all(s.help and s.rule() for s in SETTINGS)


@pytest.mark.parametrize("argv,name,value", [
    (["--lr", "3e-4"], "learning_rate", 3e-4), (["--lora-r", "4"], "lora_r", 4),
    (["--weight-decay", "0.1"], "weight_decay", 0.1), (["--scheduler", "linear"], "scheduler", "linear"),
    (["--padding-free", "false"], "padding_free", False),
    (["--gradient-checkpointing"], "gradient_checkpointing", True),
    (["--trust-remote-code"], "trust_remote_code", True), (["--eval-fraction", "0.2"], "eval_fraction", 0.2),
])
def test_every_setting_has_a_train_flag_that_reaches_the_config(argv, name, value):
    from studio.cli import build_parser
    from studio.config import SETTINGS, get
    from studio.train.cli import settings_from

    args = build_parser().parse_args(["train", "--preset", "json", *argv])
    cfg = recipe.build("smollm2-135m", preset="json", overrides=settings_from(args))
    assert get(cfg, name) == value and check(cfg) == []
    assert len({s.cli_flag for s in SETTINGS}) == len(SETTINGS)


def test_check_messages_say_what_is_allowed():
    cfg = recipe.apply(recipe.build("smollm2-135m", train_path="x.jsonl"),
                       {"max_steps": 0, "quant": "int3", "max_rows": 0, "padding_free": "yes", "max_length": 2.5})
    assert check(cfg) == ["data.max_length: 16..131072", "train.max_steps: -1 or 1..1000000",
                          "train.quant: auto, nf4 or none", "train.padding_free: true or false",
                          "data.max_rows: 1..100000000 (or unset)"]
    with pytest.raises(ValueError, match="unknown setting 'bogus'"):
        recipe.apply(cfg, {"bogus": 1})


def test_the_plan_names_the_method_training_will_use(monkeypatch):
    """A quant=none run on a GPU trains plain LoRA: the plan says LoRA, not QLoRA."""
    from studio.models.device import DeviceInfo

    gpu = DeviceInfo("cuda", "NVIDIA H200", 141 * 1024, 1, True, 16)
    monkeypatch.setattr("studio.models.info.detect", lambda: gpu)
    plain = recipe.build("smollm2-135m", preset="json", overrides={"quant": "none"})
    auto = recipe.build("smollm2-135m", preset="json")
    assert recipe.plan(plain, 400).adapter == "lora" and recipe.plan(auto, 400).adapter == "qlora"
    assert recipe.use_quant(auto, "cuda") and not recipe.use_quant(plain, "cuda")
    p = recipe.plan(auto, 400)
    assert p.steps == recipe.plan_steps(400, auto) and p.fit is not None and p.fit.fits
    assert "(QLORA · SFT)" in p.say("en")[2] and "H200" in p.say("en")[0]
    cpu = recipe.plan(recipe.build("smollm2-135m", preset="json", overrides={"device": "cpu"}), 400)
    assert cpu.adapter == "lora" and cpu.seconds > p.seconds


def test_cli_plan_is_the_train_steps_plan_and_starts_nothing(capsys, studio_home):
    import json

    from studio import presets, runs
    from studio.cli import main
    from studio.data.choice import DataChoice
    from studio.ui.train_step import plan as ui_plan

    assert main(["train", "--preset", "json", "--max-steps", "20", "--plan", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    cfg = recipe.build("smollm2-135m", preset="json", overrides={"max_steps": 20})
    rows = len(presets.load("json").train_rows())
    assert out["steps"] == 20 and out["rows"] == rows and out["adapter"] == recipe.plan(cfg).adapter
    assert out["held_out"] == len(presets.load("json").eval_rows())
    assert main(["train", "--preset", "json", "--max-steps", "20", "--plan"]) == 0
    text = capsys.readouterr().out
    ui = ui_plan("smollm2-135m", DataChoice(preset="json", rows=rows), {"max_steps": 20})
    assert text.splitlines()[0] == recipe.plan(cfg).say("en")[0].replace("**", "")
    assert text.splitlines()[0] in ui.replace("**", "") and runs.all_runs() == []


def test_the_plan_of_a_capped_run_says_the_epochs_it_will_really_run():
    """Issue 15: 20 steps of 8 rows over 400 rows is 0.4 epoch, not the suggested 3 epochs."""
    cfg = recipe.build("smollm2-135m", preset="json", overrides={"max_steps": 20, "batch_size": 8, "device": "cpu"})
    plan = recipe.plan(cfg, 400)
    assert (plan.steps, plan.epochs) == (20, 0.4) and "20 steps · 0.4 epochs" in plan.say("en")[0]
    uncapped = recipe.plan(recipe.build("smollm2-135m", preset="json", overrides={"device": "cpu"}), 400)
    assert uncapped.epochs == 3 and uncapped.steps == 150


def test_the_command_line_shown_for_a_config_rebuilds_that_config(tmp_path):
    """Issue 15 (what LlamaBoard shows): the Train step's `studio train ...` line, parsed by the real CLI,
    gives back every setting of the config it was written for."""
    import json
    import shlex

    from studio.cli import build_parser
    from studio.config import flat
    from studio.train.cli import command_for, config_from_args

    pairs = tmp_path / "p q.jsonl"
    pairs.write_text("".join(json.dumps({"prompt": f"q{i}", "chosen": f"good {i}", "rejected": f"bad {i}"}) + "\n"
                             for i in range(40)))
    for cfg in (recipe.build("smollm2-135m", preset="json", overrides={"max_steps": 20, "batch_size": 4,
                                                                        "padding_free": False}),
                recipe.build("smollm2-135m", train_path=str(pairs),
                             overrides={"method": "dpo", "start_from": "run-1", "beta": 0.3})):
        line = command_for(cfg)
        again = config_from_args(build_parser().parse_args(shlex.split(line)[1:]))
        assert flat(again) == flat(cfg), line
    assert shlex.quote(str(pairs)) in line and "--from run-1" in line and "--method dpo" in line

def test_every_setting_is_declared_once_on_its_config_field():
    """Issue 30: the settings table is read off the config dataclasses (help, range, choices from the Literal),
    so a setting cannot say one thing in SETTINGS and another on its field."""
    import dataclasses
    import typing

    from studio import config

    specs = {"model": config.ModelSpec, "data": config.DataSpec, "lora": config.LoraSpec, "train": config.TrainSpec}
    for s in config.SETTINGS:
        f = {x.name: x for x in dataclasses.fields(specs[s.section])}[s.field]
        assert f.metadata["help"] == s.help and (f.metadata["name"] or f.name) == s.name
        hint = typing.get_type_hints(specs[s.section])[s.field]
        literal = [a for a in (hint, *typing.get_args(hint)) if typing.get_origin(a) is typing.Literal]
        assert s.choices == (typing.get_args(literal[0]) if literal else ())
    assert [s.name for s in config.SETTINGS][:7] == ["epochs", "learning_rate", "lora_r", "batch_size", "max_length",
                                                     "max_steps", "method"]  # the Train step's first row
    source = (Path(config.__file__)).read_text()
    assert "Setting(\"" not in source and "S(\"" not in source  # no second, hand-written table
