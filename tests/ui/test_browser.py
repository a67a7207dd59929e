"""A new user's click-through in a real browser (Debian Chromium driven by Playwright): pick the
model, pick a preset, train a short run, watch the loss chart grow, see it finish, compare base and
tuned. Screenshots of every step go to tests/artifacts/ (and to assets/ with STUDIO_SCREENSHOTS=assets)."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from studio import runs
from tests.helpers import ROOT
from tests.helpers.server import app_server

ART = ROOT / "tests" / "artifacts"
CHROMIUM = os.environ.get("STUDIO_BROWSER", "/usr/bin/chromium")
pytestmark = [pytest.mark.browser, pytest.mark.slow,
              pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian chromium is not installed")]
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", "--no-first-run", "--disable-quic"]


@pytest.fixture
def app_url(studio_home):
    ART.mkdir(parents=True, exist_ok=True)
    with (ART / "app.log").open("w") as log, app_server(home=studio_home, log=log) as port:
        yield f"http://127.0.0.1:{port}/"


@pytest.fixture
def page(app_url):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        pg = browser.new_page(viewport={"width": 1366, "height": 900})
        pg.set_default_timeout(60_000)
        pg.goto(app_url)
        ready(pg)
        yield pg
        browser.close()


def ready(page) -> None:
    """The page drawn and the stored choices restored: a model typed before the restore ends would be reset by
    it (seen under load), so every walk starts here, and again after each reload."""
    page.wait_for_selector("#model-card")
    page.wait_for_function("document.documentElement.dataset.studioReady === '1'", timeout=120_000)


def shot(page, name: str) -> None:
    path = ART / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    if os.environ.get("STUDIO_SCREENSHOTS") == "assets":
        shutil.copyfile(path, ROOT / "assets" / "screenshots" / f"{name}.png")


def pick(page, elem_id: str, text: str) -> None:
    box = page.locator(f"#{elem_id} input")
    box.click()
    box.press_sequentially(text)
    page.locator("[role=option]", has_text=text).first.click()


def settings(page, **values) -> None:
    """Type into the Train step's setting fields, as a user does (each field left with Tab)."""
    for field, value in values.items():
        box = page.locator(f"#hp-{field} input")
        box.fill(str(value))
        box.press("Tab")


def tab(page, name: str) -> None:
    page.get_by_role("tab", name=name).click()
    page.wait_for_timeout(500)


def close_toasts(page) -> None:
    """Close every toast on screen. Toasts also close themselves (gradio's timer), so the list shrinks while we
    click: always take the first one still there, never a stale index."""
    from playwright.sync_api import Error as PlaywrightError

    closes = page.locator(".toast-close")
    for _ in range(20):
        if closes.count() == 0:
            return
        try:
            closes.first.click(timeout=2_000)
        except PlaywrightError:  # it closed itself between the count and the click
            page.wait_for_timeout(200)


def chart_points(page) -> int:
    return page.locator("#loss-chart .scatterlayer .trace").first.locator("path.point").count()


def answer(page, column: str) -> str:
    bots = page.locator(f"#col-{column} .bot")
    return bots.last.inner_text().strip() if bots.count() else ""


