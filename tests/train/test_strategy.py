"""Issue 23: DDP or FSDP from the memory fit across the GPUs found, `--strategy`, the accelerate config written
into the run folder (read back by accelerate's own loader and launcher), and `--print-launch` for several
machines. Pure arithmetic and config: made-up GPUs, nothing trains here (tests/train/test_fsdp.py trains)."""
import json
import shlex

import pytest

from studio.models.device import DeviceInfo
from studio.models.fit import spread
from studio.models.registry import ModelEntry
from studio.train import launch, recipe, runner

LLAMA_70B = ModelEntry("llama-70b", "meta-llama/Llama-3.1-70B", 70554, True, "en", layers=80, hidden=8192,
                       vocab=128256)
A10 = 24 * 1024


def _gpus(count: int, gb: int = 24) -> DeviceInfo:
    return DeviceInfo("cuda", "NVIDIA A10", gb * 1024, count, True, 16)


@pytest.fixture
def big_model(tmp_path):
    """A local folder whose config.json has Llama-70B's shape; its weights file is a stand-in (the fit reads
    shapes only, and nothing here loads the model)."""
    import torch
    from safetensors.torch import save_file

    folder = tmp_path / "llama-70b"
    folder.mkdir()
    (folder / "config.json").write_text(json.dumps({"hidden_size": 8192, "num_hidden_layers": 80,
                                                    "vocab_size": 128256, "intermediate_size": 28672}))
    save_file({"stand_in": torch.zeros(1)}, str(folder / "model.safetensors"))
    return folder


def _plan(model, data, monkeypatch, gpus: DeviceInfo, **over):
    monkeypatch.setattr("studio.models.info.detect", lambda: gpus)
    cfg = recipe.build(str(model), train_path=str(data), overrides={"batch_size": 1, "max_length": 512, **over})
    return cfg, recipe.plan(cfg, 48)


def test_one_gpu_holds_a_small_model_so_several_gpus_each_train_a_copy():
    e = ModelEntry("m", "org/m", 7000, True, "en", layers=32, hidden=4096, vocab=32000)
    s = spread(e, "qlora", 4, A10, batch=4)
    assert s.strategy == "ddp" and s.one.fits and s.across.estimate.total_mb < s.one.estimate.total_mb
    assert "each of the 4 GPUs trains a full copy" in s.say("en")


def test_a_model_too_big_for_one_gpu_but_not_for_four_is_sharded():
    s = spread(LLAMA_70B, "qlora", 4, A10, batch=1, seq_len=512)
    assert s.strategy == "fsdp" and not s.one.fits and s.across.fits
    assert s.one.estimate.total_mb > 0.9 * A10 >= s.across.estimate.total_mb  # too big alone, fits a quarter
    text = s.say("en")
    assert text.startswith("FSDP: one GPU would need ~53.1 GB of its 24 GB") and "across the 4 GPUs" in text
    assert "FSDP" in s.say("ja") and "4 台" in s.say("ja")


def test_a_model_that_fits_nowhere_says_so_with_figures_and_what_would_fit():
    two = spread(LLAMA_70B, "qlora", 2, A10, batch=1, seq_len=512)
    assert two.strategy == "none" and not two.across.fits and two.gpus_needed == 3
    assert two.say("en") == ("fits nowhere: ~53.1 GB on one GPU, ~33.5 GB each sharded across 2 GPUs of 24 GB. "
                             "Would fit: 3 GPUs of 24 GB (FSDP), or a smaller model")
    assert spread(LLAMA_70B, "qlora", 3, A10, batch=1, seq_len=512).strategy == "fsdp"  # the advice holds
    long = spread(LLAMA_70B, "qlora", 4, A10, batch=2, seq_len=2048)
    assert long.strategy == "none" and long.max_length == 1024 and "max length 1024" in long.say("en")
    assert spread(LLAMA_70B, "qlora", 4, A10, batch=2, seq_len=1024).strategy == "fsdp"  # so does this one
    assert "収まりません" in two.say("ja") and "3 台" in two.say("ja")


def test_the_plan_proposes_fsdp_when_the_fit_says_so_and_strategy_overrides(big_model, tiny_data, monkeypatch):
    cfg, p = _plan(big_model, tiny_data, monkeypatch, _gpus(4))
    assert (p.adapter, p.strategy, p.spread.strategy) == ("qlora", "fsdp", "fsdp")
    assert recipe.placement(cfg, 4) == ("fsdp", True)
    line = p.say("en")[-1]
    assert line.startswith("Strategy: FSDP: one GPU would need") and "across the 4 GPUs" in line
    assert p.say("ja")[-1].startswith("分散方式: FSDP")
    cfg, forced = _plan(big_model, tiny_data, monkeypatch, _gpus(4), strategy="ddp")
    assert forced.strategy == "ddp" and recipe.placement(cfg, 4) == ("ddp", True)
    assert forced.say("en")[-1].startswith("Strategy: DDP (chosen with --strategy) — FSDP: one GPU would need")
    _, nowhere = _plan(big_model, tiny_data, monkeypatch, _gpus(1))
    assert nowhere.strategy == "ddp" and "fits nowhere" in nowhere.say("en")[-1]


