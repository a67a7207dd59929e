"""The teacher: a model writes new training pairs from a few seeds and an instruction, or rewrites
texts in a style shown by a handful of example pairs. Every row it writes passes the same checks as
the rule-based generators (parses, matches the style or schema via the kind's check_row, not a
near-duplicate) before it is kept; the rest are counted as rejects, by reason."""
from __future__ import annotations

import difflib
import random
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from studio.chat import GenSettings, get_chat_model
from studio.data.generate import GeneratorError

"""New tokens for one rewrite: plenty for a styled paragraph, and within every model's context."""

Check = Callable[[dict], "str | None"]
Progress = Callable[[float, str], None]
_PAIR = re.compile(r"Q:\s*(.+?)\s*\nA:\s*(.+?)(?:\n\s*\n|\nQ:|$)", re.DOTALL)


@dataclass
class TeacherResult:
    rows: list[dict] = field(default_factory=list)
    rejects: Counter = field(default_factory=Counter)
    attempts: int = 0


def _pair(row: dict) -> tuple[str, str]:
    msgs = row["messages"]
    user = next(m["content"] for m in msgs if m["role"] == "user")
    answer = next(m["content"] for m in reversed(msgs) if m["role"] == "assistant")
    return user, answer


def near_duplicate(text: str, seen: list[str], threshold: float = 0.9) -> bool:
    return any(difflib.SequenceMatcher(None, text, s).ratio() >= threshold for s in seen[-300:])


def _prompt(instruction: str, examples: list[dict]) -> str:
    shots = "\n\n".join(f"Q: {q}\nA: {a}" for q, a in map(_pair, examples))
    return f"{instruction.strip()}\nWrite one new question and answer in the same form.\n\n{shots}\n\nQ:"


def parse_pair(text: str) -> tuple[str, str] | None:
    m = _PAIR.search("Q: " + text.strip())
    if not m:
        return None
    q, a = m.group(1).strip(), m.group(2).strip()
    return (q, a) if q and a else None


def judge(text: str, check: Check | None, seen: list[str]) -> tuple[dict | None, str]:
    """A candidate row and '' when it passes, else None and the reject reason."""
    pair = parse_pair(text)
    if pair is None:
        return None, "did not parse as Q:/A:"
    row = {"messages": [{"role": "user", "content": pair[0]}, {"role": "assistant", "content": pair[1]}]}
    if check and (why := check(row)):
        return None, f"failed the check: {why[:60]}"
    if near_duplicate(pair[0] + " " + pair[1], seen):
        return None, "near-duplicate"
    return row, ""


def teach(model: str, seeds: list[dict], instruction: str, n: int, check: Check | None = None,
          max_attempts: int | None = None, seed: int = 0, progress: Progress | None = None) -> TeacherResult:
    if not seeds:
        raise GeneratorError("err_teacher_no_seeds")
    chat, rng, result = get_chat_model(model), random.Random(seed), TeacherResult()
    seen = [" ".join(_pair(s)) for s in seeds]
    limit = max_attempts or 4 * n
    while len(result.rows) < n and result.attempts < limit:
        result.attempts += 1
        shots = rng.sample(seeds, min(3, len(seeds)))
        text = chat.generate([{"role": "user", "content": _prompt(instruction, shots)}],
                             GenSettings(max_new_tokens=160, temperature=0.8, seed=rng.randrange(2**31)))
        row, why = judge(text, check, seen)
        if row is None:
            result.rejects[why] += 1
            continue
        result.rows.append(row)
        seen.append(" ".join(_pair(row)))
        if progress:
            progress(len(result.rows) / n, f"{len(result.rows)} kept, {sum(result.rejects.values())} rejected")
    return result
