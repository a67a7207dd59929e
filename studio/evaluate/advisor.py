"""Should this be fine-tuned? A transparent, rule-based advisor (no model, no black box).

The article's lesson: fine-tuning teaches FORM (tone, format, structure) and is poor at teaching FACTS.
So we measure, on the dataset's answers, how much is shared form and how much is unique facts, read
the goal the user typed for words that name either, and say which column of Compare to open:

  form    template    share of answer n-grams that recur across many answers (a shared skeleton)
          structure   share of answers that are JSON, SQL or one of a small label set
          style       share of answers in a known style (ござる, Early Modern English), by the meters
  facts   recurring_entities  share of answers naming a name that their prompt did not give and that
                      recurs across the dataset: a small world of facts the model must *know*
          novel_entities / novel_numbers  share of answers naming a name / number the prompt lacks
          prompt_overlap  share of answer words found in the prompt (copying is form, not recall)

Every number is returned in `signals` and every rule that fired in `reasons`, so a verdict can be
checked by hand. The weights and thresholds were set on the presets; tests/evaluate/test_advisor.py holds them."""
from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from studio.data.generate.sql_task import parses
from studio.evaluate.structure import extract_json, extract_sql, normalize_label
from studio.evaluate.style import gozaru, shakespeare
from studio.text import t

Verdict = str  # "fine-tune" | "rag" | "prompt" | "few-shot"
COLUMN_FOR: dict[str, str] = {"fine-tune": "tuned", "rag": "rag", "prompt": "prompt", "few-shot": "fewshot"}

FACT_WORDS = ("remember", "know", "knowledge", "fact", "update", "latest", "current", "believe",
              "answer that", "覚え", "知識", "事実", "最新", "知って")
FORM_WORDS = ("tone", "style", "format", "json", "sql", "schema", "voice", "manner", "label", "category",
              "classif", "structure", "concise", "brief", "friendly", "instruction", "follow",
              "口調", "語尾", "形式", "文体", "スタイル")
GOAL_WEIGHT = 0.15
MIN_ROWS_TO_TUNE = 100
"""Below this, a handful of examples in the prompt usually shows the form as well as training would."""
RECUR_SHARE = 0.05
"""An n-gram or a name "recurs" when it is in at least this share of the answers (and >= 3 of them)."""
MIN_SCORE = 0.25
"""A score below this is no evidence either way."""
MAX_ROWS = 2000  # the signals are shares: a sample says as much, and keeps the UI snappy

_TOKEN = re.compile(r"[A-Za-z][A-Za-z']*|\d+(?:[.,:/-]\d+)*|[\u3040-\u30ff\u3400-\u9fff]|[^\sA-Za-z\d]")
_WORD = re.compile(r"[A-Za-z][A-Za-z'-]*|[\u3040-\u30ff\u3400-\u9fff]")
_NUMBER = re.compile(r"\d+(?:[.,:/-]\d+)*")
_SQL_START = re.compile(r"\s*(?:```\w*\s*)?(SELECT|WITH)\b", re.IGNORECASE)
_SENTENCE_START = re.compile(r"(?:^|[.!?:;\n]\s*|[\"'(\[]\s*)$")


Note = tuple[str, dict[str, str]]
"""A reason as (key, its fields): studio.text says it as reason_<key> in any language."""


def _note(key: str, **fields: object) -> Note:
    return key, {k: str(v) for k, v in fields.items()}


def _english(notes: list[Note]) -> list[str]:
    return [t("en", f"reason_{key}", **fields) for key, fields in notes]


@dataclass
class Advice:
    verdict: Verdict
    confidence: float
    """0.5 (a coin toss) .. 0.95: how far apart the form and facts scores are."""
    reasons: list[str]
    """In English; `notes` holds the same as (key, fields) for other languages (studio.text reason_*)."""
    signals: dict[str, float] = field(default_factory=dict)
    column: str = "tuned"
    """The Compare column that shows the recommended approach."""
    entities: list[str] = field(default_factory=list)
    """The recurring names behind the facts signal, most frequent first."""
    notes: list[Note] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"verdict": self.verdict, "confidence": self.confidence, "reasons": self.reasons,
                "signals": self.signals, "column": self.column, "entities": self.entities}


# ---- text pieces -------------------------------------------------------------------------------

def _turns(row: dict, role: str) -> list[str]:
    return [str(m.get("content", "")) for m in row.get("messages", []) if m.get("role") == role]


def _pairs(rows: Sequence[dict]) -> list[tuple[str, str]]:
    """(prompt text: every non-assistant turn, answer: the last assistant turn) for rows with an answer."""
    out = []
    for r in rows[:MAX_ROWS]:
        answers = _turns(r, "assistant")
        if answers and answers[-1].strip():
            context = " ".join(_turns(r, "system") + _turns(r, "user") + answers[:-1])
            out.append((context, answers[-1]))
    return out


def _ngrams(text: str, n: int = 3) -> set[tuple[str, ...]]:
    toks = _TOKEN.findall(text.lower())
    return {tuple(toks[i:i + n]) for i in range(max(0, len(toks) - n + 1))}