def test_a_model_one_gpu_holds_keeps_ddp_and_the_plan_stays_three_lines(tiny_model_dir, tiny_data, monkeypatch):
    cfg, p = _plan(tiny_model_dir, tiny_data, monkeypatch, _gpus(1))
    assert p.strategy == "ddp" and len(p.say("en")) == 3
    cfg, four = _plan(tiny_model_dir, tiny_data, monkeypatch, _gpus(4))
    assert four.strategy == "ddp" and "DDP: one GPU holds it" in four.say("en")[-1]
    assert four.steps == recipe.plan_steps(48, cfg, 4) < p.steps  # every step takes a batch on each GPU
    assert recipe.placement(cfg, 1) == ("ddp", False)


def test_cli_plan_shows_the_strategy_and_the_flag_overrides_it(big_model, tiny_data, monkeypatch, capsys):
    from studio.cli import main

    monkeypatch.setattr("studio.models.info.detect", lambda: _gpus(4))
    base = ["train", "--model", str(big_model), "--data", str(tiny_data), "--batch-size", "1", "--plan"]
    assert main(base) == 0
    assert "Strategy: FSDP: one GPU would need ~" in capsys.readouterr().out
    assert main([*base, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["strategy"] == "fsdp"
    assert main([*base, "--strategy", "ddp", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert (out["strategy"], out["spread"]) == ("ddp", "fsdp")
    with pytest.raises(SystemExit):
        main([*base, "--strategy", "zero3"])


@pytest.mark.parametrize(("strategy", "qlora", "version"), [("fsdp", True, "1"), ("fsdp", False, "2"),
                                                            ("ddp", False, None)])
def test_the_run_folders_accelerate_config_is_what_accelerates_launcher_reads(tmp_path, strategy, qlora,
                                                                              version, monkeypatch):
    """accelerate's own config loader and launcher turn accelerate.yaml into the FSDP settings the recipe
    names: FSDP-QLoRA's (FSDP1: full shard, use_orig_params false, sync_module_states, CPU-RAM-efficient
    loading, sharded checkpoints) or FSDP2 for LoRA; DDP is MULTI_GPU."""
    from accelerate.commands.config.config_args import load_config_from_file
    from accelerate.commands.launch import _validate_launch_command, launch_command_parser
    from accelerate.utils.launch import prepare_multi_gpu_env

    from studio import runs
    from studio.config import RunConfig

    run = runs.create(RunConfig())
    path = launch.write_config(run, strategy, 4, qlora=qlora)
    loaded = load_config_from_file(str(path))
    assert loaded.distributed_type.value == {"fsdp": "FSDP", "ddp": "MULTI_GPU"}[strategy]
    assert (loaded.num_processes, loaded.num_machines, loaded.main_process_port) == (4, 1, 0)
    args = launch_command_parser().parse_args(runner.command(run, 4, strategy)[3:])
    args, _, _ = _validate_launch_command(args)
    env = prepare_multi_gpu_env(args)
    assert (args.module, args.training_script, args.training_script_args) == (True, "studio.train", [str(run.path)])
    assert args.nproc_per_node == "4" and args.main_process_port > 0  # 0 in the file: a free port at launch
    assert env.get("ACCELERATE_USE_FSDP") == ("true" if strategy == "fsdp" else None)
    if strategy == "fsdp":
        assert env["FSDP_VERSION"] == version and env["FSDP_STATE_DICT_TYPE"] == "SHARDED_STATE_DICT"
        assert env["FSDP_CPU_RAM_EFFICIENT_LOADING"] == "true"
        assert env["FSDP_AUTO_WRAP_POLICY"] == "TRANSFORMER_BASED_WRAP"
    if qlora:
        assert (env["FSDP_SHARDING_STRATEGY"], env["FSDP_USE_ORIG_PARAMS"], env["FSDP_SYNC_MODULE_STATES"]) == \
            ("FULL_SHARD", "false", "true")
    elif strategy == "fsdp":
        from accelerate.utils import FullyShardedDataParallelPlugin

        monkeypatch.setattr("os.environ", env)
        plugin = FullyShardedDataParallelPlugin()  # FSDP2 from the launcher's variables, as the worker builds it
        assert (plugin.fsdp_version, plugin.reshard_after_forward, plugin.cpu_ram_efficient_loading) == \
            (2, True, True)


def test_qlora_under_fsdp_stores_4bit_weights_in_the_compute_dtype():
    import torch

    from studio.models.loader import bnb_config

    assert bnb_config(torch.bfloat16, torch.bfloat16).bnb_4bit_quant_storage == torch.bfloat16
    assert bnb_config(torch.bfloat16).bnb_4bit_quant_storage == torch.uint8  # one GPU: as before


def test_print_launch_prints_each_nodes_command_from_the_runs_config(tiny_model_dir, tiny_data, capsys):
    """`studio train --print-launch --nodes 2 --gpus 4` makes the run folder (nothing starts) and prints one
    `accelerate launch` per machine; accelerate's parser reads each as machine k of 2 x 4 processes."""
    from accelerate.commands.launch import _validate_launch_command, launch_command_parser
    from accelerate.utils.launch import prepare_multi_gpu_env

    from studio import runs
    from studio.cli import main

    assert main(["train", "--model", str(tiny_model_dir), "--data", str(tiny_data), "--strategy", "fsdp",
                 "--quant", "none", "--print-launch", "--nodes", "2", "--gpus", "4"]) == 0
    out = capsys.readouterr().out
    (run,) = runs.all_runs()
    assert run.status().state == "stopped" and not run.status().active and run.path.name in out
    lines = [line for line in out.splitlines() if line.startswith("accelerate launch")]
    assert len(lines) == 2 and "FSDP on 2 machine(s) x 4 GPU(s)" in out
    for rank, line in enumerate(lines):
        words = shlex.split(line.replace('"$HEAD"', "10.1.2.3"))
        args, _, _ = _validate_launch_command(launch_command_parser().parse_args(words[2:]))
        env = prepare_multi_gpu_env(args)
        assert (args.nnodes, args.nproc_per_node, args.node_rank) == ("2", "4", rank)
        assert "10.1.2.3" in (getattr(args, "master_addr", "") + getattr(args, "rdzv_endpoint", ""))
        assert env["ACCELERATE_USE_FSDP"] == "true" and env["FSDP_VERSION"] == "2"
        assert args.training_script_args == [str(run.path)]
    one = f"accelerate launch --config_file {run.path / launch.CONFIG} -m studio.train {run.path}"
    assert launch.node_commands(run, 1) == [one]


def test_fsdp_qlora_on_the_cpu_is_refused_before_a_run_folder_exists(tiny_model_dir, tiny_data):
    from studio import runs
    from studio.config import ConfigError

    cfg = recipe.build(str(tiny_model_dir), train_path=str(tiny_data),
                       overrides={"device": "cpu", "strategy": "fsdp", "quant": "nf4", "processes": 2})
    with pytest.raises(ConfigError, match="FSDP with a 4-bit base"):
        runner.start(cfg)
    assert runs.all_runs() == []


def test_a_grpo_run_goes_through_accelerate_with_its_own_worker(tiny_model_dir, tiny_data, capsys):
    """GRPO sharded (FSDP) runs its rewards worker under accelerate's launcher, as SFT runs studio.train: the line
    the runner starts, the one --print-launch prints and the one in accelerate.yaml's header all name it, and the
    plan's `studio train` line rebuilds the same GRPO config."""
    from accelerate.commands.launch import _validate_launch_command, launch_command_parser
    from accelerate.utils.launch import prepare_multi_gpu_env

    from studio import runs
    from studio.cli import build_parser, main
    from studio.train.cli import command_for, config_from_args

    flags = ["train", "--model", str(tiny_model_dir), "--data", str(tiny_data), "--method", "grpo", "--reward",
             "length", "--generations", "2", "--strategy", "fsdp", "--quant", "none"]
    assert main([*flags, "--print-launch", "--gpus", "2"]) == 0
    out = capsys.readouterr().out
    (run,) = runs.all_runs()
    worker = ["-m", "studio.rewards.worker", str(run.path)]
    assert launch.node_commands(run, 1) == [shlex.join(["accelerate", "launch", "--config_file",
                                                        str(run.path / launch.CONFIG), *worker])]
    assert launch.node_commands(run, 1)[0] in out
    assert f"-m studio.rewards.worker {run.path}" in (run.path / launch.CONFIG).read_text().splitlines()[1]
    started = runner.command(run, 2, "fsdp")
    assert started[1:3] == ["-m", "accelerate.commands.launch"] and started[-3:] == worker
    args, _, _ = _validate_launch_command(launch_command_parser().parse_args(started[3:]))
    assert (args.module, args.training_script, args.training_script_args) == (True, "studio.rewards.worker",
                                                                              [str(run.path)])
    assert prepare_multi_gpu_env(args)["ACCELERATE_USE_FSDP"] == "true"
    line = command_for(run.config())
    assert "--method grpo" in line and "--reward length" in line and "--strategy fsdp" in line
    again = config_from_args(build_parser().parse_args(shlex.split(line)[1:]))
    assert again.train == run.config().train and again.data == run.config().data
