"""Gradio's own words follow the studio's switch (studio/ui/gradio_words.py): its locale through its own
changeLocale, and the words it writes in English whatever the locale rewritten from the catalogue."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from studio.text import t
from studio.ui import gradio_words

CHROMIUM = os.environ.get("STUDIO_BROWSER", "/usr/bin/chromium")
PAGE = """<span class="toast-title error">Error <span>(2)</span></span>
<span class="toast-title info">Info </span>
<button class="reset-button" aria-label="Reset to default value">↺</button>
<button class="icon-button" title="Copy table data" aria-label="Copy table data"></button>
<button title="Clear" aria-label="Clear"></button>
<div class="progress-text"><span>x</span>queue: 1/2 |<span>y</span></div>"""
"""The shapes gradio writes: a toast's title (its type as a class), the slider's ↺, an icon button, a button the
studio leaves alone, and an output's status while its event waits."""
READ = """() => ({
  titles: [...document.querySelectorAll('.toast-title')].map((e) => e.firstChild.data),
  reset: document.querySelector('.reset-button').title + '|' + document.querySelector('.reset-button').ariaLabel,
  copy: document.querySelector('.icon-button').title,
  clear: document.querySelector('[title=Clear]').title,
  status: document.querySelector('.progress-text').childNodes[1].data,
})"""


def test_the_module_that_changes_gradios_locale_is_found_in_the_installed_gradio():
    name = gradio_words.core_module()
    assert name.startswith("core-") and name.endswith(".js")
    assert "as changeLocale" in (gradio_words.ASSETS / name).read_text(encoding="utf-8")
    assert any(gradio_words.ASSETS.glob("ja-*.js"))  # gradio's own Japanese, which the switch selects


def test_every_word_gradio_leaves_in_english_has_japanese():
    words = gradio_words.words()
    assert set(words["en"]) == set(words["ja"])
    assert words["en"]["error"] == "Error" and words["ja"]["error"] == "エラー"
    assert all(words["ja"][k] != words["en"][k] for k in words["en"]), words["ja"]
    # a switch back to English finds the Japanese it wrote
    assert gradio_words.known(gradio_words.TOOLTIPS)["既定値に戻す"] == "gradio_reset"


@pytest.mark.browser
@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian chromium is not installed")
def test_the_switch_rewrites_toasts_tooltips_and_status_both_ways():
    from playwright.sync_api import sync_playwright

    from tests.ui.test_browser import FLAGS

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        page = browser.new_page()
        page.set_content(f"<body>{PAGE}</body>")
        switch = gradio_words.switch_js()
        page.evaluate(f"({switch})('ja')")
        ja = page.evaluate(READ)
        page.evaluate("document.body.insertAdjacentHTML('beforeend', "
                      "'<span class=\"toast-title warning\">Warning </span>')")  # a toast that comes later
        page.wait_for_timeout(200)
        later = page.evaluate("document.querySelector('.toast-title.warning').firstChild.data")
        page.evaluate(f"({switch})('en')")
        en = page.evaluate(READ)
        browser.close()
    assert ja == {"titles": ["エラー ", "お知らせ "], "reset": f"{t('ja', 'gradio_reset')}|既定値に戻す",
                  "copy": "表のデータをコピー", "clear": "Clear", "status": "待機: 1/2 |"}
    assert later == "警告 "
    assert en == {"titles": ["Error ", "Info ", "Warning "], "reset": "Reset to default value|Reset to default value",
                  "copy": "Copy table data", "clear": "Clear", "status": "queue: 1/2 |"}
