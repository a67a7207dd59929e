"""GRPO in a real browser (Debian Chromium, 1366x900): ③ Train with GRPO picked shows the reward table under the
plan, runs on the tiny model from a finished SFT run, draws the reward curve and the table of sampled answers;
Evaluate offers the same-time SFT continuation and measures base, parent and GRPO, with intervals. The SFT
parent is made in the test (a random LoRA): only GRPO trains."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from studio import runs
from studio.train import recipe
from tests.helpers.runs import random_lora_folder
from tests.ui import test_browser
from tests.ui.test_browser import CHROMIUM, settings, shot, tab

pytestmark = [pytest.mark.browser, pytest.mark.slow,
              pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian chromium is not installed")]

app_url, page = test_browser.app_url, test_browser.page  # the same app and browser fixtures, at 1366×900


def _pets(path: Path) -> Path:
    rows = [{"messages": [{"role": "user", "content": f"Pet {i} as JSON"},
                          {"role": "assistant", "content": json.dumps({"n": i % 7})}]} for i in range(24)]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def _parent(model_dir: Path, data: Path, tmp_path: Path) -> runs.Run:
    cfg = recipe.build(str(model_dir), train_path=str(data), overrides={"max_steps": 2, "max_length": 64,
                                                                         "device": "cpu", "dtype": "fp32"})
    run = runs.create(cfg, "pets SFT")
    shutil.copytree(random_lora_folder(model_dir, tmp_path / "lora"), run.adapter_dir)
    run.write_status(state="done", step=2, total_steps=2, train_s=4.0)
    return run


def choose(page, elem_id: str, text: str) -> None:
    """A dropdown that shows a value already: its text cleared, then the choice typed and clicked."""
    box = page.locator(f"#{elem_id} input")
    box.click()
    box.fill("")
    box.press_sequentially(text)
    page.locator("[role=option]", has_text=text).first.click()


def _has(page, elem_id: str, words: str, timeout: int = 60_000) -> None:
    page.wait_for_function(f"document.querySelector('#{elem_id}')?.innerText.includes({words!r})", timeout=timeout)


def test_grpo_with_its_reward_table_its_curve_and_answers_then_evaluate_with_its_parent(page, tiny_model_dir, tmp_path):
    data = _pets(tmp_path / "pets.jsonl")
    parent = _parent(tiny_model_dir, data, tmp_path)
    box = page.locator("#model-pick input")
    box.fill(str(tiny_model_dir))
    box.press("Enter")
    tab(page, "② Data")
    page.get_by_role("tab", name="Upload").click()
    page.locator("#data-upload input[type=file]").set_input_files(str(data))
    _has(page, "data-summary", "24 usable")

    tab(page, "③ Train")
    _has(page, "train-plan", "steps")
    choose(page, "hp-method", "grpo")
    page.get_by_text("Advanced", exact=True).click()
    reward = page.locator("#hp-reward textarea")
    reward.fill("json_parses:1,length:1")
    reward.press("Tab")
    choose(page, "hp-dtype", "fp32")
    settings(page, max_steps=2, batch_size=2, max_length=64, generations=2, max_completion=8, learning_rate=0.001)
    choose(page, "hp-start-from", "pets SFT")
    _has(page, "train-plan", f"--from {parent.id}")
    _has(page, "train-plan", "broken answers")  # the reward table: the chosen rewards' figures
    plan = page.locator("#train-plan").inner_text()
    assert "json_parses" in plan and "--method grpo" in plan and f"--from {parent.id}" in plan
    page.locator("#train-start").click()
    page.wait_for_function("document.querySelector('#train-progress .badge')?.innerText === 'done'",
                           timeout=300_000)
    page.wait_for_timeout(2500)
    assert "mean reward" in page.locator("#loss-chart").inner_text()  # the reward curve on the right axis
    _has(page, "train-completions", "Latest sampled answers")
    assert page.locator("#train-completions tr").count() >= 3  # a head and sampled answers with their scores
    shot(page, "3-train-grpo")
    grpo = next(r for r in runs.all_runs() if r.config().train.method == "grpo")
    assert grpo.status().state == "done" and grpo.config().train.start_from == parent.id

    tab(page, "⑤ Evaluate")  # the same-time continuation is offered (made and measured in tests/rewards/test_grpo.py)
    _has(page, "eval-same-time-note", "Did RL beat simply training longer?")
    assert page.locator("#eval-same-time").is_visible()
    page.locator("label", has_text="Started from (the SFT run)").first.click()
    limit = page.locator("#eval-limit input[type=number]")
    limit.fill("5")
    limit.press("Tab")
    page.locator("#eval-go").click()
    _has(page, "eval-headline", "→", timeout=300_000)
    table = page.locator("#eval-meters").inner_text()
    assert all(column in table for column in ("Base model", "Started from (the SFT run)", "Tuned (LoRA)"))
    assert "% [" in table  # shares with their 95% intervals
    shot(page, "6-evaluate-grpo")
