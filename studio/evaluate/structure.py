"""Meters for structured output: JSON meaning representations, SQL queries and category IDs.

Each meter is `meter(outputs, rows) -> {"primary": share, ...sub-meters}` where outputs[i] answers
rows[i] and the gold answer is the row's last assistant turn. They are pure and fast: no model,
and SQL runs only in a sandboxed in-memory sqlite (studio.data.generate.execute)."""
from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from typing import Any

from jsonschema import Draft202012Validator

from studio.data.generate import SqlError, execute, execute_file, gold_text, result_key
from studio.data.generate.classify_task import LABELS
from studio.data.generate.json_task import VALIDATOR, is_to_json
from studio.data.generate.sql_task import parses
from studio.evaluate import EvalError

Meter = Callable[[Sequence[str], Sequence[dict]], dict[str, float]]

# A fenced block: ``` with an optional language tag on its own line, to the closing fence (or end).
_FENCE = re.compile(r"```(?:[\w+-]*[ \t]*\n)?(.*?)(?:```|\Z)", re.DOTALL)
_SQL_START = re.compile(r"\b(SELECT|WITH)\b", re.IGNORECASE)
INVALID = "INVALID"


def strip_fences(text: str) -> str:
    """The inside of the first ``` fenced block, else the text itself."""
    match = _FENCE.search(text or "")
    return match.group(1) if match else (text or "")


def _share(hits: int, total: int) -> float:
    return hits / total if total else 0.0


def _pairs(outputs: Sequence[str], rows: Sequence[dict]) -> list[tuple[str, dict]]:
    if len(outputs) != len(rows):
        raise EvalError("err_eval_outputs", outputs=len(outputs), rows=len(rows))
    return list(zip(outputs, rows))


# ---- JSON -------------------------------------------------------------------------------------

def extract_json(text: str) -> dict | None:
    """The first JSON object in the output (code fences and text around it are tolerated)."""
    body = strip_fences(text)
    start = body.find("{")
    if start < 0:
        return None
    try:
        obj, _ = json.JSONDecoder().raw_decode(body[start:])
    except ValueError:
        return None
    return obj if isinstance(obj, dict) else None


def _same(a: Any, b: Any) -> bool:
    """Equal values; lists compare as sets (genres in another order are still the same genres)."""
    if isinstance(a, list) and isinstance(b, list):
        return sorted(map(json.dumps, a)) == sorted(map(json.dumps, b))
    return type(a) is type(b) and a == b  # True is not 1 here


def _judge_json(output: str, row: dict) -> tuple[bool, bool, int, int, bool] | None:
    """(parsed, schema-valid, gold fields reproduced, gold fields, exact match) for one row, or None
    when the gold answer itself is not a JSON object (nothing to judge against)."""
    gold = extract_json(gold_text(row))
    if gold is None:
        return None
    schema = (row.get("meta") or {}).get("json_schema")  # a user's own schema, if a row has one
    validator = Draft202012Validator(schema) if isinstance(schema, dict) else VALIDATOR
    pred = extract_json(output)
    if pred is None:
        return False, False, 0, len(gold), False
    valid = validator.is_valid(pred)
    hits = sum(1 for k, v in gold.items() if k in pred and _same(pred[k], v))
    exact = pred.keys() == gold.keys() and hits == len(gold)
    return True, valid, hits, len(gold), exact


def json_mr(outputs: Sequence[str], rows: Sequence[dict]) -> dict[str, float]:
    """Sentence -> JSON rows only (rows whose gold answer is JSON); other rows are not judged."""
    pairs = [(o, r) for o, r in _pairs(outputs, rows) if is_to_json(r)]
    judged = [j for j in (_judge_json(o, r) for o, r in pairs) if j is not None]
    n = len(judged)
    valid = _share(sum(j[1] for j in judged), n)
    return {
        "primary": valid,
        "parse_rate": _share(sum(j[0] for j in judged), n),
        "schema_valid": valid,
        "field_accuracy": _share(sum(j[2] for j in judged), sum(j[3] for j in judged)),
        "exact_match": _share(sum(j[4] for j in judged), n),
        "n": float(n),
    }


# ---- SQL --------------------------------------------------------------------------------------

def _cut_statement(sql: str) -> str:
    """Up to the first ';' outside quotes (a model may write a second statement or a remark)."""
    quote = ""
    for i, ch in enumerate(sql):
        if quote:
            quote = "" if ch == quote else quote
        elif ch in "'\"`":
            quote = ch
        elif ch == ";":
            return sql[:i]
    return sql


