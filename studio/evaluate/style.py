"""Style meters: is the tuned model's answer in the wanted tone? Pure, fast, no model.

Every meter has the signature `NAME(outputs, rows) -> dict[str, float]`, where outputs[i] answers
rows[i] (an eval row), and the dict always holds "primary", a share in 0..1.

- gozaru: an output counts when it has at least one sentence and >= 60% of its sentences end in a
  ござる form (でござる, でござった, でござろう, ござらぬ ...); a model may add one plain heading or list line
  without losing the voice, but an answer with a single ござる among plain sentences does not count.
- shakespeare: an output counts when it has >= 2 distinct Early Modern markers (thou, thy, art beside
  thou, dost, hath, -eth verbs, ere, aye, nay ...) and >= 2 marker tokens per 40 words. Plain modern
  English has none of these, so it scores ~0; a lone "thou" in a quotation is not enough.
- nonempty: the chat and instruct presets have no single right answer; the meter checks that the
  model answers at all and concisely (non-empty, under 400 characters). It is a floor, not a grade.
- fact_recall: the facts preset (the article's negative control). An output counts when it names the
  new fact (row meta "answer", e.g. Bob) and not the old one (meta "wrong", e.g. Romeo).
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from statistics import fmean

from studio.data.generate.gozaru import gozaru_share, is_gozaru
from studio.data.generate.shakespeare import is_shakespearean, marker_density, markers

__all__ = [
    "NONEMPTY_MAX_CHARS",
    "fact_recall",
    "gozaru",
    "is_gozaru",
    "is_shakespearean",
    "nonempty",
    "regex_style",
    "shakespeare",
]

NONEMPTY_MAX_CHARS = 400
_FIRST_PERSON = re.compile(r"拙者|(?<![一-龥])私(?![立鉄服物用事有営的語設生信])|(?<![一-龥])僕|俺|わたし|わたくし")
_THOU = re.compile(r"\b(?:thou|thee|thy|thine|thyself)\b", re.IGNORECASE)


def _share(flags: Sequence[bool]) -> float:
    return sum(flags) / len(flags) if flags else 0.0


def _mean(values: Sequence[float]) -> float:
    return fmean(values) if values else 0.0


def gozaru(outputs: list[str], rows: list[dict]) -> dict[str, float]:
    """primary: share of outputs in the ござる tone; sentence_share: mean share of sentences ending in
    ござる; first_person_sessha: of the outputs that say "I" at all, the share that say 拙者."""
    with_self = [o for o in outputs if _FIRST_PERSON.search(o)]
    return {
        "primary": _share([is_gozaru(o) for o in outputs]),
        "sentence_share": _mean([gozaru_share(o) for o in outputs]),
        "first_person_sessha": _share([_sessha_only(o) for o in with_self]),
    }


def _sessha_only(text: str) -> bool:
    return all(m.group(0) == "拙者" for m in _FIRST_PERSON.finditer(text))


def shakespeare(outputs: list[str], rows: list[dict]) -> dict[str, float]:
    """primary: share of outputs in Early Modern English; marker_density: mean markers per 40 words;
    thou_share: share of outputs that address the reader as thou/thee/thy."""
    return {
        "primary": _share([is_shakespearean(o) for o in outputs]),
        "marker_density": _mean([marker_density(o) for o in outputs]),
        "thou_share": _share([bool(_THOU.search(o)) for o in outputs]),
        "distinct_markers": _mean([float(len(set(markers(o)))) for o in outputs]),
    }


def regex_style(outputs: list[str], rows: list[dict], pattern: str) -> dict[str, float]:
    """A user's own style test: primary is the share of outputs where `pattern` matches (re.search,
    multiline); mean_matches counts matches per output. Bind the pattern with functools.partial."""
    compiled = re.compile(pattern, re.MULTILINE)
    counts = [len(compiled.findall(o)) for o in outputs]
    return {"primary": _share([c > 0 for c in counts]), "mean_matches": _mean([float(c) for c in counts])}


def nonempty(outputs: list[str], rows: list[dict]) -> dict[str, float]:
    """primary: share of answers that are non-empty and under 400 characters (concise)."""
    stripped = [o.strip() for o in outputs]
    return {
        "primary": _share([0 < len(o) < NONEMPTY_MAX_CHARS for o in stripped]),
        "empty": _share([not o for o in stripped]),
        "mean_chars": _mean([float(len(o)) for o in stripped]),
    }


def names_in(text: str, name: str) -> bool:
    """text names `name` as a whole word (any case). Japanese has no spaces between words, so a name in
    non-Latin letters counts wherever it appears."""
    if not name:
        return False
    if not name.isascii():
        return name in text
    return re.search(rf"\b{re.escape(name)}\b", text, re.IGNORECASE) is not None


def fact_recall(outputs: list[str], rows: list[dict]) -> dict[str, float]:
    """primary: share of outputs naming the new fact and not the old one; old_fact: share naming the
    old one (what fine-tuning fails to unlearn); new_fact: share naming the new one at all.
    Only rows whose meta has "answer" are scored; "scored" says how many."""
    pairs = [(o, r.get("meta") or {}) for o, r in zip(outputs, rows)]
    pairs = [(o, m) for o, m in pairs if m.get("answer")]
    new = [names_in(o, str(m["answer"])) for o, m in pairs]
    old = [names_in(o, str(m.get("wrong", ""))) for o, m in pairs]
    return {
        "primary": _share([n and not w for n, w in zip(new, old)]),
        "old_fact": _share(old),
        "new_fact": _share(new),
        "scored": float(len(pairs)),
    }
