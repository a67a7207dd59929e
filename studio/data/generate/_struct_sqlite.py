"""A sandbox for running SQL that a model wrote: an in-memory database built from trusted CREATE and
INSERT statements, then one read-only statement under an authorizer, a step budget and size limits.

Used by the SQL generator (to keep only queries that run) and the sql meter (to judge outputs); a user's own
SQLite file is opened read-only under the same authorizer and budgets (execute_file)."""
from __future__ import annotations

import sqlite3
import time
from collections import Counter
from collections.abc import Sequence
from urllib.parse import quote

from studio.text import Said

MAX_ROWS = 10_000
MAX_STEPS = 2_000  # progress-handler calls, each every 1000 VM instructions: ~2M instructions
MAX_SECONDS = 2.0
# What a plain query needs; ATTACH (it could create files), PRAGMA, writes and DDL are refused.
_ALLOWED_ACTIONS = {sqlite3.SQLITE_SELECT, sqlite3.SQLITE_READ, sqlite3.SQLITE_FUNCTION}


class SqlError(Said):
    """The query did not run: a syntax error, a forbidden action, or a budget was exceeded (sqlite's own words
    are its `why`)."""


def _authorize(action: int, *_args: object) -> int:
    return sqlite3.SQLITE_OK if action in _ALLOWED_ACTIONS else sqlite3.SQLITE_DENY


def build_db(schema: str, inserts: Sequence[str] | str) -> sqlite3.Connection:
    """An in-memory database holding the context tables and their rows (trusted statements)."""
    conn = sqlite3.connect(":memory:")
    statements = inserts if isinstance(inserts, str) else "\n".join(inserts)
    conn.executescript(f"{schema}\n{statements}")
    return conn


def _guard(conn: sqlite3.Connection) -> None:
    """Arm the sandbox: from here on the connection runs only bounded, read-only statements."""
    conn.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, 1_000_000)  # no giant blobs or strings
    conn.setlimit(sqlite3.SQLITE_LIMIT_SQL_LENGTH, 20_000)
    conn.setlimit(sqlite3.SQLITE_LIMIT_ATTACHED, 0)
    conn.set_authorizer(_authorize)
    calls = 0
    deadline = time.monotonic() + MAX_SECONDS

    def progress() -> int:
        nonlocal calls
        calls += 1
        return int(calls > MAX_STEPS or time.monotonic() > deadline)  # non-zero aborts the query

    conn.set_progress_handler(progress, 1000)


def run_query(conn: sqlite3.Connection, query: str) -> list[tuple]:
    """Run one untrusted statement on a built database; SqlError when it cannot or may not run."""
    _guard(conn)
    try:
        cursor = conn.execute(query)  # execute() refuses more than one statement
        rows = cursor.fetchmany(MAX_ROWS + 1)
    except (sqlite3.Error, sqlite3.Warning, ValueError, OverflowError) as err:
        raise SqlError("err_sql_failed", why=str(err)) from err
    if len(rows) > MAX_ROWS:
        raise SqlError("err_sql_rows", limit=MAX_ROWS)
    return [tuple(r) for r in rows]


def execute(schema: str, inserts: Sequence[str] | str, query: str) -> list[tuple]:
    """Build a fresh database from the context and run the query on it."""
    try:
        conn = build_db(schema, inserts)
    except sqlite3.Error as err:
        raise SqlError("err_sql_context", why=str(err)) from err
    try:
        return run_query(conn, query)
    finally:
        conn.close()


def execute_file(path: str, query: str) -> list[tuple]:
    """Run the query on a user's own SQLite file, opened read-only (the sandbox's authorizer refuses writes
    anyway); SqlError when the file does not open or the query cannot run."""
    try:
        conn = sqlite3.connect(f"file:{quote(str(path))}?mode=ro", uri=True)
        conn.execute("SELECT name FROM sqlite_master LIMIT 1")  # a missing or non-database file fails here
    except sqlite3.Error as err:
        raise SqlError("err_sql_context", why=f"{path}: {err}") from err
    try:
        return run_query(conn, query)
    finally:
        conn.close()


def result_key(rows: list[tuple]) -> Counter:
    """The result as a multiset of rows; floats rounded so AVG computed two ways still matches."""
    def norm(value: object) -> object:
        return round(value, 4) if isinstance(value, float) else value

    return Counter(tuple(norm(v) for v in row) for row in rows)
