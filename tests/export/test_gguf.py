"""GGUF export, checked by loading it back: a tiny random model of each family the exporter writes (Llama,
Qwen2, Gemma 3) with a random non-zero LoRA is exported, read by transformers' own GGUF reader (the path
the embedded models take) and asked the same prompts as the merged model; the metadata is read with the
gguf reader; an unknown architecture is refused by name. The `slow` test does the same on the embedded
SmolLM2."""
from __future__ import annotations

from pathlib import Path

import pytest

from studio.export import gguf as gguf_export
from studio.export.bundle import merge
from tests.helpers.export import PROMPTS, greedy, left_padded, make_run
from tests.helpers.tiny_tokenizer import tiny_tokenizer


def _tiny(kind: str, out: Path) -> Path:
    import torch
    from transformers import (
        Gemma3ForCausalLM,
        Gemma3TextConfig,
        LlamaConfig,
        LlamaForCausalLM,
        Qwen2Config,
        Qwen2ForCausalLM,
    )

    tok = tiny_tokenizer()
    shape = {"vocab_size": len(tok), "hidden_size": 64, "intermediate_size": 128, "num_hidden_layers": 2,
             "num_attention_heads": 4, "num_key_value_heads": 2, "max_position_embeddings": 512,
             "eos_token_id": tok.eos_token_id, "pad_token_id": tok.pad_token_id, "bos_token_id": tok.eos_token_id}
    torch.manual_seed(0)
    if kind == "llama":
        model = LlamaForCausalLM(LlamaConfig(**shape, tie_word_embeddings=True))
    elif kind == "qwen2":
        model = Qwen2ForCausalLM(Qwen2Config(**shape, tie_word_embeddings=False))
    else:
        # six layers: Gemma 3's fifth is its first global one, which uses the other rotary base
        gemma = {**shape, "num_hidden_layers": 6}
        model = Gemma3ForCausalLM(Gemma3TextConfig(**gemma, head_dim=16, sliding_window=8, tie_word_embeddings=True))
        with torch.no_grad():  # fresh Gemma norms are all zero (scale 1 + w): make them count
            for name, p in model.named_parameters():
                if name.endswith("norm.weight"):
                    p.normal_(0, 0.3)
    model.save_pretrained(out, safe_serialization=True)
    tok.save_pretrained(out)
    return out


@pytest.fixture(scope="module", params=["llama", "qwen2", "gemma3"])
def tiny_family(request, tmp_path_factory) -> tuple[str, Path]:
    return request.param, _tiny(request.param, tmp_path_factory.mktemp(f"tiny-{request.param}"))


def _rounded(model, dtype):
    """The merged model with every matrix rounded as the GGUF stores it (vectors stay fp32 there too)."""
    import torch

    with torch.no_grad():
        for p in model.parameters():
            if p.ndim >= 2:
                p.copy_(p.to(dtype).float())
    return model


def _load_back(result: gguf_export.GgufExport):
    from transformers import AutoModelForCausalLM, AutoTokenizer

    folder, name = str(result.gguf.parent), result.gguf.name
    model = AutoModelForCausalLM.from_pretrained(folder, gguf_file=name, dtype="float32").eval()
    return model, AutoTokenizer.from_pretrained(folder, gguf_file=name)


def _fields(path: Path) -> dict:
    from gguf import GGUFReader

    reader = GGUFReader(str(path))
    return {f.name: f.contents() for f in reader.fields.values() if not f.name.startswith("tokenizer.ggml.t")}


@pytest.mark.parametrize("gguf_type", ["f16", "bf16"])
def test_an_exported_gguf_loads_back_and_answers_as_the_merged_model(tiny_family, gguf_type, tmp_path,
                                                                    studio_home):
    import torch

    kind, model_dir = tiny_family
    run = make_run(str(model_dir), scale=0.5)
    result = gguf_export.export_gguf(run.id, tmp_path / "gguf", gguf_type=gguf_type)
    assert result.architecture == kind and result.gguf.is_file() and result.megabytes > 0
    merged, tok = merge(run, dtype="fp32")
    reference = _rounded(merged.eval(), torch.float16 if gguf_type == "f16" else torch.bfloat16)
    loaded, loaded_tok = _load_back(result)
    ids, mask = (torch.tensor(x) for x in left_padded(tok))
    with torch.inference_mode():
        want = reference(input_ids=ids, attention_mask=mask).logits
        got = loaded(input_ids=ids, attention_mask=mask).logits
    assert torch.allclose(want, got, atol=1e-3, rtol=1e-3), (want - got).abs().max()
    assert greedy(loaded, tok) == greedy(reference, tok)
    assert loaded_tok.encode(PROMPTS[1]) == tok.encode(PROMPTS[1])


