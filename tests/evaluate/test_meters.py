"""The meter registry: every preset's meter resolves, gold answers score high and plain answers low on
the form meters, regex meters, loss helpers and the meter guess for a user's own data."""
from __future__ import annotations

import math

import pytest

from studio import presets
from studio.evaluate import meters

FORM_METERS = {"gozaru", "shakespeare", "json_mr", "sql", "classify", "fact_recall"}


def _gold(row: dict) -> str:
    return [m["content"] for m in row["messages"] if m["role"] == "assistant"][-1]


@pytest.mark.parametrize("name", presets.names())
def test_every_preset_meter_is_registered_and_scores_its_gold_answers_high(name):
    p = presets.load(name)
    assert p.meter in meters.METERS
    rows = p.eval_rows()
    result = meters.score(p.meter, [_gold(r) for r in rows], rows)
    assert 0.0 <= result["primary"] <= 1.0
    assert result["primary"] >= 0.9, result
    assert meters.METER_KIND[p.meter] in {p.task, "chat"}  # chat and instruct share the nonempty floor


@pytest.mark.parametrize("name", [n for n in presets.names() if presets.load(n).meter in FORM_METERS])
def test_a_plain_unformatted_answer_scores_low_on_form_meters(name):
    p = presets.load(name)
    rows = p.eval_rows()
    plain = ["I am not sure, sorry. Could you tell me more about what you need?"] * len(rows)
    assert meters.score(p.meter, plain, rows)["primary"] <= 0.05


def test_regex_meter_counts_matches_and_rejects_a_bad_pattern():
    rows = [{"messages": []}] * 3
    got = meters.score("regex:^Good mor", ["Good morrow", "good morrow", "Good morning"], rows)
    assert got["primary"] == pytest.approx(2 / 3)
    assert meters.primary_label("regex:x") == "regex match rate" and meters.primary_label("nope") == "nope"
    with pytest.raises(ValueError, match="not a valid regex"):
        meters.get_meter("regex:(unclosed")


def test_unknown_meter_and_length_mismatch_are_user_errors():
    with pytest.raises(ValueError, match="unknown meter"):
        meters.get_meter("bleu")
    with pytest.raises(ValueError, match="2 outputs for 1 rows"):
        meters.score("nonempty", ["a", "b"], [{"messages": []}])


def test_perplexity_is_exp_of_the_loss_and_stays_finite():
    assert meters.perplexity(2.0) == pytest.approx(math.exp(2.0))
    assert meters.perplexity(None) is None
    assert meters.perplexity(float("nan")) is None
    assert meters.perplexity(1e4) == meters.MAX_PERPLEXITY


def test_eval_loss_helpers_read_the_metrics_rows(tmp_path):
    rows = [{"step": 1, "loss": 3.0}, {"step": 4, "eval_loss": 2.5}, {"step": 5, "loss": 2.0},
            {"step": 8, "eval_loss": 1.5}, {"step": 9, "loss": 1.2}]
    assert meters.last_eval_loss(rows) == 1.5
    assert meters.eval_loss_near(rows, 6) == 2.5
    assert meters.eval_loss_near(rows, 3) is None


@pytest.mark.parametrize("name,expected", [("json", "json_mr"), ("sql", "sql"), ("classify", "classify"),
                                           ("facts", "fact_recall"), ("chat", "nonempty"),
                                           ("shakespeare", "nonempty")])
def test_guess_meter_from_the_gold_answers(name, expected):
    rows = presets.load(name).eval_rows()
    if name == "facts":
        rows = [r for r in rows if (r.get("meta") or {}).get("answer")]
    assert meters.guess_meter(rows)[1] == expected
    assert meters.guess_meter([]) == ("chat", "nonempty")


def test_a_share_of_rows_is_shown_with_its_95_percent_interval():
    from studio.evaluate.meters import format_measure, wilson

    lo, hi = wilson(5, 10)
    assert (round(lo, 3), round(hi, 3)) == (0.237, 0.763)
    assert format_measure("primary", 0.5, 10) == "50.0% [23.7–76.3]"
    assert format_measure("field_accuracy", 0.5, 10) == "50.0%"  # a mean of per-row shares: no binomial interval
    assert format_measure("primary", 0.5) == "50.0%" and format_measure("eval_loss", 0.5, 10) == "0.500"
