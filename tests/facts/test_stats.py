"""The lab's intervals: Wilson's on the effective sample size of samples clustered by probe."""
import pytest

from studio.facts.stats import clustered_share, intra_correlation, wilson


def test_wilson_matches_hand_computed_values():
    lo, hi = wilson(0, 10)
    assert lo == 0.0 and hi == pytest.approx(0.2775, abs=1e-4)  # the rule of three's cousin: never [0, 0]
    lo, hi = wilson(5, 10)
    assert (lo, hi) == (pytest.approx(0.2366, abs=1e-4), pytest.approx(0.7634, abs=1e-4))


def test_samples_that_agree_within_a_probe_count_as_one_each():
    """Five identical answers to each of 4 probes are 4 observations, not 20: the interval is the one of 4."""
    same = [[True] * 5, [True] * 5, [False] * 5, [False] * 5]
    assert intra_correlation(same) == pytest.approx(1.0)
    s = clustered_share(same)
    assert s.share == 0.5 and s.n == 20 and s.probes == 4
    assert (s.lo, s.hi) == pytest.approx(wilson(2, 4))


def test_independent_looking_samples_keep_their_sample_size():
    mixed = [[True, False, True, False], [False, True, False, True], [True, False, False, True]]
    assert intra_correlation(mixed) == 0.0
    s = clustered_share(mixed)
    assert (s.lo, s.hi) == pytest.approx(wilson(6, 12))


def test_no_variance_is_no_evidence_of_independence_and_empty_is_unknown():
    s = clustered_share([[False] * 5] * 6)
    assert s.share == 0 and s.hi == pytest.approx(wilson(0, 6)[1])  # as wide as 6 answers, not 30
    assert clustered_share([]).to_dict() == {"share": 0.0, "lo": 0.0, "hi": 1.0, "n": 0, "probes": 0}
