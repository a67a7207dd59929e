"""A newcomer's walk (issue 31) in a real browser at 1366×900: Start pressed twice asks before a second run, the
run that must wait says whom it waits behind, a DPO run from the blind test's votes has a readable name in the
header, and the blind test asks "which of the 3" under three answers. Workers here never train: the test holds
the device, so the runs it starts stay queued (cheap on a shared machine), and it ends them itself."""
from __future__ import annotations

import contextlib
import os
import signal
from collections.abc import Iterator

import pytest

from studio import runs
from studio.data import votes
from studio.train.locks import device_lock
from tests.helpers.runs import fake_run, random_lora_folder
from tests.ui import test_browser
from tests.ui.test_browser import CHROMIUM, pick, settings, shot, tab

app_url, page = test_browser.app_url, test_browser.page  # the same app and browser fixtures, at 1366×900

pytestmark = [pytest.mark.browser, pytest.mark.slow,
              pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Debian chromium is not installed")]


@contextlib.contextmanager
def device_held() -> Iterator[None]:
    """The device taken, as by a long run: every worker started meanwhile waits, queued; all are ended after."""
    try:
        with device_lock("cpu"):
            yield
    finally:
        for run in runs.all_runs():
            pid = runs.worker_pid(run) if run.status().active else None
            with contextlib.suppress(ProcessLookupError, PermissionError, TypeError):
                os.killpg(pid, signal.SIGKILL)


def says(page, selector: str, words: str, timeout: int = 60_000) -> None:
    page.wait_for_function(f"document.querySelector({selector!r})?.innerText.includes({words!r})", timeout=timeout)


def visible(page, elem_id: str) -> bool:
    return page.locator(f"#{elem_id}").is_visible()


def test_start_pressed_twice_asks_and_a_second_run_waits_saying_behind_whom(page):
    tab(page, "② Data")
    pick(page, "preset-pick", "json")
    page.locator("#use-preset").click()
    page.wait_for_function("document.querySelector('#data-summary').innerText.includes('usable')")
    tab(page, "③ Train")
    page.wait_for_function("document.querySelector('#train-plan').innerText.includes('steps')")
    settings(page, max_steps=2, batch_size=1, max_length=64)
    with device_held():
        page.locator("#train-start").click()
        says(page, "#choice-line", "json · SFT")  # the header names the run as people read it
        first = runs.all_runs()[0]
        assert not visible(page, "train-twin")
        page.locator("#train-start").click()  # the second press: asked, nothing started
        says(page, "#train-twin-text", "already")
        assert "json · SFT" in page.locator("#train-twin-text").inner_text()
        assert [r.id for r in runs.all_runs()] == [first.id]
        page.locator("#train-watch").click()
        page.wait_for_selector("#train-twin", state="hidden")
        says(page, "body", "now watching json · SFT")
        assert [r.id for r in runs.all_runs()] == [first.id]
        # the first run on the device, as a long run a few steps in (the worker waits on the test's lock)
        first.write_status(state="running", step=3, total_steps=10, device="cpu")
        page.locator("#train-start").click()
        says(page, "#train-twin-text", "already running")
        shot(page, "walk-start-twice")
        page.locator("#train-another").click()
        says(page, "#train-progress", "Waiting behind json · SFT (step 3/10) — place 1 in the queue")
        second = [r for r in runs.all_runs() if r.id != first.id]
        assert len(second) == 1 and "loading" not in page.locator("#train-progress").inner_text()
        says(page, "body", "run json · SFT #2 started; it waits behind json · SFT")  # the switch is said
        says(page, "#choice-line", "json · SFT #2")
        assert not visible(page, "train-twin")
        shot(page, "walk-queued")


@pytest.fixture
def voted_run(tiny_model_dir, tmp_path) -> runs.Run:
    """A finished gozaru run of the tiny model with a system prompt (a third column) and two votes cast on it."""
    run = fake_run(tiny_model_dir, random_lora_folder(tiny_model_dir, tmp_path / "lora"), preset="gozaru",
                   system="Answer like a samurai.")
    for prompt in ("Say hi.", "Name a colour."):
        votes.record(prompt, {"base": "hello", "tuned": "Greetings, de gozaru."}, "tuned", vote_set=run.id,
                     run_id=run.id, order=["base", "tuned"])
    return run


def test_the_blind_test_asks_by_count_and_a_dpo_run_on_votes_is_named_in_the_header(voted_run, page):
    tab(page, "④ Compare")
    page.wait_for_function("document.querySelector('#compare-run input').value.startsWith('gozaru · SFT')")
    tokens = page.locator("#compare-tokens input[type=number]")
    tokens.fill("8")
    tokens.press("Tab")
    page.locator("#compare-kinds label", has_text="Base + system prompt").click()
    page.get_by_role("tab", name="Blind test").click()
    page.locator("#blind-prompt textarea").fill("Say hi.")
    page.locator("#blind-go").click()
    says(page, "#blind-reveal", "Which of the 3 answers is best?", timeout=300_000)
    assert page.locator("#vote-C").is_visible() and "two" not in page.locator("#blind-reveal").inner_text()
    shot(page, "walk-blind-three")
    with device_held():
        page.locator("#blind-dpo").click()
        says(page, "#choice-line", "gozaru · DPO on 2 votes")
        says(page, "body", "is now the current run")  # the toast says the current run changed
        tab(page, "③ Train")
        says(page, "#train-progress b", "gozaru · DPO on 2 votes")
        shot(page, "walk-dpo-name")
