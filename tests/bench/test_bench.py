"""`studio bench`: the JSON it prints, the docs it writes, and its data, on a tiny model and a very small
config. No timing is asserted here: the real figures live in docs/benchmarks.md."""
import json
import math

import pytest

from studio.bench import docs as bench_docs
from studio.bench import run as bench
from studio.bench.data import MAX_CHARS, bench_rows

TRAIN_KEYS = {"baseline_tokens_per_s", "studio_tokens_per_s", "speedup", "baseline_final_loss",
              "studio_final_loss", "baseline_peak_mb", "studio_peak_mb"}
GEN_KEYS = {"first_token_s", "tokens_per_s", "single_s", "side_by_side_s", "ratio"}


def _positive(x) -> bool:
    return isinstance(x, (int, float)) and math.isfinite(x) and x > 0


@pytest.fixture(scope="module")
def tiny_result(tiny_model_dir, tmp_path_factory):
    """One real bench run end to end (child processes, both trainers, held-out loss, generation)."""
    cfg = bench.BenchConfig(model=str(tiny_model_dir), steps=2, batch_size=2, eval_rows=3, new_tokens=4,
                            repeats=1, app=False)
    docs = tmp_path_factory.mktemp("docs") / "benchmarks.md"
    return bench.bench(cfg, docs, "quick"), docs


def test_the_result_has_every_figure_the_issue_names(tiny_result):
    result, _ = tiny_result
    assert TRAIN_KEYS <= set(result["train"]) and GEN_KEYS <= set(result["generate"])
    assert set(result["app"]) >= {"first_page_s"} and result["app"]["first_page_s"] is None  # app=False
    assert result["machine"]["device"] == "cpu" and result["date"]
    t = result["train"]
    assert all(_positive(t[k]) for k in TRAIN_KEYS)
    assert t["speedup"] == pytest.approx(t["studio_tokens_per_s"] / t["baseline_tokens_per_s"], rel=1e-2)
    # the same optimizer steps on both sides, every sample of the batch counted once
    assert t["steps"] == t["baseline_steps"] == 2 and t["samples"] == 4
    assert 0 <= t["baseline_padding_share"] < 1
    g = result["generate"]
    assert g["new_tokens"] == 4 and all(_positive(g[k]) for k in GEN_KEYS)
    m = result["mfu"]
    assert m["bf16_tflops"] > 0 and m["fp32_tflops"] > 0
    for key in ("studio_train_mfu", "baseline_train_mfu"):
        assert 0 < m[key] < 1, (key, m[key])
    assert m["generate_mfu"] > 0  # 4 tokens of a tiny model: a rate, not a meaningful one
    # the studio scores only answer positions; trl's defaults every position: fewer FLOPs per token
    assert m["studio_flops_per_token"] < m["baseline_flops_per_token"]
    assert "_sides" not in t and "_adapter" not in t
    json.dumps(result)  # --json prints it as one object


def test_docs_get_a_quick_section_with_the_figures(tiny_result):
    result, docs = tiny_result
    text = docs.read_text(encoding="utf-8")
    assert "<!-- bench:quick -->" in text and "<!-- bench:full -->" in text
    quick = text.split("<!-- bench:quick -->")[1].split("<!-- /bench:quick -->")[0]
    assert f"{result['train']['studio_tokens_per_s']:,.1f}" in quick
    assert result["date"] in quick


def _fake(tokens_per_s: float) -> dict:
    train = {k: 1.0 for k in TRAIN_KEYS} | {"studio_tokens_per_s": tokens_per_s, "speedup": tokens_per_s,
                                             "steps": 1, "batch_size": 1, "samples": 1, "real_tokens": 10,
                                             "baseline_padding_share": 0.5}
    return {"train": train, "generate": {k: 1.0 for k in GEN_KEYS}, "app": {"first_page_s": 2.0},
            "machine": {"device": "cpu", "name": "CPU", "threads": 2, "memory_mb": 2048, "bf16": True,
                        "torch": "x"}, "date": f"day-{tokens_per_s}", "config": {"model": "m", "lora_r": 8}}


def test_a_quick_run_never_overwrites_the_full_section(tmp_path):
    docs = tmp_path / "benchmarks.md"
    bench_docs.write(docs, "full", _fake(111.0))
    bench_docs.write(docs, "quick", _fake(222.0))
    bench_docs.write(docs, "quick", _fake(333.0))
    text = docs.read_text(encoding="utf-8")
    full = text.split("<!-- bench:full -->")[1].split("<!-- /bench:full -->")[0]
    quick = text.split("<!-- bench:quick -->")[1].split("<!-- /bench:quick -->")[0]
    assert "day-111.0" in full and "111.0" in full and "333.0" not in full
    assert "day-333.0" in quick and "day-222.0" not in text
    assert text.count("## How it is measured") == 1


def test_verdicts_follow_the_issue_targets():
    r = _fake(5.0)
    r["train"] |= {"baseline_final_loss": 2.0, "studio_final_loss": 2.2, "baseline_peak_mb": 900.0,
                   "studio_peak_mb": 800.0}
    r["generate"] |= {"ratio": 1.6, "first_token_s": 0.4}
    r["app"]["gradio_import_s"] = 0.4  # the app may take gradio's import + 1.5 s: 2.0 s is too long
    r["mfu"] = {"studio_train_mfu": 0.21}
    v = bench_docs.verdicts(r)
    assert v == {"speedup": True, "loss": False, "memory": True, "train_mfu": True, "side_by_side": False,
                 "first_token": True, "first_page": False}
    r["app"]["gradio_import_s"], r["mfu"]["studio_train_mfu"] = 0.6, 0.19
    assert bench_docs.verdicts(r)["first_page"] is True and bench_docs.verdicts(r)["train_mfu"] is False


