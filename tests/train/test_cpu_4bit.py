"""4 bits on the CPU (issue 29 §5): bitsandbytes' CPU backend trains a 4-bit base, so the plan takes NF4 on a CPU
where a model fits in 4 bits and not in bf16 (saying why, with both figures), the card offers --quant nf4, and
a tiny model trains with quant=nf4 through the real worker to done and merges into a plain model."""
from __future__ import annotations

import pytest

from studio.models.device import DeviceInfo
from studio.text import t
from studio.train import recipe, runner


def _machine(monkeypatch, gb: float) -> None:
    cpu = DeviceInfo("cpu", "CPU", int(gb * 1024), 1, True, 2)
    monkeypatch.setattr("studio.models.info.detect", lambda: cpu)


@pytest.mark.parametrize(("gb", "method"), [(64.0, "lora"), (9.0, "qlora"), (2.0, "lora")])
def test_the_plan_takes_4_bits_on_the_cpu_only_where_only_they_fit(monkeypatch, gb, method):
    """Qwen2.5-7B with batch 1 x 256: bf16 LoRA fits 64 GB; only 4 bits fit 9 GB; nothing fits 2 GB (the plan
    then keeps bf16 and says it does not fit, rather than pick a 4-bit run that cannot fit either)."""
    _machine(monkeypatch, gb)
    cfg = recipe.build("qwen2.5-7b-instruct", preset="json", overrides={"batch_size": 1, "max_length": 256})
    plan = recipe.plan(cfg, 100)
    assert plan.kind == "cpu" and plan.adapter == method and recipe.use_quant(cfg, "cpu") == (method == "qlora")
    lines = plan.say("en")
    if method == "qlora":
        lora, qlora = plan.cpu_4bit
        assert lora.estimate.total_mb > 0.9 * gb * 1024 > qlora.estimate.total_mb
        assert f"~{lora.estimate.total_mb / 1024:.1f} GB" in lines[-1] and "4-bit base (NF4)" in lines[-1]
        assert plan.say("ja")[-1] != lines[-1]
    else:
        assert plan.cpu_4bit is None and not any("NF4" in line for line in lines)


def test_asked_for_nf4_or_none_the_plan_does_as_told(monkeypatch):
    _machine(monkeypatch, 9.0)
    base = {"batch_size": 1, "max_length": 256}
    told = recipe.build("qwen2.5-7b-instruct", preset="json", overrides={**base, "quant": "none"})
    assert recipe.plan(told, 100).adapter == "lora"
    small = recipe.build("smollm2-135m", preset="json", overrides={"quant": "nf4"})
    plan = recipe.plan(small, 100)
    assert plan.adapter == "qlora" and plan.cpu_4bit is None  # asked for, not chosen: no "why" line


def test_the_model_card_offers_nf4_on_the_cpu():
    for lang in ("en", "ja"):
        assert "--quant nf4" in t(lang, "card_runs_cpu", dtype="bf16")


def test_a_tiny_model_trains_in_4_bits_on_the_cpu_to_done_and_merges(tiny_model_dir, tiny_data, tmp_path):
    import json

    from transformers import AutoModelForCausalLM

    from studio.export import bundle as export

    cfg = recipe.build(str(tiny_model_dir), train_path=str(tiny_data),
                       overrides={"quant": "nf4", "device": "cpu", "max_steps": 4, "batch_size": 4,
                                  "max_length": 64, "lora_r": 4, "warmup_ratio": 0.0})
    run = runner.start(cfg)
    st = runner.wait(run, poll_s=0.2, timeout_s=300)
    assert st.state == "done", run.log_tail()
    assert len([m for m in run.metrics() if "loss" in m]) == 4
    assert "4-bit NF4 base)" in (run.path / "train.log").read_text()
    out = export.export_merged(run.id, tmp_path / "merged", dtype="fp32")
    assert "quantization_config" not in json.loads((out / "config.json").read_text())
    model = AutoModelForCausalLM.from_pretrained(out)  # plain transformers, no peft, no bitsandbytes
    assert sum(p.numel() for p in model.parameters()) > 0
