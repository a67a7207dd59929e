"""The structure generators (json, sql, classify) and their meters."""
from __future__ import annotations

import json
import time
from collections import Counter

import pytest
from jsonschema import Draft202012Validator

from studio.data.generate import classify_task, generate, json_task, sql_task
from studio.data.generate._struct_sqlite import SqlError, execute
from studio.evaluate import structure as S

MODULES = {"json": json_task, "sql": sql_task, "classify": classify_task}


def golds(rows: list[dict]) -> list[str]:
    return [r["messages"][-1]["content"] for r in rows]


def prompts(rows: list[dict]) -> list[str]:
    return [r["messages"][0]["content"] for r in rows]


@pytest.fixture(scope="module")
def sql_rows() -> list[dict]:
    return sql_task.generate(300, seed=11)


@pytest.fixture(scope="module")
def json_rows() -> list[dict]:
    return json_task.generate(300, seed=12)


@pytest.fixture(scope="module")
def classify_rows() -> list[dict]:
    return classify_task.generate(400, seed=13)


# ---- generators --------------------------------------------------------------------------------

def test_every_sql_row_executes_in_sqlite(sql_rows):
    for row in sql_rows:
        assert sql_task.check_row(row) is None
        meta = row["meta"]
        result = execute(meta["schema"], meta["inserts"], row["messages"][-1]["content"])
        assert result, row
        assert meta["table"] in meta["tables"]
        assert all(stmt in row["messages"][0]["content"] for stmt in meta["schema"].split("\n"))


def test_sql_rows_cover_joins_and_many_tables(sql_rows):
    templates = Counter(r["meta"]["template"] for r in sql_rows)
    assert sum(v for k, v in templates.items() if k.startswith("join_")) >= 50
    assert len(templates) >= 15
    contexts = {r["meta"]["schema"] for r in sql_rows}
    assert len(contexts) >= 200  # hundreds of table/column combinations
    assert len({r["meta"]["domain"] for r in sql_rows}) >= 12
    assert any(" JOIN " in g for g in golds(sql_rows))


def test_json_schema_is_a_valid_2020_12_schema():
    Draft202012Validator.check_schema(json_task.SCHEMA)
    assert json_task.SCHEMA["$schema"].endswith("2020-12/schema")
    assert set(json_task.SCHEMA["required"]) == {"dialogue_act", "name"}


def test_every_json_row_validates_against_schema(json_rows):
    to_json = [r for r in json_rows if r["meta"]["direction"] == "to_json"]
    assert 0.75 <= len(to_json) / len(json_rows) <= 0.85
    for row in to_json:
        assert json_task.check_row(row) is None
        answer = row["messages"][-1]["content"]
        obj = json.loads(answer)
        assert json_task.VALIDATOR.is_valid(obj)
        assert obj == row["meta"]["mr"]
        assert list(obj) == [k for k in json_task.KEY_ORDER if k in obj]  # canonical key order
        assert "\n" not in answer and len(answer) <= json_task.MAX_JSON_CHARS
        assert obj["name"] in row["messages"][0]["content"]
    # every direction-(a) prompt shares the one fixed instruction
    assert all(p.startswith(json_task.TO_JSON + " ") for p in prompts(to_json))


def test_json_rows_cover_every_dialogue_act_and_attribute(json_rows):
    mrs = [r["meta"]["mr"] for r in json_rows]
    acts = json_task.SCHEMA["properties"]["dialogue_act"]["enum"]
    assert {m["dialogue_act"] for m in mrs} == set(acts)
    assert set().union(*mrs) == set(json_task.KEY_ORDER)
    assert len({m["name"] for m in mrs}) >= 200


def test_json_to_text_rows_hold_the_json_in_the_prompt(json_rows):
    to_text = [r for r in json_rows if r["meta"]["direction"] == "to_text"]
    assert to_text
    for row in to_text:
        assert json_task.check_row(row) is None
        assert row["meta"]["mr"]["name"] in row["messages"][-1]["content"]


