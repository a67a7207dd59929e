"""Text-to-SQL rows: a CREATE TABLE context (one table, or a parent and a child table) plus a
question; the answer is one SQLite query.

Every context also gets a few synthetic rows (INSERT statements kept in meta) and every gold query
is executed against them before the row is kept, so the sql meter can judge answers by results."""
from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import sqlglot
from sqlglot import exp

from studio.data.generate._struct_common import (
    check_shape,
    distinct_rows,
    gold_text,
    make_row,
    split_preset,
    user_text,
)
from studio.data.generate._struct_sql_domains import DOMAINS, Col, Domain, Table
from studio.data.generate._struct_sql_query import JOINED, SINGLE, Join, TableData, lit
from studio.data.generate._struct_sqlite import SqlError, execute
from studio.data.generate.preset import preset_spec, train_settings, write_preset

INSTRUCTION = "Write one SQLite query that answers the question."


def _labels(table: Table, rng: random.Random, k: int) -> list[str]:
    """k distinct label values made from the table's word lists."""
    seen: list[str] = []
    while len(seen) < k:
        value = " ".join(rng.choice(part) for part in table.label_parts)
        if value not in seen:
            seen.append(value)
    return seen


def _values(col: Col, rng: random.Random, k: int) -> list[Any]:
    """k values for a column: numbers are distinct (so ORDER BY ... LIMIT has one right answer)."""
    if col.kind == "cat":
        values = [rng.choice(col.pool) for _ in range(k)]
        values[:2] = rng.sample(col.pool, 2)  # at least two categories, so a filter always matters
        return values
    low, high = col.pool
    if col.kind == "int":
        return rng.sample(range(int(low), int(high) + 1), k)
    step = 0.5 if high - low >= 20 else 0.1
    picks = rng.sample(range(int((high - low) / step) + 1), k)
    return [round(low + step * i, 2) for i in picks]


def _pick_cols(table: Table, rng: random.Random) -> list[Col]:
    """One category and one number column at least (every template needs them), up to four."""
    cats = [c for c in table.cols if c.kind == "cat"]
    nums = [c for c in table.cols if c.kind != "cat"]
    chosen = {rng.choice(cats).name, rng.choice(nums).name}
    rest = [c.name for c in table.cols if c.name not in chosen]
    chosen.update(rng.sample(rest, rng.randint(0, min(2, len(rest)))))
    return [c for c in table.cols if c.name in chosen]


def _table_data(table: Table, rng: random.Random, k: int) -> TableData:
    cols = _pick_cols(table, rng)
    columns: dict[str, list[Any]] = {"id": list(range(1, k + 1))}
    columns[table.label] = _labels(table, rng, k)
    columns.update({c.name: _values(c, rng, k) for c in cols})
    rows = [{name: values[i] for name, values in columns.items()} for i in range(k)]
    return TableData(table, cols, rows)


def _link(parent: TableData, child: TableData, fk: str, rng: random.Random) -> None:
    """Give each child a parent; each parent gets a child at least (so JOIN and LEFT JOIN agree)."""
    ids = [r["id"] for r in parent.rows]
    owners = ids + [rng.choice(ids) for _ in range(len(child.rows) - len(ids))]
    rng.shuffle(owners)
    for row, owner in zip(child.rows, owners):
        row[fk] = owner


def create_sql(td: TableData, fk: str | None, parent: str | None) -> str:
    t = td.table
    defs = ["id INTEGER PRIMARY KEY", f"{t.label} TEXT"]
    defs += [f"{c.name} {c.sql_type}" for c in td.cols]
    if fk:
        defs.append(f"{fk} INTEGER REFERENCES {parent}(id)")
    return f"CREATE TABLE {t.name} ({', '.join(defs)});"


def insert_sql(td: TableData) -> list[str]:
    out = []
    for row in td.rows:
        names, values = ", ".join(row), ", ".join(map(lit, row.values()))
        out.append(f"INSERT INTO {td.table.name} ({names}) VALUES ({values});")
    return out


