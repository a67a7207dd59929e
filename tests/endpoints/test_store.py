"""Saving endpoints: what the file holds (never a key), what is refused and how it is said (English and
Japanese), and `studio endpoints` add / list / test / use / remove."""
from __future__ import annotations

import json

import pytest

from studio import cli
from studio.endpoints import EndpointError, store
from studio.endpoints.store import Endpoint
from studio.text import said
from tests.endpoints.conftest import closed_url, save
from tests.helpers.fake_openai import FakeEndpoint

SECRET = "sk-live-0123456789abcdef"


def test_the_file_names_the_key_variable_never_the_key(studio_home, monkeypatch):
    monkeypatch.setenv("BIG_KEY", SECRET)
    save("big", "https://api.example.com/v1/", "big-8b", key_env="BIG_KEY")
    save("local", "http://127.0.0.1:11434/v1", "llama3.1:8b")
    text = (studio_home / "endpoints.json").read_text()
    assert SECRET not in text and "BIG_KEY" in text
    saved = json.loads(text)
    assert saved["current"] == "local" and [e["name"] for e in saved["endpoints"]] == ["big", "local"]
    assert store.get("big").url == "https://api.example.com/v1"  # the trailing slash is not part of the base
    assert store.get("big").key_state() == "set" and store.get("local").key_state() == "none"
    monkeypatch.delenv("BIG_KEY")
    assert store.get("big").key_state() == "missing"
    store.use("big")
    assert store.current() == "big" and store.get(None).name == "big"
    store.remove("big")
    assert store.names() == ["local"] and store.current() == "local"


@pytest.mark.parametrize(("fields", "english", "japanese"), [
    ({"url": "ftp://host/v1"}, "is not an endpoint URL", "エンドポイントの URL ではありません"),
    ({"url": "https://user:pw@host/v1"}, "must hold no password, query or fragment", "パスワード"),
    ({"url": "https://host/v1?api_key=" + SECRET}, "must hold no password, query or fragment", "クエリ"),
    ({"key_env": SECRET}, "never the key itself", "キーそのものは書かないで"),
    ({"model": ""}, "needs the model's name", "モデル名"),
    ({"timeout": 0}, "from 1 to 600", "1〜600 秒"),
    ({"name": "../up"}, "is not allowed", "エンドポイント"),
])
def test_a_bad_endpoint_is_refused_and_nothing_is_saved(studio_home, fields, english, japanese):
    spec = {"name": "big", "url": "https://host/v1", "model": "m", "key_env": None, "timeout": 10, **fields}
    with pytest.raises(EndpointError if "name" not in fields else ValueError) as err:
        store.add(Endpoint(**spec))
    assert english in str(err.value) and japanese in said("ja", err.value)
    assert SECRET not in str(err.value) and SECRET not in said("ja", err.value)
    assert not (studio_home / "endpoints.json").exists()


def test_a_second_endpoint_of_the_same_name_needs_replace(studio_home):
    save("big", "https://host/v1", "m")
    with pytest.raises(EndpointError, match="saved already"):
        store.add(Endpoint("big", "https://other/v1", "m"))
    assert store.get("big").url == "https://host/v1"
    with pytest.raises(EndpointError, match="no endpoint named 'nope'"):
        store.get("nope")


def test_no_endpoint_saved_is_said():
    with pytest.raises(EndpointError) as err:
        store.get(None)
    assert "studio endpoints add" in str(err.value) and "エンドポイント" in said("ja", err.value)


def test_the_command_line_adds_lists_tests_uses_and_removes(capsys, monkeypatch):
    monkeypatch.delenv("FAKE_KEY", raising=False)
    with FakeEndpoint(replies=["OK"]) as fake:
        assert cli.main(["endpoints", "add", "fake", "--url", fake.url, "--model", "fake-8b"]) == 0
        assert cli.main(["endpoints", "add", "keyed", "--url", fake.url, "--model", "m", "--key-env", "FAKE_KEY"]) == 0
        assert cli.main(["endpoints", "list"]) == 0
        listed = capsys.readouterr().out
        assert "fake-8b" in listed and "key in $FAKE_KEY: NOT SET" in listed and "* keyed" in listed
        assert cli.main(["endpoints", "test", "fake"]) == 0
        assert "fake: fake-8b answered in" in capsys.readouterr().out
        assert fake.calls[-1]["max_tokens"] == 1  # a one-token call
        assert cli.main(["endpoints", "test", "keyed"]) == 2  # its key is not set: said, no call made
        assert "FAKE_KEY, which is not set" in capsys.readouterr().err and len(fake.calls) == 1
    assert cli.main(["endpoints", "use", "fake"]) == 0 and store.current() == "fake"
    assert "now use fake (fake-8b)" in capsys.readouterr().out
    assert cli.main(["endpoints", "list", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["current"] for r in rows] == [True, False] and rows[1]["key"] == "missing"
    assert cli.main(["endpoints", "remove", "keyed"]) == 0 and store.names() == ["fake"]


def test_testing_an_endpoint_that_is_down_exits_2_naming_it(capsys):
    save("gone", closed_url(), "m")
    assert cli.main(["endpoints", "test", "gone"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: endpoint gone cannot be reached at http://127.0.0.1:") and "running?" in err
