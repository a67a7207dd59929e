"""The embedded offline models for real: converted once from their GGUF packages, then loaded from the
safetensors cache and asked a question (slow: minutes on first use, seconds after)."""
import json
import os
import re
import subprocess
import sys
import time

import pytest

pytestmark = pytest.mark.slow


def _chat(*args):
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    out = subprocess.run([sys.executable, "-m", "studio", "chat", "--json", *args], check=False, capture_output=True,
                         text=True, env=env, timeout=900)
    assert out.returncode == 0, out.stderr[-2000:]
    return json.loads(out.stdout.strip().splitlines()[-1])["text"]


def test_smollm2_knows_the_capital_of_france():
    assert "Paris" in _chat("--model", "smollm2-135m", "What is the capital of France?")


def test_gemma3_answers_japanese_in_japanese():
    text = _chat("--model", "gemma3-270m", "--max-new-tokens", "48", "日本で一番高い山は何ですか？")
    japanese = re.findall(r"[\u3040-\u30ff\u4e00-\u9fff]", text)
    assert len(japanese) >= 0.5 * len(text.replace(" ", "")) and len(japanese) >= 3, text


def test_cached_load_is_fast_and_has_a_chat_template():
    from studio.models import load_model, load_tokenizer
    from studio.models.embedded import ensure_converted

    for key in ("smollm2-135m", "gemma3-270m"):
        ensure_converted(key)
        t0 = time.time()
        tok = load_tokenizer(key)
        load_model(key)
        took = time.time() - t0
        print(f"{key}: cached load {took:.2f} s")
        assert tok.chat_template and took < 30  # ~1 s on a quiet machine; generous under CI load
        assert tok.apply_chat_template([{"role": "user", "content": "hi"}], tokenize=False,
                                       add_generation_prompt=True)


def test_qlora_4bit_loads_and_generates_on_the_cpu():
    """bitsandbytes NF4 works on the CPU too, so the QLoRA path is tested here, not only on GPUs."""
    from studio.models import load_model, load_tokenizer

    tok = load_tokenizer("smollm2-135m")
    model = load_model("smollm2-135m", quant="nf4", device="cpu")
    assert any("4bit" in type(m).__name__ for m in model.modules())
    ids = tok("The capital of France is", return_tensors="pt")
    out = model.generate(**ids, max_new_tokens=3, do_sample=False)
    assert out.shape[1] == ids["input_ids"].shape[1] + 3
