"""Issue 23: a sharded (FSDP) run for real, on the CPU: two processes over gloo, launched as on GPUs by
`accelerate launch --config_file RUN/accelerate.yaml`, save sharded checkpoints, resume from one to the same
losses, and end with one standard PEFT adapter that loads.

What runs here is FSDP2 (the LoRA config): accelerate 1.15 gates FSDP to accelerator devices, so the worker
lifts that one gate on the CPU (studio/train/fsdp.allow_on_cpu); the sharding, the sharded checkpoints and
their loading are torch's and accelerate's own. FSDP1, the QLoRA config, cannot run on the CPU (its
sync_module_states needs a device) and bitsandbytes' 4-bit training needs CUDA: tests/train/test_strategy.py
checks that config, and no GPU run has been made (README, "Several GPUs, several machines")."""
import pytest
from safetensors import safe_open

from studio.train import recipe, runner


def _cuda() -> bool:
    import torch

    return torch.cuda.is_available()


def _shapes(path) -> dict[str, tuple[int, ...]]:
    with safe_open(str(path), "pt") as f:
        return {k: tuple(f.get_slice(k).get_shape()) for k in f.keys()}  # noqa: SIM118 - safe_open has no iter


def _losses(run) -> dict[int, float]:
    return {m["step"]: m["loss"] for m in run.metrics() if "loss" in m}


def test_two_cpu_processes_shard_train_resume_and_leave_one_peft_adapter(tiny_model_dir, tiny_data, tmp_path):
    import torch
    from peft import PeftModel, get_peft_model
    from transformers import AutoModelForCausalLM

    cfg = recipe.build(str(tiny_model_dir), train_path=str(tiny_data),
                       overrides={"max_steps": 4, "save_steps": 2, "batch_size": 4, "max_length": 64, "lora_r": 4,
                                  "learning_rate": 0.01, "device": "cpu", "dtype": "fp32", "processes": 2,
                                  "strategy": "fsdp"})
    run = runner.start(cfg)
    assert runner.command(run, 2, "fsdp")[2:5] == ["accelerate.commands.launch", "--config_file",
                                                    str(run.path / "accelerate.yaml")]
    st = runner.wait(run, poll_s=0.5, timeout_s=300)
    log = (run.path / "train.log").read_text()
    assert st.state == "done", log[-3000:]
    assert "worker rank 0/2 (local 0)" in log and "worker rank 1/2 (local 1)" in log and "(FSDP)" in log
    shards = run.path / "checkpoints" / "checkpoint-2" / "pytorch_model_fsdp_0"
    assert sorted(p.name for p in shards.iterdir() if p.suffix == ".distcp") == ["__0_0.distcp", "__1_0.distcp"]

    # resume from the sharded checkpoint at step 2 (a new run: the original keeps its later checkpoint)
    again = runner.resume(run.id, step=2)
    st2 = runner.wait(again, poll_s=0.5, timeout_s=300)
    assert st2.state == "done" and st2.step == 4, again.log_tail()
    assert "resuming from" in (again.path / "train.log").read_text()
    first, second = _losses(run), _losses(again)
    assert abs(first[4] - first[1]) > 1e-3  # the weights moved: equal losses below are a restored state
    assert all(abs(second[s] - first[s]) < 1e-4 for s in (3, 4)), (first, second)

    # one adapter, written by rank 0, shaped like a 1-process run's, loadable by peft, trained
    assert [p.name for p in run.path.glob("adapter*")] == ["adapter"]
    base = AutoModelForCausalLM.from_pretrained(str(tiny_model_dir), dtype=torch.float32)
    get_peft_model(base, recipe.to_lora_config(cfg.lora)).save_pretrained(tmp_path / "one")
    expected = _shapes(tmp_path / "one" / "adapter_model.safetensors")
    got = _shapes(run.adapter_dir / "adapter_model.safetensors")
    assert got == expected and len(got) == 2 * 7 * 2  # lora A and B on 7 linears in 2 layers
    fresh = AutoModelForCausalLM.from_pretrained(str(tiny_model_dir), dtype=torch.float32)
    tuned = PeftModel.from_pretrained(fresh, str(run.adapter_dir))
    lora_b = [p for n, p in tuned.named_parameters() if "lora_B" in n]
    assert lora_b and all(p.abs().sum() > 0 for p in lora_b)  # LoRA B starts at zero: these were trained


@pytest.mark.gpu
@pytest.mark.skipif(not _cuda(), reason="needs a CUDA GPU")
def test_one_gpu_fsdp_qlora_run_of_a_small_random_model(tiny_model_dir, tiny_data):
    """The GPU check of issue 23 (never run where this was written: no GPU): FSDP-QLoRA as the recipe has it,
    the 4-bit base stored in bf16 and sharded by FSDP1, on one GPU, to one PEFT adapter."""
    import yaml

    cfg = recipe.build(str(tiny_model_dir), train_path=str(tiny_data),
                       overrides={"max_steps": 4, "save_steps": 2, "batch_size": 4, "max_length": 64, "lora_r": 4,
                                  "device": "cuda", "quant": "nf4", "dtype": "bf16", "processes": 1,
                                  "strategy": "fsdp"})
    run = runner.start(cfg)
    st = runner.wait(run, poll_s=0.5, timeout_s=600)
    assert st.state == "done", run.log_tail()
    config = yaml.safe_load((run.path / "accelerate.yaml").read_text())
    assert config["distributed_type"] == "FSDP" and config["fsdp_config"]["fsdp_version"] == 1
    assert (run.adapter_dir / "adapter_model.safetensors").is_file()
    assert "(FSDP)" in (run.path / "train.log").read_text()
