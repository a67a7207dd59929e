"""The endpoint panels in a real browser (Debian Chromium, 1366x900), one walk: the Model step's Endpoints panel
saves `studio serve` (the tiny model, on a free port of 127.0.0.1, started by the test) and a judge, and tests
one with a one-token call; Compare puts the served model beside base and tuned as the picked endpoint's column,
side by side and in Batch with the task meter; the blind test's judge says its agreement with the votes
recorded on the run, is accepted, writes its votes as DPO pairs, and Batch then measures with it. The judge is a
scripted stand-in that reads the answers (a random tiny model cannot judge); tests/endpoints/test_with_serve.py
asks `studio serve` itself as the judge."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from studio.data import votes
from tests.endpoints.test_with_serve import _answers, _judge_picks, _shown
from tests.helpers.fake_openai import FakeEndpoint
from tests.helpers.runs import fake_run, random_lora_folder
from tests.serve.conftest import model, serving  # noqa: F401 - the tiny model studio serve answers with
from tests.ui import test_browser
from tests.ui.test_browser import CHROMIUM, pick, shot, tab

pytestmark = [pytest.mark.browser, pytest.mark.slow,
              pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian chromium is not installed")]

app_url, page = test_browser.app_url, test_browser.page  # the same app and browser fixtures, at 1366×900


def judge_reply(body: dict) -> str:
    """A judge that hears the answers: on the recorded pairs it picks _judge_picks' column wherever it stands;
    elsewhere (Batch's answers) the longer answer."""
    asked = body["messages"][-1]["content"]
    found = re.search(r"Question (\d+)\?", asked)
    if not found:
        a, b = re.search(r"Answer A:\n(.*)\n\nAnswer B:\n(.*)\n\nReply", asked, re.DOTALL).groups()
        return "A" if len(a) >= len(b) else "B"
    plain_first = asked.index("Plain answer") < asked.index("de gozaru")
    return "A" if (_judge_picks(int(found.group(1))) == "base") == plain_first else "B"


def says(page, selector: str, words: str, timeout: int = 120_000) -> None:
    page.wait_for_function(f"document.querySelector({selector!r})?.innerText.includes({words!r})", timeout=timeout)


def choose(page, elem_id: str, text: str) -> None:
    """Pick an option of a dropdown that already shows another (test_browser.pick types after what is there)."""
    box = page.locator(f"#{elem_id} input")
    box.click()
    box.fill("")
    pick(page, elem_id, text)


def add_endpoint(page, name: str, url: str, model_id: str) -> None:
    for field, value in (("name", name), ("url", url), ("model", model_id)):
        page.locator(f"#endpoint-{field} textarea, #endpoint-{field} input").first.fill(value)
    page.locator("#endpoint-save").click()
    says(page, "#endpoint-status", f"Saved {name}")


def test_endpoints_as_column_batch_and_judge(page, tiny_model_dir, request, monkeypatch, tmp_path):
    lora = random_lora_folder(tiny_model_dir, tmp_path / "lora")
    tiny = request.getfixturevalue("model")
    with serving(tiny_model_dir, tiny, [lora], monkeypatch) as served, FakeEndpoint(reply=judge_reply) as judge:
        run = fake_run(tiny_model_dir, lora, preset="gozaru")  # the newest: Compare opens on it
        for i in range(24):  # the user's blind-test votes on the run
            votes.record(f"Question {i}?", _answers(i), "tuned" if i % 3 else "base", vote_set=run.id,
                         run_id=run.id, order=_shown(i))
        page.locator("#endpoints").click()  # ① Model: the Endpoints panel
        add_endpoint(page, "judge", judge.url, "judge-70b")
        add_endpoint(page, "serve", served.server.url, served.runs[0].id)  # a tuned run, as studio serves it
        page.locator("#endpoint-test").click()  # the one just saved is picked: a one-token call
        says(page, "#endpoint-status", "serve answered in")
        choose(page, "endpoint-pick", "judge")
        page.locator("#endpoint-use").click()  # the judge is the endpoint in use; the column picks serve
        says(page, "#endpoint-status", "now use judge")
        shot(page, "endpoints-model")
        side_by_side(page)
        judged(page)
        batch(page)
        assert len(judge.calls) >= 48  # each recorded pair asked in both orders


def side_by_side(page) -> None:
    tab(page, "④ Compare")
    page.wait_for_function("document.querySelector('#compare-run input').value.length > 0")
    page.locator("#compare-kinds label", has_text="Endpoint (a bigger model)").click()
    choose(page, "compare-endpoint", "serve")
    tokens = page.locator("#compare-tokens input[type=number]")
    tokens.fill("32")
    tokens.press("Tab")
    page.locator("#compare-prompt textarea").fill("Greet guest 1")
    page.locator("#compare-send").click()
    page.wait_for_function("document.querySelector('#col-endpoint .bot')?.innerText.trim().length > 0 && "
                           "document.querySelector('#col-tuned .bot')?.innerText.trim().length > 0")
    page.wait_for_timeout(1500)
    assert not page.locator("#col-endpoint .bot").last.inner_text().startswith("⚠")  # studio serve answered
    shot(page, "endpoints-compare")


def judged(page) -> None:
    page.get_by_role("tab", name="Blind test").click()
    page.locator("#judge").click()
    says(page, "#judge-endpoint", "judge")
    assert "{prompt}" in page.locator("#judge-prompt textarea").input_value()  # the prompt, shown and editable
    page.locator("#judge-go").click()
    says(page, "#judge-report", "on 24 of your 24 decided pairs")
    assert "Cohen's κ" in page.locator("#judge-report").inner_text()
    page.locator("#judge-accept").click()
    says(page, "#judge-accepted", "Accepted for this run: judge")
    page.locator("#judge-export").click()
    page.wait_for_selector("#judge-file a, #judge-file .file-preview", timeout=60_000)
    shot(page, "endpoints-judge")


def batch(page) -> None:
    page.get_by_role("tab", name="Batch").click()
    page.locator("#batch-source label", has_text="My own list").click()
    page.locator("#batch-prompts textarea").fill("Greet guest 1\nGreet guest 2")
    page.locator("#batch-go").click()
    says(page, "#batch-status", "Judge meter (judge)")
    status = page.locator("#batch-status").inner_text()
    assert re.search(r"Judge meter \(judge\): preferred over Base model:.*\bTuned \(LoRA\) \d+% of 2", status), status
    assert re.search(r"style rate.*Endpoint \(a bigger model\) · serve \d+%", status), status
    assert "Endpoint (a bigger model) · serve" in page.locator("#batch-table").inner_text()
    shot(page, "endpoints-batch")