def extract_sql(text: str) -> str:
    """The query in a model's answer: inside ``` fences, from the first SELECT/WITH, up to the first
    ';' or blank line (the explanation a chatty model adds after it)."""
    body = strip_fences(text)
    match = _SQL_START.search(body)
    if match:
        body = body[match.start():]
    body = _cut_statement(body)
    return re.split(r"\n\s*\n", body, maxsplit=1)[0].strip()


def _judge_sql(output: str, row: dict) -> tuple[bool, bool, bool] | None:
    """(parses, executes, same result as gold), or None when the row cannot be judged."""
    run = sql_runner(row)
    if run is None:
        return None
    try:
        gold = result_key(run(gold_text(row)))
    except SqlError:
        return None  # a broken gold row (or a database file that does not open) says nothing about the model
    sql = extract_sql(output)
    if not sql:
        return False, False, False
    try:
        got = result_key(run(sql))
    except SqlError:
        return parses(sql), False, False
    return parses(sql), True, got == gold


def sql_runner(row: dict) -> Callable[[str], list[tuple]] | None:
    """How a row's queries run: on the tables its meta builds (schema and inserts: the presets, the teacher), or
    on the user's own SQLite file it names (meta.sqlite, resolved beside the data); None: the row has neither."""
    meta = row.get("meta") or {}
    if isinstance(meta.get("schema"), str):
        return lambda query: execute(meta["schema"], meta.get("inserts") or [], query)
    if isinstance(meta.get("sqlite"), str):
        return lambda query: execute_file(meta["sqlite"], query)
    return None


def sql(outputs: Sequence[str], rows: Sequence[dict]) -> dict[str, float]:
    """Execution match: the output and the gold query return the same multiset of rows."""
    judged = [j for j in (_judge_sql(o, r) for o, r in _pairs(outputs, rows)) if j is not None]
    n = len(judged)
    return {
        "primary": _share(sum(j[2] for j in judged), n),
        "parse_rate": _share(sum(j[0] for j in judged), n),
        "exec_rate": _share(sum(j[1] for j in judged), n),
        "n": float(n),
    }


# ---- classification ---------------------------------------------------------------------------

def normalize_label(text: str) -> str:
    """' billing.' -> 'BILLING', 'Feature request' -> 'FEATURE_REQUEST'; the first line only."""
    lines = [ln for ln in strip_fences(text).splitlines() if ln.strip()]
    first = lines[0].strip().strip("`'\".:;!,*() ") if lines else ""
    return re.sub(r"[\s-]+", "_", first).upper()


def label_set(rows: Sequence[dict]) -> list[str]:
    """The built-in LABELS when the gold answers use them, else the gold answers seen (a user's)."""
    golds = {normalize_label(gold_text(r)) for r in rows}
    return list(LABELS) if golds <= set(LABELS) else sorted(golds)


def _predictions(
    outputs: Sequence[str], rows: Sequence[dict]
) -> tuple[list[str], list[str], list[str]]:
    """(label set, gold labels, predicted labels with INVALID for anything not in the set)."""
    labels = label_set(rows)
    gold = [normalize_label(gold_text(r)) for _, r in _pairs(outputs, rows)]
    pred = [p if p in labels else INVALID for p in map(normalize_label, outputs)]
    return labels, gold, pred


def classify(outputs: Sequence[str], rows: Sequence[dict]) -> dict[str, float]:
    """Accuracy of the category ID; an answer that is not exactly one ID counts as wrong."""
    from sklearn.metrics import f1_score  # lazy: sklearn takes a second to import

    labels, gold, pred = _predictions(outputs, rows)
    n = len(gold)
    f1 = f1_score(gold, pred, labels=labels, average="macro", zero_division=0) if n else 0.0
    return {
        "primary": _share(sum(g == p for g, p in zip(gold, pred)), n),
        "valid_label_rate": _share(sum(p != INVALID for p in pred), n),
        "macro_f1": float(f1),
        "n": float(n),
    }


def confusion(outputs: Sequence[str], rows: Sequence[dict]) -> tuple[list[str], list[list[int]]]:
    """(labels, matrix): matrix[i][j] counts gold labels[i] answered as labels[j]; an INVALID column
    (and row, to keep it square) is added when some answer is not a label."""
    from sklearn.metrics import confusion_matrix

    labels, gold, pred = _predictions(outputs, rows)
    if INVALID in pred:
        labels = [*labels, INVALID]
    if not gold:
        return labels, [[0] * len(labels) for _ in labels]
    return labels, confusion_matrix(gold, pred, labels=labels).tolist()


METERS: dict[str, Meter] = {"json_mr": json_mr, "sql": sql, "classify": classify}
