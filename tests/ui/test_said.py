"""The UI says the engine's errors in its language (issue 15): the model card, guard's toasts and the
Export step's toasts."""
from __future__ import annotations

import re

import gradio as gr
import pytest

from studio import runs
from studio.config import ModelSpec, RunConfig
from studio.models import resolve
from studio.ui.context import guard
from studio.ui.export_step import adapter_zip
from studio.ui.model_step import card_markdown

JAPANESE = re.compile(r"[\u3041-\u30ff\u4e00-\u9fff]")
NAME = "no/such/model/x.."


def test_the_model_card_says_an_unknown_model_in_the_ui_language():
    english, japanese = card_markdown(NAME, lang="en"), card_markdown(NAME, lang="ja")
    assert "unknown model" in english and NAME in english
    assert "不明なモデル" in japanese and NAME in japanese and "unknown model" not in japanese


def test_guard_toasts_in_its_lang_and_keeps_lang_to_itself():
    with pytest.raises(gr.Error) as err:
        guard(resolve, "no-such-model", lang="ja")
    assert JAPANESE.search(err.value.message) and "no-such-model" in err.value.message
    with pytest.raises(gr.Error) as err:
        guard(resolve, "no-such-model")  # callers without a lang keep the English
    assert err.value.message.startswith("unknown model 'no-such-model'")
    assert guard(lambda **kw: kw, a=1, lang="ja") == {"a": 1}


def test_the_export_step_says_a_running_run_in_japanese():
    run = runs.create(RunConfig(model=ModelSpec(name="smollm2-135m")))
    run.write_status(state="running", pid=None)
    with pytest.raises(gr.Error) as err:
        adapter_zip(run.id, lang="ja")
    assert run.id in err.value.message and "学習中" in err.value.message and "running" not in err.value.message
