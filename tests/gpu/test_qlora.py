"""QLoRA on CUDA as the paper defines it, through the studio's own engine: NF4 with double quantisation and
bf16 compute, paged 8-bit AdamW, LoRA on every linear layer; it learns, saves, reloads on a fresh 4-bit base
and answers as before saving. And the plan names the method that really runs."""
from __future__ import annotations

import pytest

from studio.bench import shapes
from studio.train import recipe
from tests.helpers import gpu as g

pytestmark = pytest.mark.gpu

LINEARS = {"q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"}


def test_the_engine_trains_qlora_as_the_paper_defines_it(qlora):
    layers = qlora.layers
    assert layers["four_bit"] == 24 * len(LINEARS)  # every linear layer of the 24 blocks, the LM head apart
    assert layers["quant_types"] == {"nf4"} and layers["double_quant"] == {True}
    assert layers["compute_dtypes"] == {"torch.bfloat16"}
    assert LINEARS <= layers["lora_targets"]
    opt = qlora.optimizer  # paged_adamw_8bit: transformers makes it bitsandbytes' AdamW, 8-bit and paged
    assert opt["module"].startswith("bitsandbytes.") and opt["paged"] and opt["bits"] == 8, opt
    assert qlora.plan.adapter == "qlora" and "(QLORA · SFT)" in qlora.plan.say("en")[2]


def test_a_short_run_learns_the_task_by_a_clear_margin(qlora):
    losses = qlora.losses
    assert len(losses) >= 10
    assert losses[-1] <= 0.25 * losses[0], f"loss went from {losses[0]:.3f} to {losses[-1]:.3f}"


def test_the_adapter_reloads_on_a_fresh_4bit_base_and_answers_as_before_saving(qlora):
    from peft import PeftModel

    from studio.models import load_model, load_tokenizer

    base_dir = qlora.cfg.model.name
    tok = load_tokenizer(base_dir)
    base = load_model(base_dir, quant="nf4", dtype="bf16", device="cuda")
    tuned = PeftModel.from_pretrained(base, str(qlora.run.adapter_dir))
    after = g.greedy(tuned, tok)
    assert after == qlora.before, list(zip(g.text_of(tok, qlora.before), g.text_of(tok, after)))
    learned = sum(a == b for a, b in zip(g.text_of(tok, after), g.mapping(1).values()))
    assert learned >= 12, f"only {learned} of 16 answers learned: {g.text_of(tok, after)}"


@pytest.mark.parametrize(("quant", "method", "four_bit"), [("auto", "qlora", True), ("none", "lora", False),
                                                           ("nf4", "qlora", True)])
def test_the_plan_names_the_method_that_really_runs(quant, method, four_bit, shapes_root, tmp_path):
    """Issue 16: a quant=none run on a GPU was planned as QLoRA while it trained plain LoRA."""
    import bitsandbytes as bnb

    from studio import runs
    from studio.train import engine
    from studio.train.callbacks import StudioCallback

    model = shapes.ensure("tiny", shapes_root, device="cuda")
    data = g.write_rows(tmp_path / "rows.jsonl", g.mapping(0))
    cfg = recipe.build(str(model), train_path=str(data), overrides={"quant": quant, "device": "cuda", "max_steps": 1})
    cfg.data.eval_fraction = 0.0
    plan = recipe.plan(cfg, 16)
    run = runs.create(cfg)
    trainer = engine.build_trainer(run, cfg, StudioCallback(run))
    loaded = any(isinstance(m, bnb.nn.Linear4bit) for m in trainer.model.modules())
    assert plan.adapter == method and loaded == four_bit
    assert trainer.args.optim == ("paged_adamw_8bit" if four_bit else "adamw_torch")