def test_new_user_click_through(page):
    (ROOT / "assets" / "screenshots").mkdir(exist_ok=True)
    assert "smollm2-135m" in page.locator("#model-card").inner_text()
    shot(page, "1-model")

    tab(page, "② Data")
    pick(page, "preset-pick", "json")
    page.locator("#use-preset").click()
    page.wait_for_function("document.querySelector('#data-summary').innerText.includes('usable')")
    assert "400 usable" in page.locator("#data-summary").inner_text()
    page.wait_for_selector("#data-preview .bot")
    page.wait_for_function("document.querySelector('#advisor')?.innerText.includes('Advisor') && "
                           "!document.querySelector('#advisor.pending, #advisor .pending')")
    page.wait_for_timeout(1000)  # the outputs fade back in once the event ends
    shot(page, "2-data")

    tab(page, "③ Train")
    page.wait_for_function("document.querySelector('#train-plan').innerText.includes('steps')")
    settings(page, max_steps=4, batch_size=2, max_length=128)
    page.locator("#train-start").click()
    page.wait_for_selector("#loss-chart .scatterlayer .trace path.point", timeout=180_000)
    first = chart_points(page)
    page.wait_for_function("document.querySelector('#train-progress .badge')?.innerText === 'done'",
                           timeout=300_000)
    page.wait_for_timeout(2500)
    assert chart_points(page) > first >= 1  # the chart gained points while we watched
    shot(page, "3-train")

    tab(page, "④ Compare")
    page.wait_for_function("document.querySelector('#compare-run input').value.length > 0")
    page.locator("#compare-prompt textarea").fill("Give me the JSON for: Dirt Racer is a racing game "
                                                  "for PlayStation released in 2019.")
    page.locator("#compare-send").click()
    page.wait_for_function("document.querySelector('#col-base .bot')?.innerText.trim() && "
                           "document.querySelector('#col-tuned .bot')?.innerText.trim()", timeout=300_000)
    early = (answer(page, "base"), answer(page, "tuned"))
    shot(page, "4-compare-streaming")
    last, still = early, 0
    while still < 6:  # done when neither column has changed for 3 s
        page.wait_for_timeout(500)
        now = (answer(page, "base"), answer(page, "tuned"))
        still = still + 1 if now == last else 0
        last = now
    assert all(last) and last != ("", "")
    assert any(len(b) > len(a) for a, b in zip(early, last)) or all(early)  # filled while streaming
    shot(page, "4-compare")
    five_columns(page)
    compare_batch_and_blind(page)
    evaluate(page)

    tab(page, "Runs")
    page.wait_for_selector("#runs-table")
    assert "done" in page.locator("#runs-table").inner_text()
    page.wait_for_function("document.querySelector('#runs-ckpt input')?.value.startsWith('step ')")
    shot(page, "5-runs")
    export_and_import(page)


def five_columns(page) -> None:
    """Issue 15: with the system-prompt, few-shot and RAG columns ticked on a preset without notes, every
    column answers or says in place why it cannot; none silences the others."""
    for label in ("Base + system prompt", "Base + few-shot", "Base + retrieval (RAG)"):
        page.locator("#compare-kinds label", has_text=label).click()
    page.locator("#compare-prompt textarea").fill("Give me the JSON for: Star Farm is a simulation game from 2021.")
    page.locator("#compare-send").click()
    turns = {"base": 2, "tuned": 2, "prompt": 1, "fewshot": 1, "rag": 1}  # base and tuned answered once before
    ready = " && ".join(f"document.querySelectorAll('#col-{k} .bot').length >= {n}" for k, n in turns.items())
    page.wait_for_function(ready, timeout=300_000)
    page.wait_for_timeout(3000)
    shot(page, "4-compare-five")
    for k in ("base", "tuned", "prompt", "fewshot", "rag"):
        assert answer(page, k), k  # an answer, or '⚠ why' in that column
        page.locator(f"#col-{k}").evaluate("e => e.scrollTo(0, 0)")
        label = page.locator(f"#col-{k} label[data-testid=block-label]").bounding_box()
        messages = page.locator(f"#col-{k} .bubble-wrap").bounding_box()
        assert label["y"] + label["height"] <= messages["y"] + 1, k  # the label never covers the messages
    for label in ("Base + system prompt", "Base + few-shot", "Base + retrieval (RAG)"):
        page.locator("#compare-kinds label", has_text=label).click()  # back to base and tuned


