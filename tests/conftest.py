"""Shared fixtures: a fresh data home per test, a shared cache of converted embedded models, and a
tiny random Llama built in-process (no network) saved as a local model folder."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.helpers import ROOT

ARTIFACTS = ROOT / "tests" / "artifacts"
os.environ.setdefault("STUDIO_MODEL_CACHE", str(Path.home() / ".katachi-studio" / "models"))
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
# The suite's answers come from the torch path it was written against (tiny fp32 models, mixed-adapter batches);
# tests/engine/ asks for llama.cpp itself, and checks that every answer surface goes through the chooser.
os.environ.setdefault("STUDIO_ENGINE", "torch")


def pytest_collection_modifyitems(config, items):
    """`gpu` tests (tests/gpu/) skip, saying why, where torch sees no CUDA device (torch is imported only
    when such a test was collected)."""
    gpu = [item for item in items if item.get_closest_marker("gpu")]
    if not gpu:
        return
    import torch

    if not torch.cuda.is_available():
        skip = pytest.mark.skip(reason="needs CUDA (torch.cuda.is_available() is false)")
        for item in gpu:
            item.add_marker(skip)


@pytest.fixture(scope="session", autouse=True)
def no_gguf_left(tmp_path_factory):
    """The model cache is shared across the session's data homes (and with the user's), and the GGUFs written
    for this session's temporary model folders would serve no later session: removed at its end."""
    yield
    from studio.engine.weights import _slug
    from studio.paths import model_cache_dir

    for path in (model_cache_dir() / "gguf").glob(_slug(str(tmp_path_factory.getbasetemp())) + "_*"):
        path.unlink(missing_ok=True)


@pytest.fixture(autouse=True)
def studio_home(tmp_path, monkeypatch) -> Path:
    home = tmp_path / "studio-home"
    monkeypatch.setenv("STUDIO_HOME", str(home))
    yield home
    end_workers(home)


def end_workers(home: Path) -> None:
    """Training workers live in their own session on purpose (a run outlives the app that started it), so a
    test that leaves a run training would leave it eating the CPU under every later test (seen: the facts lab
    walk 5x slower behind a DPO run a walk started). Every worker of the test's home ends with the test."""
    import signal

    files = [*home.glob("runs/*/launcher.pid"), *home.glob("runs/*/status.json")]
    for pid in {pid for path in files for pid in _pids(path)}:
        try:
            group = os.getpgid(pid)
            # a pid reused since by something else (pytest's own group above all) is left alone
            if group != os.getpgrp() and b"studio" in Path(f"/proc/{pid}/cmdline").read_bytes():
                os.killpg(group, signal.SIGKILL)
        except (ProcessLookupError, PermissionError, FileNotFoundError):
            pass


def _pids(path: Path) -> list[int]:
    """The pids a run's files name (the launcher's pid file, or status.json's pid)."""
    import json

    text = path.read_text(errors="replace").strip() if path.is_file() else ""
    if text.isdigit():
        return [int(text)]
    try:
        pid = json.loads(text).get("pid") if text.startswith("{") else None
    except ValueError:
        return []
    return [pid] if isinstance(pid, int) and pid > 0 else []


@pytest.fixture(scope="module")
def one_thread():
    """For modules that run the tiny model many times: its ops last microseconds, and with 2 threads on
    a busy 2-core machine every op waits for a descheduled partner (measured 10x slower). One thread
    gives the same results. Use with `pytestmark = pytest.mark.usefixtures("one_thread")`."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory) -> Path:
    """A 2-layer random Llama with the tiny ChatML tokenizer, saved as safetensors."""
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM

    from tests.helpers.tiny_tokenizer import tiny_tokenizer

    tok = tiny_tokenizer()
    torch.manual_seed(0)
    cfg = LlamaConfig(vocab_size=len(tok), hidden_size=64, intermediate_size=128, num_hidden_layers=2,
                      num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=512,
                      eos_token_id=tok.eos_token_id, pad_token_id=tok.pad_token_id,
                      bos_token_id=tok.eos_token_id, tie_word_embeddings=True)
    model = LlamaForCausalLM(cfg)
    out = tmp_path_factory.mktemp("tiny-llama")
    model.save_pretrained(out, safe_serialization=True)
    tok.save_pretrained(out)
    return out


@pytest.fixture
def tiny_data(tmp_path) -> Path:
    """A small chat dataset in the messages format."""
    import json

    rows = [{"messages": [{"role": "user", "content": f"Greet guest {i}"},
                          {"role": "assistant", "content": f"Good morrow, guest {i}!"}]} for i in range(48)]
    path = tmp_path / "tiny.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows), encoding="utf-8")
    return path


@pytest.fixture
def local_hub(monkeypatch):
    """The real hub client talking to tests/helpers/hub_server.py on 127.0.0.1, with a token in HF_TOKEN."""
    from huggingface_hub import constants

    from tests.helpers.hub_server import LocalHub

    with LocalHub() as hub:
        monkeypatch.setattr(constants, "ENDPOINT", hub.endpoint)
        monkeypatch.setattr(constants, "HF_HUB_OFFLINE", False)
        monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
        monkeypatch.setenv("HF_TOKEN", "hf_secret_token_123")
        yield hub.state
