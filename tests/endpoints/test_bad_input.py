"""An endpoint that cannot answer, as every user of it meets it: no key where one is needed, a closed port, a
slow server (the timeout named), a web page or broken JSON instead of the API's reply, a 401 that echoes the
key. Each is one clear sentence in English and Japanese; a Compare column that meets it says why in place
while the other columns answer; the teacher keeps the rows it had; the key never appears."""
from __future__ import annotations

import time

import pytest

from studio.chat import ChatModel, GenSettings
from studio.compare.engine import Comparer, build_columns, iter_table
from studio.data.generate import teacher
from studio.endpoints import EndpointError, client
from studio.text import said
from tests.endpoints.conftest import closed_url, save
from tests.helpers.fake_openai import FakeEndpoint

pytestmark = pytest.mark.usefixtures("one_thread")
SECRET = "sk-live-0123456789abcdef"
HI = [{"role": "user", "content": "hi"}]


def _fails(endpoint, streamed: bool = False) -> EndpointError:
    """The error of one call: a whole answer (the judge, the teacher), or a streamed one (Compare's column)."""
    with pytest.raises(EndpointError) as err:
        list(client.stream(endpoint, HI)) if streamed else client.ask(endpoint, HI)
    return err.value


@pytest.mark.parametrize("streamed", [False, True])
@pytest.mark.parametrize(("mode", "english", "japanese"), [
    ("html", "did not answer in the OpenAI API's JSON (it began: <html>", "OpenAI API の JSON ではありません"),
    ("broken", "did not answer in the OpenAI API's JSON", "JSON ではありません"),
    ("nochoices", "did not answer in the OpenAI API's JSON (it began: {\"status\"", "JSON ではありません"),
    ("error", "answered HTTP 500: the model crashed", "HTTP 500 を返しました"),
])
def test_a_reply_that_is_not_a_completion_is_said(mode, english, japanese, streamed):
    with FakeEndpoint(mode) as fake:
        err = _fails(save("odd", fake.url), streamed)
    assert english in str(err) and japanese in said("ja", err) and "odd" in said("ja", err)


def test_a_stream_of_events_that_are_not_chunks_is_said():
    with FakeEndpoint("badstream") as fake:
        err = _fails(save("odd", fake.url), streamed=True)
    assert "did not answer in the OpenAI API's JSON (it began: <p>busy</p>" in str(err), str(err)
    assert "JSON ではありません" in said("ja", err)


def test_a_closed_port_is_down():
    err = _fails(save("gone", closed_url()))
    assert "endpoint gone cannot be reached at http://127.0.0.1:" in str(err) and "running?" in str(err)
    assert "接続できません" in said("ja", err)


@pytest.mark.parametrize("streamed", [False, True])
def test_a_slow_endpoint_is_a_timeout_named_after_its_seconds(streamed):
    with FakeEndpoint("slow", delay=5) as fake:
        t0 = time.monotonic()
        err = _fails(save("slow", fake.url, timeout=1), streamed)
        waited = time.monotonic() - t0
    assert "did not answer within 1 s (timeout)" in str(err)
    assert "1 秒以内に応答しませんでした（タイムアウト）" in said("ja", err)
    assert waited < 3  # one timeout, no retries


def test_a_key_variable_that_is_not_set_stops_before_any_call(monkeypatch):
    monkeypatch.delenv("BIG_KEY", raising=False)
    with FakeEndpoint() as fake:
        err = _fails(save("big", fake.url, key_env="BIG_KEY"))
        assert fake.calls == []
    assert "needs its key in the environment variable BIG_KEY, which is not set" in str(err)
    assert "環境変数 BIG_KEY のキーが必要" in said("ja", err)


def test_an_endpoint_that_wants_a_key_where_none_is_named_says_so():
    with FakeEndpoint("auth") as fake:
        err = _fails(save("hosted", fake.url), streamed=True)
    assert "endpoint hosted" in str(err) and "refused the call without a key (HTTP 401)" in str(err)
    assert "キーなしの呼び出しを拒否しました" in said("ja", err) and "--key-env" in said("ja", err)


