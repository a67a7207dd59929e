"""What tuning costs (the article's point 3-2: fine-tuning can increase hallucination). A general-knowledge
set written for this project (general_knowledge.jsonl: very easy short-answer questions, none about Romeo,
Juliet or Shakespeare's plays, which the lab renames) is asked of the base model and of every tuned variant.
The questions the base gets right define the set; for each variant: the share still right, and the share of
confident wrong answers (a wrong answer given without a hedge), each with a 95% Wilson interval.

Measured 2026-11-30 on AMD EPYC (CPU, 2 cores; ask() with SETTINGS: greedy, 24 new tokens, no repetition
penalty, batches of 16) over the 132 questions: smollm2-135m greedy right on 94 of 132 (71%, 95% CI 63-78%;
the other 38 confident wrong, none unsure or empty), so the set for that base holds 94 questions.
gemma3-270m (a base model, asked through the studio's plain Q/A template, which it answers as a numbered
list) right on 59 of 132 (45%, 36-53%; 73 wrong). Asking all 132 of one column took 9-18 s with the cores
free, up to 4.5 min when other jobs shared them. The slow test in tests/facts/test_general.py re-measures
smollm2-135m and accepts the set at 50 or more right.
"""
from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path

from studio.chat import GenSettings, messages_for
from studio.compare.columns import Column
from studio.facts.corpus import CorpusError
from studio.facts.stats import wilson
from studio.fsutil import read_jsonl

QUESTIONS_FILE = Path(__file__).with_name("general_knowledge.jsonl")
INSTRUCTION = "Answer in a few words."
"""Appended to each question: a short answer is cheap to generate and easy to judge."""
SETTINGS = GenSettings(max_new_tokens=24, temperature=0.0, repetition_penalty=1.0)
"""Greedy: the fair setting for base and tuned. No repetition penalty: it would push a model off a
right answer it already started ("Paris, Paris" is still right)."""
BATCH_SIZE = 16
VERDICTS = ("right", "unsure", "empty", "wrong")

_UNITS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
          "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"]
