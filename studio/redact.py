"""Secrets never reach a message, a status file or a log: hub tokens are masked wherever the studio
turns an exception into text (a run's failure reason, a CLI error line, a push error)."""
from __future__ import annotations

import os
import re

TOKEN_ENVS = ("HF_TOKEN", "HUGGING_FACE_HUB_TOKEN", "HUGGINGFACE_HUB_TOKEN", "HF_API_TOKEN")
MASK = "***"
# Hugging Face tokens (hf_ + 34 letters and digits today) and any bearer credential in a header dump
_PATTERNS = (re.compile(r"\bhf_[A-Za-z0-9]{20,}"), re.compile(r"(?i)(bearer\s+)[^\s'\",]+"))


def redact(text: str, *secrets: str) -> str:
    """text with the given secrets, the token environment variables' values and anything shaped
    like a hub token replaced by ***."""
    values = [*secrets, *(os.environ.get(name, "") for name in TOKEN_ENVS)]
    for value in sorted({v.strip() for v in values if len(v.strip()) >= 8}, key=len, reverse=True):
        text = text.replace(value, MASK)  # short values (a typo, "1") would mask ordinary words
    text = _PATTERNS[0].sub(MASK, text)
    return _PATTERNS[1].sub(lambda m: m.group(1) + MASK, text)
