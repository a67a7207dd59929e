"""The teacher with an endpoint (a scripted stand-in): every kind's rows pass the kind's own check before
they are kept (meta derived as the check needs it: the JSON, the label, the seed's SQL tables), rejects are
counted by reason, restyled answers keep their plain source; and the Data step's teacher panel writes the kept
rows as a generated set and says the counts in English and Japanese."""
from __future__ import annotations

import gradio as gr
import pytest

from studio.data.generate import classify_task, generator, json_task, sql_task, teacher
from studio.data.store import datasets_dir
from studio.fsutil import read_jsonl
from studio.ui import data_step, teacher_panel
from tests.endpoints.conftest import closed_url, save
from tests.helpers.fake_openai import FakeEndpoint

GOZARU_OK = "Q: 富士山の高さは？\nA: 富士山は三千七百七十六メートルでござる。"
GOZARU_REPLIES = [GOZARU_OK, "Q: 東京の人口は？\nA: 東京には約千四百万人が住んでいます。", "Sure! Here you go.",
                  GOZARU_OK, "Q: 琵琶湖はどこにありますか？\nA: 琵琶湖は滋賀県にあるでござる。"]


def _teach(kind: str, replies: list[str], n: int, seeds: list[dict] | None = None) -> teacher.TeacherResult:
    gen = generator(kind)
    with FakeEndpoint(replies=replies) as fake:
        save("teacher", fake.url)
        return teacher.teach(None, seeds or gen.generate(8), "New rows.", n, gen.check_row, max_attempts=8,
                             endpoint="teacher", meta=teacher.row_meta(kind))


def test_gozaru_rows_are_checked_and_rejects_counted_by_reason():
    result = _teach("gozaru", GOZARU_REPLIES, n=2)
    assert result.attempts == 5 and len(result.rows) == 2
    assert [r["messages"][1]["content"] for r in result.rows] == ["富士山は三千七百七十六メートルでござる。",
                                                                  "琵琶湖は滋賀県にあるでござる。"]
    reasons = dict(result.rejects)
    assert reasons.pop("did not parse as Q:/A:") == 1 and reasons.pop("near-duplicate") == 1
    (why, count), = reasons.items()
    assert count == 1 and why.startswith("failed the check: assistant answer is not in the gozaru tone")


def test_json_rows_keep_only_canonical_schema_valid_json():
    mr = {**json_task.generate(1)[0]["meta"]["mr"], "name": "Moon Forge"}
    good = f"Q: {json_task.TO_JSON} Try Moon Forge, it is great.\nA: {json_task.to_json_text(mr)}"
    spaced = f"Q: {json_task.TO_JSON} Moon Forge again.\nA: {json_task.to_json_text(mr).replace(',', ', ')}"
    result = _teach("json", [good, spaced], n=1)
    assert len(result.rows) == 1 and result.rows[0]["meta"] == {"direction": "to_json", "mr": mr}
    assert json_task.check_row(result.rows[0]) is None


def test_classify_rows_answer_a_known_label():
    ask = f"Q: {classify_task.INSTRUCTION} Ticket: My parcel never arrived and it has been three weeks."
    result = _teach("classify", [f"{ask}\nA: shipping, I think", f"{ask}\nA: SHIPPING"], n=1)
    assert result.attempts == 2 and result.rows[0]["meta"] == {"label": "SHIPPING"}
    assert next(iter(result.rejects)).startswith("failed the check: meta.label 'shipping, I think'")


def test_sql_rows_run_on_the_tables_of_the_seed_they_repeat():
    seed = sql_task.generate(1)[0]
    tables = seed["meta"]["schema"].replace("\n", " ")
    table = seed["meta"]["schema"].split("CREATE TABLE ", 2)[1].split(" ", 1)[0]
    ask = f"Q: {sql_task.INSTRUCTION} Tables: {tables} Question: How many rows are there?"
    replies = [f"{ask}\nA: SELECT COUNT(*) FROM no_such_table", f"{ask}\nA: SELECT COUNT(*) FROM {table}"]
    result = _teach("sql", replies, n=1, seeds=[seed])
    assert len(result.rows) == 1 and result.rows[0]["meta"] == seed["meta"]
    assert sql_task.check_row(result.rows[0]) is None
    assert next(iter(result.rejects)).startswith("failed the check: gold query fails in sqlite")


def test_restyled_answers_keep_their_plain_source():
    with FakeEndpoint(replies=["Rewritten: 東京タワーは高いでござる。", "東京タワーは高いです。"]) as fake:
        save("teacher", fake.url)
        result = teacher.restyle([("東京タワーは？", "東京タワーは高いです。")] * 2,
                                 [("古い寺です。", "古い寺でござる。")], "侍の口調で。", generator("gozaru").check_row,
                                 endpoint="teacher")
    assert result.attempts == 2 and len(result.rows) == 1
    assert result.rows[0]["meta"] == {"source": "東京タワーは高いです。"}
    assert "in the gozaru tone" in next(iter(result.rejects))
    assert "Plain: 古い寺です。\nRewritten: 古い寺でござる。" in fake.calls[0]["messages"][1]["content"]


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_the_data_step_teacher_writes_the_kept_rows_and_says_the_rejects(tiny_model_dir, lang):
    handler = teacher_panel.run_teacher(data_step.show)
    with FakeEndpoint(replies=GOZARU_REPLIES) as fake:
        save("fake", fake.url)
        summary, *_, choice = handler("gozaru", 2, 0, "fake", teacher_panel.WRITE, "", str(tiny_model_dir), lang,
                                      progress=lambda *a, **k: None)
    rows = read_jsonl(datasets_dir() / choice.path)
    assert len(rows) == 2 and all(generator("gozaru").check_row(r) is None for r in rows)
    if lang == "en":
        assert summary.startswith("**Teacher** (fake): kept 2 of 5 attempts; rejects: failed the check (assistant")
        assert "not a Q:/A: pair: 1" in summary and "near-duplicate: 1" in summary
    else:
        assert summary.startswith("**教師**（fake）: 5 回の試行から 2 行を残しました。却下: チェック不合格（assistant")
        assert "Q:/A: の組ではない: 1" in summary and "ほぼ重複: 1" in summary


def test_the_data_step_teacher_says_what_stops_it_and_writes_nothing(tiny_model_dir):
    handler = teacher_panel.run_teacher(data_step.show)
    args = ("gozaru", 2, 0)
    with pytest.raises(gr.Error) as err:
        handler(*args, None, teacher_panel.WRITE, "", str(tiny_model_dir), "ja", progress=lambda *a, **k: None)
    assert "教師のエンドポイントを選んでください" in err.value.message
    save("gone", closed_url())
    with pytest.raises(gr.Error) as err:
        handler(*args, "gone", teacher_panel.WRITE, "", str(tiny_model_dir), "ja", progress=lambda *a, **k: None)
    assert "エンドポイント gone に" in err.value.message and "接続できません" in err.value.message
    with pytest.raises(gr.Error) as err:
        handler("json", 2, 0, "gone", teacher_panel.RESTYLE, "", str(tiny_model_dir), "en",
                progress=lambda *a, **k: None)
    assert "The json generator has no plain answers to restyle" in err.value.message
    assert not list(datasets_dir().glob("generated-*teacher*"))
