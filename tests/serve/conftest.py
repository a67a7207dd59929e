"""What the serve tests share: the tiny random Llama in fp32 (batched and alone compare token for token), three
finished runs made from random LoRAs, and a real `studio serve` on a free port of 127.0.0.1 (uvicorn on a
thread of this process)."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import openai
import pytest

from studio import chat, runs
from studio.chat import ChatModel
from studio.serve.server import Options, Server
from tests.helpers.runs import fake_run, random_lora_folder
from tests.helpers.server import free_port

KEY = "sk-test-0123456789"


@pytest.fixture(scope="module")
def model(tiny_model_dir) -> ChatModel:
    return ChatModel(str(tiny_model_dir), dtype="fp32")


@pytest.fixture(scope="module")
def loras(tiny_model_dir, tmp_path_factory) -> list[Path]:
    return [random_lora_folder(tiny_model_dir, tmp_path_factory.mktemp(f"lora{s}"), seed=s) for s in (1, 2, 3)]


@dataclass
class Served:
    server: Server
    runs: list[runs.Run]
    base: str
    """The tiny model's id on the server (its folder's name)."""

    def client(self, key: str = "none") -> openai.OpenAI:
        return openai.OpenAI(base_url=self.server.url, api_key=key, max_retries=0, timeout=120)


@contextmanager
def serving(tiny_model_dir: Path, model: ChatModel, loras: list[Path], monkeypatch, **options) -> Iterator[Served]:
    def get_chat_model(name: str, trust_remote_code: bool = False, keep: int = 2) -> ChatModel:
        assert name == str(tiny_model_dir), f"the test serves the tiny model only, not {name}"
        return model

    monkeypatch.setattr(chat, "get_chat_model", get_chat_model)
    made = [fake_run(tiny_model_dir, lora) for lora in loras]
    server = Server(Options(port=free_port(), **options)).start()
    try:
        yield Served(server, made, tiny_model_dir.name)
    finally:
        server.stop()


@pytest.fixture
def served(tiny_model_dir, model, loras, monkeypatch) -> Iterator[Served]:
    with serving(tiny_model_dir, model, loras, monkeypatch) as s:
        yield s
