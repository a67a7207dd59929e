"""Blind-mode votes: stored as JSONL, win rates, and preference pairs for DPO."""
import json
import random
import threading

import pytest

from studio.data import votes


def _vote(prompt, winner, **answers):
    return votes.record(prompt, answers, winner)


def test_votes_are_stored_and_give_win_rates(studio_home):
    _vote("p1", "tuned", base="plain", tuned="verily")
    _vote("p2", "tuned", base="plain 2", tuned="forsooth")
    _vote("p3", "tie", base="same", tuned="same")
    _vote("p4", "base", base="good", tuned="bad", rag="meh")
    assert votes.votes_file().parent == studio_home / "votes"
    stored = votes.load()
    assert [v["winner"] for v in stored] == ["tuned", "tuned", "tie", "base"]
    rates = votes.win_rates(stored)
    assert rates["tuned"]["votes"] == 4 and rates["tuned"]["wins"] == 2 and rates["tuned"]["ties"] == 1
    assert rates["tuned"]["rate"] == pytest.approx(2.5 / 4)
    assert rates["base"]["rate"] == pytest.approx(1.5 / 4)
    assert rates["rag"] == {"votes": 1, "wins": 0, "ties": 0, "rate": 0.0}


def test_dpo_export_writes_prompt_chosen_rejected_pairs(tmp_path):
    _vote("Say hi", "tuned", base="Hello.", tuned="Good morrow!")
    _vote("Say bye", "tie", base="Bye.", tuned="Farewell.")
    _vote("Name a fruit", "rag", base="Apple", tuned="apple ", rag="A pear")
    _vote("Same", "base", base="x", tuned=" x")  # identical texts: no preference to learn
    out = tmp_path / "pairs.jsonl"
    n = votes.export_dpo(out)
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert n == len(rows) == 3
    assert all(set(r) == {"prompt", "chosen", "rejected"} for r in rows)
    assert rows[0] == {"prompt": "Say hi", "chosen": "Good morrow!", "rejected": "Hello."}
    assert {r["rejected"] for r in rows[1:]} == {"Apple", "apple "}
    assert all(r["chosen"] == "A pear" for r in rows[1:])


def test_the_export_loads_as_a_preference_dataset(tmp_path):
    from datasets import load_dataset

    _vote("こんにちは", "tuned", base="Hello", tuned="こんにちはでござる")
    out = tmp_path / "pairs.jsonl"
    votes.export_dpo(out)
    ds = load_dataset("json", data_files=str(out), split="train")
    assert ds.column_names == ["prompt", "chosen", "rejected"] and ds[0]["chosen"] == "こんにちはでござる"


def test_bad_votes_are_refused():
    with pytest.raises(ValueError, match="not one of the answers"):
        votes.record("p", {"base": "a", "tuned": "b"}, "rag")
    with pytest.raises(ValueError, match="two answers"):
        votes.record("p", {"base": "a"}, "base")
    with pytest.raises(ValueError, match="not allowed"):
        votes.votes_file("../escape")


def test_concurrent_votes_never_interleave():
    def cast(i):
        for j in range(25):
            votes.record(f"prompt {i}-{j}", {"base": "b" * 2000, "tuned": "t" * 2000}, "base")

    threads = [threading.Thread(target=cast, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    lines = votes.votes_file().read_text(encoding="utf-8").splitlines()
    assert len(lines) == 100 and all(json.loads(line)["winner"] == "base" for line in lines)


def test_blind_order_hides_the_columns_behind_letters():
    keys = ["base", "tuned", "prompt", "rag"]
    slots = votes.blind_order(keys, random.Random(0))
    assert [s.label for s in slots] == ["A", "B", "C", "D"] and sorted(s.key for s in slots) == sorted(keys)
    orders = {tuple(s.key for s in votes.blind_order(keys, random.Random(seed))) for seed in range(20)}
    assert len(orders) > 1  # really shuffled
