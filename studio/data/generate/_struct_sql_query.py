"""Question/SQL pairs over a sampled context: single-table templates (WHERE, ORDER BY ... LIMIT,
COUNT, AVG/MIN/MAX/SUM, GROUP BY, DISTINCT, BETWEEN) and join templates for parent/child tables.

Values in questions are taken from the inserted rows, so every filter selects something."""
from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

from studio.data.generate._struct_common import article
from studio.data.generate._struct_sql_domains import Col, Table


@dataclass
class TableData:
    table: Table
    cols: list[Col]
    """The optional columns this context kept (besides id, the label and a foreign key)."""
    rows: list[dict]

    def of_kind(self, *kinds: str) -> list[Col]:
        return [c for c in self.cols if c.kind in kinds]


@dataclass
class Join:
    parent: TableData
    child: TableData
    fk: str


Pair = tuple[str, str]  # (question, sql)


def lit(value: object) -> str:
    """A SQL literal: numbers bare, text single-quoted with quotes doubled."""
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    return repr(value)


def _cat_pick(t: TableData, rng: random.Random) -> tuple[Col, str]:
    col = rng.choice(t.of_kind("cat"))
    return col, rng.choice(t.rows)[col.name]


def _threshold(t: TableData, col: Col, rng: random.Random) -> object:
    """A value strictly inside the column's range, so '> x' and '< x' both keep some rows."""
    values = sorted(r[col.name] for r in t.rows)
    return values[rng.randint(1, len(values) - 2)]


def where_cat(t: TableData, rng: random.Random) -> Pair:
    tb, (col, v) = t.table, _cat_pick(t, rng)
    q = rng.choice(("Which {p} have {c} {v}?", "List the {lw} of {p} whose {c} is {v}.",
                    "Show the {lw} of all {p} with {c} {v}."))
    sql = f"SELECT {tb.label} FROM {tb.name} WHERE {col.name} = {lit(v)}"
    return q.format(p=tb.plural, c=col.words, v=v, lw=tb.label_words[1]), sql


def count_cat(t: TableData, rng: random.Random) -> Pair:
    tb, (col, v) = t.table, _cat_pick(t, rng)
    q = rng.choice(("How many {p} have {c} {v}?", "Count the {p} whose {c} is {v}.",
                    "What is the number of {p} with {c} {v}?"))
    return q.format(p=tb.plural, c=col.words, v=v), \
        f"SELECT COUNT(*) FROM {tb.name} WHERE {col.name} = {lit(v)}"


def where_num(t: TableData, rng: random.Random) -> Pair:
    tb, col = t.table, rng.choice(t.of_kind("int", "real"))
    x, above = _threshold(t, col, rng), rng.random() < 0.5
    word = rng.choice(("greater than", "above", "more than")) if above else \
        rng.choice(("less than", "below", "under"))
    q = rng.choice(("Which {p} have {a} {c} {w} {x}?",
                    "List the {lw} of {p} whose {c} is {w} {x}."))
    sql = f"SELECT {tb.label} FROM {tb.name} WHERE {col.name} {'>' if above else '<'} {lit(x)}"
    text = q.format(p=tb.plural, a=article(col.words), c=col.words, w=word, x=x,
                    lw=tb.label_words[1])
    return text, sql


def count_num(t: TableData, rng: random.Random) -> Pair:
    tb, col = t.table, rng.choice(t.of_kind("int", "real"))
    x = _threshold(t, col, rng)
    q = rng.choice(("How many {p} have {a} {c} above {x}?",
                    "Count the {p} whose {c} is greater than {x}."))
    return q.format(p=tb.plural, a=article(col.words), c=col.words, x=x), \
        f"SELECT COUNT(*) FROM {tb.name} WHERE {col.name} > {lit(x)}"


def top_k(t: TableData, rng: random.Random) -> Pair:
    tb, col, k = t.table, rng.choice(t.of_kind("int", "real")), rng.randint(2, 3)
    high = rng.random() < 0.5
    q = rng.choice(("What are the {k} {p} with the {e} {c}?",
                    "List the {lw} of the {k} {p} with the {e} {c}."))
    order = "DESC" if high else "ASC"
    sql = f"SELECT {tb.label} FROM {tb.name} ORDER BY {col.name} {order} LIMIT {k}"
    e = "highest" if high else "lowest"
    return q.format(k=k, p=tb.plural, e=e, c=col.words, lw=tb.label_words[1]), sql


