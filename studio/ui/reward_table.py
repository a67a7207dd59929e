"""The Train step's reward table for a GRPO run: the rewards that fit the chosen data, one line each on what it
measures, and the chosen ones' pre-flight figures (references against broken answers), or why one is refused."""
from __future__ import annotations

import json

from studio import rewards, runs
from studio.rewards import LATEST, check
from studio.text import said, t

CELL = 120
"""Characters of a prompt or an answer the table shows."""


def reward_table(rows: list[dict], spec: str | None, lang: str = "en") -> str:
    """Markdown: the chosen rewards' figures (or the refusal, in lang), then every reward that fits these rows; for
    raw text, why GRPO cannot use it."""
    try:
        rewards.check_apply([], rows)  # no reward chosen yet: only data GRPO cannot use at all is refused
    except ValueError as e:
        return f"**{said(lang, e)}**"
    fitting = [f"- `{name}` — {t(lang, 'reward_' + rewards.Reward(name).key)}" for name in rewards.fits(rows)]
    lines = [f"**{t(lang, 'grpo_fits')}**", *fitting]
    if not (spec or "").strip():
        return "\n".join(lines)
    try:
        found = check.check(rewards.parse(spec), rows)
    except ValueError as e:  # a Said: unknown, unfitting, blind, a regex that does not compile
        return f"**{said(lang, e)}**\n\n" + "\n".join(lines)
    head = t(lang, "reward_table_head").split(" · ") if lang == "en" else t(lang, "reward_table_head").split("・")
    table = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    table += [f"| `{f.name}` | {f.weight:g} | {f.good:.2f} | {f.broken:.2f} |" for f in found]
    return "\n".join(table) + "\n\n" + "\n".join(lines)


def latest_answers(run_id: str | None, lang: str = "en") -> str:
    """Markdown: a GRPO run's latest sampled answers with each reward's score, as its worker wrote them (empty for
    another method, or before the first batch)."""
    try:
        latest = json.loads((runs.get(run_id).path / LATEST).read_text(encoding="utf-8")) if run_id else {}
    except (KeyError, ValueError, OSError):
        return ""
    answers = latest.get("answers") or []
    if not answers:
        return ""
    names = list(answers[0]["scores"])
    head = [t(lang, "grpo_prompt"), t(lang, "grpo_answer"), *names]
    lines = [f"**{t(lang, 'grpo_latest')}**", "", "| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += [f"| {_cell(a['prompt'])} | {_cell(a['answer'])} | "
              + " | ".join(f"{a['scores'].get(n, 0.0):.2f}" for n in names) + " |" for a in answers]
    return "\n".join(lines)


def _cell(text: str) -> str:
    """One table cell: one line, pipes escaped, cut to CELL characters."""
    flat = " ".join(str(text).split()).replace("|", "\\|")
    return flat if len(flat) <= CELL else flat[: CELL - 1] + "…"