def test_cli_json_prints_exactly_one_object(monkeypatch, capsys, tmp_path):
    from studio.cli import main

    seen = {}

    def fake_bench(cfg, docs, kind):
        seen.update(cfg=cfg, docs=docs, kind=kind)
        return _fake(7.0)

    monkeypatch.setattr(bench, "bench", fake_bench)
    assert main(["bench", "--quick", "--json", "--docs", str(tmp_path / "b.md")]) == 0
    out = capsys.readouterr().out.strip()
    assert json.loads(out)["train"]["speedup"] == 7.0 and len(out.splitlines()) == 1
    assert seen["kind"] == "quick" and seen["cfg"].steps == bench.QUICK.steps


def test_bench_rows_vary_in_length_and_stay_under_the_cap():
    train, held_out = bench_rows(120, 20, seed=3)
    assert len(train) == 120 and len(held_out) == 20
    sizes = [sum(len(m["content"]) for m in r["messages"]) for r in train]
    assert max(sizes) <= MAX_CHARS and max(sizes) > 3 * min(sizes)
    assert any(len(r["messages"]) >= 4 for r in train)  # some multi-turn rows: a long tail
    users = {m["content"] for r in train for m in r["messages"] if m["role"] == "user"}
    assert not users & {m["content"] for r in held_out for m in r["messages"] if m["role"] == "user"}
    assert bench_rows(120, 20, seed=3) == (train, held_out)  # both sides can rebuild the same rows


def test_model_flops_count_what_the_docstring_says(tiny_model_dir):
    from studio.bench import flops

    s = flops.model_shape(str(tiny_model_dir))
    # the tiny Llama: 2 layers x (q 64x64, k 64x32, v 64x32, o 64x64, gate/up/down 64x128 x3), head 400x64
    assert s == flops.Shape(linear=2 * (4096 + 2048 + 2048 + 4096 + 3 * 8192), head=400 * 64, layers=2,
                            attn_width=64)
    one = flops.train_flops(s, lora=0, real=1, scored=0, attn_pairs=0)
    assert one == 4 * s.linear
    assert flops.train_flops(s, 10, 3, 2, 12) == 4 * s.linear * 3 + 60 * 3 + 4 * s.head * 2 + 6 * 64 * 2 * 12
    assert flops.decode_flops(s, 0, 10) == 2 * (s.linear + s.head) + 4 * 64 * 2 * 10


def test_sample_lengths_of_padded_and_packed_batches():
    import torch

    from studio.bench.train import sample_lengths

    packed = {"input_ids": torch.zeros(1, 9), "position_ids": torch.tensor([[0, 1, 2, 0, 1, 0, 1, 2, 3]])}
    assert sample_lengths(packed) == [3, 2, 4]
    assert sample_lengths({**packed, "cu_seq_lens_q": torch.tensor([0, 3, 5, 9])}) == [3, 2, 4]
    padded = {"input_ids": torch.zeros(2, 4), "attention_mask": torch.tensor([[1, 1, 1, 0], [1, 1, 1, 1]])}
    assert sample_lengths(padded) == [3, 4]


def test_profile_writes_where_the_time_goes(tiny_model_dir, tmp_path):
    cfg = bench.BenchConfig(model=str(tiny_model_dir), batch_size=2)
    result = bench.profile(cfg, tmp_path / "profile.md")
    for part in ("train", "decode"):
        ops = result[part]["ops"]
        assert ops and result[part]["wall_ms"] > 0 and all(r["self_ms"] >= 0 for r in ops)
        assert ops == sorted(ops, key=lambda r: -r["self_ms"])
        assert any(r["op"] in ("aten::mm", "aten::addmm", "aten::linear", "mkldnn::_linear_pointwise")
                   for r in ops), ops  # the matrix products are seen
    text = (tmp_path / "profile.md").read_text(encoding="utf-8")
    assert "One training step" in text and "One decode step" in text and result["date"] in text


def test_a_new_full_run_keeps_the_previous_one_and_the_notes(tmp_path):
    docs = tmp_path / "benchmarks.md"
    bench_docs.write(docs, "full", _fake(111.0))
    text = docs.read_text(encoding="utf-8")
    docs.write_text(text + "<!-- bench:notes -->\nHand-written: why the numbers moved.\n<!-- /bench:notes -->\n",
                    encoding="utf-8")
    bench_docs.write(docs, "full", _fake(222.0))
    bench_docs.write(docs, "full", _fake(333.0))
    text = docs.read_text(encoding="utf-8")
    full = text.split("<!-- bench:full -->")[1].split("<!-- /bench:full -->")[0]
    earlier = text.split("<!-- bench:earlier -->")[1].split("<!-- /bench:earlier -->")[0]
    assert "day-333.0" in full and "day-222.0" not in full
    assert earlier.index("day-222.0") < earlier.index("day-111.0")  # newest first
    assert earlier.count("## Earlier full runs") == 1 and "Hand-written: why the numbers moved." in text
