"""Data-parallel training through accelerate: two CPU processes (gloo) train one adapter."""
import pytest

from studio.train import recipe, runner

pytestmark = pytest.mark.slow


def test_two_process_cpu_run_leaves_one_adapter(tiny_model_dir, tiny_data):
    cfg = recipe.build(str(tiny_model_dir), train_path=str(tiny_data),
                       overrides={"max_steps": 4, "batch_size": 4, "max_length": 64, "lora_r": 4,
                                  "device": "cpu", "dtype": "fp32", "processes": 2})
    run = runner.start(cfg)
    assert "--nproc_per_node" in runner.command(run, 2)
    st = runner.wait(run, poll_s=0.5, timeout_s=600)
    log = (run.path / "train.log").read_text()
    assert st.state == "done", log[-3000:]
    assert run.has_adapter() and len(list(run.path.glob("adapter*"))) == 1
    assert "worker rank 0/2" in log and "worker rank 1/2" in log  # two processes trained it
    assert "gloo" in log or "world size 2" in log
