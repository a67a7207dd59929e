"""Invented database domains for the SQL task: seventeen (parent, child) table pairs, each table
with a label column, several optional category and number columns, and word pools to fill them. The domains
are data (corpus/sql_domains.yaml); this module gives them their types.

A context picks 2-4 optional columns per table, so the same domain yields many different tables."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

DATA = Path(__file__).parent / "corpus" / "sql_domains.yaml"


@dataclass(frozen=True)
class Col:
    name: str
    words: str
    """How a question names the column ("page count")."""
    kind: str
    """cat (TEXT from a small pool), int or real (distinct numbers drawn from a range)."""
    pool: tuple = ()
    """cat: the values; int/real: (low, high)."""

    @property
    def sql_type(self) -> str:
        return {"cat": "TEXT", "int": "INTEGER", "real": "REAL"}[self.kind]


@dataclass(frozen=True)
class Table:
    name: str
    singular: str
    plural: str
    label: str
    """The column that names a row (title, name); its values are unique within a table."""
    label_words: tuple[str, str]
    """(singular, plural) words for the label column: ("title", "titles")."""
    label_parts: tuple[tuple[str, ...], ...]
    """Word lists whose product gives the label values ("Mara" x "Quill")."""
    cols: tuple[Col, ...]


@dataclass(frozen=True)
class Domain:
    name: str
    parent: Table
    child: Table
    fk: str
    """The child's column that holds the parent's id."""


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split("|"))


def _col(d: dict) -> Col:
    pool = _words(d["values"]) if d["kind"] == "cat" else tuple(d["range"])
    return Col(d["name"], d["words"], d["kind"], pool)


def _table(d: dict) -> Table:
    return Table(d["name"], d["singular"], d["plural"], d["label"], tuple(d["label_words"]),
                 tuple(_words(part) for part in d["label_parts"]), tuple(_col(c) for c in d["cols"]))


def load(path: Path = DATA) -> tuple[Domain, ...]:
    return tuple(Domain(d["name"], _table(d["parent"]), _table(d["child"]), d["fk"])
                 for d in yaml.safe_load(path.read_text(encoding="utf-8")))


DOMAINS: tuple[Domain, ...] = load()
