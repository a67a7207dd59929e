"""Real model architectures with random weights, for the GPU check: no hub, no embedded GGUF.

Each shape is the config of a published model (layers, widths, heads, vocabulary) with weights drawn at
random and a byte-level BPE tokenizer the studio trains here, in a second, on the presets' own text (ChatML
template, so chat rows render the way the studio's training expects). The vocabulary the tokenizer uses is
smaller than the model's: the rows only use the first ids, but every forward still computes the model's
full LM head, so the work per token (FLOPs, memory) is that of the real model.

    tiny          a 2-layer Qwen2 of width 64 (the CPU dry run of `make gpu-check`)
    qwen2.5-0.5b  Qwen/Qwen2.5-0.5B's config (494M parameters, tied embeddings)
    gemma-3-1b    google/gemma-3-1b-pt's text config (1.0B; 262k vocabulary, sliding-window layers)
    qwen2.5-7b    Qwen/Qwen2.5-7B's config (7.6B; the 7B-class shape of the benchmark)

`ensure(name, root)` builds a shape once into root/name (safetensors + tokenizer) and reuses it after."""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

from studio.bench.data import generated_pairs, preset_pairs

CHATML_TEMPLATE = (
    "{% for m in messages %}<|im_start|>{{ m['role'] }}\n{{ m['content'] }}<|im_end|>\n{% endfor %}"
    "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)
SPECIAL = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]
"""Ids 0, 1, 2: pad, turn start, end of turn (the eos)."""

SHAPES: dict[str, dict[str, Any]] = {
    "tiny": {"model_type": "qwen2", "vocab_size": 512, "hidden_size": 64, "intermediate_size": 128,
             "num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 2,
             "max_position_embeddings": 2048, "tie_word_embeddings": True},
    "qwen2.5-0.5b": {"model_type": "qwen2", "vocab_size": 151936, "hidden_size": 896, "intermediate_size": 4864,
                     "num_hidden_layers": 24, "num_attention_heads": 14, "num_key_value_heads": 2,
                     "max_position_embeddings": 32768, "rms_norm_eps": 1e-6, "tie_word_embeddings": True},
    "gemma-3-1b": {"model_type": "gemma3_text", "vocab_size": 262144, "hidden_size": 1152,
                   "intermediate_size": 6912, "num_hidden_layers": 26, "num_attention_heads": 4,
                   "num_key_value_heads": 1, "head_dim": 256, "max_position_embeddings": 32768,
                   "sliding_window": 512, "query_pre_attn_scalar": 256, "rms_norm_eps": 1e-6,
                   "tie_word_embeddings": True},
    "qwen2.5-7b": {"model_type": "qwen2", "vocab_size": 152064, "hidden_size": 3584, "intermediate_size": 18944,
                   "num_hidden_layers": 28, "num_attention_heads": 28, "num_key_value_heads": 4,
                   "max_position_embeddings": 32768, "rms_norm_eps": 1e-6, "tie_word_embeddings": False},
}
TOKENIZER_VOCAB = {"tiny": 400}
"""The tokenizer's own vocabulary per shape (default DEFAULT_VOCAB): the tiny model's is its whole vocabulary."""
DEFAULT_VOCAB = 4096
MARKER = "studio-shape.json"


def _corpus() -> list[str]:
    """The text the tokenizer learns from: every message of the English presets (or stand-in rows)."""
    pairs = preset_pairs("train") + preset_pairs("eval")
    if not pairs:
        pairs = generated_pairs(400, 0)
    return [m["content"] for pair in pairs for m in pair]


def build_tokenizer(vocab: int = DEFAULT_VOCAB):
    """A transformers PreTrainedTokenizerFast: byte-level BPE (every string encodes), ChatML template."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    core = Tokenizer(models.BPE())
    core.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    core.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=vocab, special_tokens=SPECIAL, show_progress=False,
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    core.train_from_iterator(_corpus(), trainer)
    tok = PreTrainedTokenizerFast(tokenizer_object=core, eos_token="<|im_end|>", pad_token="<|endoftext|>")
    tok.chat_template = CHATML_TEMPLATE
    return tok


def config(name: str, tok=None):
    """The transformers config of a shape, with the tokenizer's special ids."""
    from transformers import AutoConfig

    fields = dict(SHAPES[name])
    model_type = fields.pop("model_type")
    ids = {"pad_token_id": 0, "bos_token_id": None, "eos_token_id": 2}
    if tok is not None:
        ids = {"pad_token_id": tok.pad_token_id, "bos_token_id": None, "eos_token_id": tok.eos_token_id}
    return AutoConfig.for_model(model_type, **fields, **ids)


def fingerprint(name: str) -> str:
    spec = {"shape": SHAPES[name], "vocab": TOKENIZER_VOCAB.get(name, DEFAULT_VOCAB), "format": 1}
    return hashlib.sha256(json.dumps(spec, sort_keys=True).encode()).hexdigest()[:16]


def parameters(name: str) -> int:
    """The shape's parameter count, counted on the meta device (nothing is allocated)."""
    import torch
    from transformers import AutoModelForCausalLM

    with torch.device("meta"):
        model = AutoModelForCausalLM.from_config(config(name))
    return sum(p.numel() for p in model.parameters())


def ensure(name: str, root: str | Path, device: str | None = None, seed: int = 0) -> Path:
    """root/name holding the shape's random bf16 weights (safetensors) and tokenizer; built once, reused
    while its marker matches. device: where the weights are drawn (default: cuda when there is one)."""
    folder = Path(root) / name
    want = fingerprint(name)
    try:
        if json.loads((folder / MARKER).read_text())["fingerprint"] == want:
            return folder
    except (OSError, ValueError, KeyError):
        pass
    import torch
    from transformers import AutoModelForCausalLM

    device = device or ("cuda" if torch.cuda.is_available() else "cpu")
    tok = build_tokenizer(TOKENIZER_VOCAB.get(name, DEFAULT_VOCAB))
    torch.manual_seed(seed)
    with torch.device(device):
        model = AutoModelForCausalLM.from_config(config(name, tok), dtype=torch.bfloat16)
    Path(root).mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{name}.", dir=root))
    model.save_pretrained(tmp, safe_serialization=True)
    tok.save_pretrained(tmp)
    params = sum(p.numel() for p in model.parameters())
    (tmp / MARKER).write_text(json.dumps({"shape": name, "fingerprint": want, "parameters": params}))
    del model
    if device == "cuda":
        torch.cuda.empty_cache()
    if folder.exists():
        shutil.rmtree(folder)
    os.replace(tmp, folder)
    return folder
