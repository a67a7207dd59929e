"""The endpoint panels' handlers called directly (no browser): the Model step's Endpoints panel saves, tests,
picks and removes an endpoint and shows a key's state, never the key; the blind test's judge panel asks, says
the agreement and refuses to accept a judge on too few votes, in the UI's language."""
from __future__ import annotations

import gradio as gr
import pytest

from studio.data import votes
from studio.endpoints import store
from studio.ui import endpoints_panel as panel
from studio.ui.compare import judge as judge_panel
from tests.endpoints.conftest import closed_url, save
from tests.helpers.fake_openai import FakeEndpoint

SECRET = "sk-live-0123456789abcdef"


def test_the_panel_saves_tests_picks_and_removes(monkeypatch):
    monkeypatch.setenv("BIG_KEY", SECRET)
    with FakeEndpoint() as fake:
        saved, pick, said = panel.save("big", fake.url, "big-8b", "BIG_KEY", 30, "en")
        assert "Saved **big**" in said and pick.value == "big"
        assert saved.values.tolist() == [["✓", "big", "big-8b", fake.url, "BIG_KEY set", "30 s"]]
        assert SECRET not in saved.to_string()
        assert panel.test("big", "ja").startswith("**big** が") and fake.calls[0]["max_tokens"] == 1
    panel.save("local", closed_url(), "llama3.1:8b", "", None, "en")
    table, said = panel.use("big", "ja")
    assert "**big** を使います" in said and table.iloc[0, 0] == "✓" and table.columns[0] == "使用中"
    with pytest.raises(gr.Error) as err:
        panel.test("local", "ja")
    assert "接続できません" in err.value.message
    table, pick, said = panel.remove("big", "en")
    assert store.names() == ["local"] and pick.value == "local" and said == "Removed big."


def test_the_panel_refuses_a_key_typed_where_its_variable_goes():
    with pytest.raises(gr.Error) as err:
        panel.save("big", "https://api.example.com/v1", "m", SECRET, 30, "ja")
    assert "キーそのものは書かないで" in err.value.message and SECRET not in err.value.message
    assert store.names() == []


def test_the_judge_panel_asks_says_the_agreement_and_accepts_only_on_enough_votes():
    for i in range(6):
        votes.record(f"q{i}", {"base": f"a{i}", "tuned": f"b{i}"}, "tuned", vote_set="run-9", run_id="run-9",
                     order=["base", "tuned"])
    assert judge_panel.judge_line("en").startswith("No endpoint is saved")
    picks_b = lambda body: "A" if "Answer A:\nb" in body["messages"][-1]["content"] else "B"
    with FakeEndpoint(reply=picks_b) as fake:
        save("judge", fake.url, "judge-70b")
        assert judge_panel.judge_line("ja") == "審査役: **judge**（judge-70b）"
        report, accepted = judge_panel.ask("run-9", judge_panel.judge.DEFAULT_PROMPT, "en",
                                           progress=lambda *a, **k: None)
    assert "has decided 6 of your 6 pairs" in report and "so 14 more" in report and accepted == ""
    with pytest.raises(gr.Error) as err:
        judge_panel.accept("run-9", judge_panel.judge.DEFAULT_PROMPT, "ja")
    assert "あと 14 件" in err.value.message
    with pytest.raises(gr.Error) as err:
        judge_panel.ask("run-9", "Which is better?", "en", progress=lambda *a, **k: None)
    assert "must hold {prompt}, {a}, {b}" in err.value.message


def test_side_by_side_with_a_slow_endpoint_says_its_timeout_in_its_column(tiny_model_dir, tmp_path):
    from studio.ui.compare import step
    from studio.ui.compare.common import FINAL, KINDS, Setup
    from tests.helpers.runs import fake_run, random_lora_folder

    run = fake_run(tiny_model_dir, random_lora_folder(tiny_model_dir, tmp_path / "lora"))
    with FakeEndpoint("slow", delay=5) as fake:
        save("slow", fake.url, timeout=1)
        s = Setup(run_id=run.id, adapter=FINAL, kinds=["base", "endpoint"], system="", notes="", max_tokens=8,
                  lang="ja")
        *_, (_, *chats) = step.send(s, "Greet guest 1", *([[]] * len(KINDS)))
    base, remote = chats[KINDS.index("base")], chats[KINDS.index("endpoint")]
    assert base[-1]["role"] == "assistant" and not base[-1]["content"].startswith("⚠")  # the model's own answer
    assert remote[-1]["content"].startswith("⚠ エンドポイント slow") and "タイムアウト" in remote[-1]["content"]


def test_the_blind_test_offers_no_vote_when_an_endpoint_could_not_answer(tiny_model_dir, tmp_path):
    from studio.ui.compare import blind
    from studio.ui.compare.common import FINAL, Setup
    from tests.helpers.runs import fake_run, random_lora_folder

    run = fake_run(tiny_model_dir, random_lora_folder(tiny_model_dir, tmp_path / "lora"))
    save("gone", closed_url())
    s = Setup(run_id=run.id, adapter=FINAL, kinds=["base", "endpoint"], system="", notes="", max_tokens=8, lang="en")
    state, *rest = list(blind.ask(s, "Greet guest 1"))[-1]
    n = blind.MAX_SLOTS
    buttons, said = rest[n:2 * n + 1], rest[2 * n + 1]
    assert not any(b.interactive for b in buttons) and said.startswith("⚠ endpoint gone cannot be reached")
    with pytest.raises(gr.Error, match="Ask a prompt first"):
        blind.vote("A", state, "en")
    assert votes.load(run.id) == []


def test_the_endpoint_picked_beside_the_columns_answers_batch_and_evaluate(tiny_model_dir, tmp_path, monkeypatch):
    from studio.evaluate import jobs
    from studio.ui import eval_step
    from studio.ui.compare import batch
    from studio.ui.compare.common import FINAL, Setup
    from tests.helpers.runs import fake_run, random_lora_folder

    run = fake_run(tiny_model_dir, random_lora_folder(tiny_model_dir, tmp_path / "lora"), preset="gozaru")
    with FakeEndpoint(replies=["拙者、参上でござる。"]) as big, FakeEndpoint(replies=["small talk"]) as small:
        save("big", big.url, "big-70b")
        save("small", small.url)
        store.use("small")  # the one in use elsewhere; the picker names another
        s = Setup(run_id=run.id, adapter=FINAL, kinds=["base", "endpoint"], system="", notes="", max_tokens=8,
                  lang="en", endpoint="big")
        *_, (table, status) = batch.run_batch(s, batch.PASTE, "Greet guest 1\nGreet guest 2")
    assert table.value["headers"][-1] == "Endpoint (a bigger model) · big" and not small.calls
    assert [row[-1] for row in table.value["data"]] == ["拙者、参上でござる。"] * 2
    assert "Endpoint (a bigger model) · big 100%" in status, status
    assert panel.picker("big").value == "big" and panel.picker(None).value == "small"  # read again on a change
    started = {}

    def start(run_id: str, limit: int, columns: list[str]) -> tuple[None, bool]:
        started["columns"] = columns
        return None, True

    monkeypatch.setattr(jobs, "start", start)
    eval_step.measure(run.id, 5, ["base", "endpoint"], "en", "big")
    assert started["columns"] == ["base", "endpoint@big"]
