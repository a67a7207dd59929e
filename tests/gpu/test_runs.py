"""Runs on CUDA through the runner's own worker process: stop and resume continue from the checkpoint with the
paged 8-bit optimizer's state; the app and the worker share the GPU (the app lets go of its models before a
run starts, and says so); a stopped or failed (killed) run leaves no GPU memory behind."""
from __future__ import annotations

import os
import signal
import time

import pytest

from studio import chat, runs
from studio.train import runner
from tests.helpers import gpu as g
from tests.helpers.gpu import qlora_config
from tests.helpers.runs import wait_for

pytestmark = pytest.mark.gpu
SLACK_MB = 256
"""GPU memory a finished worker may seem to leave behind (the driver's own bookkeeping)."""


def _free_mb() -> float:
    """Free memory of the whole device as the driver sees it (every process), after the driver settles."""
    import torch

    time.sleep(1.0)
    return torch.cuda.mem_get_info()[0] / 2**20


def _gone(pid: int | None) -> bool:
    if not pid:
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def test_stop_and_resume_on_cuda_continue_from_the_checkpoint_with_the_optimizer_state(taught_base, tmp_path):
    import torch

    data = g.write_rows(tmp_path / "rows.jsonl", g.mapping(1), repeat=8)
    free0 = _free_mb()
    run = runner.start(qlora_config(taught_base, data, max_steps=60, batch_size=8, save_steps=4))
    st = wait_for(run, lambda s: s.state == "running" and s.step >= 6 and run.checkpoints(), timeout=300)
    pid = st.pid
    runner.stop(run.id)
    st = runner.wait(run, poll_s=0.5, timeout_s=180)
    assert st.state == "stopped" and 6 <= st.step < 60, run.log_tail()
    assert _gone(pid) and _free_mb() >= free0 - SLACK_MB  # a stopped run leaves no GPU memory behind
    last = run.checkpoints()[-1]
    saved = torch.load(last / "optimizer.pt", map_location="cpu", weights_only=False)["state"]
    # bitsandbytes 0.50 keeps each tensor's states under one key; 8-bit where the tensor is large, fp32 where small
    states = [s.get("__bnb_optimizer_quant_state__", s) for s in saved.values()]
    assert states and all("state1" in s and "state2" in s for s in states)
    assert any(s["state1"].dtype == torch.uint8 for s in states)
    before = len(run.metrics())
    runner.resume(run.id)
    st = runner.wait(run, poll_s=0.5, timeout_s=300)
    assert st.state == "done" and st.step == 60, run.log_tail()
    assert f"resuming from {last}" in (run.path / "train.log").read_text()
    after = [m["step"] for m in run.metrics()[before:] if "loss" in m]
    assert after and min(after) == runs.checkpoint_step(last) + 1


def test_the_app_lets_go_of_its_gpu_models_before_a_run_and_says_so(taught_base, tmp_path):
    import torch

    data = g.write_rows(tmp_path / "rows.jsonl", g.mapping(1))
    name = str(taught_base)
    held = chat.get_chat_model(name)  # what the Model step's chat or Compare keep loaded
    assert next(held.model.parameters()).device.type == "cuda"
    del held
    with_model = torch.cuda.memory_allocated()
    assert with_model > 500 * 2**20
    freed: list[str] = []
    run = runner.start(qlora_config(taught_base, data, max_steps=3), on_gpu_freed=freed.extend)
    assert freed == [name] and not chat.is_loaded(name)
    assert torch.cuda.memory_allocated() < with_model - 500 * 2**20  # given back before the worker loads
    st = runner.wait(run, poll_s=0.5, timeout_s=240)
    assert st.state == "done", run.log_tail()
    assert f"the app unloaded {name} from the GPU" in (run.path / "train.log").read_text()


def test_a_killed_run_fails_and_leaves_no_gpu_memory_behind(taught_base, tmp_path):
    data = g.write_rows(tmp_path / "rows.jsonl", g.mapping(1), repeat=8)
    free0 = _free_mb()
    run = runner.start(qlora_config(taught_base, data, max_steps=400, batch_size=8))
    st = wait_for(run, lambda s: s.state == "running" and s.step >= 2, timeout=300)
    assert _free_mb() < free0 - 500  # the worker holds the model on the GPU while it trains
    os.kill(st.pid, signal.SIGKILL)
    st = wait_for(run, lambda s: not s.active, timeout=30)
    assert st.state == "failed" and "ended unexpectedly" in st.reason
    assert _gone(runs.worker_pid(run)) and _free_mb() >= free0 - SLACK_MB
