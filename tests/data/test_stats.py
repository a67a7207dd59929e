"""Token statistics (with a tiny in-process tokenizer) and the leak-free train/eval split."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from studio.data import stats
from studio.data.validate import validate_file
from tests.helpers import FIXTURES
from tests.helpers.tiny_tokenizer import tiny_tokenizer

MALFORMED = FIXTURES / "malformed"
_SETTINGS = settings(max_examples=150, deadline=None)


def test_token_lengths_grow_with_the_text_and_match_the_template():
    tok = tiny_tokenizer()
    short = [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "yo"}]
    long = [
        {"role": "user", "content": "hi"},
        {"role": "assistant", "content": "the cat sat " * 20},
    ]
    lengths = stats.token_lengths(tok, [{"messages": short}, {"messages": long}])
    rendered = tok.apply_chat_template(long, tokenize=False)
    assert lengths[1] == len(tok(rendered, add_special_tokens=False)["input_ids"])
    assert lengths[0] < lengths[1]


def test_summarise_against_hand_computed_values():
    lengths = list(range(100, 0, -1))  # 1..100, unordered
    summary = stats.summarise(lengths, max_length=90)
    assert summary == {
        "count": 100,
        "min": 1,
        "mean": 50.5,
        "median": 50.5,
        "p95": 95,
        "max": 100,
        "over_max": 10,
    }
    assert stats.summarise([], 10)["count"] == 0
    assert stats.summarise([7], None) == {
        "count": 1,
        "min": 7,
        "mean": 7,
        "median": 7,
        "p95": 7,
        "max": 7,
        "over_max": 0,
    }


def test_validate_with_tokenizer_reports_token_stats():
    report = validate_file(MALFORMED / "too_long.jsonl", tokenizer=tiny_tokenizer(), max_length=64)
    assert report.token_stats["count"] == 2 and report.token_stats["over_max"] == 1
    assert report.token_stats["max"] > 64 >= report.token_stats["min"]


def _chat(user: str, answer: str = "ok") -> dict:
    return {
        "messages": [{"role": "user", "content": user}, {"role": "assistant", "content": answer}]
    }


def _user_prompts(rows: list[dict]) -> set[str]:
    return {
        " ".join(m["content"].split()) for r in rows for m in r["messages"] if m["role"] == "user"
    }


def test_split_is_deterministic_and_sized():
    rows = [_chat(f"question {i}") for i in range(200)]
    train, evaluation = stats.split(rows, 0.1, seed=3)
    assert (train, evaluation) == stats.split(rows, 0.1, seed=3)
    assert len(evaluation) == 20 and len(train) == 180
    assert stats.split(rows, 0.1, seed=4)[1] != evaluation
    with pytest.raises(ValueError):
        stats.split(rows, 1.0)


@_SETTINGS
@given(
    prompts=st.lists(
        st.sampled_from(["a", "b", "c", "d", "e", "f", " a ", "g h", "g  h"]),
        min_size=2,
        max_size=40,
    ),
    fraction=st.floats(0.05, 0.5),
    seed=st.integers(0, 5),
)
def test_split_never_leaks_a_prompt(prompts, fraction, seed):
    rows = [_chat(p, answer=str(i)) for i, p in enumerate(prompts)]
    train, evaluation = stats.split(rows, fraction, seed)
    assert not _user_prompts(train) & _user_prompts(evaluation)
    assert sorted(json.dumps(r) for r in train + evaluation) == sorted(json.dumps(r) for r in rows)
