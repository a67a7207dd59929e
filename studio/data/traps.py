"""What a file carries by mistake though every row passes on its own: a template's unfilled placeholders
(`{{name}}`, `{name}`, `<name>` in the answers), one answer given to many different prompts, one placeholder
system prompt everywhere. Each is a warning (the rows stay usable: the studio cannot know they are wrong),
said once with its count, its first lines and the fix.

The rules are narrow on purpose, since answers are full of braces and angle brackets that are no mistake:
code and JSON, f-strings, LaTeX, HTML and XML. A placeholder counts only outside code (fences and backticks),
only where the same one recurs across rows (a template repeats its names), and `<name>` only when it reads as
a placeholder (a known placeholder word, CAPS, or words joined by _ or spaces), never as a tag."""
from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from studio.data.report import Report
from studio.data.turns import english
from studio.text import Phrase, Term

KEYS = ("e_placeholder", "e_same_answer", "e_system_placeholder")  # the warnings said here (the Data step shows them)
MIN_ROWS = 2  # a template's name recurs; one brace in one answer is more likely code
SHARE = 0.01  # {name} and <name> must also be in this share of the rows: a big file mentions them in passing
SAME_MIN_PROMPTS = 3  # one answer to this many different prompts is said…
SAME_SHARE = 0.02  # …where they are this share of the rows: paraphrased questions share a query (the sql preset)
SAME_MIN_CHARS = 20  # shorter answers are labels ("BILLING", "yes"): the same for many prompts on purpose
SAME_MAX_SAID = 3  # the most repeated answers said; the rest are counted in them
SHOWN_LINES = 5

CODE = re.compile(r"```.*?(```|$)|`[^`\n]*`", re.DOTALL)  # fenced blocks (closed or not) and inline code
DOUBLE = re.compile(r"\{\{\s*([A-Za-z_][\w.]{0,40})\s*\}\}")
# not after \frac, ^, _, $, %, # or another brace (LaTeX, shell, printf, Jinja): {name} standing alone, a
# word of two letters or more ({x} is a set in maths)
SINGLE = re.compile(r"(?<![\w\\$}{%#^_])\{([A-Za-z_]\w{1,40})\}(?!\})")
# not after a word (List<String>, a<b and c>d): <name> standing alone
ANGLE = re.compile(r"(?<![\w<])<([A-Za-z][\w ]{0,40}?)>")
CODE_MARKS = re.compile(r"\bf[\"']|\.format\(|\bprint\(|\bdef |\$\{|=>|\bconst |\bfunction\b|\bSELECT\b")
PLACEHOLDER_WORDS = {
    "name", "author", "model", "model_name", "assistant_name", "bot_name", "company", "organization", "org",
    "developer", "creator", "date", "email", "url", "website", "product", "brand", "your_name", "user_name",
    "username", "placeholder", "insert", "todo", "tbd", "xxx",
}
HTML_TAGS = {"think", "br", "hr", "p", "b", "i", "u", "s", "a", "em", "strong", "code", "pre", "div", "span",
             "ul", "ol", "li", "table", "tr", "td", "th", "img", "html", "head", "body", "title", "sub", "sup"}
WHAT = {"name": "name", "model_name": "name", "assistant_name": "name", "bot_name": "name", "model": "name",
        "author": "author", "creator": "author", "developer": "author", "company": "author", "organization": "author",
        "org": "author"}  # a placeholder's name -> what the fix says it stands for (trap_what_<it>)
SYSTEM_WORDS = {"system", "system prompt", "your system prompt", "your system prompt here", "none", "null",
                "n/a", "na", "todo", "tbd", "...", "…", "placeholder", "insert system prompt here", "string", "text"}


def warn_traps(report: Report) -> None:
    """The three traps over the report's usable rows (their keys still the reader's: call before _settle)."""
    pairs = [(row, key) for row, key in zip(report.usable, report.lines) if "text" not in row]
    if not pairs:  # raw text is cut into passages as it is: wiki braces and all
        return
    _warn_placeholders(report, pairs)
    _warn_same_answer(report, pairs)
    _warn_system_placeholder(report, pairs)


# --- the pieces of a row -----------------------------------------------------------------------------

def answers(row: dict) -> list[str]:
    """The assistant's texts of a row: an SFT conversation's, or a DPO/KTO row's answers."""
    turns = [m for side in ("messages", "completion", "chosen", "rejected") for m in row.get(side) or []]
    return [m["content"] for m in turns if m.get("role") == "assistant" and isinstance(m.get("content"), str)]


def system_prompt(row: dict) -> str | None:
    turns = row.get("messages") or row.get("prompt") or []
    first = turns[0] if turns else {}
    return first.get("content") if first.get("role") == "system" else None


def _prompt(row: dict) -> str:
    """What was asked: every turn before the last answer, as one text (a row's identity for 'different')."""
    turns = row.get("messages") or row.get("prompt") or []
    end = max((i for i, m in enumerate(turns) if m.get("role") == "assistant"), default=len(turns))
    return "\x1f".join(str(m.get("content")) for m in turns[:end] if m.get("role") != "system")


