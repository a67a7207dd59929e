"""From logits to the next token by the torch path's rules (transformers' generate, in its order): the
repetition penalty over the prompt and the answer so far, the end of sequence held off until min_new_tokens,
then greedy (temperature 0) or temperature, top-k, top-p and a seeded draw. numpy only: it runs beside
llama.cpp without torch."""
from __future__ import annotations

from typing import Any


class Sampler:
    """One row's choice of tokens; `seen` adds each chosen token to the penalised history."""

    def __init__(self, settings: Any, *, seed_offset: int = 0, eos_ids: set[int] = frozenset(), min_new: int = 0,
                 top_k: int = 0, history: list[int] = (), logits_bf16: bool = False):
        import numpy as np

        self.penalty = float(settings.repetition_penalty)
        self.temperature = float(settings.temperature)
        self.top_p = float(settings.top_p)
        self.top_k = int(top_k)
        self.eos = np.array(sorted(eos_ids), dtype=np.int64)
        self.min_new = int(min_new)
        self.history = set(history)
        self.rng = np.random.default_rng(int(settings.seed) + seed_offset)
        self.logits_bf16 = logits_bf16
        """The torch path's logits are bf16 values when it answers in bf16: llama.cpp's are rounded alike, so
        two tokens tied there are tied here too and the lower id wins in both (as argmax picks)."""

    def seen(self, token: int) -> None:
        self.history.add(int(token))

    def next(self, logits, step: int) -> int:
        import numpy as np

        scores = to_bf16(logits) if self.logits_bf16 else logits.astype(np.float32, copy=True)
        if self.penalty != 1.0 and self.history:
            ids = np.fromiter(self.history, dtype=np.int64)
            ids = ids[ids < scores.shape[0]]
            s = scores[ids]
            scores[ids] = np.where(s < 0, s * self.penalty, s / self.penalty)
        if step < self.min_new and self.eos.size:
            scores[self.eos[self.eos < scores.shape[0]]] = -np.inf
        if self.temperature <= 0:
            return int(np.argmax(scores))
        return self._draw(scores / self.temperature)

    def _draw(self, scores) -> int:
        import numpy as np

        if 0 < self.top_k < scores.shape[0]:
            kth = np.partition(scores, -self.top_k)[-self.top_k]
            scores = np.where(scores < kth, -np.inf, scores)
        probs = np.exp(scores - scores.max())
        probs /= probs.sum()
        if self.top_p < 1.0:
            order = np.argsort(probs)  # ascending, as transformers' top-p drops the smallest first
            cum = np.cumsum(probs[order])
            drop = cum <= 1 - self.top_p
            drop[-1] = False  # at least one token stays
            probs[order[drop]] = 0.0
            probs /= probs.sum()
        return int(self.rng.choice(probs.shape[0], p=probs))


def to_bf16(x):
    """float32 values rounded to the nearest bfloat16 (ties to even), as float32: torch's rounding."""
    import numpy as np

    bits = np.ascontiguousarray(x, dtype=np.float32).view(np.uint32)
    rounded = (bits + np.uint32(0x7FFF) + ((bits >> np.uint32(16)) & np.uint32(1))) & np.uint32(0xFFFF0000)
    return rounded.view(np.float32)