def _context(domain: Domain, rng: random.Random) -> tuple[list[TableData], list[str], Join | None]:
    """The tables of one prompt: the parent, the child, or both (then linked by the foreign key)."""
    shape = rng.choice(("parent", "child", "both", "both", "both"))
    parent = _table_data(domain.parent, rng, rng.randint(4, 6))
    child = _table_data(domain.child, rng, rng.randint(5, 8))
    if shape != "both":
        td = parent if shape == "parent" else child
        return [td], [create_sql(td, None, None)], None
    _link(parent, child, domain.fk, rng)
    creates = [create_sql(parent, None, None), create_sql(child, domain.fk, domain.parent.name)]
    return [parent, child], creates, Join(parent, child, domain.fk)


def _make(rng: random.Random, index: int) -> dict:
    domain = rng.choice(DOMAINS)
    tables, creates, join = _context(domain, rng)
    if join is not None and rng.random() < 0.6:
        template = rng.choice(JOINED)
        question, sql = template(join, rng)
        main = join.child.table.name
    else:
        td = rng.choice(tables)
        template = rng.choice(SINGLE)
        question, sql = template(td, rng)
        main = td.table.name
    meta = {"schema": "\n".join(creates), "inserts": [s for t in tables for s in insert_sql(t)],
            "table": main, "tables": [t.table.name for t in tables], "domain": domain.name,
            "template": template.__name__}
    return make_row(f"{INSTRUCTION} Tables: {' '.join(creates)} Question: {question}", sql, meta)


def generate(n: int, seed: int = 0) -> list[dict]:
    return distinct_rows(_make, check_row, n, seed)


def parses(sql: str) -> bool:
    """Whether sqlglot reads the text as a query in the sqlite dialect (not just any expression)."""
    try:
        tree = sqlglot.parse_one(sql, read="sqlite")
    except (sqlglot.errors.ParseError, sqlglot.errors.TokenError, ValueError):
        return False
    return isinstance(tree, exp.Query)


def check_row(row: dict) -> str | None:
    problem = check_shape(row)
    if problem:
        return problem
    meta, sql = row["meta"], gold_text(row)
    if not isinstance(meta.get("schema"), str) or not isinstance(meta.get("inserts"), list):
        return "meta needs schema (CREATE statements) and inserts (INSERT statements)"
    prompt = user_text(row)
    if not prompt.startswith(INSTRUCTION) or meta["schema"].replace("\n", " ") not in prompt:
        return "prompt must hold the instruction and the CREATE statements"
    if not parses(sql):
        return f"sqlglot cannot parse the gold query: {sql}"
    try:
        result = execute(meta["schema"], meta["inserts"], sql)
    except SqlError as err:
        return f"gold query fails in sqlite: {err}"
    return None if result else "gold query returns no rows"


PRESET_SPEC = preset_spec(
    "sql", task="sql", meter="sql", hub_model="Qwen/Qwen2.5-0.5B-Instruct",
    title={"en": "Questions → SQL", "ja": "質問 → SQL"},
    description={"en": "A CREATE TABLE context (library, shop, clinic, league, ...) and a question; the "
                       "answer is one SQLite query. Every gold query was run against sample rows, and the "
                       "meter runs the model's query the same way and compares results.",
                 "ja": "CREATE TABLE の文脈（図書館・店・診療所・リーグなど）と質問から、"
                       "SQLite のクエリを1つ書きます。"
                       "正解クエリはすべてサンプル行で実行済みで、メーターはモデルのクエリも同じように実行して結果を比べます。"},
    goal={"en": "Answer each question with a single SQLite query and nothing else.",
          "ja": "どの質問にも、SQLite のクエリ1つだけで答えること。"},
    train=train_settings(epochs=3, learning_rate=3.0e-4, max_length=256, lora_alpha=32),
)


def build_preset(out_dir: str | Path, sizes: tuple[int, int, int] = (400, 60, 20),
                 seed: int = 2026) -> Path:
    train, evals, probes = split_preset(generate, sizes, seed)
    return write_preset(out_dir, PRESET_SPEC, train, evals, probes)

