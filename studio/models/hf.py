"""transformers' classes, imported under one lock. Its lazy top-level module is not safe to import from two
threads at once the first time: the app's check of a file on arrival and a click a moment later both reach
for AutoTokenizer, and one of them fails with "cannot import name 'AutoTokenizer'". The studio's first
imports of it therefore take turns; once imported, the lock costs nothing worth counting."""
from __future__ import annotations

import importlib
import threading
from typing import Any

_LOCK = threading.Lock()


def classes(*names: str) -> tuple[Any, ...]:
    """The named attributes of transformers (AutoTokenizer, AutoModelForCausalLM, ...), in order."""
    with _LOCK:
        module = importlib.import_module("transformers")
        return tuple(getattr(module, name) for name in names)
