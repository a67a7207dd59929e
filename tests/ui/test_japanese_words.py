"""Issue 31's small misleading bits: the model card's chat template says its real state once the model is
loaded, methods keep their names (QLoRA, not QLORA), a preset and its task are named in the UI's language, and
the facts lab's tables have their headers before a run."""
from __future__ import annotations

from types import SimpleNamespace

from studio.data.choice import DataChoice
from studio.models.embedded import BASE_CHAT_TEMPLATE
from studio.text import t


def _card(monkeypatch, loaded: str | None):
    """The card of a hub model (its files are read only when it loads): loaded=None is not loaded yet."""
    from studio import chat
    from studio.models.info import describe
    from studio.ui import model_step

    hub = describe("smollm2-135m")
    hub.chat_template = None
    monkeypatch.setattr(model_step, "describe", lambda name: hub)
    monkeypatch.setattr(chat, "is_loaded", lambda name, trust_remote_code=False: loaded is not None)
    model = SimpleNamespace(tokenizer=SimpleNamespace(chat_template=loaded))
    monkeypatch.setattr(chat, "get_chat_model", lambda name, trust_remote_code=False, keep=2: model)
    return {lang: model_step.card_markdown("some/hub-model", lang) for lang in ("en", "ja")}


def test_the_card_says_the_template_is_read_later_until_the_model_is_loaded(monkeypatch):
    card = _card(monkeypatch, None)
    assert f"**Chat template:** {t('en', 'card_template_later')}" in card["en"]
    assert t("ja", "card_template_later") in card["ja"] and "```jinja" not in card["en"]


def test_once_loaded_the_card_shows_the_template_or_says_the_model_has_none(monkeypatch):
    card = _card(monkeypatch, "{{ messages }}<|im_end|>")
    assert "```jinja\n{{ messages }}<|im_end|>\n```" in card["en"]
    assert t("en", "card_template_later") not in card["en"] and t("ja", "card_template_later") not in card["ja"]
    plain = _card(monkeypatch, BASE_CHAT_TEMPLATE)  # a base model: the studio's Q:/A: transcript
    assert t("en", "card_template_plain") in plain["en"] and t("ja", "card_template_plain") in plain["ja"]


def test_the_methods_keep_their_names_on_the_card():
    from studio.ui.model_step import card_markdown

    card = card_markdown("smollm2-135m", "ja")
    assert "QLoRA（" in card and "- **LoRA（" in card and "QLORA" not in card and "**LORA" not in card


def test_a_preset_and_its_task_are_named_in_the_uis_language():
    from studio.ui.context import data_label
    from studio.ui.data_step import preset_blurb

    assert data_label(DataChoice(preset="gozaru"), "ja") == "プリセット `gozaru`（ござる口調）"
    assert data_label(DataChoice(preset="gozaru")) == "preset `gozaru` (Samurai tone (〜でござる))"
    ja = preset_blurb("gozaru", "ja")
    assert "タスク: 口調・文体 · 指標: ござる口調率" in ja and "style" not in ja
    assert "Task: tone and style · meter: ござる style rate" in preset_blurb("gozaru")


def test_the_facts_lab_tables_have_headers_before_a_run():
    from studio.ui.facts_panel import render

    _plot, _verdict, *frames = render(None, "ja")
    heads = [list(frame.columns) for frame in frames]
    assert heads[0] == ["列", "プローブの種類", "新しい事実を答えた割合", "Romeo と答えた割合"]
    assert heads[2] == [t("ja", k) for k in ("facts_h_column", "facts_h_asked", "facts_h_still_right",
                                             "facts_h_confident_wrong")]
    assert all(frame.empty and "1" not in frame.columns for frame in frames) and heads[1][0] == "プローブ"


def test_the_facts_lab_names_the_article():
    for lang in ("en", "ja"):
        assert "LLMのファインチューニング で 何ができて 何ができないのか" in t(lang, "eval_facts_info")


def test_a_hub_models_unknown_size_is_said_in_the_cards_language():
    """A hub model not downloaded has no size yet; the card says so in the UI's language (it was English in JA)."""
    from studio.models.info import describe
    from studio.ui.model_step import card_markdown

    assert describe("someone/not-downloaded-model").note == "card_size_unknown"
    card = {lang: card_markdown("someone/not-downloaded-model", lang) for lang in ("en", "ja")}
    assert t("en", "card_size_unknown") in card["en"] and t("ja", "card_size_unknown") in card["ja"]
    assert "Size unknown" not in card["ja"]
