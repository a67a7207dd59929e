"""The chat preset: friendly, concise assistant conversations (some with two user turns).

The answers come from the project's English question/answer corpus (corpus/en_qa.txt, plain modern English,
the one the shakespeare generator rewrites); this module adds friendly openers, follow-up turns and the small
talk of corpus/chat_small_talk.txt. Train, eval and probes use disjoint questions. `build_preset(out_dir)`
writes presets/chat (`studio data build-preset chat`).
"""
from __future__ import annotations

import random
from pathlib import Path

from studio.data.generate._style_corpus_en import load_pairs
from studio.data.generate._style_rows import Pair, split_pairs
from studio.data.generate.preset import CORPUS_DIR, preset_spec, train_settings, write_preset

SEED = 23
PRESET_SPEC = preset_spec(
    "chat", task="chat", hub_model="Qwen/Qwen2.5-0.5B",
    # No single right answer exists for chat: "nonempty" checks that the model answers, concisely.
    meter="nonempty",
    title={"en": "Friendly chat", "ja": "フレンドリーなチャット"},
    description={"en": "Short, friendly assistant conversations, some with a follow-up question.",
                 "ja": "短くて親しみやすいアシスタントの会話。追加の質問が続く会話も含みます。"},
    goal={"en": "Chat like a friendly assistant: answer briefly, stay on topic across turns.",
          "ja": "親しみやすいアシスタントとして、短く答え、続く質問にも話題を保って答えてほしい。"},
    train=train_settings(epochs=2, learning_rate=2.0e-4, max_length=256),
)
OPENERS = ("Good question!", "Happy to help.", "Sure!", "Great question.", "Glad you asked.")
FOLLOW_UPS = ("Thanks! {q}", "That helps. {q}", "Got it. One more thing: {q}", "Nice, thank you. {q}",
              "Interesting! {q}", "Okay. {q}")
GREETINGS = (
    ("Hi there!", "Hello! What can I help you with today?"),
    ("Hello, are you around?", "I am here. What would you like to know?"),
    ("Good morning!", "Good morning! How can I help?"),
    ("Hey, can I ask you something?", "Of course. Go ahead."),
    ("Hi! I have a question.", "Hi! Ask away."),
    ("Good evening.", "Good evening! What is on your mind?"),
)


def small_talk() -> list[list[tuple[str, str]]]:
    """corpus/chat_small_talk.txt: conversations separated by blank lines, each a run of "U: ..." / "A: ..."
    lines."""
    text = (CORPUS_DIR / "chat_small_talk.txt").read_text(encoding="utf-8")
    out = []
    for block in text.split("\n\n"):
        lines = [ln[3:] for ln in block.splitlines() if ln[:3] in ("U: ", "A: ")]
        if lines:
            out.append(list(zip(lines[0::2], lines[1::2])))
    return out


def _turns(pairs: list[tuple[str, str]]) -> list[dict]:
    out = []
    for user, assistant in pairs:
        out += [{"role": "user", "content": user}, {"role": "assistant", "content": assistant}]
    return out


def _row(pairs: list[tuple[str, str]], kind: str) -> dict:
    return {"messages": _turns(pairs), "meta": {"kind": kind}}


def _friendly(answer: str, rng: random.Random) -> str:
    return f"{rng.choice(OPENERS)} {answer}" if rng.random() < 0.3 else answer


def conversation_rows(pairs: list[Pair], rng: random.Random, greet: bool) -> list[dict]:
    """Single questions, two-question conversations on one topic, and (train only) greeting-led ones."""
    rows: list[dict] = []
    pool = list(pairs)
    while pool:
        p = pool.pop()
        mate = next((q for q in pool if q.category == p.category), None)
        roll = rng.random()
        if mate and roll < 0.35:
            pool.remove(mate)
            follow = rng.choice(FOLLOW_UPS).format(q=mate.question)
            rows.append(_row([(p.question, _friendly(p.answer, rng)), (follow, mate.answer)], "follow_up"))
        elif greet and roll < 0.5:
            rows.append(_row([rng.choice(GREETINGS), (p.question, p.answer)], "greeting"))
        else:
            rows.append(_row([(p.question, _friendly(p.answer, rng))], "single"))
    return rows


def build_preset(out_dir: str | Path) -> Path:
    """Write presets/chat: conversations from disjoint question sets, small talk in train only."""
    rng = random.Random(SEED)
    probes, evals, train = split_pairs(load_pairs(), SEED, 20, 70)
    train_rows = conversation_rows(train, rng, greet=True) + [_row(t, "small_talk") for t in small_talk()]
    eval_rows = conversation_rows(evals, rng, greet=False)
    rng.shuffle(train_rows)
    return write_preset(out_dir, PRESET_SPEC, train_rows, eval_rows, [p.question for p in probes])