def compare_batch_and_blind(page) -> None:
    """Compare's batch table fills every prompt x column with a meter line; a blind vote reveals the
    names and counts in the win rates."""
    tokens = page.locator("#compare-tokens input[type=number]")
    tokens.fill("32")
    tokens.press("Tab")
    page.get_by_role("tab", name="Batch").click()
    page.locator("#batch-source label", has_text="My own list").click()
    page.locator("#batch-prompts textarea").fill("Say hi.\nName a colour.")
    page.locator("#batch-go").click()
    page.wait_for_function("document.querySelector('#batch-status')?.innerText.includes('answers in')",
                           timeout=300_000)
    table = page.locator("#batch-table").inner_text()
    assert "Say hi." in table and "Name a colour." in table and "…" not in table
    assert "Tuned (LoRA)" in table and "%" in page.locator("#batch-status").inner_text()  # the meter
    shot(page, "4-compare-batch")
    page.get_by_role("tab", name="Blind test").click()
    page.locator("#blind-prompt textarea").fill("Say hi.")
    page.locator("#blind-go").click()
    page.wait_for_function("document.querySelector('#blind-reveal')?.innerText.includes('better')",
                           timeout=300_000)
    page.locator("#vote-A").click()
    page.wait_for_function("document.querySelector('#blind-reveal')?.innerText.includes('A was')")
    assert "100%" in page.locator("#blind-rates").inner_text()
    shot(page, "4-compare-blind")
    dpo_on_the_vote(page)


def dpo_on_the_vote(page) -> None:
    """The loop closes: the vote just cast trains a DPO run on top of the tuned run, shown in ③ Train with
    its reward curve; Evaluate then measures that run (base, the SFT it started from, DPO) on the SFT's rows."""
    before = page.locator("#compare-run input").input_value()
    page.locator("#blind-dpo").click()
    page.wait_for_function("document.body.innerText.includes('DPO run')", timeout=60_000)  # the toast
    tab(page, "③ Train")
    page.wait_for_function("document.querySelector('#train-progress .badge')?.innerText === 'done'",
                           timeout=300_000)
    page.wait_for_timeout(2500)
    run_id = page.locator("#train-progress b").inner_text()
    assert run_id != before and "prefer" not in run_id
    legend = page.locator("#loss-chart").inner_text()
    assert "reward margin" in legend
    shot(page, "3-train-dpo")
    tab(page, "④ Compare")


def evaluate(page) -> None:
    """The Evaluate tab measures base -> tuned on held-out rows: a headline and a meters table."""
    tab(page, "⑤ Evaluate")
    page.wait_for_function("document.querySelector('#eval-run input').value.length > 0")
    limit = page.locator("#eval-limit input[type=number]")
    limit.fill("5")
    limit.press("Tab")
    page.locator("#eval-go").click()
    page.wait_for_function("document.querySelector('#eval-headline')?.innerText.includes('→')",
                           timeout=300_000)
    table = page.locator("#eval-meters").inner_text()
    assert "Base model" in table and "Tuned (LoRA)" in table and "%" in table
    page.wait_for_function("!document.querySelector('#eval-meters .pending, #eval-meters.pending')")
    page.wait_for_timeout(1000)  # the outputs fade back in once the event ends
    shot(page, "6-evaluate")
    timeline(page)


def timeline(page) -> None:
    """Issue 15 (broke): the checkpoint timeline measures base and every checkpoint and draws them; it used to
    end in "'TimelinePoint' object has no attribute 'primary'"."""
    page.get_by_text("Checkpoint timeline").click()
    limit = page.locator("#timeline-limit input[type=number]")
    limit.fill("5")
    limit.press("Tab")
    page.locator("#timeline-go").click()
    page.wait_for_function("document.querySelector('#timeline-best')?.innerText.includes('checkpoint-')",
                           timeout=300_000)
    # plotly draws a moment after the text; a bar at 0% has no shape, so count the steps on the axis
    page.wait_for_function("document.querySelector('#timeline-plot .gtitle')?.textContent.includes('best checkpoint-')")
    assert page.locator("#timeline-plot .barlayer .trace").count() == 1
    assert page.locator("#timeline-plot .xtick").count() >= 2  # base (step 0) and at least one checkpoint
    assert "Error" not in page.locator("#timeline-plot").inner_text()
    page.wait_for_timeout(1000)
    shot(page, "6-evaluate-timeline")


