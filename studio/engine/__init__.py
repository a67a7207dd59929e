"""The answer engine: which one writes an answer (torch, or llama.cpp on the CPU), the weights llama.cpp
reads (the base as one GGUF, each adapter as a LoRA GGUF, cached), and llama.cpp's decoding.

The errors a user can fix, by key of studio/text/errors_*.py."""
from __future__ import annotations

from typing import get_args

from studio.config import Engine
from studio.text import Said

ENGINES: tuple[str, ...] = get_args(Engine)


class EngineError(Said, ValueError):
    """An engine or a GGUF that cannot be made as asked (an unknown architecture, tensor or tokenizer)."""
