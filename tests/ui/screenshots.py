"""The README's screenshots, from finished preset runs rather than a 4-step test run:

    STUDIO_HOME=/tmp/shots .venv/bin/python -m tests.ui.screenshots [--train]

With --train it first trains the `json` preset on smollm2-135m at the preset's own settings (about 6 minutes
on a 2-core CPU) and runs the facts lab at its defaults (about 15), unless the data home already holds
them. Then it opens the app in headless Chromium at 1366x900 and walks every tab in English, then in
Japanese, writing assets/screenshots/*.png and assets/screenshots/ja/*.png. The facts lab panel shows the
newest lab of the data home (it reloads it from disk)."""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

from tests.helpers import ROOT
from tests.helpers.server import app_server
from tests.ui.test_browser import ready

OUT = ROOT / "assets" / "screenshots"
CHROMIUM = os.environ.get("STUDIO_BROWSER", "/usr/bin/chromium")
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]
PROMPT = "Give me the JSON for: Dirt Racer is a racing game for PlayStation released in 2019."
WORDS = {
    "en": {"tabs": ["① Model", "② Data", "③ Train", "④ Compare", "⑤ Evaluate", "Runs", "Export"],
           "batch": "Batch", "side": "Side by side", "facts": "Facts lab"},
    "ja": {"tabs": ["① モデル", "② データ", "③ 学習", "④ 比較", "⑤ 評価", "実行履歴", "書き出し"],
           "batch": "一括", "side": "並べて比較", "facts": "事実ラボ"},
}


def studio(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "studio", *args], cwd=ROOT, check=True)


def prepare(home: Path) -> None:
    runs = home / "runs"
    if not any(runs.glob("*json*/adapter/adapter_config.json")):
        studio("train", "--preset", "json")
    if not any((home / "facts").glob("*/result.json")):
        studio("facts-lab")


BUSY = ("!document.body.innerText.includes('processing |') && "
        "!document.querySelector('.eta-bar, .progress-text, .progress-bar')")
"""No event of the page is running: a screenshot shows results, not spinners."""