def test_metadata_names_the_architecture_context_template_tokens_and_run(tiny_family, tmp_path, studio_home):
    kind, model_dir = tiny_family
    run = make_run(str(model_dir))
    result = gguf_export.export_gguf(run.id, tmp_path / "gguf", gguf_type="q8_0")
    meta = _fields(result.gguf)
    assert meta["general.architecture"] == kind and meta[f"{kind}.context_length"] == 512
    assert meta[f"{kind}.block_count"] == (6 if kind == "gemma3" else 2) and meta["katachi_studio.run_id"] == run.id
    assert "<|im_start|>" in meta["tokenizer.chat_template"] and meta["tokenizer.ggml.model"] == "gpt2"
    tok = tiny_tokenizer()
    assert meta["tokenizer.ggml.eos_token_id"] == tok.eos_token_id
    assert meta["general.file_type"] == 7  # MOSTLY_Q8_0


def test_q8_0_agrees_with_the_merged_model_on_most_next_tokens(tiny_family, tmp_path, studio_home):
    """q8_0 rounds every weight to 8 bits: the stated agreement is 4 of the 5 prompts' next token."""
    import torch

    _, model_dir = tiny_family
    run = make_run(str(model_dir), scale=0.5)
    result = gguf_export.export_gguf(run.id, tmp_path / "gguf", gguf_type="q8_0")
    merged, tok = merge(run, dtype="fp32")
    loaded, _ = _load_back(result)
    ids, mask = (torch.tensor(x) for x in left_padded(tok))
    with torch.inference_mode():
        want = merged.eval()(input_ids=ids, attention_mask=mask).logits[:, -1].argmax(-1)
        got = loaded(input_ids=ids, attention_mask=mask).logits[:, -1].argmax(-1)
    assert int((want == got).sum()) >= 4


def test_the_modelfile_uses_the_runs_template_stops_and_system_prompt(tiny_model_dir, tmp_path, studio_home):
    run = make_run(str(tiny_model_dir))
    cfg = run.config()
    cfg.data.system_prompt = "Answer in JSON."
    cfg.save(run.path / "config.yaml")
    result = gguf_export.export_gguf(run.id, tmp_path / "gguf")
    text = result.modelfile.read_text(encoding="utf-8")
    assert f"FROM ./{result.gguf.name}" in text and "<|im_start|>assistant" in text
    assert 'PARAMETER stop "<|im_end|>"' in text and 'SYSTEM """Answer in JSON."""' in text
    card = (result.gguf.parent / "README.md").read_text(encoding="utf-8")
    assert "## GGUF" in card and "built from the merged model's tokenizer.json" in card and run.id in card
    assert gguf_export.modelfile("m.gguf", "{{ 'Q: ' + m['content'] }}", run).count('stop "\\nQ:"') == 1


def test_an_unknown_architecture_is_refused_by_name_and_nothing_is_written(tmp_path):
    with pytest.raises(ValueError, match="MambaForCausalLM"):
        gguf_export.family({"architectures": ["MambaForCausalLM"]})
    with pytest.raises(ValueError, match="q4_k"):
        gguf_export.export_gguf("any", tmp_path / "x", gguf_type="q4_k")
    assert not (tmp_path / "x").exists()


def test_cli_export_gguf(tiny_model_dir, tmp_path, studio_home, capsys):
    import json

    from studio.cli import main

    run = make_run(str(tiny_model_dir))
    assert main(["export", "--run", run.id, "--gguf", str(tmp_path / "g"), "--gguf-type", "q8_0", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert Path(out["gguf"]).is_file() and Path(out["modelfile"]).is_file() and out["gguf_type"] == "q8_0"


@pytest.mark.slow
def test_a_real_smollm2_run_exports_a_gguf_with_the_same_greedy_answers(tmp_path, studio_home):
    """A run really trained (the json preset, a few steps on the CPU), the embedded model's real tokenizer
    (copied from its own GGUF) and real weights."""
    import torch

    from studio.train import recipe, runner
    from tests.helpers.runs import wait_for

    cfg = recipe.build("smollm2-135m", preset="json", overrides={"max_steps": 3, "batch_size": 4,
                                                                 "max_length": 128, "device": "cpu"})
    run = runner.start(cfg)
    assert wait_for(run, lambda st: not st.active, timeout=600).state == "done"
    result = gguf_export.export_gguf(run.id, tmp_path / "gguf", gguf_type="f16")
    merged, tok = merge(run, dtype="fp32")
    loaded, loaded_tok = _load_back(result)
    assert greedy(loaded, tok) == greedy(_rounded(merged.eval(), torch.float16), tok)
    assert loaded_tok.encode("Hello, world! 拙者") == tok.encode("Hello, world! 拙者")
    assert _fields(result.gguf)["tokenizer.ggml.pre"] == "smollm"


@pytest.mark.parametrize("config,theta", [({"rope_theta": 5e5}, 5e5), ({"rope_parameters": {"rope_theta": 1e4}}, 1e4),
                                          ({"rope_parameters": {"full_attention": {"rope_theta": 1e6},
                                                                "sliding_attention": {"rope_theta": 1e4}}}, 1e6)])
def test_the_rope_base_is_read_from_every_config_shape(config, theta):
    """Gemma 3 keeps a base per layer type: the global one is llama.cpp's freq_base (10000 broke gemma3-270m)."""
    from studio.engine import layout

    assert layout.rope_theta(config) == theta
