"""Shares with 95% intervals. A lab share pools k samples of each probe; samples of one probe agree with each
other far more than samples of different probes, so counting them as independent would draw intervals too
narrow. The interval here is Wilson's, on the effective sample size of a clustered sample (Kish's design
effect, with the intra-probe correlation estimated from the samples themselves)."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from studio.evaluate.meters import wilson  # one interval for the lab and for Evaluate


@dataclass(frozen=True)
class Share:
    share: float
    lo: float
    hi: float
    n: int
    """Samples counted (probes x k)."""
    probes: int

    def to_dict(self) -> dict:
        return {"share": self.share, "lo": self.lo, "hi": self.hi, "n": self.n, "probes": self.probes}


def intra_correlation(groups: Sequence[Sequence[bool]]) -> float:
    """The one-way ANOVA estimate of the intra-probe correlation of binary samples, in [0, 1]. With no
    variance at all (every sample the same) the samples carry no evidence of independence: 1."""
    sizes = [len(g) for g in groups if g]
    m, total = len(sizes), sum(sizes)
    if m < 2 or total <= m:
        return 1.0
    means = [sum(g) / len(g) for g in groups if g]
    p = sum(sum(g) for g in groups) / total
    k0 = (total - sum(s * s for s in sizes) / total) / (m - 1)
    msb = sum(s * (q - p) ** 2 for s, q in zip(sizes, means)) / (m - 1)
    msw = sum(s * q * (1 - q) for s, q in zip(sizes, means)) / (total - m)
    if msb + msw == 0:
        return 1.0
    return min(1.0, max(0.0, (msb - msw) / (msb + (k0 - 1) * msw)))


def clustered_share(groups: Sequence[Sequence[bool]]) -> Share:
    """The share of True over every sample of every probe (one group per probe), with a 95% interval on the
    effective sample size n / (1 + (k - 1) * icc)."""
    groups = [list(g) for g in groups if len(g)]
    n = sum(len(g) for g in groups)
    if not n:
        return Share(0.0, 0.0, 1.0, 0, 0)
    hits = sum(sum(g) for g in groups)
    k = n / len(groups)
    effective = n / (1 + (k - 1) * intra_correlation(groups))
    p = hits / n
    lo, hi = wilson(p * effective, effective)
    return Share(p, lo, hi, n, len(groups))
