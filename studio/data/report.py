"""A validation report: the usable rows and every problem, each naming the file, the line and the fix.

Locations are what a user can jump to: the text line (1-based) in JSONL, JSON, CSV/TSV and text files
(for a JSON list, the line where the record starts, with its 1-based record number beside it); the
1-based record number in parquet files and hub datasets. `line=None` is the whole file.

A problem shared by many rows is said once: issues alike in field, message and hint collapse into
one that counts them and keeps their lines (`Issue.more`).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from studio.data.formats import FORMAT_NAMES, REFUSED
from studio.data.turns import english
from studio.text import TEXT, t

MAX_ISSUES = 200  # shown per list; the rest are only counted
COLLAPSE_AT = 4  # this many alike issues or more are said once
Place = Callable[[Any], tuple[int | None, int | None]]  # a reader's key -> (line, record number)


@dataclass(frozen=True)
class Issue:
    file: str
    line: int | None  # see the module docstring; None = the whole file
    field: str
    message: str
    hint: str = ""
    record: int | None = None  # 1-based record number where lines do not name a record
    more: tuple[int | None, ...] = ()  # the lines of the alike issues said with this one
    key: str = ""  # the text catalogue's key, for the UI's language (the message is its English)
    args: tuple[tuple[str, Any], ...] = ()

    @property
    def count(self) -> int:
        return 1 + len(self.more)

    def where(self) -> str:
        return place_text(self.line, self.record)

    def text(self, lang: str = "en") -> str:
        message = t(lang, self.key, **dict(self.args)) if self.key else self.message
        if self.more and "n" not in dict(self.args):  # a message that counts its rows says it already
            message += " " + t(lang, "data_alike", n=len(self.more), lines=_few(self.more))
        return message

    def hint_text(self, lang: str = "en") -> str:
        known = self.key and f"{self.key}_hint" in TEXT["en"]
        return t(lang, f"{self.key}_hint", **dict(self.args)) if known else self.hint

    def __str__(self) -> str:
        where = self.file if self.line is None and self.record is None else f"{self.file}:{self.where()}"
        return f"{where}: {self.field}: {self.text()}" + (f" ({self.hint})" if self.hint else "")


def place_text(line: int | None, record: int | None) -> str:
    if record is None:
        return "" if line is None else str(line)
    return f"record {record}" if line is None else f"{line} (record {record})"


def _few(lines: tuple[int | None, ...]) -> str:
    shown = [str(n) for n in lines[:5] if n is not None]
    return ", ".join(shown) + (", …" if len(lines) > 5 else "")


@dataclass
class Report:
    file: str
    format: str | None = None
    rows: int = 0  # records read (including broken ones)
    usable: list[dict] = field(default_factory=list)
    lines: list[int | None] = field(default_factory=list)  # where each usable row came from
    records: list[int | None] = field(default_factory=list)  # and its record number, where lines don't say
    errors: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)
    errors_dropped: int = 0
    warnings_dropped: int = 0
    mapping: dict[str, str] | None = None
    token_stats: dict | None = None  # stats.summarise() of usable rows when a tokenizer was given
    rendering: str | None = None  # "native" or "plain" when rows use tools (data/template.py)
    place: Place | None = None  # set by the reader once records have keys of their own

    @property
    def task(self) -> str:
        """"text" (continued pretraining), "preference" (refused here) or "chat"."""
        if self.format == "text":
            return "text"
        return "preference" if self.format in REFUSED else "chat"

    @property
    def error_count(self) -> int:
        return sum(i.count for i in self.errors) + self.errors_dropped

    @property
    def warning_count(self) -> int:
        return sum(i.count for i in self.warnings) + self.warnings_dropped

    @property
    def ok(self) -> bool:
        """Clean: no error at all and something to train on. Training on the usable rows of a
        file with errors is allowed only as an explicit choice (see `partial`)."""
        return not self.error_count and bool(self.usable)

    @property
    def partial(self) -> bool:
        return bool(self.error_count) and bool(self.usable)

    def issue(self, key: Any, at: str, message: str, hint: str = "", text_key: str = "",
              **words: Any) -> Issue:
        """An Issue at the reader's `key`, in field `at`; `text_key` and `words` give it in any language."""
        line, record = self.place(key) if self.place and key is not None else (key, None)
        return Issue(self.file, line, at, message, hint, record, (), text_key, tuple(words.items()))

    def error(self, key: Any, at: str, message: str, hint: str = "", text_key: str = "", **words: Any) -> None:
        self.errors.append(self.issue(key, at, message, hint, text_key, **words))

    def warn(self, key: Any, at: str, message: str, hint: str = "", text_key: str = "", **words: Any) -> None:
        self.warnings.append(self.issue(key, at, message, hint, text_key, **words))

    def say(self, key: Any, at: str, what: str, **words: Any) -> None:
        """An error in the catalogue's words: `e_<what>` and its hint (English here, any language in the UI)."""
        self.error(key, at, *english(what, **words), f"e_{what}", **words)

    def say_warning(self, key: Any, at: str, what: str, **words: Any) -> None:
        self.warn(key, at, *english(what, **words), f"e_{what}", **words)

    def where(self, key: Any) -> str:
        line, record = self.place(key) if self.place else (key, None)
        return ("line " if line is not None else "") + place_text(line, record)

    def finish(self) -> Report:
        """Alike issues said once, in line order, at most MAX_ISSUES of each kind listed."""
        self.errors, dropped = _tidy(self.errors)
        self.errors_dropped += dropped
        self.warnings, dropped = _tidy(self.warnings)
        self.warnings_dropped += dropped
        return self

    def summary(self, lang: str = "en") -> str:
        name = t(lang, f"fmt_{self.format}") if self.format else t(lang, "fmt_unknown")
        text = t(lang, "data_report", file=self.file, fmt=name, rows=self.rows, usable=len(self.usable),
                 errors=self.error_count, warnings=self.warning_count)
        if self.mapping:
            text += "\n" + t(lang, "data_columns", columns=", ".join(f"{k}={v}" for k, v in self.mapping.items()))
        if self.rendering:
            text += "\n" + t(lang, f"data_tools_{self.rendering}")
        if self.errors_dropped or self.warnings_dropped:
            text += "\n" + t(lang, "data_not_listed", errors=self.errors_dropped, warnings=self.warnings_dropped)
        return text

    def to_dict(self) -> dict:
        """JSON-ready, without the rows themselves (they can be 200k)."""
        return {
            "file": self.file, "format": self.format, "format_name": FORMAT_NAMES.get(self.format or ""),
            "task": self.task, "rows": self.rows, "usable_rows": len(self.usable),
            "ok": self.ok, "mapping": self.mapping, "token_stats": self.token_stats,
            "tool_rendering": self.rendering,
            "error_count": self.error_count, "warning_count": self.warning_count,
            "errors": [_issue_dict(i) for i in self.errors], "errors_dropped": self.errors_dropped,
            "warnings": [_issue_dict(i) for i in self.warnings], "warnings_dropped": self.warnings_dropped,
        }


def _issue_dict(issue: Issue) -> dict:
    out = asdict(issue)
    out.update(message=issue.text(), count=issue.count, more=list(issue.more[:1000]))
    out.pop("args"), out.pop("key")
    return out


def _tidy(issues: list[Issue]) -> tuple[list[Issue], int]:
    groups: dict[tuple, list[Issue]] = {}
    for issue in issues:
        groups.setdefault((issue.field, issue.message, issue.hint), []).append(issue)
    out: list[Issue] = []
    for group in groups.values():
        if len(group) >= COLLAPSE_AT:
            out.append(replace(group[0], more=tuple(i.line if i.line is not None else i.record for i in group[1:])))
        else:
            out += group
    out.sort(key=lambda i: (-1 if i.line is None else i.line, i.record or 0))
    return out[:MAX_ISSUES], max(0, len(out) - MAX_ISSUES)
