"""Few-shot examples from the training set, the article's "example selection": static (the first k
rows) or dynamic (the k rows whose question is most similar to the prompt, by sentence embedding)."""
from __future__ import annotations

from studio.compare.retrieval import rank

MAX_EXAMPLE_CHARS = 2_000


def first_user(row: dict) -> str:
    return next((m.get("content", "") for m in row.get("messages", []) if m.get("role") == "user"), "")


def example_turns(row: dict) -> list[dict]:
    """A row's conversation without its system message (the column decides the system prompt).
    Long rows are skipped by `select`, so a few examples never swamp a small model's context."""
    return [{"role": m["role"], "content": m["content"]} for m in row.get("messages", [])
            if m.get("role") in ("user", "assistant")]


def usable(rows: list[dict]) -> list[dict]:
    """Rows that make a clean example: they start with a user turn and end with an assistant answer."""
    out = []
    for r in rows:
        turns = example_turns(r)
        if (len(turns) >= 2 and turns[0]["role"] == "user" and turns[-1]["role"] == "assistant"
                and sum(len(t["content"]) for t in turns) <= MAX_EXAMPLE_CHARS):
            out.append(r)
    return out


def select(rows: list[dict], prompt: str, k: int = 3, dynamic: bool = True) -> list[dict]:
    """k example rows. Dynamic: the k most similar to the prompt, the most similar placed last, right
    before the question (small models weigh the latest turns most)."""
    rows = usable(rows)
    if k <= 0 or not rows:
        return []
    if not dynamic:
        return rows[:k]

    # an exact copy of the prompt in the training set would hand the column the answer: skip it
    candidates = [r for r in rows if first_user(r).strip() != prompt.strip()]
    best = rank(prompt, [first_user(r) for r in candidates], k)
    return [candidates[i] for i in reversed(best)]


def fewshot_messages(rows: list[dict], prompt: str, k: int = 3, dynamic: bool = True) -> list[dict]:
    """The chosen examples as prior user/assistant turns."""
    return [turn for row in select(rows, prompt, k, dynamic) for turn in example_turns(row)]
