"""The judge's pieces with a scripted endpoint: its letter read strictly (an answer that is neither A nor B is
counted, never guessed), its prompt filled in one pass, the agreement (share and Cohen's κ with bootstrap
intervals) and what is said below 20 decided votes."""
from __future__ import annotations

import pytest

from studio.data import votes
from studio.evaluate import agreement, judge
from studio.fsutil import append_jsonl
from studio.text import said
from tests.endpoints.conftest import save
from tests.helpers.fake_openai import FakeEndpoint


@pytest.mark.parametrize(("said_", "letter"), [
    ("A", "A"), ("B", "B"), (" b.", "B"), ("**A**", "A"), ("Answer: B", "B"), ("(A)", "A"), ("回答: A", "A"),
    ("A or B", None), ("Both are fine.", None), ("AB", None), ("", None), ("I'd say A because", None), ("C", None),
])
def test_a_letter_is_read_only_when_it_is_all_the_judge_said(said_, letter):
    assert judge.parse_letter(said_) == letter


def test_the_prompt_is_filled_in_one_pass():
    pair = judge.Pair("id", "Say {a}", "base", "tuned", "I said {b}", "and {prompt}")
    assert judge.fill("Q: {prompt} / A: {a} / B: {b}", pair) == "Q: Say {a} / A: I said {b} / B: and {prompt}"
    with pytest.raises(judge.JudgeError) as err:
        judge.check_template("Which is better, A or B? {prompt}")
    assert str(err.value).startswith("the judge prompt must hold {a}, {b}") and "{a}, {b}" in said("ja", err.value)


def test_kappa_and_its_interval():
    user, judged = list("AABBABABABABBBAAABAB" * 2), list("AABBABABABABBBAABBAA" * 2)
    found = agreement.agreement(user, judged)
    assert (found.n, found.agree, found.share) == (40, 36, 0.9)
    assert found.kappa == pytest.approx(0.8) and found.more == 0
    assert found.kappa_lo < found.kappa < found.kappa_hi and found.share_lo < found.share <= found.share_hi
    assert agreement.kappa(list("AAAA"), list("AAAA")) is None  # chance explains everything: undefined
    assert agreement.agreement([], []).more == agreement.MIN_VOTES


def _vote(run: str, i: int, winner_first: bool) -> None:
    answers = {"base": f"plain answer {i}", "tuned": f"styled answer {i}"}
    votes.record(f"prompt {i}", answers, "base" if winner_first else "tuned", vote_set=run, run_id=run,
                 order=["base", "tuned"])


def test_a_vote_counts_only_when_both_orders_pick_the_same_answer():
    assert [judge.both_orders(*x) for x in (("A", "B"), ("B", "A"), ("A", "A"), ("B", "B"), (None, "B"), ("A", None))] \
        == ["A", "B", None, None, None, None]


def _by_prompt(body: dict) -> str:
    """A judge that, on pair i: always says A (i % 3 == 0, a position bias), says something else (1), or picks
    the styled answer wherever it stands (2)."""
    asked = body["messages"][-1]["content"]
    i = int(asked.split("prompt ", 1)[1].split()[0])
    if i % 3 == 0:
        return "A"
    if i % 3 == 1:
        return "Both are good."
    return "**A**" if asked.index("styled") < asked.index("plain") else "B"


def test_unclear_and_two_minded_answers_are_counted_and_below_20_votes_says_how_many_more():
    for i in range(24):
        _vote("run-1", i, i % 2 == 0)
    votes.record("a tie", {"base": "x", "tuned": "y"}, votes.TIE, vote_set="run-1", run_id="run-1")
    with FakeEndpoint(reply=_by_prompt) as fake:
        save("judge", fake.url)
        found = judge.judge_votes("run-1", "judge")
        assert len(fake.calls) == 48  # each of the 24 decided pairs in both orders; the tie decides nothing
        assert fake.calls[0]["max_tokens"] == judge.JUDGE_TOKENS and fake.calls[0]["temperature"] == 0
        again = judge.judge_votes("run-1", "judge")  # every pair answered with this prompt: none asked again
        assert len(fake.calls) == 48 and again.agreement == found.agreement
    assert (found.pairs, found.unclear, found.inconsistent) == (24, 8, 8)
    assert (found.agreement.n, found.agreement.more) == (8, 12)
    assert found.agreement.agree == 4  # the styled answer, picked in both orders, where the user picked it
    text = judge.say_report(found)
    assert "has decided 8 of your 24 pairs" in text and "so 12 more" in text
    assert "8 answer(s) were neither A nor B" in text and "8 pair(s) got opposite picks" in text
    ja = judge.say_report(found, "ja")
    assert "あと 12 件必要" in ja and "8 件のペアは A と B を入れ替えると" in ja and "8 件の答えは A でも B でも" in ja
    with pytest.raises(judge.JudgeError) as err:
        judge.accept("run-1", "judge")
    assert "needs 20 (12 more)" in str(err.value) and judge.accepted("run-1") is None
    recorded = [r for r in votes.load("run-1.judge")]
    assert sum(r["winner"] == judge.UNCLEAR for r in recorded) == 16  # kept as said, never turned into a letter
    assert sum(r["inconsistent"] for r in recorded) == 8 and all(r["letters"] == ["A", "A"] for r in recorded
                                                                   if r["inconsistent"])
    assert not votes.preference_pairs([r for r in recorded if r["winner"] == judge.UNCLEAR])


def test_a_verdict_asked_in_one_order_only_is_asked_again():
    for i in range(2, 6, 3):
        _vote("run-2", i, False)
    with FakeEndpoint(reply=_by_prompt) as fake:
        save("judge", fake.url)
        pair = judge.user_pairs(votes.run_votes("run-2"))[0]
        old = {"pair": pair.id, "source": "blind", "judge": "judge", "model": "fake-model", "letter": "A",
               "template": judge.template_id(judge.DEFAULT_PROMPT), "winner": "base"}  # one order, no "orders"
        append_jsonl(votes.votes_file("run-2.judge"), old)
        found = judge.judge_votes("run-2", "judge")
    assert len(fake.calls) == 4 and found.agreement.n == 2 and found.agreement.agree == 2


def test_a_judge_that_fails_midway_keeps_its_verdicts_and_is_asked_the_rest_next_time():
    for i in range(24):
        _vote("run-3", i, i % 2 == 0)
    with FakeEndpoint(reply=_by_prompt, fail_after=12) as fake:
        save("judge", fake.url)
        found = judge.judge_votes("run-3", "judge")
    kept = len(votes.load("run-3.judge"))
    assert 0 < kept < 24 and found.failed == 24 - kept  # answered pairs recorded; the rest counted, not lost
    assert "got no answer this time (asked again next time): endpoint judge" in judge.say_report(found)
    assert "HTTP 500" in judge.say_report(found, "ja") and "次回もう一度聞きます" in judge.say_report(found, "ja")
    with FakeEndpoint(reply=_by_prompt) as fake:
        save("judge", fake.url)
        again = judge.judge_votes("run-3", "judge")
    assert len(fake.calls) == 2 * (24 - kept) and again.failed == 0  # only the pairs without a verdict
    assert (again.unclear, again.inconsistent, again.agreement.n) == (8, 8, 8)
