"""How far a judge agrees with the user, on the same pairs: the share of pairs where both picked the same
answer, and Cohen's κ (that share corrected for the agreement two raters who pick A and B at their own rates
would reach by chance). Both with a 95% percentile bootstrap interval over the pairs: it needs no normal
approximation, which 20 to 50 votes would not justify."""
from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass

MIN_VOTES = 20
"""Fewer pairs than this and the interval of κ spans most of its range: the studio does not report it."""
RESAMPLES = 2000


@dataclass(frozen=True)
class Agreement:
    n: int
    """Pairs both the user and the judge decided (the judge's unclear answers are not among them)."""
    agree: int
    share: float | None
    share_lo: float | None
    share_hi: float | None
    kappa: float | None
    """None when it is undefined: both always picked the same letter, so chance explains everything."""
    kappa_lo: float | None
    kappa_hi: float | None

    @property
    def more(self) -> int:
        """How many more decided pairs the studio needs before it reports the agreement."""
        return max(0, MIN_VOTES - self.n)


def kappa(user: Sequence[str], judge: Sequence[str]) -> float | None:
    """Cohen's κ of two raters over the same items; None when chance agreement is total."""
    n = len(user)
    if n == 0:
        return None
    observed = sum(u == j for u, j in zip(user, judge)) / n
    labels = set(user) | set(judge)
    chance = sum((list(user).count(x) / n) * (list(judge).count(x) / n) for x in labels)
    return None if chance >= 1 else (observed - chance) / (1 - chance)


def _percentiles(values: list[float]) -> tuple[float | None, float | None]:
    if len(values) < RESAMPLES // 2:  # mostly undefined resamples: no honest interval
        return None, None
    values = sorted(values)
    return values[int(0.025 * (len(values) - 1))], values[int(0.975 * (len(values) - 1))]


def agreement(user: Sequence[str], judge: Sequence[str], seed: int = 0) -> Agreement:
    """The agreement of two equally long label lists ("A"/"B" per pair, the judge's unclear ones left out)."""
    n = len(user)
    agree = sum(u == j for u, j in zip(user, judge, strict=True))
    if n == 0:
        return Agreement(0, 0, None, None, None, None, None, None)
    rng = random.Random(seed)
    shares, kappas = [], []
    for _ in range(RESAMPLES):
        picks = [rng.randrange(n) for _ in range(n)]
        u, j = [user[i] for i in picks], [judge[i] for i in picks]
        shares.append(sum(a == b for a, b in zip(u, j)) / n)
        if (k := kappa(u, j)) is not None:
            kappas.append(k)
    share_lo, share_hi = _percentiles(shares)
    kappa_lo, kappa_hi = _percentiles(kappas)
    return Agreement(n, agree, agree / n, share_lo, share_hi, kappa(user, judge), kappa_lo, kappa_hi)
