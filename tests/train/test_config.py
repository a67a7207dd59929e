import math

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
