"""A newcomer's walk through Evaluate and Compare in a real browser (Debian Chromium, 1366x900): a measurement
keeps going and shows its progress across a tab change, and its result after a reload; a run too short to judge
says so, and its Continue button trains it on. Run folders are made in the test (no training first)."""
from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import pytest

from studio import runs
from studio.train import recipe
from tests.helpers.runs import random_lora_folder, wait_for
from tests.ui import test_browser
from tests.ui.test_browser import CHROMIUM, tab

pytestmark = [pytest.mark.browser, pytest.mark.slow,
              pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian chromium is not installed")]


app_url, page = test_browser.app_url, test_browser.page  # the same app and browser fixtures, at 1366×900


FILLER = "The quick brown fox jumps over the lazy dog, and thou art more lovely. " * 5


def _rows(path: Path, ids: range) -> Path:
    rows = [{"messages": [{"role": "user", "content": f"Greet guest {i}"},
                          {"role": "assistant", "content": f"Good morrow, guest {i}! {FILLER}"}]} for i in ids]
    path.write_text("\n".join(json.dumps(r) for r in rows), encoding="utf-8")
    return path


def long_answers_run(model_dir: Path, tmp_path: Path) -> runs.Run:
    """A finished run of the tiny model whose gold answers are long: its (random) answers run to a ~200 token
    budget, so measuring 10 rows takes long enough (10-40 s on a 2-core CPU) to leave the tab meanwhile."""
    cfg = recipe.build(str(model_dir), train_path=str(_rows(tmp_path / "train.jsonl", range(20))),
                       eval_path=str(_rows(tmp_path / "eval.jsonl", range(100, 140))),
                       overrides={"max_length": 512, "device": "cpu", "dtype": "fp32"})
    run = runs.create(cfg)
    shutil.copytree(random_lora_folder(model_dir, tmp_path / "lora"), run.adapter_dir)
    run.write_status(state="done", step=10, total_steps=10)
    return run


def short_run(model_dir: Path, data: Path, tmp_path: Path) -> runs.Run:
    """A finished run of 2 steps where its data takes 6 an epoch and 18 usually (3 epochs of 43 rows at 8)."""
    cfg = recipe.build(str(model_dir), train_path=str(data), overrides={
        "max_steps": 2, "batch_size": 8, "epochs": 3, "max_length": 64, "device": "cpu", "dtype": "fp32",
        "learning_rate": 3e-3})
    run = runs.create(cfg)
    shutil.copytree(random_lora_folder(model_dir, tmp_path / "lora"), run.adapter_dir)
    run.write_status(state="done", step=2, total_steps=2, rows={"trained": 43})
    return run


def headline(page) -> str:
    return page.locator("#eval-headline").inner_text()


def test_a_measurement_survives_a_tab_change_and_a_reload(page, tiny_model_dir, tmp_path):
    run = long_answers_run(tiny_model_dir, tmp_path)
    tab(page, "⑤ Evaluate")
    page.wait_for_function("document.querySelector('#eval-run input').value.length > 0")
    limit = page.locator("#eval-limit input[type=number]")
    limit.fill("10")
    limit.press("Tab")
    page.locator("#eval-go").click()
    page.wait_for_function("document.querySelector('#eval-headline')?.innerText.includes('Measuring')")
    tab(page, "④ Compare")
    tab(page, "⑤ Evaluate")
    assert "Measuring" in headline(page)  # the job went on without the page, and says how far it is
    page.wait_for_function("document.querySelector('#eval-headline')?.innerText.includes('→')", timeout=180_000)
    table = page.locator("#eval-meters").inner_text()
    assert "Tuned (LoRA)" in table and "%" in table and "Measuring" not in headline(page)
    job = json.loads((run.path / "eval" / "job.json").read_text(encoding="utf-8"))
    assert job["state"] == "done" and job["limit"] == 10
    page.reload()
    test_browser.ready(page)
    tab(page, "⑤ Evaluate")
    page.wait_for_function("document.querySelector('#eval-headline')?.innerText.includes('last measurement')")
    assert "→" in headline(page) and "%" in page.locator("#eval-meters").inner_text()


def test_a_short_run_says_so_and_continue_trains_it_on_from_its_adapter(page, tiny_model_dir, tiny_data, tmp_path):
    run = short_run(tiny_model_dir, tiny_data, tmp_path)
    tab(page, "⑤ Evaluate")  # Evaluate says it too, beside its picker
    page.wait_for_function("document.querySelector('#eval-short')?.innerText.includes('Too early to judge')")
    tab(page, "④ Compare")
    page.wait_for_function("document.querySelector('#compare-short')?.innerText.includes('Too early to judge')")
    note = page.locator("#compare-short").inner_text()
    assert "2 of the ~18 steps its data usually takes (0.33 epoch)" in note and "16 more steps" in note
    page.locator("#compare-continue").click()
    page.wait_for_function("document.querySelector('[role=tab][aria-selected=true]')?.innerText.includes('Train')")
    t0 = time.time()
    while not (found := [r for r in runs.all_runs() if r.config().train.start_from == run.id]):
        assert time.time() - t0 < 30, "no run continues the short one"
        time.sleep(0.2)
    new = found[0]
    assert new.config().train.max_steps == 16 and new.config().data.train_path == str(tiny_data)
    st = wait_for(new, lambda s: not s.active, timeout=240)
    assert st.state == "done" and st.step == 16, new.log_tail()
    assert f"continuing the adapter of run {run.id}" in new.log_tail(200)
    page.wait_for_function("document.querySelector('#train-progress .badge')?.innerText === 'done'",
                           timeout=60_000)
    tab(page, "④ Compare")  # the current run is now the continued one: long enough, so no note
    page.wait_for_function("document.querySelector('#compare-run input')?.value.includes('tiny-more')")
    page.wait_for_timeout(1500)
    assert "Too early" not in page.locator("#compare-short").inner_text()
    assert not page.locator("#compare-continue").is_visible()
