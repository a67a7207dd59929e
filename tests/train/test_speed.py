"""The engine's CPU speed-ups keep the maths: varlen attention gives each packed sample its own logits."""
from studio.train import speed


def test_varlen_is_used_only_for_padding_free_sdpa(tiny_model_dir):
    from studio.models import load_model

    model = load_model(str(tiny_model_dir), dtype="fp32")
    assert speed.wants_varlen(model, True) == (model.config._attn_implementation == "sdpa")
    assert not speed.wants_varlen(model, False)


def test_allocator_tuning_applies_on_glibc():
    import platform

    assert speed.tune_allocator() == (platform.libc_ver()[0] == "glibc")


def test_varlen_attention_matches_each_sample_on_its_own(tiny_model_dir):
    """The engine's attention on a padding-free batch gives each sample the logits it gets alone."""
    import torch

    from studio.models import load_model
    from studio.train.speed import install

    model = load_model(str(tiny_model_dir), dtype="fp32")
    model.eval()
    torch.manual_seed(0)
    seqs = [torch.randint(3, 300, (n,)) for n in (7, 19, 4)]
    alone = torch.cat([model(input_ids=s[None]).logits for s in seqs], 1)
    cu = torch.tensor([0, 7, 26, 30], dtype=torch.int32)
    packed = {"input_ids": torch.cat(seqs)[None], "use_cache": False, "cu_seq_lens_q": cu, "cu_seq_lens_k": cu,
              "position_ids": torch.cat([torch.arange(len(s)) for s in seqs])[None],
              "max_length_q": 19, "max_length_k": 19}
    install(model)
    assert model.config._attn_implementation == "sdpa_varlen"
    with torch.no_grad():
        assert torch.allclose(model(**packed).logits, alone, atol=1e-5)
        padded = model(input_ids=torch.stack([seqs[0], seqs[0]]), attention_mask=torch.ones(2, 7)).logits
    assert torch.allclose(padded[0], alone[0, :7], atol=1e-5)  # ordinary batches keep sdpa's path


def test_labelled_only_lm_head_gives_the_same_loss_and_gradients(tiny_model_dir, monkeypatch):
    """trl's fused LM head scoring only labelled positions on the CPU: same loss, same gradients."""
    import torch
    import trl.trainer.utils as trl_utils
    from trl.trainer.utils import add_fused_lm_head

    from studio.models import load_model

    # trl's own switch (an earlier in-process training may have set ours already); restored afterwards
    monkeypatch.setattr(trl_utils, "_use_triton", getattr(trl_utils._use_triton, "_original", trl_utils._use_triton))
    model = load_model(str(tiny_model_dir), dtype="fp32")
    add_fused_lm_head(model)
    torch.manual_seed(0)
    ids = torch.randint(3, 300, (1, 40))
    labels = ids.clone()
    labels[:, :25] = -100  # a prompt: no loss there

    def loss_and_grad():
        model.zero_grad()
        loss = model(input_ids=ids, labels=labels, fused_lm_head=True).loss
        loss.backward()
        return loss.detach(), model.lm_head.weight.grad.clone()

    full = loss_and_grad()
    assert not trl_utils._use_triton(torch.device("cpu"))
    assert speed.score_labelled_only() and speed.score_labelled_only()  # idempotent
    assert trl_utils._use_triton(torch.device("cpu"))
    compact = loss_and_grad()
    assert torch.allclose(full[0], compact[0], atol=1e-5) and torch.allclose(full[1], compact[1], atol=1e-6)


def test_lora_layers_keep_their_input_dtype_under_autocast(tiny_model_dir):
    import torch
    from peft import LoraConfig, get_peft_model

    from studio.models import load_model

    model = get_peft_model(load_model(str(tiny_model_dir), dtype="bf16"),
                           LoraConfig(r=4, target_modules="all-linear", task_type="CAUSAL_LM"))
    assert speed.keep_input_dtype(model) == 14  # 2 layers x 7 linear modules
    ids = torch.randint(3, 300, (1, 12))
    with torch.autocast("cpu", dtype=torch.bfloat16):
        loss = model(input_ids=ids, labels=ids).loss
    loss.backward()
    assert torch.isfinite(loss)
    assert all(p.grad is not None for n, p in model.named_parameters() if "lora_" in n)


def test_fast_dropout_keeps_the_rate_and_the_expectation():
    import torch

    drop = speed.FastDropout(0.05)
    x = torch.ones(400, 1000)
    y = drop(x)
    kept = (y > 0).float().mean().item()
    assert abs(kept - (1 - 13 / 256)) < 0.003  # p rounded to 13/256; the top bit of torch's draws unused
    assert abs(y.mean().item() - 1.0) < 0.005  # inverted dropout: the expectation is kept
    assert not torch.equal(drop(x), y)  # a fresh mask each call
    drop.eval()
    assert drop(x) is x


def test_lora_dropouts_are_swapped_and_gradients_flow(tiny_model_dir):
    import torch
    from peft import LoraConfig, get_peft_model

    from studio.models import load_model

    model = get_peft_model(load_model(str(tiny_model_dir), dtype="fp32"),
                           LoraConfig(r=4, lora_dropout=0.1, target_modules="all-linear", task_type="CAUSAL_LM"))
    model.train()
    assert speed.fast_lora_dropout(model) == 14
    assert speed.fast_lora_dropout(model) == 0  # already swapped
    ids = torch.randint(3, 300, (1, 12))
    model(input_ids=ids, labels=ids).loss.backward()
    assert all(p.grad is not None and p.grad.abs().sum() > 0 for n, p in model.named_parameters() if "lora_B" in n)
