"""A tiny in-process tokenizer with a ChatML chat template, for tests that must not download.

A byte-level BPE trained on a few sentences: every string (Japanese included) encodes, and
lengths grow with the text, which is all the token statistics need.
"""

from __future__ import annotations

from functools import cache

CHATML_TEMPLATE = (
    "{% for m in messages %}<|im_start|>{{ m['role'] }}\n{{ m['content'] }}<|im_end|>\n{% endfor %}"
    "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)
SPECIAL = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]
_CORPUS = [
    "The quick brown fox jumps over the lazy dog.",
    "Thou art more lovely and more temperate, good sir.",
    "Return the answer as JSON with the keys name and age.",
    "SELECT name FROM users WHERE age > 30;",
    "拙者はサムライでござる。今日は良い天気でござるな。",
]


@cache
def tiny_tokenizer():
    """A transformers PreTrainedTokenizerFast (cached: building takes ~50 ms)."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    core = Tokenizer(models.BPE())
    core.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    core.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=400,
        special_tokens=SPECIAL,
        show_progress=False,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
    )
    core.train_from_iterator(_CORPUS * 3, trainer)
    tok = PreTrainedTokenizerFast(
        tokenizer_object=core, eos_token="<|im_end|>", pad_token="<|endoftext|>"
    )
    tok.chat_template = CHATML_TEMPLATE
    return tok