# --- placeholders ------------------------------------------------------------------------------------

def placeholders(text: str) -> set[str]:
    """The placeholders in one answer, as written ({{name}}, {name}, <name>), code left out."""
    prose = CODE.sub(" ", text)
    found = {m.group(0).replace(" ", "") for m in DOUBLE.finditer(prose)}
    if not CODE_MARKS.search(prose):  # f-strings and format calls outside backticks hold {name} on purpose
        found |= {m.group(0) for m in SINGLE.finditer(prose)}
    found |= {m.group(0) for m in ANGLE.finditer(prose) if _reads_as_placeholder(m.group(1), prose)}
    return found


def _reads_as_placeholder(inner: str, text: str) -> bool:
    """<your name>, <MODEL_NAME>, <name>: yes. <think>, <div>, <T>, <item>…</item>: no."""
    word = inner.strip()
    if word.lower() in HTML_TAGS or f"</{word}>" in text or f"<{word}/>" in text:
        return False
    key = word.lower().replace(" ", "_")
    return key in PLACEHOLDER_WORDS or (len(word) > 1 and word.isupper()) or "_" in word or " " in word


def _warn_placeholders(report: Report, pairs: list[tuple[dict, Any]]) -> None:
    seen: dict[str, list] = {}
    for row, key in pairs:
        for token in set().union(*map(placeholders, answers(row))):
            seen.setdefault(token, []).append(key)
    least = max(MIN_ROWS, round(len(pairs) * SHARE))
    for token, keys in sorted(seen.items(), key=lambda kv: -len(kv[1])):
        if len(keys) >= (MIN_ROWS if token.startswith("{{") else least):
            _say(report, keys, "answer", "placeholder", token=token, what=_what(token))


def _what(token: str) -> str:
    """What the placeholder stands for, said in the report's language: {{name}} -> your model's name."""
    name = token.strip("{}<> ")
    known = WHAT.get(name.lower().replace(" ", "_"))
    return Term(f"trap_what_{known}") if known else Phrase("trap_what_other", name=name)


# --- one answer for many prompts -----------------------------------------------------------------------

def _warn_same_answer(report: Report, pairs: list[tuple[dict, Any]]) -> None:
    by_answer: dict[str, dict[str, Any]] = {}  # answer -> {prompt: the first row's key}
    for row, key in pairs:
        said = answers(row)
        if "messages" in row and said and len(said[-1].strip()) >= SAME_MIN_CHARS:
            by_answer.setdefault(said[-1].strip(), {}).setdefault(_prompt(row), key)
    least = max(SAME_MIN_PROMPTS, round(len(pairs) * SAME_SHARE))
    repeated = sorted(((a, list(p.values())) for a, p in by_answer.items() if len(p) >= least),
                      key=lambda ak: -len(ak[1]))
    for answer, keys in repeated[:SAME_MAX_SAID]:
        _say(report, keys, "answer", "same_answer", answer=_quote(answer), share=f"{len(keys) / len(pairs):.0%}")


def _quote(text: str, width: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[:width - 1] + "…"


# --- a placeholder system prompt -------------------------------------------------------------------------

def _warn_system_placeholder(report: Report, pairs: list[tuple[dict, Any]]) -> None:
    by_text: dict[str, list] = {}
    for row, key in pairs:
        text = system_prompt(row)
        if text is not None and _placeholder_system(text):
            by_text.setdefault(text.strip(), []).append(key)
    for text, keys in by_text.items():
        if len(keys) >= MIN_ROWS:
            _say(report, keys, "system", "system_placeholder", text=_quote(text))


def _placeholder_system(text: str) -> bool:
    """'{system}', '<system prompt>', 'SYSTEM_PROMPT', 'TODO': a system prompt nobody wrote."""
    plain = text.strip()
    whole = DOUBLE.fullmatch(plain) or SINGLE.fullmatch(plain) or re.fullmatch(r"<[^<>]{1,40}>", plain)
    return bool(whole) or plain.lower() in SYSTEM_WORDS or bool(re.fullmatch(r"[A-Z][A-Z0-9_]{2,40}", plain))


# --- saying it once ---------------------------------------------------------------------------------------

def _say(report: Report, keys: list, at: str, kind: str, **words: Any) -> None:
    """One warning at the first row, counting them all and naming the first lines."""
    lines = [_line(report, k) for k in keys]
    words |= {"n": len(keys), "lines": _few(lines)}
    issue = report.issue(keys[0], at, *english(kind, **words), f"e_{kind}", **words)
    report.warnings.append(replace(issue, more=tuple(lines[1:])))


def _line(report: Report, key: Any) -> int | None:
    issue = report.issue(key, "", "")
    return issue.line if issue.line is not None else issue.record


def _few(lines: Iterable[int | None]) -> str:
    shown = [str(n) for n in lines if n is not None]
    return ", ".join(shown[:SHOWN_LINES]) + (", …" if len(shown) > SHOWN_LINES else "")
