"""Will it fit? A memory estimate for training a model with QLoRA, LoRA or full fine-tuning, in the
spirit of the QLoRA paper's accounting: weights + adapters (+ their grads and Adam states) +
activations + logits + runtime overhead. Checked against real peaks in tests/models/test_fit.py and
docs/memory.md."""
from __future__ import annotations

from collections.abc import Callable
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
    return _judge(lambda gc: estimate(e, method, batch, seq_len, r, device, gc), available_mb, device)


def _judge(make: Callable[[bool], MemoryEstimate], available_mb: float, device: str) -> Verdict:
    """Fits as it is, or only with gradient checkpointing (make(True)), or not at all; 10% kept spare."""
    est = make(False)
    if est.total_mb > 0.9 * available_mb:
        est_gc = make(True)
        if est_gc.total_mb <= 0.9 * available_mb:
            return Verdict(True, est_gc, available_mb, device, checkpointing=True)
        return Verdict(False, est, available_mb, device)
    return Verdict(True, est, available_mb, device)


# ---- several GPUs: a full copy on each (DDP), or the weights sharded across them (FSDP) ----------------------

MAX_GPUS = 64
"""The most GPUs the fit looks for when saying how many would hold a model."""
MIN_LENGTH = 64


def per_gpu(e: ModelEntry, method: Method, gpus: int, batch: int = 8, seq_len: int = 512, r: int = 16,
            gradient_checkpointing: bool = False) -> MemoryEstimate:
    """One GPU's share when FSDP fully shards the run across `gpus`: weights, adapters, their gradients and
    Adam states are split; each GPU keeps its own batch's activations and its runtime, and holds one layer
    in full while it computes (and the next, prefetched)."""
    est = estimate(e, method, batch, seq_len, r, "cuda", gradient_checkpointing)
    if gpus <= 1:
        return est
    gathered = 2 * est.weights_mb / _shape(e)[0]
    return MemoryEstimate(est.weights_mb / gpus + gathered, est.adapters_mb / gpus, est.optimizer_mb / gpus,
                          est.activations_mb, est.overhead_mb)


def sharded(e: ModelEntry, method: Method, gpus: int, memory_mb: float, batch: int = 8, seq_len: int = 512,
            r: int = 16) -> Verdict:
    """The fit of one GPU's share, sharded across gpus of memory_mb each."""
    return _judge(lambda gc: per_gpu(e, method, gpus, batch, seq_len, r, gc), memory_mb, "cuda")


@dataclass(frozen=True)
class Spread:
    """Where training fits on the GPUs found: on one GPU (ddp: each GPU trains a full copy), only with the
    weights sharded across all of them (fsdp), or nowhere (none), with what would fit instead."""

    strategy: Literal["ddp", "fsdp", "none"]
    gpus: int
    one: Verdict
    """The fit on one GPU."""
    across: Verdict | None
    """One GPU's share sharded across all the GPUs found (None: a single GPU)."""
    gpus_needed: int = 0
    """none: the fewest such GPUs that would hold it sharded (0: not even MAX_GPUS)."""
    max_length: int = 0
    """none: the longest max length that would fit on the GPUs found (0: not even MIN_LENGTH)."""

    def say(self, lang: str = "en") -> str:
        gb = _gb(self.one.estimate.total_mb)
        have = f"{self.one.available_mb / 1024:.0f}"
        per = _gb(self.across.estimate.total_mb) if self.across else gb
        if self.strategy == "ddp":
            key = "spread_ddp" if self.gpus > 1 else "spread_one"
            return t(lang, key, need=gb, have=have, gpus=self.gpus)
        if self.strategy == "fsdp":
            key = "spread_fsdp_gc" if self.across and self.across.checkpointing else "spread_fsdp"
            return t(lang, key, need=gb, have=have, gpus=self.gpus, per=per)
        ways = ([t(lang, "spread_way_length", length=self.max_length)] if self.max_length else []) + \
            ([t(lang, "spread_way_gpus", gpus=self.gpus_needed, have=have)] if self.gpus_needed else []) + \
            [t(lang, "spread_way_smaller")]
        key = "spread_none_across" if self.across else "spread_none"
        return t(lang, key, need=gb, have=have, gpus=self.gpus, per=per, ways=t(lang, "spread_or").join(ways))


def _gb(mb: float) -> str:
    return f"{mb / 1024:.1f}"


def spread(e: ModelEntry, method: Method, gpus: int, memory_mb: float, batch: int = 8, seq_len: int = 512,
           r: int = 16) -> Spread:
    """Pure arithmetic on the GPUs found (count, memory of each): testable with made-up machines."""
    one = verdict(e, method, memory_mb, "cuda", batch, seq_len, r)
    across = sharded(e, method, gpus, memory_mb, batch, seq_len, r) if gpus > 1 else None
    if one.fits:
        return Spread("ddp", gpus, one, across)
    if across and across.fits:
        return Spread("fsdp", gpus, one, across)

    def fits(n: int, length: int) -> bool:
        return sharded(e, method, n, memory_mb, batch, length, r).fits

    need = next((n for n in range(gpus + 1, MAX_GPUS + 1) if fits(n, seq_len)), 0)
    lengths = [seq_len >> k for k in range(1, 12) if seq_len >> k >= MIN_LENGTH]
    length = next((n for n in lengths if fits(gpus, n)), 0)
    return Spread("none", gpus, one, across, need, length)
