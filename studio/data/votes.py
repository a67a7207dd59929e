"""Blind mode: answers shown shuffled and unnamed, the user votes for the better one. Votes are kept
as JSONL under STUDIO_HOME/votes/<set>.jsonl; they give a win rate per column and export as
preference pairs {"prompt", "chosen", "rejected"}: the format trl's DPOTrainer reads (the article's
RLHF/DPO route for what supervised tuning does not teach)."""
from __future__ import annotations

import random
import string
import time
from dataclasses import dataclass
from pathlib import Path

from studio.data.store import datasets_dir
from studio.fsutil import append_jsonl, read_jsonl, write_jsonl
from studio.paths import check_name, inside, studio_home
from studio.text import Said

TIE = "tie"
DEFAULT_SET = "default"


@dataclass
class BlindSlot:
    label: str
    """What the user sees: "A", "B", ..."""
    key: str
    """The column behind it, revealed after the vote."""


class VoteError(Said, ValueError):
    """Votes that cannot make what was asked; said in the UI's language."""


def blind_order(keys: list[str], rng: random.Random | None = None) -> list[BlindSlot]:
    """The columns shuffled behind neutral labels A, B, C..."""
    shuffled = list(keys)
    (rng or random.Random()).shuffle(shuffled)
    return [BlindSlot(string.ascii_uppercase[i], k) for i, k in enumerate(shuffled)]


def votes_file(vote_set: str = DEFAULT_SET) -> Path:
    folder = studio_home() / "votes"
    folder.mkdir(parents=True, exist_ok=True)
    return inside(folder, check_name(vote_set, "vote set") + ".jsonl")


def record(prompt: str, answers: dict[str, str], winner: str, *, vote_set: str = DEFAULT_SET,
           run_id: str | None = None, order: list[str] | None = None) -> dict:
    """Append one vote. `answers` maps column key -> answer text; `winner` is one of its keys or "tie"."""
    if len(answers) < 2:
        raise VoteError("err_vote_two_answers")
    if winner != TIE and winner not in answers:
        raise VoteError("err_vote_winner", winner=winner, answers=", ".join(answers))
    vote = {"time": time.time(), "prompt": prompt, "answers": dict(answers), "winner": winner,
            "run": run_id, "order": list(order or answers)}
    append_jsonl(votes_file(vote_set), vote, durable=True)
    return vote


def load(vote_set: str = DEFAULT_SET) -> list[dict]:
    return [v for v in read_jsonl(votes_file(vote_set)) if isinstance(v.get("answers"), dict)]


def win_rates(votes: list[dict]) -> dict[str, dict[str, float]]:
    """Per column: votes it appeared in, wins, ties, and rate = (wins + ties/2) / votes."""
    table: dict[str, dict[str, float]] = {}
    for v in votes:
        for key in v["answers"]:
            row = table.setdefault(key, {"votes": 0, "wins": 0, "ties": 0, "rate": 0.0})
            row["votes"] += 1
            row["wins"] += int(v["winner"] == key)
            row["ties"] += int(v["winner"] == TIE)
    for row in table.values():
        row["rate"] = (row["wins"] + row["ties"] / 2) / row["votes"]
    return table


def preference_pairs(votes: list[dict]) -> list[dict]:
    """The winner against every other answer of its vote; ties and identical texts teach nothing."""
    pairs = []
    for v in votes:
        winner = v.get("winner")
        if winner == TIE or winner not in v["answers"]:
            continue
        chosen = v["answers"][winner]
        for key, text in v["answers"].items():
            if key != winner and text.strip() != chosen.strip():
                pairs.append({"prompt": v["prompt"], "chosen": chosen, "rejected": text})
    return pairs


def run_votes(run_id: str, vote_set: str = DEFAULT_SET) -> list[dict]:
    """The votes cast on one run: Compare keeps them in a set named after it; others name it in "run"."""
    return load(check_name(run_id, "run id")) + [v for v in load(vote_set) if v.get("run") == run_id]


def run_pairs_file(run_id: str, vote_set: str = DEFAULT_SET) -> tuple[Path, int]:
    """The pairs of the votes cast on one run, written to the datasets folder for a DPO run to train on:
    (the file, how many pairs). ValueError when there is nothing to train on."""
    pairs = preference_pairs(run_votes(run_id, vote_set))
    if not pairs:
        raise VoteError("err_votes_none", run=run_id)
    path = inside(datasets_dir(), f"votes-{check_name(run_id, 'run id')}.jsonl")
    write_jsonl(path, pairs)
    return path, len(pairs)


def export_dpo(path: str | Path, vote_set: str = DEFAULT_SET) -> int:
    """Write the preference pairs as JSONL; returns how many."""
    pairs = preference_pairs(load(vote_set))
    return write_jsonl(path, pairs)