_TENS = ["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
NUMBER_WORDS = {w: i for i, w in enumerate(_UNITS)} | {w: 20 + 10 * i for i, w in enumerate(_TENS)}
HEDGES = ("i dont know", "i do not know", "not sure", "unsure", "cannot", "can not", "cant", "unable to",
          "unknown", "no information", "no idea", "not certain", "uncertain", "i dont have", "i do not have",
          "not known", "no answer", "im sorry", "i am sorry", "not able to", "no data")
"""Normalised like the answers (lower case, apostrophes dropped): what a model says when it declines."""
_SCALES = ("hundred", "thousand")


# ---- the set -----------------------------------------------------------------------------------

def load_questions(path: Path = QUESTIONS_FILE) -> list[dict]:
    """The questions, checked: unique ids, a question, and accepted answers that mean something once
    normalised (an alias that normalises to nothing, or to a bare article, would match anything) and
    that the question does not contain (a model repeating the question would be judged right)."""
    items = read_jsonl(path)
    if not items:
        raise CorpusError("facts_questions_none", path=path)
    ids = [it.get("id") for it in items]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise CorpusError("facts_questions_dupes", path=path, ids=dupes)
    for it in items:
        _check_item(it)
    return items


def _check_item(item: dict) -> None:
    if not item.get("id") or not str(item.get("q", "")).strip():
        raise CorpusError("facts_question_bad", item=item)
    answers = item.get("answers")
    if not isinstance(answers, list) or not answers:
        raise CorpusError("facts_question_no_answers", id=item["id"])
    question = f" {normalise(item['q'])} "
    for alias in answers:
        if normalise(str(alias)) in ("", "a", "an", "the"):
            raise CorpusError("facts_answer_loose", id=item["id"], alias=alias)
        if f" {normalise(str(alias))} " in question:
            raise CorpusError("facts_answer_echo", id=item["id"], alias=alias)


def question_rows(items: Sequence[dict]) -> list[dict]:
    """Chat rows in the studio's format (the first accepted answer as the gold), so the evaluation helpers
    can ask them; meta keeps the id and every accepted answer for judge()."""
    return [{"messages": [{"role": "user", "content": f"{it['q']} {INSTRUCTION}"},
                          {"role": "assistant", "content": it["answers"][0]}],
             "meta": {"id": it["id"], "answers": list(it["answers"])}} for it in items]


# ---- judging -----------------------------------------------------------------------------------

def normalise(text: str) -> str:
    """Lower case, apostrophes dropped ("don't" -> "dont"), other punctuation a space, number words as
    digits ("twenty-four" -> "24"), single spaces. Decimal points and thousands commas stay in numbers."""
    text = re.sub(r"(?<=\d),(?=\d{3}\b)", "", text.lower())
    text = re.sub(r"['\u2019]", "", text)
    text = re.sub(r"[^\w.]|_|(?<!\d)\.|\.(?!\d)", " ", text)
    return " ".join(_numbers_as_digits(text.split()))


def _numbers_as_digits(words: list[str]) -> list[str]:
    """Runs of number words as numbers: "three hundred and sixty five" -> "365", "one two" -> "1 2"."""
    out: list[str] = []
    run: list[str] = []
    for word in [*words, ""]:
        after_scale = bool(run) and run[-1] in _SCALES
        if word in NUMBER_WORDS or (word in _SCALES and run) or (word == "and" and after_scale):
            run.append(word)
            continue
        trailing_and = run[-1:] == ["and"]
        out += [str(n) for n in _values(run[:-1] if trailing_and else run)]
        out += ["and"] if trailing_and else []
        out += [word] if word else []
        run = []
    return out


def _values(words: list[str]) -> list[int]:
    """The numbers a run of number words spells; a unit after a unit (or after a teen) starts a new one."""
    numbers: list[int] = []
    total, part, started = 0, 0, False
    for word in words:
        if word == "hundred":
            part = max(part, 1) * 100
        elif word == "thousand":
            total, part = (total + max(part, 1)) * 1000, 0
        elif word in NUMBER_WORDS:
            if started and not _extends(total + part, NUMBER_WORDS[word]):
                numbers.append(total + part)
                total, part = 0, 0
            part, started = part + NUMBER_WORDS[word], True
    return [*numbers, total + part] if started or total else numbers


def _extends(number: int, value: int) -> bool:
    """Whether a number word continues the number so far: after "hundred"/"thousand" ("three hundred
    five") or a unit after a ten ("twenty four"); "one two" and "nineteen eighty" are two numbers."""
    last = number % 100
    return (number > 0 and last == 0) or (last >= 20 and last % 10 == 0 and value < 10)


def judge(answer: str, item: dict) -> str:
    """One answer's verdict, on the normalised text (see normalise(): case, punctuation and the
    spelling of numbers do not matter; "7" and "seven" are the same answer):

    - "right": an accepted answer appears as whole words ("Paris." and "It is Paris" are right for
      Paris; "Parisian" is not; "24" is not 4). An answer naming another candidate as well still counts,
      except in a list: an answer that opens a numbered or bulleted list is judged on its first item
      only (a base model listing "1. Potato 2. Onion 3. Carrot" has named one answer, not three).
    - "empty": nothing but blanks and punctuation.
    - "unsure": no accepted answer, and the answer hedges (I don't know, I'm not sure, I cannot,
      unknown, no information, ... see HEDGES; a hedge word the question itself uses does not count).
    - "wrong": anything else, a confident wrong answer.

    load_questions() refuses an accepted answer that the question contains, so echoing the question
    never makes an answer right."""
    text = f" {normalise(first_item(answer))} "
    if not text.strip():
        return "empty"
    answers = item.get("answers") or item.get("meta", {}).get("answers") or []
    if any(f" {normalise(a)} " in text for a in answers if normalise(a)):
        return "right"
    question = f" {normalise(_question(item))} "
    if any(f" {h} " in text and f" {h} " not in question for h in HEDGES):
        return "unsure"
    return "wrong"


def first_item(answer: str) -> str:
    """The answer itself, or the first item when it opens a list ("1. ...", "1) ...", "- ...", "* ...")."""
    if re.match(r"\s*1[.)]\s", answer):
        return re.split(r"\s2[.)](?:\s|$)", answer, maxsplit=1)[0]
    if re.match(r"\s*[-*\u2022]\s", answer):
        return answer.strip().split("\n", 1)[0]
    return answer


def _question(item: dict) -> str:
    """The question text of an item of the set or of a question_rows() row."""
    return item.get("q") or next((m["content"] for m in item.get("messages", []) if m["role"] == "user"), "")


# ---- asking and summing up ---------------------------------------------------------------------

def ask(comparer, items: Sequence[dict], adapters: Mapping[str, str | None] | None = None, *,
        settings: GenSettings = SETTINGS, batch_size: int = BATCH_SIZE) -> dict[str, list[str]]:
    """Every question through every column (key -> adapter folder, None for the base model) of one
    studio.compare.engine.Comparer: {column key: answers in item order}. Prompts are sorted by length
    so a batch pads little."""
    adapters = dict(adapters or {"base": None})
    rows = question_rows(items)
    jobs = [(i, Column(key, key, adapter, messages_for(row["messages"][0]["content"])))
            for i, row in enumerate(rows) for key, adapter in adapters.items()]
    jobs.sort(key=lambda job: len(job[1].messages[-1]["content"]))
    out = {key: [""] * len(rows) for key in adapters}
    for start in range(0, len(jobs), batch_size):
        chunk = jobs[start:start + batch_size]
        for (i, col), text in zip(chunk, comparer.generate([col for _, col in chunk], settings)):
            out[col.key][i] = text
    return out


def share(k: int, n: int) -> dict:
    """k of n as plain data, with its 95% Wilson interval (share None when n is 0)."""
    lo, hi = wilson(k, n)
    return {"k": k, "n": n, "share": k / n if n else None, "lo": lo, "hi": hi}


def collateral(answers_by_column: Mapping[str, Sequence[str | None]], items: Sequence[dict],
               base: str = "base") -> dict:
    """What tuning cost, as JSON-able data. The questions the `base` column got right form the set; each
    column (the base included) is scored on that set: n, still_right, confident_wrong ("wrong" verdicts),
    unsure and empty shares. base_right is the base's right share over all items; verdicts keeps every
    column's verdict per item, for the answers table. A column other than the base may hold None for a
    question outside the set (not asked: asking the tuned variants only the set saves time)."""
    if base not in answers_by_column:
        raise CorpusError("facts_cost_no_base", base=base, columns=sorted(answers_by_column))
    bad = [key for key, answers in answers_by_column.items() if len(answers) != len(items)]
    if bad:
        raise CorpusError("facts_cost_lengths", columns=bad, n=len(items))
    verdicts = {key: [None if a is None else judge(a, it) for a, it in zip(answers, items)]
                for key, answers in answers_by_column.items()}
    kept = [i for i, v in enumerate(verdicts[base]) if v == "right"]
    missing = [key for key, v in verdicts.items() if any(v[i] is None for i in kept)]
    if missing:
        raise CorpusError("facts_cost_unasked", columns=missing)
    return {"items": len(items), "base": base, "base_right": share(len(kept), len(items)),
            "set": [items[i]["id"] for i in kept],
            "columns": {key: _column(v, kept) for key, v in verdicts.items()},
            "verdicts": verdicts}


def _column(verdicts: Sequence[str | None], kept: Sequence[int]) -> dict:
    counts = {v: sum(verdicts[i] == v for i in kept) for v in VERDICTS}
    n = len(kept)
    return {"n": n, "still_right": share(counts["right"], n), "confident_wrong": share(counts["wrong"], n),
            "unsure": share(counts["unsure"], n), "empty": share(counts["empty"], n)}
