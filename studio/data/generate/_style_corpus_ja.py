"""The Japanese side of the style corpus: neutral question/answer pairs (corpus/ja_qa.txt, written for
this project) and the ways a user may phrase a question, for the gozaru generator."""
from __future__ import annotations

from studio.data.generate._style_rows import Pair, load_corpus

# How a question may be framed; the first is the plain question itself.
FRAMINGS = (
    "{q}",
    "質問です。{q}",
    "{q}簡単に教えてください。",
    "教えてください。{q}",
    "ちょっと聞きたいのですが、{q}",
    "{q}短く答えてください。",
    "素朴な疑問です。{q}",
    "{q}手短にお願いします。",
)
# Between two questions asked in one message.
JOINER = "それと、"


def load_pairs() -> tuple[Pair, ...]:
    return load_corpus("ja_qa")
