"""Compare and merged export of a QLoRA run on CUDA: side by side on a 4-bit base, each column gives exactly
the tokens it gives alone; the merged export (the base dequantised, the LoRA folded in) loads without peft
and answers as the 4-bit base + adapter did."""
from __future__ import annotations

import functools
import json

import pytest

from studio import chat
from studio.chat import GenSettings, messages_for
from studio.compare import mask
from studio.compare.columns import Column
from studio.compare.engine import Comparer, adapter_name
from studio.models import load_model
from tests.helpers import gpu as g

pytestmark = pytest.mark.gpu
SETTINGS = GenSettings(max_new_tokens=16, repetition_penalty=1.0)


@pytest.fixture
def four_bit_chat(qlora, monkeypatch) -> chat.ChatModel:
    """The chat model Compare uses, its base loaded in 4-bit NF4 as the run trained on it."""
    monkeypatch.setattr(chat, "load_model", functools.partial(load_model, quant="nf4"))
    held = chat.ChatModel(qlora.cfg.model.name, dtype="bf16")
    assert getattr(held.model, "is_loaded_in_4bit", False)
    return held


def test_side_by_side_on_a_4bit_base_gives_each_column_the_tokens_it_gives_alone(qlora, four_bit_chat, home):
    name, adapter = qlora.cfg.model.name, str(qlora.run.adapter_dir)
    prompts = g.PROMPTS[:6]
    cols = [c for p in prompts for c in (Column("base", "Base", None, messages_for(p)),
                                         Column("tuned", "Tuned", adapter, messages_for(p)))]
    batched = Comparer(name, chat=four_bit_chat)
    batched.generate(cols, SETTINGS)
    # bitsandbytes' LoRA layers are not plain peft Linear ones: the per-row scale is refused and Compare takes
    # peft's mixed-adapter batch, the fallback this test holds to the same tokens
    path = "row scale" if mask.supports(four_bit_chat.model, adapter_name(adapter)) else "peft mixed batch"
    alone: list[list[int]] = []
    one = Comparer(name, mode="sequential", chat=four_bit_chat)
    for col in cols:
        one.generate([col], SETTINGS)
        alone.extend(one.last_token_ids)
    assert batched.last_token_ids == alone, path
    tok = four_bit_chat.tokenizer
    base_said, tuned_said = g.text_of(tok, alone[0::2]), g.text_of(tok, alone[1::2])
    assert sum(b != t for b, t in zip(base_said, tuned_said)) >= 5  # the columns differ: real work compared


def test_merged_export_of_a_qlora_run_loads_without_peft_and_answers_as_base_plus_adapter(qlora, home, tmp_path):
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from studio.export import bundle

    out = bundle.export_merged(qlora.run.id, tmp_path / "merged", dtype="bf16", device="cuda")
    config = json.loads((out / "config.json").read_text())
    assert "quantization_config" not in config and not (out / "adapter_config.json").exists()
    merged = AutoModelForCausalLM.from_pretrained(out, dtype=torch.bfloat16, device_map={"": 0})
    assert not [n for n, _ in merged.named_parameters() if "lora" in n]
    tok = AutoTokenizer.from_pretrained(out)
    said = g.greedy(merged, tok)
    assert said == qlora.before, list(zip(g.text_of(tok, qlora.before), g.text_of(tok, said)))
