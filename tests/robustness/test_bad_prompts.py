"""Bad chat prompts and generation/generator settings get a clear message, before any model loads where
possible, and change nothing on disk (see test_bad_input.py for uploads, configs, model ids and paths)."""
from __future__ import annotations

import math

import gradio as gr
import pytest

from studio.chat import MAX_PROMPT_CHARS, ChatModel, GenSettings, messages_for
from studio.ui import data_step, model_step
from tests.helpers.bad_input import message, nothing_changes


@pytest.fixture
def model(tiny_model_dir) -> str:
    return str(tiny_model_dir)


# --- 5. chat prompts ----------------------------------------------------------------------------

@pytest.mark.parametrize("prompt,words", [
    ("", "empty"), ("   \n\t ", "empty"), (None, "empty"), ("x" * 100_000, f"limit is {MAX_PROMPT_CHARS}"),
    ("y" * (MAX_PROMPT_CHARS + 1), "limit"),
], ids=["empty", "blank", "none", "100k", "one-over"])
def test_a_bad_prompt_is_refused_in_chat_try_it_and_compare(prompt, words, model, studio_home, monkeypatch):
    from studio.compare.engine import build_columns

    def no_model(*a, **kw):
        raise AssertionError("a bad prompt must be refused before any model loads")

    monkeypatch.setattr("studio.chat.get_chat_model", no_model)
    with nothing_changes(studio_home):
        with pytest.raises(ValueError, match=words):
            messages_for(prompt)
        with pytest.raises(gr.Error) as err:
            next(model_step.try_it(model, prompt))
        assert words.split()[0] in message(err.value)
        with pytest.raises(ValueError, match=words):
            build_columns(model, prompt, ["base"])


def test_cli_chat_bad_prompt_is_one_line(model, capsys):
    from studio.cli import main

    assert main(["chat", "   ", "--model", model]) == 2
    err = capsys.readouterr().err
    assert err.strip() == "error: the prompt is empty: type a question first"


@pytest.fixture(scope="module")
def tiny_chat(tiny_model_dir) -> ChatModel:
    return ChatModel(str(tiny_model_dir), dtype="fp32")


def test_a_prompt_over_the_models_context_is_refused_before_generating(tiny_chat):
    """Within the character limit, but over the tiny model's 512 tokens: a clear message instead of
    a quadratic attention over thousands of positions the model never saw."""
    long = "The quick brown fox jumps over the lazy dog. " * 200
    with pytest.raises(ValueError, match="over the model's context of 512 tokens"):
        tiny_chat.generate(messages_for(long), GenSettings(max_new_tokens=4))
    with pytest.raises(ValueError, match="context"):  # the system prompt counts too
        tiny_chat.generate(messages_for("hi", system=long), GenSettings(max_new_tokens=4))
    with pytest.raises(ValueError, match="ask for fewer tokens"):
        tiny_chat.generate(messages_for("hi"), GenSettings(max_new_tokens=600))
    assert isinstance(tiny_chat.generate(messages_for("hi"), GenSettings(max_new_tokens=2)), str)


def test_a_compare_prompt_over_the_models_context_is_refused_before_generating(tiny_chat, tiny_model_dir):
    from studio.compare.engine import Comparer, build_columns

    columns = build_columns(str(tiny_model_dir), "hi", ["base", "prompt"],
                            system_prompt="The quick brown fox jumps over the lazy dog. " * 200)
    with pytest.raises(ValueError, match="over the model's context of 512 tokens"):
        Comparer(str(tiny_model_dir), chat=tiny_chat).generate(columns, GenSettings(max_new_tokens=4))


# --- 6. generation and generator settings --------------------------------------------------------

@pytest.mark.parametrize("setting,value", [
    ("max_new_tokens", 0), ("max_new_tokens", -1), ("max_new_tokens", 10**9), ("max_new_tokens", "12"),
    ("max_new_tokens", 2.5), ("temperature", -0.5), ("temperature", math.nan), ("temperature", 1e6),
    ("top_p", 0.0), ("top_p", 1.5), ("repetition_penalty", 0.0), ("seed", -1), ("seed", None),
])
def test_an_out_of_range_generation_setting_names_its_field(setting, value):
    with pytest.raises(ValueError, match=f"{setting}: "):
        GenSettings(**{setting: value})
    settings = GenSettings()
    setattr(settings, setting, value)  # changed after construction: still caught before generating
    with pytest.raises(ValueError, match=setting):
        settings.kwargs()


def test_cli_chat_bad_setting_is_refused_before_the_model_loads(model, capsys, monkeypatch):
    from studio.cli import main

    monkeypatch.setattr("studio.chat.get_chat_model", lambda *a, **kw: pytest.fail("model loaded"))
    assert main(["chat", "hi", "--model", model, "--max-new-tokens", "0"]) == 2
    assert "max_new_tokens: 1..8192" in capsys.readouterr().err


@pytest.mark.parametrize("kind,n,seed,words", [
    ("gozaru", None, 0, "n (the number of rows)"), ("gozaru", 0, 0, "between 1 and 100000"),
    ("gozaru", -5, 0, "between 1 and 100000"), ("gozaru", 2.5, 0, "whole number"),
    ("gozaru", 1e9, 0, "between 1 and 100000"), ("gozaru", math.nan, 0, "whole number"),
    ("gozaru", 10, None, "seed"), ("gozaru", 10, -1, "seed"), ("gozaru", 10, 1.5, "seed"),
    ("../../escape", 10, 0, "unknown generator kind"), ("nosuchkind", 10, 0, "unknown generator kind"),
], ids=["n-empty", "n-zero", "n-negative", "n-fraction", "n-huge", "n-nan", "seed-empty", "seed-negative",
        "seed-fraction", "kind-traversal", "kind-unknown"])
def test_bad_generator_settings_are_refused_and_write_nothing(kind, n, seed, words, model, studio_home):
    with nothing_changes(studio_home), pytest.raises(gr.Error) as err:
        data_step.generate(kind, n, seed, model, progress=lambda *a, **kw: None)
    assert words in message(err.value)


def test_cli_generate_bad_n_writes_nothing(tmp_path, capsys):
    from studio.cli import main

    out = tmp_path / "gen.jsonl"
    assert main(["data", "generate", "--kind", "gozaru", "--n", "0", "--out", str(out)]) == 2
    assert "between 1 and 100000" in capsys.readouterr().err and not out.exists()
    assert list(tmp_path.iterdir()) == []