def _recurs(count: int, n_rows: int) -> bool:
    return count >= max(3, RECUR_SHARE * n_rows)


def _share(flags) -> float:
    flags = [bool(f) for f in flags]
    return sum(flags) / len(flags) if flags else 0.0


# ---- form signals ------------------------------------------------------------------------------

def template_share(answers: list[str]) -> float:
    """Share of the answers' distinct trigrams that recur across many answers: a JSON skeleton or a
    fixed sentence ending scores high, free prose low. Repeated answers count once: a duplicate is
    not a template."""
    answers = list(dict.fromkeys(answers))
    grams = [_ngrams(a) for a in answers]
    df = Counter(g for gs in grams for g in gs)
    total = sum(len(gs) for gs in grams)
    shared = sum(1 for gs in grams for g in gs if _recurs(df[g], len(answers)))
    return shared / total if total else 0.0


def structure_shares(answers: list[str]) -> dict[str, float]:
    """json / sql / label: shares of answers that are a JSON object, a SQL query, one of a few labels."""
    labels = Counter(normalize_label(a) for a in answers)
    short = [len(a.split()) <= 3 for a in answers]
    few = len(labels) <= max(2, min(30, len(answers) // 5))
    return {
        "json": _share(a.lstrip().startswith(("{", "```")) and extract_json(a) is not None for a in answers),
        "sql": _share(_SQL_START.match(a) and parses(extract_sql(a)) for a in answers),
        "label": _share(short) if few and len(labels) >= 2 else 0.0,
    }


def regularity(answers: list[str]) -> float:
    """Share of answers whose length is within half to twice the median: a steady manner and length
    (a chat assistant's two sentences) is a weak form of its own."""
    lengths = sorted(len(_TOKEN.findall(a)) for a in answers)
    median = lengths[len(lengths) // 2] if lengths else 0
    return _share(median / 2 <= n <= median * 2 for n in lengths) if median else 0.0


def style_share(answers: list[str]) -> float:
    """The strongest known style, by the style meters' own tests (ござる, Early Modern English)."""
    return max(gozaru(answers, [])["primary"], shakespeare(answers, [])["primary"])


# ---- facts signals -----------------------------------------------------------------------------

def _capitalised(text: str) -> list[tuple[str, bool]]:
    """(word in Title case, whether it starts a sentence) for every capitalised word."""
    out = []
    for m in re.finditer(r"\b[A-Z][A-Za-z'-]+\b", text):
        word = m.group(0)
        out.append((word.capitalize() if word.isupper() else word,
                    bool(_SENTENCE_START.search(text[:m.start()]))))
    return out


def name_vocabulary(texts: list[str]) -> set[str]:
    """Words used as names: Title-case in mid-sentence somewhere and rarely written in lower case.
    ALL-CAPS words count only when the same word is also a mid-sentence name (BOB -> Bob, not SELECT)."""
    mid = Counter(w for t in texts for w, start in _capitalised(t) if not start and not w.isupper())
    exact_mid = Counter(m.group(0) for t in texts for m in re.finditer(r"(?<=[a-z,] )[A-Z][a-z'-]+", t))
    lower = Counter(w for t in texts for w in re.findall(r"\b[a-z][a-z'-]+\b", t))
    return {w for w in mid if exact_mid[w] and lower[w.lower()] <= mid[w] // 2}


def _names_in(text: str, vocab: set[str]) -> set[str]:
    return {w for w, _ in _capitalised(text) if w in vocab}


def fact_signals(pairs: list[tuple[str, str]]) -> tuple[dict[str, float], list[str]]:
    """Names and numbers each answer brings that its prompt did not, and how much they recur."""
    vocab = name_vocabulary([t for p in pairs for t in p])
    novel = [_names_in(a, vocab) - _names_in(p, vocab) - _prompt_words(p) for p, a in pairs]
    counts = Counter(n for ns in novel for n in ns)
    recurring = [n for n, c in counts.most_common() if _recurs(c, len(pairs))]
    numbers = [set(_NUMBER.findall(a)) - set(_NUMBER.findall(p)) for p, a in pairs]
    return {
        "recurring_entities": _share(set(ns) & set(recurring) for ns in novel),
        "novel_entities": _share(novel),
        "novel_numbers": _share(numbers),
        "distinct_entities": float(len(recurring)),
        "prompt_overlap": _mean_overlap(pairs),
    }, recurring[:8]


def _prompt_words(prompt: str) -> set[str]:
    return {w.capitalize() for w in re.findall(r"[A-Za-z][A-Za-z'-]+", prompt)}


def _mean_overlap(pairs: list[tuple[str, str]]) -> float:
    """Mean share of an answer's words (ideographs one by one) that its prompt also holds."""
    shares = []
    for prompt, answer in pairs:
        words = [w.lower() for w in _WORD.findall(answer)]
        if words:
            seen = {w.lower() for w in _WORD.findall(prompt)}
            shares.append(sum(w in seen for w in words) / len(words))
    return sum(shares) / len(shares) if shares else 0.0


def measure(rows: Sequence[dict]) -> tuple[dict[str, float], list[str]]:
    """Every signal (rounded, for showing) and the recurring names."""
    pairs = _pairs(rows)
    answers = [a for _, a in pairs]
    if not pairs:
        return {"rows": 0.0}, []
    shapes = structure_shares(answers)
    facts, names = fact_signals(pairs)
    signals = {"rows": float(len(pairs)), "template": template_share(answers),
               "structure": max(shapes.values()), **{f"structure_{k}": v for k, v in shapes.items()},
               "style": style_share(answers), "regularity": regularity(answers), **facts}
    return {k: round(v, 3) for k, v in signals.items()}, names


# ---- the verdict -------------------------------------------------------------------------------

def goal_votes(goal: str | None) -> tuple[int, int]:
    """(form words, facts words) found in the user's goal."""
    text = (goal or "").lower()
    return sum(w in text for w in FORM_WORDS), sum(w in text for w in FACT_WORDS)


def scores(s: dict[str, float], goal: str | None) -> tuple[float, float]:
    """(form, facts) in 0..1. Form: the strongest of structure, style, the template share and (weakly)
    a steady answer length. Facts: recurring unknown names weigh most, one-off names and numbers add;
    copying from the prompt lowers it (up to half)."""
    form = max(s["structure"], s["style"], min(1.0, 1.5 * s["template"]), 0.5 * s["regularity"])
    facts = (0.6 * s["recurring_entities"] + 0.25 * s["novel_entities"] + 0.15 * s["novel_numbers"])
    facts *= 1.0 - 0.5 * s["prompt_overlap"]
    form_words, fact_words = goal_votes(goal)
    return (round(min(1.0, form + GOAL_WEIGHT * min(2, form_words)), 3),
            round(min(1.0, facts + GOAL_WEIGHT * min(2, fact_words)), 3))


def advise(rows: Sequence[dict], goal: str | None = None) -> Advice:
    """The verdict for these training rows and the goal the user typed (either may be rough)."""
    signals, names = measure(rows)
    if not signals["rows"]:
        notes = [_note("no_answers")]
        return Advice("prompt", 0.5, _english(notes), signals, COLUMN_FOR["prompt"], notes=notes)
    form, facts = scores(signals, goal)
    signals.update(form_score=form, facts_score=facts)
    verdict, notes = _decide(signals, names, goal)
    confidence = round(min(0.95, 0.5 + abs(form - facts) * 0.6), 2)
    return Advice(verdict, confidence, _english(notes), signals, COLUMN_FOR[verdict], names, notes)


def _decide(s: dict[str, float], names: list[str], goal: str | None) -> tuple[Verdict, list[Note]]:
    notes = _evidence(s, names, goal)
    if s["facts_score"] > s["form_score"] and s["facts_score"] >= MIN_SCORE:
        return _facts_verdict(s, notes)
    if s["form_score"] < MIN_SCORE:
        return "few-shot", [*notes, _note("no_signal")]
    if s["rows"] < MIN_ROWS_TO_TUNE:
        return "few-shot", [*notes, _note("few_rows", n=int(s["rows"]))]
    return "fine-tune", [*notes, _note("form")]


def _facts_verdict(s: dict[str, float], notes: list[Note]) -> tuple[Verdict, list[Note]]:
    """Facts win. A name or two to swap fit in a system prompt; a world of them is for retrieval."""
    n = int(s["distinct_entities"])
    if n <= 2:
        return "prompt", [*notes, _note("facts"), _note("few_names", n=n)]
    return "rag", [*notes, _note("facts"), _note("many_names", n=n)]


def _evidence(s: dict[str, float], names: list[str], goal: str | None) -> list[Note]:
    """One note per signal that speaks, with its number."""
    out = [_note("scores", form=f"{s['form_score']:.2f}", facts=f"{s['facts_score']:.2f}")]
    kind = max(("json", "sql", "label"), key=lambda k: s[f"structure_{k}"])
    if s["structure"] >= 0.5:
        out.append(_note("structured", share=f"{s['structure']:.0%}", kind=kind))
    if s["style"] >= 0.5:
        out.append(_note("style", share=f"{s['style']:.0%}"))
    if s["template"] >= 0.3:
        out.append(_note("template", share=f"{s['template']:.0%}"))
    if s["regularity"] >= 0.6 and max(s["structure"], s["style"]) < 0.5:
        out.append(_note("regular", share=f"{s['regularity']:.0%}"))
    if s["recurring_entities"] >= 0.2:
        out.append(_note("names", share=f"{s['recurring_entities']:.0%}", names=", ".join(names[:5])))
    if s["prompt_overlap"] >= 0.5:
        out.append(_note("overlap", share=f"{s['prompt_overlap']:.0%}"))
    form_words, fact_words = goal_votes(goal)
    if form_words or fact_words:
        out.append(_note("goal", form=form_words, facts=fact_words))
    return out