def export_and_import(page) -> None:
    """Export: download the adapter zip, save a merged model and a q8_0 GGUF, read the card, then upload the
    downloaded zip again: it comes back as a new run, checked against the chosen base."""
    tab(page, "Export")
    page.wait_for_function("document.querySelector('#export-run input').value.length > 0")
    label = page.locator("#export-run input").input_value()  # a picker shows a run's title and date
    run_id = next(run.id for run in runs.all_runs() if run.label() == label)
    page.locator("#export-zip-go").click()
    link = page.locator("#export-zip-file a[download]").first
    link.wait_for(timeout=120_000)
    assert f"{run_id}-adapter" in page.locator("#export-zip-file").inner_text()
    with page.expect_download() as got:
        link.click()
    zip_path = ART / "downloaded-adapter.zip"
    got.value.save_as(zip_path)
    assert zip_path.stat().st_size > 10_000
    page.locator("#export-merged-go").click()
    page.wait_for_function("document.querySelector('#export-merged-info')?.innerText.includes('from_pretrained')",
                           timeout=300_000)
    page.locator("#export-gguf-type label", has_text="q8_0").click()
    page.locator("#export-gguf-go").click()  # the GGUF and its Modelfile, with the commands that run them
    page.wait_for_function("document.querySelector('#export-gguf-info')?.innerText.includes('ollama create')",
                           timeout=300_000)
    files = page.locator("#export-gguf-files").inner_text()  # the name and its extension on two lines
    assert run_id in files and ".gguf" in files and "Modelfile" in files and "MB" in files
    page.get_by_text("Model card (what the zip").click()
    page.wait_for_function("document.querySelector('#export-card')?.innerText.includes('Training configuration')")
    page.locator("#export-import input[type=file]").set_input_files(str(zip_path))
    page.wait_for_function("document.querySelector('#export-import-info')?.innerText.includes('Imported as run')",
                           timeout=120_000)
    assert page.locator("#export-run input").input_value() not in ("", label)  # the import is now current
    imported = page.locator("#export-run input").input_value()
    close_toasts(page)
    page.wait_for_timeout(1000)
    shot(page, "7-export")
    tab(page, "④ Compare")  # the imported adapter is the current run there, and it answers
    page.wait_for_function(f"document.querySelector('#compare-run input').value === {imported!r}")
    page.get_by_role("tab", name="Side by side").click()  # the blind test was the last mode used
    page.locator("#compare-prompt textarea").fill("Say hi.")
    page.locator("#compare-send").click()
    page.wait_for_function("document.querySelector('#col-tuned .bot')?.innerText.trim()", timeout=300_000)