class Walk:
    def __init__(self, page, lang: str, out: Path):
        self.page, self.lang, self.out, self.w = page, lang, out, WORDS[lang]
        out.mkdir(parents=True, exist_ok=True)

    def shot(self, name: str) -> None:
        self.page.wait_for_function(BUSY, timeout=900_000)
        self.page.wait_for_timeout(1200)  # outputs fade back in once an event ends
        self.page.screenshot(path=str(self.out / f"{name}.png"), full_page=True)

    def tab(self, i: int) -> None:
        self.page.get_by_role("tab", name=self.w["tabs"][i]).click()
        self.page.wait_for_timeout(800)

    def settle(self, selector: str) -> None:
        """Wait until the streamed answers have not changed for 3 s."""
        last, still = None, 0
        while still < 6:
            self.page.wait_for_timeout(500)
            now = self.page.evaluate(f"[...document.querySelectorAll('{selector}')].map(e => e.innerText).join()")
            still, last = (still + 1 if now == last else 0), now

    def idle(self, selector: str, timeout: int = 600_000) -> None:
        self.page.wait_for_function(f"!document.querySelector('{selector} .pending, {selector}.pending')",
                                    timeout=timeout)

    def model_and_data(self) -> None:
        self.shot("1-model")
        self.tab(1)
        box = self.page.locator("#preset-pick input")
        box.click()
        box.fill("")  # a reload keeps the last choice in the box
        box.press_sequentially("json")
        self.page.locator("[role=option]", has_text="json").first.click()
        self.page.locator("#use-preset").click()
        self.page.wait_for_function("document.querySelector('#data-summary').innerText.length > 20")
        self.page.wait_for_selector("#data-preview .bot")
        self.idle("#advisor")
        self.shot("2-data")

    def train_and_compare(self, run_id: str) -> None:
        self.tab(5)  # Runs: open the finished json run; it becomes the current run everywhere
        self.shot("5-runs")
        self.tab(2)
        self.page.wait_for_selector("#loss-chart .scatterlayer .trace path.point", timeout=120_000)
        self.shot("3-train")
        self.tab(3)
        self.page.locator("#compare-prompt textarea").fill(PROMPT)
        self.page.locator("#compare-send").click()
        self.page.wait_for_function("document.querySelector('#col-tuned .bot')?.innerText.trim()", timeout=300_000)
        self.settle("#col-base .bot, #col-tuned .bot")
        self.shot("4-compare")
        self.page.get_by_role("tab", name=self.w["batch"]).click()
        self.page.locator("#batch-go").click()
        self.page.wait_for_function("document.querySelector('#batch-status')?.innerText.includes('%')",
                                    timeout=900_000)
        self.shot("4-compare-batch")
        self.page.get_by_role("tab", name=self.w["side"]).click()

    def evaluate(self) -> None:
        self.tab(4)
        self.page.wait_for_function("document.querySelector('#eval-run input').value.length > 0")
        self.page.locator("#eval-go").click()
        self.page.wait_for_timeout(2000)
        # Measure is a job the app owns: its headline shows ⏳ while it runs, then the result (base → tuned)
        self.page.wait_for_function("(h => h.includes('→') && !h.includes('⏳'))"
                                    "(document.querySelector('#eval-headline')?.innerText || '')", timeout=1_800_000)
        self.idle("#eval-meters")
        self.shot("6-evaluate")
        self.page.locator("#facts-panel").get_by_text(self.w["facts"]).first.click()
        self.page.wait_for_selector("#facts-plot .barlayer")
        self.page.wait_for_timeout(2000)
        self.idle("#eval-meters")  # the tab's own refresh of the last measurement, when the run list changes
        self.page.locator("#facts-panel").scroll_into_view_if_needed()
        self.shot("6-facts-lab")

    def export(self) -> None:
        self.tab(6)
        self.page.wait_for_function("document.querySelector('#export-run input').value.length > 0")
        self.shot("7-export")


def newest_json_run(home: Path) -> str:
    found = sorted(p.parent.parent.name for p in (home / "runs").glob("*json*/adapter/adapter_config.json"))
    return found[-1]


def picker_label(home: Path, run_id: str) -> str:
    """The run pickers label a run by its title (the id is the value behind it)."""
    title = home / "runs" / run_id / "title.txt"
    return title.read_text(encoding="utf-8").strip() if title.is_file() else run_id


def walk(url: str, home: Path, langs: tuple[str, ...]) -> None:
    from playwright.sync_api import sync_playwright

    run_id = newest_json_run(home)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        page = browser.new_page(viewport={"width": 1366, "height": 900})
        page.set_default_timeout(120_000)
        for lang, out in (("en", OUT), ("ja", OUT / "ja")):
            if lang not in langs:
                continue
            page.goto(url)
            ready(page)
            if lang == "ja":
                page.get_by_text("日本語").click()
                page.wait_for_function("document.body.innerText.includes('① モデル')")
            w = Walk(page, lang, out)
            w.model_and_data()
            w.tab(5)
            page.locator("#runs-pick input").click()
            page.locator("[role=option]", has_text=picker_label(home, run_id)).first.click()
            page.locator("#runs-open").click()
            page.wait_for_timeout(1500)
            w.train_and_compare(run_id)
            w.evaluate()
            w.export()
        browser.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--train", action="store_true", help="train the json preset and run the facts lab first")
    parser.add_argument("--lang", choices=["en", "ja"], action="append", help="one language only (default both)")
    args = parser.parse_args()
    home = Path(os.environ.get("STUDIO_HOME") or Path.home() / ".katachi-studio")
    if args.train:
        prepare(home)
    with app_server(home=home) as port:
        walk(f"http://127.0.0.1:{port}/", home, tuple(args.lang or ("en", "ja")))
    print(f"screenshots in {OUT} and {OUT / 'ja'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