def test_a_refused_key_is_said_without_the_key(monkeypatch):
    monkeypatch.setenv("BIG_KEY", SECRET)
    with FakeEndpoint("auth") as fake:
        err = _fails(save("big", fake.url, key_env="BIG_KEY"))
        assert fake.calls[0]["_auth"] == f"Bearer {SECRET}"  # sent to the endpoint, and only there
        without = _fails(save("open", fake.url))
    assert "refused the key in BIG_KEY (HTTP 401)" in str(err) and SECRET not in str(err) + said("ja", err)
    assert "refused the call without a key (HTTP 401)" in str(without) and "キーなし" in said("ja", without)


def test_an_unset_key_never_sends_another_variable_s_key(monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", SECRET)  # the client would read it if the studio let it
    with FakeEndpoint() as fake:
        client.ask(save("local", fake.url), HI)
    assert SECRET not in fake.calls[0]["_auth"]


@pytest.fixture(scope="module")
def tiny(tiny_model_dir) -> ChatModel:
    return ChatModel(str(tiny_model_dir), dtype="fp32")


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_a_slow_endpoint_column_says_its_timeout_and_the_others_answer(tiny_model_dir, tiny, lang):
    with FakeEndpoint("slow", delay=5) as fake:
        save("slow", fake.url, timeout=1)
        columns = build_columns(str(tiny_model_dir), "Greet guest 1", ["base", "endpoint@slow"])
        comparer = Comparer(str(tiny_model_dir), chat=tiny, lang=lang)
        base, remote = comparer.generate(columns, GenSettings(max_new_tokens=8))
    alone = Comparer(str(tiny_model_dir), chat=tiny).generate(columns[:1], GenSettings(max_new_tokens=8))[0]
    assert base == alone  # the local column answered as it does alone
    assert remote.startswith("⚠ ") and list(comparer.last_failed) == [1]
    assert ("within 1 s (timeout)" if lang == "en" else "1 秒以内に応答しませんでした") in remote


def test_batch_rows_of_a_down_endpoint_are_marked_failed(tiny_model_dir, tiny):
    save("gone", closed_url())
    rows = list(iter_table(str(tiny_model_dir), ["Greet guest 1", "Greet guest 2"], ["base", "endpoint@gone"],
                           settings=GenSettings(max_new_tokens=4), comparer=Comparer(str(tiny_model_dir), chat=tiny)))
    assert [(r["column"], bool(r.get("failed"))) for r in rows] == [("base", False), ("endpoint@gone", True)] * 2
    assert all("cannot be reached" in r["text"] for r in rows if r.get("failed"))


SEEDS = [{"messages": [{"role": "user", "content": f"What is {i} plus {i}?"},
                       {"role": "assistant", "content": f"{i} plus {i} is {2 * i}."}]} for i in range(5)]


def test_a_teacher_endpoint_that_is_down_from_the_start_is_said(monkeypatch):
    save("gone", closed_url())
    with pytest.raises(EndpointError, match="cannot be reached"):
        teacher.teach(None, SEEDS, "Arithmetic.", n=3, endpoint="gone")
    monkeypatch.delenv("BIG_KEY", raising=False)
    with FakeEndpoint() as fake:
        save("big", fake.url, key_env="BIG_KEY")
        with pytest.raises(EndpointError, match="BIG_KEY, which is not set"):
            teacher.teach(None, SEEDS, "Arithmetic.", n=3, endpoint="big")
        assert fake.calls == []


def test_a_teacher_endpoint_that_stops_midway_keeps_its_rows():
    replies = ["Q: What is 7 plus 7?\nA: 7 plus 7 is 14.", "Q: What is 9 plus 9?\nA: 9 plus 9 is 18."]
    with FakeEndpoint(replies=replies, fail_after=2) as fake:
        save("flaky", fake.url)
        result = teacher.teach(None, SEEDS, "Arithmetic.", n=5, endpoint="flaky")
    assert len(result.rows) == 2 and result.attempts == 2 and "HTTP 500" in str(result.stopped)