def test_no_request_leaves_the_studio(app_url):
    """Offline and private (issue 15): the app and every tab ask nothing of any host but the studio's own —
    no web font, no CDN — so the page loads offline and tells no third party who uses it."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        page = browser.new_page(viewport={"width": 1366, "height": 900})
        seen: list[str] = []
        page.on("request", lambda request: seen.append(request.url))
        page.goto(app_url)
        ready(page)
        for name in ("② Data", "③ Train", "④ Compare", "⑤ Evaluate", "Runs", "Export"):
            tab(page, name)
        page.wait_for_timeout(1500)
        browser.close()
    assert len(seen) > 10  # the page did load its own assets
    assert [url for url in seen if not url.startswith(app_url)] == []


def test_train_settings_survive_a_reload(page):
    """Issue 15: Max steps 20 stayed 20 after a reload (it used to come back as the suggestion, -1, and Start
    would have run the epochs)."""
    tab(page, "② Data")
    pick(page, "preset-pick", "json")
    page.locator("#use-preset").click()
    page.wait_for_function("document.querySelector('#data-summary').innerText.includes('usable')")
    tab(page, "③ Train")
    page.wait_for_function("document.querySelector('#train-plan').innerText.includes('steps')")
    box = page.locator("#hp-max_steps input")
    box.fill("20")
    box.press("Tab")
    page.wait_for_function("document.querySelector('#train-plan').innerText.includes('20 steps')")
    page.wait_for_timeout(1500)  # the browser stores the state
    page.reload()
    ready(page)
    tab(page, "③ Train")
    page.wait_for_function("document.querySelector('#train-plan').innerText.includes('steps')")
    page.wait_for_timeout(1500)
    assert page.locator("#hp-max_steps input").input_value() == "20"
    assert "20 steps" in page.locator("#train-plan").inner_text()


ALLOWED = {"Katachi", "Studio", "English", "RAG", "Few-shot", "Hub", "Hugging", "Face", "LoRA", "QLoRA", "SFT", "DPO",
           "KTO", "sft", "dpo", "kto", "JSON", "SQL", "CSV", "TSV", "RAM", "CPU", "GPU", "CUDA", "ChatML", "GGUF",
           "PEFT", "peft", "Ollama", "Modelfile", "README", "TOKEN", "auto", "zip", "bit", "smollm", "gemma", "Qwen",
           "bitsandbytes", "Gradio", "OpenAI", "API", "LangChain", "curl", "Python", "GRPO", "grpo", "NAME", "WEIGHT"}
"""Proper names, acronyms, setting values and file types: the same words in Japanese text. gradio's own words
(the upload widget, a table's drop zone, the footer, toasts, tooltips) are not among them: they follow the
studio's switch too."""
SHOWN = """() => {
  const seen = (e) => e.offsetParent !== null;
  let text = document.body.innerText;
  for (const e of document.querySelectorAll('pre, code')) text = text.split(e.innerText).join(' ');
  const tips = [...document.querySelectorAll('button[title], .reset-button')].filter(seen)
    .map((e) => (e.getAttribute('title') || '') + ' ' + (e.getAttribute('aria-label') || ''));
  return [text, ...tips].join('\\n');
}"""
"""What a user reads: the page's text without code (a chat template or a command line is code, not words),
and the buttons' tooltips."""


TEXT_OF = """(sel) => [...document.querySelectorAll(sel)].map((e) => {
  const copy = e.cloneNode(true);
  copy.querySelectorAll('pre, code').forEach((c) => c.remove());
  return copy.innerText;
}).join('\\n')"""
"""The text of the elements sel finds, without their code."""


def english_words(text: str) -> list[str]:
    import re

    text = re.sub(r"\S*[._/=]\S*", "", text)  # file names, model ids, paths, key=value: identifiers, not words
    return [word for word in re.findall(r"[A-Za-z][A-Za-z'-]{2,}", text) if word not in ALLOWED]


def test_japanese_mode_leaves_no_english_outside_the_allow_list(page, tmp_path):
    """Issue 15: every string the studio writes follows the language switch, on every tab; issue 31: gradio's
    own words too (the upload widget, toasts, tooltips), a JSON error's cause, a preset's and a task's names."""
    page.get_by_text("日本語").click()
    page.wait_for_function("document.documentElement.lang === 'ja'")  # gradio's locale follows the switch
    page.wait_for_timeout(1500)
    found: dict[str, str] = {}
    for name in ("① モデル", "② データ", "③ 学習", "④ 比較", "⑤ 評価", "実行履歴", "書き出し"):
        tab(page, name)
        page.wait_for_timeout(800)
        for word in english_words(page.evaluate(SHOWN)):
            found.setdefault(word, name)
    for where, text in japanese_data_step(page, tmp_path):
        for word in english_words(text):
            found.setdefault(word, where)
    assert found == {}, found


def japanese_data_step(page, tmp_path) -> list[tuple[str, str]]:
    """The Data step met in Japanese: an error, a warning and an info toast, the upload widget, a file whose
    bad JSON line is said with its cause, and a preset with its task. (where, text shown) for the scan: the
    toasts, the widget and the summaries, not the rows (the data and the model's template are not the UI's)."""
    import json

    shown = []
    page.set_default_timeout(180_000)  # each check loads a tokenizer: slow on a busy 2-core machine

    def toasts(kind: str) -> None:
        page.wait_for_selector(f".toast-body.{kind}")
        page.wait_for_timeout(500)  # the title is rewritten on the next frame
        shown.append((f"toast: {kind}", page.evaluate(TEXT_OF, ".toast-body")))
        close_toasts(page)

    tab(page, "② データ")
    # the tabs' own events first: two first imports of transformers at once can fail (its lazy module)
    page.wait_for_function("!document.querySelector('.pending, .progress-text')")
    page.locator("#use-preset").click()  # no preset chosen: an error
    toasts("error")
    page.get_by_role("tab", name="アップロード").click()
    page.wait_for_timeout(500)
    shown.append(("upload widget", page.evaluate(SHOWN)))
    calls = [{"id": "c1", "type": "function", "function": {"name": "get_weather",
                                                           "arguments": json.dumps(json.dumps({"都市": "パリ"}))}}]
    row = {"messages": [{"role": "user", "content": "パリの天気は？"}, {"role": "assistant", "tool_calls": calls},
                        {"role": "tool", "tool_call_id": "c1", "content": "18℃、晴れ"},
                        {"role": "assistant", "content": "パリは 18℃ で晴れです。"}]}
    bad = tmp_path / "壊れた行.jsonl"
    bad.write_text('{"messages": }\n' + json.dumps(row, ensure_ascii=False) + "\n", encoding="utf-8")
    page.locator("#data-upload input[type=file]").set_input_files(str(bad))
    page.wait_for_function("document.querySelector('#data-upload').innerText.includes('壊れた行')")  # uploaded
    page.wait_for_timeout(1000)
    page.wait_for_function("!document.querySelector('.pending, .progress-text')")
    close_toasts(page)  # a check on arrival may have spoken already
    page.locator("#use-file").click()  # nothing usable: a warning, and the problems in the summary
    toasts("warning")
    page.wait_for_function("document.querySelector('#data-summary').innerText.includes('列目の JSON')")
    summary = page.locator("#data-summary").inner_text()
    shown.append(("JSON error", next(line for line in summary.splitlines() if "列目の JSON" in line)))
    page.locator("#fix-twice").click()  # the twice-encoded arguments decoded: an info
    toasts("info")
    page.get_by_role("tab", name="プリセット").click()
    pick(page, "preset-pick", "gozaru")
    page.locator("#use-preset").click()
    page.wait_for_function("document.querySelector('#data-summary').innerText.includes('ござる口調')")
    page.wait_for_function("document.querySelector('#choice-line').innerText.includes('ござる口調')")
    named = [page.locator(f"#{e}").inner_text() for e in ("choice-line", "data-summary")]
    blurb = page.locator("#preset-blurb").inner_text()
    assert all("preset" not in text for text in named) and "style" not in blurb, (named, blurb)  # code or not
    shown.append(("preset", page.evaluate(TEXT_OF, "#choice-line, #data-summary, #preset-blurb")))
    return shown


PAINTS = """
window.__paints = [];
const look = () => {
  const app = document.querySelector('gradio-app');
  const tabs = [...document.querySelectorAll('[role=tab]')].map(e => e.innerText.trim()).join('|');
  if (app && tabs && getComputedStyle(app).visibility === 'visible') window.__paints.push(tabs);
  if (window.__paints.length < 400) setTimeout(look, 25);
};
look();
"""
"""Runs in the page before its own scripts: every 25 ms, the tab names a user can see (none while veiled)."""


def test_a_reload_in_japanese_never_paints_english(page):
    """Issue 15: after a reload in Japanese the page used to be English for seconds before switching; now it
    stays veiled behind a Japanese line until the labels have switched."""
    page.get_by_text("日本語").click()
    page.wait_for_function("document.body.innerText.includes('① モデル')")
    page.wait_for_timeout(1500)  # the browser stores the state
    page.add_init_script(PAINTS)
    page.reload()
    page.wait_for_function("window.__paints && window.__paints.some(p => p.includes('① モデル'))", timeout=30_000)
    page.wait_for_timeout(1000)
    paints = page.evaluate("window.__paints")
    assert paints and all("① モデル" in p and "① Model" not in p for p in paints), paints[:3]
    page.get_by_text("English").click()
    page.wait_for_function("document.body.innerText.includes('① Model')")
    page.wait_for_timeout(1500)
    page.reload()
    ready(page)
    assert page.evaluate("document.documentElement.dataset.studioVeil") is None  # English: no veil at all
    assert page.get_by_role("tab", name="① Model").is_visible()


def test_the_facts_lab_panel_runs_the_experiment_and_keeps_it_after_a_reload(page, studio_home):
    """Issue 19: the facts lab from Evaluate, cut short (2 steps, one greedy-free sample, the text variant):
    progress, the chart with intervals, the verdict, the shares; after a reload the result is still there."""
    tab(page, "⑤ Evaluate")
    page.locator("#facts-panel").get_by_text("Facts lab").first.click()
    taken = ("document.querySelector('#facts-steps input').value === '2'"
             " && document.querySelector('#facts-samples input').value === '1'"
             " && [...document.querySelectorAll('#facts-variants input:checked')].length === 1")
    for _ in range(5):  # in a full run a setting once did not take (the lab then ran ~5x longer): set until it holds
        for field, value in (("steps", "2"), ("samples", "1")):
            box = page.locator(f"#facts-{field} input")
            box.fill(value)
            box.press("Tab")
        qa = page.locator("#facts-variants label", has_text="qa").first
        if qa.locator("input").is_checked():
            qa.click()  # text alone: the article's setup
        page.wait_for_timeout(1000)
        if page.evaluate(f"() => {taken}"):
            break
    assert page.evaluate(f"() => {taken}"), "the facts lab's settings did not take"
    page.wait_for_timeout(500)  # the last change event reaches the server before the click's
    page.locator("#facts-go").click()
    page.wait_for_function("document.querySelector('#facts-verdict')?.innerText.includes('replacements')",
                           timeout=900_000)
    verdict = page.locator("#facts-verdict").inner_text()
    assert "Romeo → Bob: 310 replacements, 0 of the old name left" in verdict and "Tuned: text" in verdict
    page.wait_for_selector("#facts-plot .barlayer .trace")  # plotly draws a moment after the text
    assert page.locator("#facts-plot .barlayer .trace").count() == 4  # base, text, prompt, retrieval
    assert page.locator("#facts-plot path.yerror").count() > 0  # every share has its interval
    assert "Tuned: text" in page.locator("#facts-shares").inner_text()
    assert "still right" in page.locator("#facts-cost").inner_text()
    import json

    saved = json.loads(next((studio_home / "facts").glob("*/result.json")).read_text())
    assert saved["settings"]["max_steps"] == 2 and saved["settings"]["samples"] == 1  # what the panel said ran
    assert [c["key"] for c in saved["columns"]] == ["base", "text", "prompt", "rag"]
    assert saved["collateral"]["base_right"]["k"] >= 50  # the general set is one smollm2-135m answers
    rag = next(e for e in saved["examples"] if e["kind"] == "paraphrase")["answers"]
    assert rag["rag"] != rag["base"]  # the columns' prompts really differ
    shot(page, "6-facts-lab-test")
    page.reload()
    ready(page)
    tab(page, "⑤ Evaluate")
    page.locator("#facts-panel").get_by_text("Facts lab").first.click()
    page.wait_for_function("document.querySelector('#facts-verdict')?.innerText.includes('310 replacements')")


def test_a_mapped_csv_trains_on_the_rows_the_data_step_counted(page, studio_home, tmp_path):
    """Issue 29: a CSV whose columns the user maps (prompt=ask, response=better) trains on exactly the rows the
    Data step counted, read through that mapping; the shell line carries it (--map)."""
    import csv
    import json

    from studio import runs
    from studio.train.data import load_rows

    src = tmp_path / "table.csv"
    with src.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["ask", "answer", "better"])
        w.writerows([f"Question {i}?", f"plain answer {i}", f"a better answer {i}"] for i in range(30))
    tab(page, "② Data")
    page.get_by_role("tab", name="Upload").click()
    page.locator("#data-upload input[type=file]").set_input_files(str(src))
    page.locator("#data-mapping textarea").fill("prompt=ask,response=better")
    page.locator("#use-file").click()  # after the check on arrival (no mapping: the columns are not guessed)
    page.wait_for_function("document.querySelector('#data-summary').innerText.includes('30 usable')")
    tab(page, "③ Train")
    page.wait_for_function("document.querySelector('#train-plan').innerText.includes('--map')")
    settings(page, max_steps=2, batch_size=2, max_length=64)
    page.wait_for_function("document.querySelector('#train-plan').innerText.includes('--max-steps 2')")
    line = page.locator("#train-plan").inner_text()
    assert "--map prompt=ask,response=better" in line
    page.locator("#train-start").click()
    page.wait_for_function("document.querySelector('#train-progress .badge')?.innerText === 'done'",
                           timeout=300_000)
    run = runs.all_runs()[0]
    st = json.loads((run.path / "status.json").read_text())
    assert st["state"] == "done" and st["rows"]["usable"] == 30 == st["rows"]["train"] + st["rows"]["eval"]
    assert run.config().data.mapping == {"prompt": "ask", "response": "better"}
    train, held = load_rows(run.config())  # what the worker read, through the same mapping
    assert len(train) == st["rows"]["trained"] and len(train) + len(held) == 30
    assert all(r["messages"][-1]["content"].startswith("a better answer") for r in train + held)


