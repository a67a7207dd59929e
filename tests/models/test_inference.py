"""Faster answers (studio/models/inference.py, studio/models/compute.py): packed bf16 weights and the lean
LoRA forward give the answers of the plain paths, and every piece of model work runs on one thread."""
import threading

import pytest
import torch

from studio.chat import ChatModel, GenSettings, messages_for
from studio.compare.engine import Column, Comparer
from studio.models import compute, load_model
from studio.models.inference import PackedLinear, lean_lora, pack_linears, packable
from tests.helpers.runs import random_lora_folder

needs_onednn = pytest.mark.skipif(not torch.backends.mkldnn.is_available(), reason="torch built without oneDNN")


@needs_onednn
@pytest.mark.parametrize("rows", [1, 2, 7, 300])
def test_a_packed_linear_gives_exactly_the_plain_linears_numbers(rows):
    torch.manual_seed(0)
    layer = torch.nn.Linear(96, 160).to(torch.bfloat16)
    x = torch.randn(1, rows, 96, dtype=torch.bfloat16)
    with torch.inference_mode():
        plain = layer(x)
        assert pack_linears(layer, budget_mb=100) == 1 and isinstance(layer, PackedLinear)
        packed = layer(x)
    assert torch.equal(plain, packed)
    x.requires_grad_(True)  # a gradient wanted: the plain path, which autograd can follow
    layer(x).sum().backward()
    assert x.grad is not None and x.grad.abs().sum() > 0


def _greedy(model, ids, n=12):
    with torch.inference_mode():
        out = model.generate(ids, attention_mask=torch.ones_like(ids), max_new_tokens=n, do_sample=False,
                             pad_token_id=0)
    return out[0, ids.shape[1]:].tolist()


@needs_onednn
def test_a_packed_bf16_model_answers_token_for_token_as_before(tiny_model_dir):
    model = load_model(str(tiny_model_dir), dtype="bf16")
    ids = torch.tensor([[5, 9, 14, 3, 22, 7]])
    before = _greedy(model, ids)
    layers = len(packable(model))
    assert layers > 10 and pack_linears(model) == layers
    assert _greedy(model, ids) == before


def test_no_packing_without_room_or_for_fp32(tiny_model_dir):
    assert pack_linears(load_model(str(tiny_model_dir), dtype="bf16"), budget_mb=0) == 0
    assert pack_linears(load_model(str(tiny_model_dir), dtype="fp32"), budget_mb=100) == 0


@pytest.fixture(scope="module")
def lora(tiny_model_dir, tmp_path_factory):
    return random_lora_folder(tiny_model_dir, tmp_path_factory.mktemp("lean-lora"))


def _logits(model, ids):
    with torch.inference_mode():
        return model(input_ids=ids).logits


def test_the_lean_lora_forward_sums_what_peft_sums(tiny_model_dir, lora):
    from peft import PeftModel

    model = PeftModel.from_pretrained(load_model(str(tiny_model_dir), dtype="fp32"), str(lora)).eval()
    ids = torch.tensor([[5, 9, 14, 3, 22, 7], [8, 8, 2, 40, 11, 6]])
    with model.disable_adapter():
        base = _logits(model, ids)
    peft_out = _logits(model, ids)
    assert (peft_out - base).abs().max() > 1e-3  # the adapter changes the answer: a real comparison
    assert lean_lora(model) > 0
    lean = _logits(model, ids)
    torch.testing.assert_close(lean, peft_out, rtol=1e-5, atol=1e-5)
    with model.disable_adapter():  # adapters off: peft's own path, the base model's numbers
        torch.testing.assert_close(_logits(model, ids), base, rtol=0, atol=0)
    model.train()  # training (dropout, gradients): peft's own forward
    assert model(input_ids=ids).logits.requires_grad


def test_the_lean_forward_keeps_a_per_row_scale(tiny_model_dir, lora):
    """Compare's base + tuned batch (studio.compare.mask) scales the LoRA sum per row."""
    from peft import PeftModel

    from studio.compare.mask import row_scaling

    model = PeftModel.from_pretrained(load_model(str(tiny_model_dir), dtype="fp32"), str(lora)).eval()
    ids = torch.tensor([[5, 9, 14, 3, 22, 7], [5, 9, 14, 3, 22, 7]])
    with model.disable_adapter():
        base = _logits(model, ids)
    tuned = _logits(model, ids)
    lean_lora(model)
    with row_scaling(model, "default", [False, True]):
        mixed = _logits(model, ids)
    torch.testing.assert_close(mixed[0], base[0], rtol=1e-5, atol=1e-5)
    torch.testing.assert_close(mixed[1], tuned[1], rtol=1e-5, atol=1e-5)


def test_model_work_runs_on_the_one_compute_thread(tiny_model_dir, lora):
    """Loading, answers, adapters and losses all on one thread (several OpenMP teams on a 2-core CPU made
    each answer ~2.5x slower: studio/models/compute.py)."""
    chat = ChatModel(str(tiny_model_dir), dtype="fp32")
    threads: set[str] = set()
    chat.model.register_forward_pre_hook(lambda *a: threads.add(threading.current_thread().name))
    settings = GenSettings(max_new_tokens=4)
    chat.generate(messages_for("hello"), settings)
    comparer = Comparer(str(tiny_model_dir), chat=chat)
    comparer.generate([Column("base", "Base", None, messages_for("hi")),
                       Column("tuned", "Tuned", str(lora), messages_for("hi"))], settings)
    assert threads and all(name.startswith(compute.NAME) for name in threads), threads
    assert not compute.on_compute_thread() and compute.run(compute.on_compute_thread)
    assert compute.run(lambda: compute.run(lambda: 7)) == 7  # nested work does not wait on itself
