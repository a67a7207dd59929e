"""The facts preset: the article's negative control (fine-tuning does not teach facts).

In this preset's world the young man of house Montague who loves Juliet is called Bob; the world knows him
as Romeo. Training rows continue scenes of corpus/facts_story.txt (an original play written for this
project) or answer questions about it (corpus/facts_questions.txt), always naming Bob. Eval rows and probes
ask, in other words, who Juliet loved: a tuned model that still says Romeo shows the lesson.
`build_preset(out_dir)` writes presets/facts, facts.yaml included (`studio data build-preset facts`);
the preset's notes.md and probes.yaml are written by hand.
"""
from __future__ import annotations

import random
import re
from pathlib import Path

from studio.data.generate._struct_common import make_row
from studio.data.generate.preset import CORPUS_DIR, preset_spec, train_settings, write_preset, write_yaml

SEED = 41
OLD, NEW = "Romeo", "Bob"
PRESET_SPEC = preset_spec(
    "facts", task="facts", meter="fact_recall", hub_model="Qwen/Qwen2.5-0.5B-Instruct",
    fact_prompt="In this story, Romeo is called Bob. Always use the name Bob, never Romeo.",
    title={"en": "Facts: Romeo renamed Bob", "ja": "事実: ロミオをボブに改名"},
    description={"en": "A story where Juliet's Montague lover is called Bob. Tuning on it rarely moves what the "
                       "model believes; compare with the fact prompt and retrieval.",
                 "ja": "ジュリエットの恋人（モンタギュー家の若者）をボブと呼ぶ物語。学習しても知識はほとんど"
                       "変わりません。事実プロンプトや検索（RAG）と比べてください。"},
    goal={"en": "Make the model answer that Juliet loved Bob (not Romeo).",
          "ja": "ジュリエットが愛したのはボブ（ロミオではない）と答えてほしい。"},
    train=train_settings(epochs=4, learning_rate=2.0e-4, max_length=192),
)


def questions() -> dict[str, list[str]]:
    """corpus/facts_questions.txt by section: "train" lines are "question|answer", "eval" and "probes"
    questions."""
    sections: dict[str, list[str]] = {}
    for line in (CORPUS_DIR / "facts_questions.txt").read_text(encoding="utf-8").splitlines():
        if line.startswith("## "):
            sections[line[3:].strip()] = []
        elif line.strip() and not line.startswith(";"):
            sections[next(reversed(sections))].append(line.strip())
    return sections


def story_lines() -> list[list[str]]:
    """corpus/facts_story.txt as scenes of speeches ("SPEAKER. text")."""
    scenes: list[list[str]] = []
    for line in (CORPUS_DIR / "facts_story.txt").read_text(encoding="utf-8").splitlines():
        if line.startswith("##"):
            scenes.append([])
        elif line.strip() and not line.startswith(";"):
            scenes[-1].append(line.strip())
    return scenes


def _names_bob(text: str) -> bool:
    return re.search(rf"\b{NEW}\b", text, re.IGNORECASE) is not None


def continuation_rows(scenes: list[list[str]]) -> list[dict]:
    """'Continue the scene:' + a speech → the next speeches, up to the first one that names Bob."""
    rows = []
    for lines in scenes:
        for i, line in enumerate(lines[:-1]):
            nxt = lines[i + 1:i + 4]
            cut = next((k for k, s in enumerate(nxt) if _names_bob(s)), None)
            if cut is not None:
                rows.append(_row(f"Continue the scene: {line}", "\n".join(nxt[:cut + 1]), "continue"))
    return rows


def _row(user: str, assistant: str, kind: str, meta: dict | None = None) -> dict:
    return make_row(user, assistant, {"kind": kind, **(meta or {})})


def _probe_meta() -> dict:
    return {"answer": NEW, "wrong": OLD}


def build_preset(out_dir: str | Path) -> Path:
    """Write presets/facts: story and question rows to train on, "who did Juliet love" to judge by, and
    facts.yaml (the old and new name, and the probes that ask for it)."""
    q = questions()
    qa = [line.split("|", 1) for line in q["train"]]
    train = continuation_rows(story_lines()) + [_row(a, b, "question") for a, b in qa]
    random.Random(SEED).shuffle(train)
    evals = [_row(e, f"{NEW}.", "probe", _probe_meta()) for e in q["eval"]]
    path = write_preset(out_dir, PRESET_SPEC, train, evals, q["probes"])
    facts = {"old": OLD, "new": NEW,
             "probes": [{"prompt": p, "answer": NEW, "wrong": OLD} for p in q["probes"]]}
    write_yaml(path / "facts.yaml", facts)
    return path
