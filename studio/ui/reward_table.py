"""The Train step's reward table for a GRPO run: the rewards that fit the chosen data, one line each on what it
measures, and the chosen ones' pre-flight figures (references against broken answers), or why one is refused."""
from __future__ import annotations

from studio import rewards
from studio.rewards import check
from studio.text import said, t


def reward_table(rows: list[dict], spec: str | None, lang: str = "en") -> str:
    """Markdown: the chosen rewards' figures (or the refusal, in lang), then every reward that fits these rows."""
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
