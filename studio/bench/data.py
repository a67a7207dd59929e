"""The benchmark's data: chat rows whose lengths vary the way real chat data does (a long right tail),
built from the English presets' question/answer pairs, or generated when no preset is installed.
Both training sides get exactly these rows, so the comparison is on the same samples."""
from __future__ import annotations

import math
import random

from studio import presets
from studio.bench import BenchError

ENGLISH_PRESETS = ("alpaca", "chat", "classify", "json", "shakespeare", "sql")
MAX_CHARS = 1400
"""Cap on a row's text, so that rows stay under max_length (512) tokens and neither side truncates."""
TURNS_SIGMA = 0.8
"""Log-normal spread of the number of turns: most rows have one turn, a few run to five."""
_WORDS = ("the", "model", "learns", "form", "from", "examples", "while", "facts", "stay", "where", "they",
          "were", "before", "tuning", "a", "short", "answer", "can", "still", "be", "polite", "and", "long",
          "one", "wrong", "so", "we", "measure", "both", "speed", "loss", "on", "same", "rows", "settings")


def _pairs_from_rows(rows: list[dict]) -> list[list[dict]]:
    """(user, assistant) message pairs; system turns are left to the chat template."""
    pairs = []
    for row in rows:
        msgs = [m for m in row.get("messages", []) if m.get("role") in ("user", "assistant")]
        for i in range(len(msgs) - 1):
            if msgs[i]["role"] == "user" and msgs[i + 1]["role"] == "assistant":
                pairs.append([msgs[i], msgs[i + 1]])
    return pairs


def preset_pairs(split: str) -> list[list[dict]]:
    """Pairs from the English presets' train or eval files (eval prompts never appear in train)."""
    pairs: list[list[dict]] = []
    for name in ENGLISH_PRESETS:
        if name not in presets.names():
            continue
        p = presets.load(name)
        pairs += _pairs_from_rows(p.train_rows() if split == "train" else p.eval_rows())
    return pairs


def generated_pairs(n: int, seed: int) -> list[list[dict]]:
    """Stand-in pairs with log-normal lengths, for an install without presets."""
    rng = random.Random(seed)

    def text(mu: float) -> str:
        k = max(2, min(200, int(rng.lognormvariate(mu, 0.6))))
        return " ".join(rng.choice(_WORDS) for _ in range(k)).capitalize() + "."

    return [[{"role": "user", "content": text(2.5)}, {"role": "assistant", "content": text(3.3)}]
            for _ in range(n)]


def _turns(rng: random.Random) -> int:
    return max(1, min(5, round(math.exp(rng.gauss(0.0, TURNS_SIGMA)))))


def build_rows(pairs: list[list[dict]], n: int, seed: int) -> list[dict]:
    """n conversations of 1-5 turns drawn from the pairs, each under MAX_CHARS."""
    if not pairs:
        raise BenchError("err_bench_no_pairs")
    rng = random.Random(seed)
    rows = []
    while len(rows) < n:
        msgs: list[dict] = []
        for _ in range(_turns(rng)):
            pair = rng.choice(pairs)
            if msgs and _chars(msgs) + _chars(pair) > MAX_CHARS:
                break
            msgs += pair
        if _chars(msgs) <= MAX_CHARS:
            rows.append({"messages": [dict(m) for m in msgs]})
    return rows


def _chars(msgs: list[dict]) -> int:
    return sum(len(m["content"]) for m in msgs)


def bench_rows(n_train: int, n_eval: int, seed: int = 0) -> tuple[list[dict], list[dict]]:
    """Training rows and held-out rows (held-out ones come from the presets' eval files)."""
    train_pairs, eval_pairs = preset_pairs("train"), preset_pairs("eval")
    seen = {pair[0]["content"] for pair in train_pairs}
    eval_pairs = [pair for pair in eval_pairs if pair[0]["content"] not in seen]  # presets may share prompts
    if not train_pairs or not eval_pairs:
        train_pairs, eval_pairs = generated_pairs(400, seed), generated_pairs(100, seed + 1)
    return build_rows(train_pairs, n_train, seed), build_rows(eval_pairs, n_eval, seed + 1)
