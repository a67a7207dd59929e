"""GRPO's sampling through llama.cpp: the answers are the policy's as it trains (the adapter written again each
step gives torch's own greedy tokens, before and after its weights move), end with the end-of-sequence token they
sampled as trl's do, and fall back to torch saying why."""
from __future__ import annotations

import pytest

from studio.engine import llama, weights
from studio.engine.choose import Choice
from studio.train import rollout

pytestmark = pytest.mark.usefixtures("one_thread")


@pytest.fixture
def policy(tiny_model_dir):
    """The tiny model with a trainable LoRA whose B matrices are not zero (so it changes the answers), fp32."""
    import torch
    from peft import LoraConfig, get_peft_model

    from studio.models import load_model

    torch.manual_seed(3)
    model = load_model(str(tiny_model_dir), dtype="fp32")
    cfg = LoraConfig(r=4, lora_alpha=32, target_modules="all-linear", init_lora_weights=False,
                     task_type="CAUSAL_LM")
    return get_peft_model(model, cfg).eval()


def _torch_greedy(model, prompts: list[list[int]], n: int) -> list[list[int]]:
    import torch

    out = []
    for ids in prompts:
        with torch.no_grad():
            found = model.generate(input_ids=torch.tensor([ids]), attention_mask=torch.ones_like(torch.tensor([ids])),
                                   do_sample=False, max_new_tokens=n, min_new_tokens=n, repetition_penalty=1.0,
                                   pad_token_id=0)
        out.append(found[0, len(ids):].tolist())
    return out


def _greedy(n: int) -> rollout.Sampling:
    return rollout.Sampling(max_new_tokens=n, temperature=0.0, top_p=1.0, repetition_penalty=1.0, seed=0)


def test_the_rollout_samples_the_policy_as_its_weights_move(tiny_model_dir, policy, tmp_path):
    import torch

    name = str(tiny_model_dir)
    sampler = rollout.Rollout(name, Choice("llama.cpp", weights="f32", through="fp32"), tmp_path / "engine" / "policy")
    prompts = [[5, 9, 14, 3], [7, 7, 21], [30, 2, 11, 12, 40]]
    first = sampler.refresh(policy, 0)
    assert sampler.refresh(policy, 0) == first  # the same step: nothing written again
    got = sampler.sample(prompts, _greedy(10), eos_ids=set())
    assert got == _torch_greedy(policy, prompts, 10)

    with torch.no_grad():  # an optimiser step
        for param in policy.parameters():
            if param.requires_grad:
                param.add_(torch.randn_like(param) * 0.3)
    second = sampler.refresh(policy, 1)
    assert second != first and second.is_file() and not first.is_file()
    moved = sampler.sample(prompts, _greedy(10), eos_ids=set())
    assert moved == _torch_greedy(policy, prompts, 10) and moved != got
    base = llama.base(weights.base_gguf(name, "f32", "fp32"))
    assert str(second) in base.adapters and str(first) not in base.adapters  # the old one was freed


def test_an_answer_ends_with_the_end_token_it_sampled(tiny_model_dir, policy, tmp_path):
    sampler = rollout.Rollout(str(tiny_model_dir), Choice("llama.cpp", weights="f32", through="fp32"),
                              tmp_path / "policy")
    sampler.refresh(policy, 0)
    prompts = [[5, 9, 14, 3], [7, 7, 21]]
    full = sampler.sample(prompts, _greedy(8), eos_ids=set())
    end = full[0][3]  # pretend the fourth token of the first answer ends a sequence
    cut = sampler.sample(prompts, _greedy(8), eos_ids={end})
    assert cut[0] == full[0][:full[0].index(end) + 1]  # trl keeps the end token in the completion
    assert all(len(ids) <= 8 for ids in cut)


def test_sampling_draws_from_a_new_seed_each_call_and_repeats_with_the_same(tiny_model_dir, policy, tmp_path):
    sampler = rollout.Rollout(str(tiny_model_dir), Choice("llama.cpp", weights="f32", through="fp32"),
                              tmp_path / "policy")
    sampler.refresh(policy, 0)
    hot = rollout.Sampling(max_new_tokens=12, temperature=1.5, top_p=1.0, repetition_penalty=1.0, seed=4)
    prompts = [[5, 9, 14, 3]] * 4  # K answers to one prompt: rows draw apart
    one = sampler.sample(prompts, hot, eos_ids=set())
    assert len({tuple(ids) for ids in one}) > 1
    assert sampler.sample(prompts, hot, eos_ids=set()) == one
    assert sampler.calls == 2


def test_torch_samples_where_llama_cpp_cannot_saying_why(tiny_model_dir, tmp_path, monkeypatch):
    monkeypatch.setenv("STUDIO_ENGINE", "auto")  # the suite's default is torch
    found, said = rollout.plan(str(tiny_model_dir), "auto", "cpu", "fp32", tmp_path, quantized=True)
    assert found is None and said == f"GRPO answers sampled by torch ({rollout.QUANTIZED})"
    found, said = rollout.plan(str(tiny_model_dir), "auto", "cpu", "fp32", tmp_path, processes=2)
    assert found is None and said == f"GRPO answers sampled by torch ({rollout.SEVERAL})"
    found, said = rollout.plan(str(tiny_model_dir), "auto", "cuda", "bf16", tmp_path)
    assert found is None and "on cuda" in said
    found, said = rollout.plan(str(tiny_model_dir), "torch", "cpu", "fp32", tmp_path)
    assert found is None and said == "GRPO answers sampled by torch"
    found, said = rollout.plan(str(tiny_model_dir), "auto", "cpu", "bf16", tmp_path)
    assert found is not None and found.choice.through == "bf16"
    assert said.startswith("GRPO answers sampled by llama.cpp f16")