def test_japanese_mode_says_the_errors_in_japanese(page, tmp_path):
    """A config error, an upload error, a model-load error and an export error, each met in the Japanese UI,
    are said in Japanese (their words come from studio/text/errors_ja.py)."""
    page.get_by_text("日本語").click()
    page.wait_for_timeout(2000)

    def says(words: str) -> None:
        page.wait_for_function(f"document.body.innerText.includes({words!r})", timeout=60_000)
        close_toasts(page)

    box = page.locator("#model-pick input")  # a model folder that is not there: the card says so
    box.fill(str(tmp_path / "no-such-model"))
    box.press("Enter")
    says("が存在しないか、読み込めません")
    box.fill("")
    pick(page, "model-pick", "smollm2-135m")

    tab(page, "② データ")  # an empty upload
    page.get_by_role("tab", name="アップロード").click()
    empty = tmp_path / "empty.jsonl"
    empty.write_text("")
    page.locator("#data-upload input[type=file]").set_input_files(str(empty))
    page.locator("#use-file").click()
    says("ファイルが空です")
    page.get_by_role("tab", name="プリセット").click()
    pick(page, "preset-pick", "json")
    page.locator("#use-preset").click()
    page.wait_for_function("document.querySelector('#data-summary').innerText.includes('400')")

    tab(page, "③ 学習")  # a setting out of range
    page.wait_for_function("document.querySelector('#train-plan').innerText.includes('ステップ')")
    settings(page, batch_size=0)
    page.locator("#train-start").click()
    says("1〜1024 の整数にしてください")

    tab(page, "書き出し")  # an adapter "zip" that is not one: taken as loose files, it lacks the adapter's own
    bad = tmp_path / "adapter.zip"
    bad.write_bytes(b"not a zip at all")
    page.locator("#export-import input[type=file]").set_input_files(str(bad))
    says("アップロードに adapter_config.json と adapter_model.safetensors がありません")
