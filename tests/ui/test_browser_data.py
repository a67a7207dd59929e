"""Issue 31's Data step in a real browser (Debian Chromium, 1366x900): an identity-style template is named on
arrival (its placeholders, the fix); a new upload replaces the old report without a click; clearing the file
clears its report, the summary and the header's data name."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.helpers import FIXTURES
from tests.ui import test_browser
from tests.ui.test_browser import CHROMIUM, shot, tab

pytestmark = [pytest.mark.browser, pytest.mark.slow,
              pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian chromium is not installed")]
SUMMARY = "document.querySelector('#data-summary').innerText"
HEADER = "document.querySelector('#choice-line').innerText"


app_url, page = test_browser.app_url, test_browser.page  # the same app and browser fixtures, at 1366×900


def upload(page, path: Path) -> None:
    page.locator("#data-upload input[type=file]").set_input_files(str(path))


def summary_has(page, words: str) -> None:
    page.wait_for_function(f"{SUMMARY}.includes({words!r})")


def test_an_identity_template_is_named_on_arrival(page, tmp_path):
    src = tmp_path / "identity.json"
    shutil.copyfile(FIXTURES / "traps" / "identity.json", src)
    tab(page, "② Data")
    page.get_by_role("tab", name="Upload").click()
    upload(page, src)  # no click on the check button: the file is checked as it lands
    summary_has(page, "unfilled template placeholder {{name}} in 14 answer(s)")
    text = page.locator("#data-summary").inner_text()
    assert "20 usable" in text and "replace {{name}} with your model's name" in text
    assert "the same answer to 3 different prompts (15% of the rows" in text
    assert "held out" in text  # the split says where its eval rows come from
    page.wait_for_function("document.querySelector('#data-errors').innerText.includes('{{author}}')")
    page.wait_for_function(f"{HEADER}.includes('identity.json')")
    shot(page, "data-template-warning")


def test_clearing_clears_the_report_and_a_new_upload_is_checked_without_a_click(page, tmp_path):
    """The file widget holds one file: a user takes it away (×) and drops the next. Taking it away clears its
    report, the summary and the header's data name; the next file's report comes without pressing the check."""
    first = tmp_path / "identity.json"
    shutil.copyfile(FIXTURES / "traps" / "identity.json", first)
    second = tmp_path / "plain.jsonl"
    rows = [{"messages": [{"role": "user", "content": f"Question {i}?"},
                          {"role": "assistant", "content": f"Answer {i}."}]} for i in range(7)]
    second.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    tab(page, "② Data")
    page.get_by_role("tab", name="Upload").click()
    upload(page, first)
    summary_has(page, "placeholder {{name}}")
    page.wait_for_function(f"{HEADER}.includes('identity.json')")
    page.wait_for_selector("#data-preview .bot")
    page.locator("#data-upload button[aria-label='Clear']").first.click()
    page.wait_for_function(f"!{SUMMARY}.includes('identity.json') && !{HEADER}.includes('identity.json')")
    assert page.locator("#data-summary").inner_text().strip() == ""
    assert "{{name}}" not in page.locator("#data-errors").inner_text()
    assert page.locator("#data-preview .bot").count() == 0
    shot(page, "data-cleared")
    upload(page, second)  # no click: checked as it lands
    summary_has(page, "plain.jsonl")
    text = page.locator("#data-summary").inner_text()
    assert "7 usable" in text and "identity.json" not in text and "placeholder" not in text
    page.wait_for_function(f"{HEADER}.includes('plain.jsonl')")
    assert "{{name}}" not in page.locator("#data-errors").inner_text()
