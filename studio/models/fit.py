"""Will it fit? A memory estimate for training a model with QLoRA, LoRA or full fine-tuning, in the
spirit of the QLoRA paper's accounting: weights + adapters (+ their grads and Adam states) +
activations + logits + runtime overhead. Checked against real peaks in tests/models/test_fit.py and
docs/memory.md."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from studio.models.registry import ModelEntry
from studio.text import t

Method = Literal["qlora", "lora", "full"]
BYTES = {"qlora": 0.56, "lora": 2.0, "full": 2.0}  # per base weight; nf4 + double-quant constants


@dataclass(frozen=True)
class MemoryEstimate:
    weights_mb: float
    adapters_mb: float
    optimizer_mb: float
    activations_mb: float
    overhead_mb: float

    @property
    def total_mb(self) -> float:
        return self.weights_mb + self.adapters_mb + self.optimizer_mb + self.activations_mb + self.overhead_mb


@dataclass(frozen=True)
class Verdict:
    fits: bool
    estimate: MemoryEstimate
    available_mb: float
    device: str
    """cuda or cpu: whose memory is meant (GPU memory or RAM)."""
    checkpointing: bool = False
    """It fits only with gradient checkpointing (the estimate is that one)."""

    def say(self, lang: str = "en") -> str:
        """The verdict in words, in lang."""
        need, have = f"{self.estimate.total_mb / 1024:.1f}", f"{self.available_mb / 1024:.0f}"
        if self.checkpointing:
            return t(lang, "fit_gc", need=need, have=have)
        where = t(lang, "where_gpu" if self.device == "cuda" else "where_ram")
        return t(lang, "fit_yes" if self.fits else "fit_no", need=need, have=have, where=where)

    @property
    def text(self) -> str:
        return self.say("en")


def _shape(e: ModelEntry) -> tuple[int, int, int]:
    hidden = e.hidden or int((e.params_m * 1e6 / 12 / max(1, e.layers or 24)) ** 0.5)
    return e.layers or 24, hidden, e.vocab or 32000


def lora_params(e: ModelEntry, r: int) -> float:
    """All-linear LoRA: per layer q,k,v,o (~h x h) and gate/up/down (h x ~2.7h)."""
    layers, h, _ = _shape(e)
    inter = int(2.7 * h)
    per_layer = r * (4 * 2 * h) + r * 3 * (h + inter)
    return layers * per_layer


def estimate(e: ModelEntry, method: Method = "qlora", batch: int = 8, seq_len: int = 512,
             r: int = 16, device: str = "cuda", gradient_checkpointing: bool = False) -> MemoryEstimate:
    layers, h, vocab = _shape(e)
    params = e.params_m * 1e6
    embed = vocab * h  # embeddings and the LM head stay in 16 bits even under 4-bit quantisation
    weights = (params - embed) * BYTES[method] + embed * 2
    trainable = params if method == "full" else lora_params(e, r)
    adapters = trainable * (2 if method == "full" else 4)  # LoRA weights are kept in fp32
    optimizer = trainable * (4 + 8)  # fp32 gradients + Adam's two moments
    tokens = batch * seq_len
    # per layer ~34 bytes x hidden per token in 16 bits (Korthikanti et al.), + fp32 logits x ~3
    per_layer = 34 * h * tokens
    act = per_layer * (1 if gradient_checkpointing else layers) + (h * tokens * 2 * layers if
                                                                   gradient_checkpointing else 0)
    logits = tokens * vocab * 4 * 3
    overhead = 600e6 if device == "cuda" else 700e6  # CUDA context / Python + torch runtime
    mb = 2**20
    return MemoryEstimate(weights / mb, adapters / mb, optimizer / mb, (act + logits) / mb, overhead / mb)


def verdict(e: ModelEntry, method: Method, available_mb: float, device: str, batch: int = 8,
            seq_len: int = 512, r: int = 16) -> Verdict:
    est = estimate(e, method, batch, seq_len, r, device)
    fits = est.total_mb <= 0.9 * available_mb
    if not fits:
        est_gc = estimate(e, method, batch, seq_len, r, device, gradient_checkpointing=True)
        if est_gc.total_mb <= 0.9 * available_mb:
            return Verdict(True, est_gc, available_mb, device, checkpointing=True)
    return Verdict(fits, est, available_mb, device)
