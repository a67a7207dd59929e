"""The app and the worker share the GPU (issue 16), on the CPU with made-up GPU models: before a run starts on
the GPU the app unloads the chat/Compare models it holds there (not those on the CPU), the run's log and the
caller are told which, and a CPU run touches nothing. The real thing on CUDA: tests/gpu/test_runs.py."""
from __future__ import annotations

from types import SimpleNamespace

import pytest

from studio import chat
from studio.config import ModelSpec, RunConfig
from studio.train import recipe, runner, share


def _held(device: str) -> SimpleNamespace:
    weight = SimpleNamespace(device=SimpleNamespace(type=device))
    return SimpleNamespace(model=SimpleNamespace(parameters=lambda: iter([weight])))


@pytest.fixture
def fake_gpu(monkeypatch):
    import torch

    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    emptied = []
    monkeypatch.setattr(torch.cuda, "empty_cache", lambda: emptied.append(True))
    monkeypatch.setitem(chat._CACHE, ("big-on-gpu", False), _held("cuda"))
    monkeypatch.setitem(chat._CACHE, ("small-on-cpu", False), _held("cpu"))
    return emptied


def test_before_a_gpu_run_the_app_unloads_its_gpu_models_only(fake_gpu):
    cfg = RunConfig(model=ModelSpec(name="m"))
    assert share.held_on_gpu() == ["big-on-gpu"]
    assert share.release(cfg) == ["big-on-gpu"] and fake_gpu == [True]
    assert not chat.is_loaded("big-on-gpu") and chat.is_loaded("small-on-cpu")
    assert share.release(cfg) == [] and fake_gpu == [True]  # nothing left to free


def test_a_cpu_run_leaves_the_apps_models_alone(fake_gpu):
    cfg = RunConfig(model=ModelSpec(name="m"))
    cfg.train.device = "cpu"
    assert share.release(cfg) == [] and chat.is_loaded("big-on-gpu") and not fake_gpu


def test_starting_a_run_says_which_models_left_the_gpu(fake_gpu, tiny_model_dir, tiny_data, monkeypatch):
    """runner.start frees the GPU before the worker process exists, writes it in the run's log (the Train step
    shows it) and tells the caller (the app's toast)."""
    started = []

    def popen(cmd, **kw):
        started.append(chat.is_loaded("big-on-gpu"))  # already unloaded when the worker starts
        return SimpleNamespace(pid=999_999)

    monkeypatch.setattr(runner.subprocess, "Popen", popen)
    told: list[str] = []
    cfg = recipe.build(str(tiny_model_dir), train_path=str(tiny_data), overrides={"max_steps": 1, "processes": 1})
    run = runner.start(cfg, on_gpu_freed=told.extend)
    assert told == ["big-on-gpu"] and started == [False]
    assert "the app unloaded big-on-gpu from the GPU" in (run.path / "train.log").read_text()
