"""The held-out answer loss, one way for Evaluate and both benches: mean cross-entropy in nats per trained token
(the assistant's answers; the prompt is context), summed row by row so rows of any length weigh by their tokens."""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any


def answer_loss(net: Any, samples: Iterable[Any]) -> float | None:
    """samples: tokenised rows with input_ids and a mask of the trained positions (data.tokenize_row).
    None when no sample has a trained token left."""
    import torch

    total, count = 0.0, 0
    device = next(net.parameters()).device
    with torch.inference_mode():
        for s in samples:
            labels = torch.tensor([[t if m else -100 for t, m in zip(s.input_ids, s.mask)]], device=device)
            n = int((labels[0, 1:] != -100).sum())  # the model shifts: position i predicts token i + 1
            if n == 0:
                continue
            ids = torch.tensor([s.input_ids], device=device)
            total += net(input_ids=ids, labels=labels).loss.float().item() * n
            count += n
    return total / count if count else None