def top_one(t: TableData, rng: random.Random) -> Pair:
    tb, col, high = t.table, rng.choice(t.of_kind("int", "real")), rng.random() < 0.5
    q = rng.choice(("Which {s} has the {e} {c}?", "What is the {l} of the {s} with the {e} {c}?"))
    order = "DESC" if high else "ASC"
    sql = f"SELECT {tb.label} FROM {tb.name} ORDER BY {col.name} {order} LIMIT 1"
    e = "highest" if high else "lowest"
    return q.format(s=tb.singular, e=e, c=col.words, l=tb.label_words[0]), sql


AGGS = {"AVG": "average", "MAX": "highest", "MIN": "lowest", "SUM": "total"}


def aggregate(t: TableData, rng: random.Random) -> Pair:
    tb, col = t.table, rng.choice(t.of_kind("int", "real"))
    fn = rng.choice(list(AGGS))
    if rng.random() < 0.5:
        q = f"What is the {AGGS[fn]} {col.words} of all {tb.plural}?"
        return q, f"SELECT {fn}({col.name}) FROM {tb.name}"
    ccol, v = _cat_pick(t, rng)
    q = f"What is the {AGGS[fn]} {col.words} of {tb.plural} whose {ccol.words} is {v}?"
    return q, f"SELECT {fn}({col.name}) FROM {tb.name} WHERE {ccol.name} = {lit(v)}"


def group_count(t: TableData, rng: random.Random) -> Pair:
    tb, col = t.table, rng.choice(t.of_kind("cat"))
    q = rng.choice(("How many {p} are there for each {c}?", "Count the {p} in each {c}.",
                    "For each {c}, how many {p} are there?"))
    sql = f"SELECT {col.name}, COUNT(*) FROM {tb.name} GROUP BY {col.name}"
    return q.format(p=tb.plural, c=col.words), sql


def group_agg(t: TableData, rng: random.Random) -> Pair:
    tb, col, ccol = t.table, rng.choice(t.of_kind("int", "real")), rng.choice(t.of_kind("cat"))
    fn = rng.choice(("AVG", "MAX", "MIN"))
    q = rng.choice(("What is the {a} {m} for each {c}?",
                    "For each {c}, what is the {a} {m} of {p}?"))
    sql = f"SELECT {ccol.name}, {fn}({col.name}) FROM {tb.name} GROUP BY {ccol.name}"
    return q.format(a=AGGS[fn], m=col.words, c=ccol.words, p=tb.plural), sql


def distinct(t: TableData, rng: random.Random) -> Pair:
    tb, col = t.table, rng.choice(t.of_kind("cat"))
    q = rng.choice(("What are the different values of {c} among {p}?",
                    "List every distinct {c} of the {p}."))
    return q.format(c=col.words, p=tb.plural), f"SELECT DISTINCT {col.name} FROM {tb.name}"


def where_and(t: TableData, rng: random.Random) -> Pair:
    tb, row = t.table, rng.choice(t.rows)
    ccol, col = rng.choice(t.of_kind("cat")), rng.choice(t.of_kind("int", "real"))
    below = sorted(r[col.name] for r in t.rows if r[col.name] < row[col.name])
    x = below[-1] if below else row[col.name] - 1  # the chosen row itself always qualifies
    q = "Which {p} have {c} {v} and {a} {m} above {x}?"
    sql = (f"SELECT {tb.label} FROM {tb.name} "
           f"WHERE {ccol.name} = {lit(row[ccol.name])} AND {col.name} > {lit(x)}")
    text = q.format(p=tb.plural, c=ccol.words, v=row[ccol.name], a=article(col.words),
                    m=col.words, x=x)
    return text, sql


