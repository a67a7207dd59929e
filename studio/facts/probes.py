"""The lab's questions: probe sets written for a subject (presets/facts/probes.yaml, about Romeo) filled in with
the swap's names, a user's own probe file in the same shape, and the question/answer rows the qa variant
trains on. A probe row is a chat row whose meta says its kind, the answer that shows the new fact and the
answer that shows the old one."""
from __future__ import annotations

import re
from pathlib import Path

import yaml

from studio import presets
from studio.facts.corpus import CorpusError
from studio.paths import PRESETS_DIR

PROBES_FILE = PRESETS_DIR / "facts" / "probes.yaml"
KINDS = ("initial_new", "initial_old", "direct", "paraphrase", "reverse", "cloze")
"""The probe kinds in the order the lab shows them."""
FACT_KINDS = ("initial_new", "paraphrase", "reverse")
"""The kinds that ask for the fact in words no variant trained on: together, "did it learn the fact"."""


def probe_row(prompt: str, kind: str, answer: str, wrong: str = "") -> dict:
    return {"messages": [{"role": "user", "content": prompt}, {"role": "assistant", "content": answer}],
            "meta": {"kind": kind, "answer": answer, "wrong": wrong}}


def names(old: str, new: str) -> dict[str, str]:
    """The fields a probe template may use."""
    return {"old": old, "new": new, "old_initial": old[:1].upper(), "new_initial": new[:1].upper()}


def probe_set(old: str, new: str, path: Path | None = None) -> list[dict]:
    """The probes of `path` (default: the shipped set) when written about `old`; [] when the set is about
    someone else (the lab then asks cloze probes from the corpus alone)."""
    path = path or PROBES_FILE
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if not isinstance(raw, dict) or not isinstance(raw.get("kinds"), dict):
        raise CorpusError("facts_probe_file", file=str(path))
    if str(raw.get("subject", "")).casefold() != old.casefold():
        return []
    fields = names(old, new)
    answer, wrong = (str(raw.get(k, "")).format(**fields) for k in ("answer", "wrong"))
    rows = []
    for kind, prompts in raw["kinds"].items():
        if kind not in KINDS:
            raise CorpusError("facts_probe_kind", file=str(path), kind=kind, kinds=", ".join(KINDS[:-1]))
        if kind == "initial_old" and fields["old_initial"] == fields["new_initial"]:
            continue  # the same letter: the pair of questions would be one question asked twice
        for line in prompts or []:
            prompt, _, other = str(line).format(**fields).partition("|")
            rows.append(probe_row(prompt.strip(), kind, other.strip() or answer, "" if other else wrong))
    return rows


def preset_qa_rows(old: str, new: str) -> list[dict]:
    """The facts preset's questions about its story (corpus/facts_questions.txt, ## train), where the young Montague is
    Bob, with Bob renamed `new`: the qa variant's rows when the subject is Romeo."""
    if old.casefold() != "romeo":
        return []
    rows = [r for r in presets.load("facts").train_rows() if (r.get("meta") or {}).get("kind") == "question"]
    if new == "Bob":
        return rows
    return [{**r, "messages": [{**m, "content": _rename(m["content"], "Bob", new)} for m in r["messages"]]}
            for r in rows]


def _rename(text: str, old: str, new: str) -> str:
    return re.sub(rf"\b{re.escape(old)}\b", new, text)
