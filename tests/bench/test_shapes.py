"""The random-weight shapes of the GPU check (studio/bench/shapes.py): the published models' sizes, a tokenizer
the studio builds, and a tiny shape that builds once and loads through the studio's own loader."""
from __future__ import annotations

import json

import pytest

from studio.bench import shapes
from studio.chat import messages_for, prompt_ids
from studio.models import load_model, load_tokenizer


@pytest.mark.parametrize(("name", "params"), [("qwen2.5-0.5b", 494_032_768), ("gemma-3-1b", 999_885_952),
                                              ("qwen2.5-7b", 7_615_616_512)])
def test_each_shape_has_its_published_parameter_count(name, params):
    assert shapes.parameters(name) == pytest.approx(params, rel=0.005)


def test_the_tokenizer_is_built_here_with_a_chatml_template():
    tok = shapes.build_tokenizer(512)
    assert len(tok) == 512 and tok.eos_token == "<|im_end|>" and tok.pad_token_id == 0
    text = tok.apply_chat_template(messages_for("Return JSON, good sir."), tokenize=False, add_generation_prompt=True)
    assert text.endswith("<|im_start|>assistant\n")
    assert tok.decode(tok("拙者はサムライでござる")["input_ids"]) == "拙者はサムライでござる"  # byte-level: all text


def test_the_tiny_shape_builds_once_and_trains_through_the_studios_loader(tmp_path):
    import torch

    folder = shapes.ensure("tiny", tmp_path, device="cpu")
    marker = json.loads((folder / shapes.MARKER).read_text())
    assert marker["shape"] == "tiny" and marker["parameters"] > 0
    stamp = (folder / "model.safetensors").stat().st_mtime_ns
    assert shapes.ensure("tiny", tmp_path, device="cpu") == folder
    assert (folder / "model.safetensors").stat().st_mtime_ns == stamp  # reused, not rebuilt
    tok = load_tokenizer(str(folder))
    model = load_model(str(folder), dtype="fp32", device="cpu")
    assert model.config.eos_token_id == tok.eos_token_id and model.config.vocab_size == 512
    ids = torch.tensor([prompt_ids(tok, messages_for("Hello there"))])
    loss = model(input_ids=ids, labels=ids).loss
    assert torch.isfinite(loss) and loss.item() > 0