def test_labels_valid_and_balanced(classify_rows):
    counts = Counter(golds(classify_rows))
    assert set(counts) == set(classify_task.LABELS)
    assert set(counts.values()) == {400 // len(classify_task.LABELS)}
    assert all(classify_task.check_row(r) is None for r in classify_rows)
    assert all(r["meta"]["label"] == g for r, g in zip(classify_rows, golds(classify_rows)))


@pytest.mark.parametrize("kind", list(MODULES))
def test_generators_are_deterministic_and_varied(kind):
    first, again = generate(kind, 150, seed=5), generate(kind, 150, seed=5)
    assert first == again
    assert prompts(generate(kind, 150, seed=6)) != prompts(first)
    assert len(set(prompts(first))) >= 0.9 * len(first)
    assert all(MODULES[kind].check_row(r) is None for r in first)
    assert all("\n" not in p for p in prompts(first))  # probes.txt holds one prompt per line


@pytest.mark.parametrize("kind", list(MODULES))
def test_check_row_rejects_a_broken_answer(kind):
    row = json.loads(json.dumps(generate(kind, 5, seed=1)[0]))
    broken = {
        "json": '{"dialogue_act":"inform"',
        "sql": "SELECT nothing FROM nowhere",
        "classify": "billing please",
    }[kind]
    row["messages"][-1]["content"] = broken
    assert isinstance(MODULES[kind].check_row(row), str)
    assert isinstance(MODULES[kind].check_row({"messages": []}), str)


# ---- meters ------------------------------------------------------------------------------------

def test_gold_answers_score_one(json_rows, sql_rows, classify_rows):
    for meter, rows in ((S.json_mr, json_rows), (S.sql, sql_rows), (S.classify, classify_rows)):
        scores = meter(golds(rows), rows)
        assert all(v == 1.0 for k, v in scores.items() if k != "n"), scores


def test_json_meter_penalises_broken_answers(json_rows):
    rows = [r for r in json_rows if r["meta"]["direction"] == "to_json"][:40]
    gold = golds(rows)
    truncated = S.json_mr([g[: len(g) // 2] for g in gold], rows)
    assert truncated["primary"] == 0.0 and truncated["parse_rate"] == 0.0
    extra = [g[:-1] + ',"mood":"happy"}' for g in gold]  # parses but breaks additionalProperties
    scores = S.json_mr(extra, rows)
    assert scores["parse_rate"] == 1.0 and scores["primary"] == 0.0 and scores["exact_match"] == 0.0
    assert scores["field_accuracy"] == 1.0
    renamed = [json.dumps({**json.loads(g), "name": "Other"}) for g in gold]
    scores = S.json_mr(renamed, rows)
    assert scores["primary"] == 1.0 and scores["exact_match"] == 0.0
    assert 0.0 < scores["field_accuracy"] < 1.0


def test_json_meter_handles_fences_and_ignores_text_rows(json_rows):
    outputs = [
        f"```json\n{g}\n```" if r["meta"]["direction"] == "to_json" else "not json at all"
        for r, g in zip(json_rows, golds(json_rows))
    ]
    scores = S.json_mr(outputs, json_rows)
    assert scores["primary"] == 1.0 and scores["exact_match"] == 1.0
    assert scores["n"] == sum(r["meta"]["direction"] == "to_json" for r in json_rows)


def test_json_lists_in_another_order_still_match():
    mr = {"dialogue_act": "inform", "name": "Iron Harbor", "platforms": ["Xbox", "PC"]}
    row = {"messages": [{"role": "user", "content": "x"},
                        {"role": "assistant", "content": json_task.to_json_text(mr)}], "meta": {}}
    assert S.json_mr([json.dumps(mr)], [row])["exact_match"] == 1.0


def test_sql_meter_penalises_wrong_queries(sql_rows):
    rows = sql_rows[:60]
    wrong = [f"SELECT * FROM {r['meta']['table']} WHERE 1 = 0" for r in rows]
    scores = S.sql(wrong, rows)
    assert scores["primary"] == 0.0 and scores["exec_rate"] == 1.0 and scores["parse_rate"] == 1.0
    garbage = S.sql(["I think you should look at the books table."] * len(rows), rows)
    assert garbage == {"primary": 0.0, "parse_rate": 0.0, "exec_rate": 0.0, "n": 60.0}
    missing = S.sql([g.replace("FROM ", "FROM no_such_") for g in golds(rows)], rows)
    assert missing["exec_rate"] == 0.0 and missing["parse_rate"] == 1.0


def test_sql_meter_strips_fences_prose_and_semicolons(sql_rows):
    rows = sql_rows[:40]
    chatty = [f"Here is the query:\n```sql\n{g};\n```\nIt returns the rows you asked for."
              for g in golds(rows)]
    assert S.sql(chatty, rows)["primary"] == 1.0
    trailing = [f"{g}; DROP TABLE x;\n\nThis query works." for g in golds(rows)]
    assert S.sql(trailing, rows)["primary"] == 1.0
    assert S.extract_sql("```SELECT 1```") == "SELECT 1"
    quoted = "SELECT name FROM t WHERE x = 'a;b'"
    assert S.extract_sql(f"{quoted}; junk") == quoted


def test_sql_sandbox_refuses_writes_attach_and_runaway_queries(tmp_path):
    schema = "CREATE TABLE t (id INTEGER PRIMARY KEY, x INTEGER);"
    inserts = ["INSERT INTO t VALUES (1, 2);"]
    target = tmp_path / "x.db"
    hostile = [
        "DROP TABLE t", "DELETE FROM t", f"ATTACH DATABASE '{target}' AS y", "PRAGMA table_info(t)",
        "SELECT 1; SELECT 2",
        "WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c) SELECT COUNT(*) FROM c",
        # a cross join of 4**12 rows: stopped by the step budget, not by patience
        "SELECT COUNT(*) FROM t a, "
        + ", ".join(f"(SELECT 1 UNION SELECT 2 UNION SELECT 3 UNION SELECT 4) h{i}"
                    for i in range(12)),
    ]
    for query in hostile:
        start = time.monotonic()
        with pytest.raises(SqlError):
            execute(schema, inserts, query)
        assert time.monotonic() - start < 5, query
    assert not target.exists()
    assert execute(schema, inserts, "SELECT x FROM t") == [(2,)]


def test_sql_results_compare_as_multisets():
    schema = "CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT, v REAL);"
    inserts = ["INSERT INTO t VALUES (1, 'a', 1.5);", "INSERT INTO t VALUES (2, 'b', 2.5);"]
    row = {"messages": [{"role": "user", "content": "q"},
                        {"role": "assistant", "content": "SELECT name FROM t ORDER BY v"}],
           "meta": {"schema": schema, "inserts": inserts}}
    assert S.sql(["SELECT name FROM t ORDER BY v DESC"], [row])["primary"] == 1.0
    assert S.sql(["SELECT name FROM t UNION ALL SELECT 'a'"], [row])["primary"] == 0.0


def test_classify_meter_penalises_wrong_and_chatty_labels(classify_rows):
    rows, gold = classify_rows[:80], golds(classify_rows[:80])
    shifted = gold[1:] + gold[:1]  # every answer a valid but wrong label
    scores = S.classify(shifted, rows)
    assert scores["primary"] == 0.0 and scores["macro_f1"] == 0.0
    assert scores["valid_label_rate"] == 1.0
    chatty = S.classify([f"The category is {g}." for g in gold], rows)
    assert chatty["primary"] == 0.0 and chatty["valid_label_rate"] == 0.0
    half = S.classify(gold[:40] + shifted[40:], rows)
    assert half["primary"] == 0.5 and 0.0 < half["macro_f1"] < 1.0


def test_classify_meter_normalises_fences_case_and_punctuation(classify_rows):
    rows = classify_rows[:16]
    variants = [f"```\n{g.lower().replace('_', ' ')}.\n```" for g in golds(rows)]
    assert S.classify(variants, rows)["primary"] == 1.0
    assert S.normalize_label("  Feature-request!\nbecause ...") == "FEATURE_REQUEST"


def test_confusion_matrix_counts_gold_by_prediction(classify_rows):
    rows, gold = classify_rows[:24], golds(classify_rows[:24])
    labels, matrix = S.confusion(gold, rows)
    assert labels == list(classify_task.LABELS)
    assert sum(map(sum, matrix)) == 24 and sum(matrix[i][i] for i in range(len(labels))) == 24
    labels, matrix = S.confusion(["no idea"] + gold[1:], rows)
    assert labels[-1] == S.INVALID and len(matrix) == len(labels) == len(matrix[0])
    assert matrix[labels.index(gold[0])][-1] == 1


def test_meters_refuse_mismatched_lengths(classify_rows):
    with pytest.raises(ValueError):
        S.classify(["BILLING"], classify_rows[:2])
    assert set(S.METERS) == {"json_mr", "sql", "classify"}