def between(t: TableData, rng: random.Random) -> Pair:
    tb, col = t.table, rng.choice(t.of_kind("int", "real"))
    values = sorted(r[col.name] for r in t.rows)
    i = rng.randint(0, len(values) - 2)
    lo, hi = values[i], values[rng.randint(i + 1, len(values) - 1)]
    q = rng.choice(("Which {p} have {art} {c} between {a} and {b}?",
                    "List the {lw} of {p} whose {c} is between {a} and {b}."))
    sql = f"SELECT {tb.label} FROM {tb.name} WHERE {col.name} BETWEEN {lit(lo)} AND {lit(hi)}"
    text = q.format(p=tb.plural, art=article(col.words), c=col.words, a=lo, b=hi,
                    lw=tb.label_words[1])
    return text, sql


SINGLE: tuple[Callable[[TableData, random.Random], Pair], ...] = (
    where_cat, count_cat, where_num, count_num, top_k, top_one, aggregate, group_count, group_agg,
    distinct, where_and, between,
)


def _on(j: Join) -> str:
    c, p = j.child.table, j.parent.table
    return f"FROM {c.name} AS T1 JOIN {p.name} AS T2 ON T1.{j.fk} = T2.id"


def join_by_parent(j: Join, rng: random.Random) -> Pair:
    c, p = j.child.table, j.parent.table
    name = rng.choice(j.parent.rows)[p.label]
    q = rng.choice(("List the {lw} of {cp} whose {ps} is {n}.",
                    "Which {cp} belong to the {ps} {n}?",
                    "Show the {lw} of all {cp} linked to the {ps} {n}."))
    sql = f"SELECT T1.{c.label} {_on(j)} WHERE T2.{p.label} = {lit(name)}"
    return q.format(lw=c.label_words[1], cp=c.plural, ps=p.singular, n=name), sql


def join_count_each(j: Join, rng: random.Random) -> Pair:
    c, p = j.child.table, j.parent.table
    q = rng.choice(("How many {cp} does each {ps} have?", "For each {ps}, count the {cp}."))
    sql = f"SELECT T2.{p.label}, COUNT(*) {_on(j)} GROUP BY T2.{p.label}"
    return q.format(cp=c.plural, ps=p.singular), sql


def join_parent_cat(j: Join, rng: random.Random) -> Pair:
    c, p = j.child.table, j.parent.table
    col, v = _cat_pick(j.parent, rng)
    q = rng.choice(("List the {lw} of {cp} whose {ps} has {c} {v}.",
                    "Which {cp} belong to {pp} with {c} {v}?"))
    sql = f"SELECT T1.{c.label} {_on(j)} WHERE T2.{col.name} = {lit(v)}"
    text = q.format(lw=c.label_words[1], cp=c.plural, ps=p.singular, pp=p.plural,
                    c=col.words, v=v)
    return text, sql


def join_agg(j: Join, rng: random.Random) -> Pair:
    c, p = j.child.table, j.parent.table
    col, fn = rng.choice(j.child.of_kind("int", "real")), rng.choice(("AVG", "MAX", "SUM"))
    name = rng.choice(j.parent.rows)[p.label]
    q = f"What is the {AGGS[fn]} {col.words} of the {c.plural} of the {p.singular} {name}?"
    return q, f"SELECT {fn}(T1.{col.name}) {_on(j)} WHERE T2.{p.label} = {lit(name)}"


def join_owner(j: Join, rng: random.Random) -> Pair:
    c, p = j.child.table, j.parent.table
    label = rng.choice(j.child.rows)[c.label]
    q = rng.choice(("Which {ps} does the {cs} {n} belong to?", "Name the {ps} of the {cs} {n}."))
    sql = f"SELECT T2.{p.label} {_on(j)} WHERE T1.{c.label} = {lit(label)}"
    return q.format(ps=p.singular, cs=c.singular, n=label), sql


def join_count_one(j: Join, rng: random.Random) -> Pair:
    c, p = j.child.table, j.parent.table
    name = rng.choice(j.parent.rows)[p.label]
    q = f"How many {c.plural} does the {p.singular} {name} have?"
    return q, f"SELECT COUNT(*) {_on(j)} WHERE T2.{p.label} = {lit(name)}"


JOINED: tuple[Callable[[Join, random.Random], Pair], ...] = (
    join_by_parent, join_count_each, join_parent_cat, join_agg, join_owner, join_count_one,
)
