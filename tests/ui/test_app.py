"""app.py's exposure rules and the UI's construction (no browser)."""
import re
import subprocess
import sys
from pathlib import Path

import pytest

from studio.data.choice import DataChoice
from studio.ui import cli as app
from tests.helpers import ROOT


@pytest.mark.parametrize("argv", [["--share"], ["--host", "0.0.0.0"], ["--host", "192.168.1.5"],
                                  ["--host", "0.0.0.0", "--auth", "admin:short"],
                                  ["--host", "0.0.0.0", "--auth", "nopassword"], ["--port", "70000"]])
def test_exposure_without_auth_is_refused(argv):
    with pytest.raises(SystemExit) as e:
        app.check_exposure(app.parse(argv))
    assert e.value.code and "auth" in str(e.value) or "port" in str(e.value)


@pytest.mark.parametrize("argv", [[], ["--host", "127.0.0.1"], ["--host", "::1"],
                                  ["--host", "0.0.0.0", "--auth", "admin:longenough"],
                                  ["--share", "--auth", "me:a-good-password"]])
def test_local_or_authenticated_is_allowed(argv):
    auth = app.check_exposure(app.parse(argv))
    assert auth is None or (auth[0] and len(auth[1]) >= 8)


def test_default_binds_localhost():
    assert app.parse([]).host == "127.0.0.1"


def test_refusal_is_quick_and_clear():
    out = subprocess.run([sys.executable, str(ROOT / "app.py"), "--share"], check=False, capture_output=True, text=True,
                         timeout=60)
    assert out.returncode != 0 and "--auth" in out.stderr and "Traceback" not in out.stderr


def test_ui_builds_and_only_ui_imports_gradio():
    from studio.ui.app import build_ui

    assert build_ui() is not None
    leaks = [p for p in (ROOT / "studio").rglob("*.py") if "ui" not in p.relative_to(ROOT / "studio").parts
             and any(line.strip().startswith(("import gradio", "from gradio"))
                     for line in p.read_text().splitlines())]
    assert leaks == []


def test_every_ui_text_exists_in_both_languages():
    from studio.text import TEXT

    assert set(TEXT["en"]) == set(TEXT["ja"])
    assert all(TEXT["ja"][k].strip() for k in TEXT["ja"])


def test_every_ui_text_fills_the_same_fields_in_both_languages():
    import string

    from studio.text import TEXT

    fields = {lang: {k: {f for _, f, _, _ in string.Formatter().parse(v) if f} for k, v in TEXT[lang].items()}
              for lang in TEXT}
    assert fields["en"] == fields["ja"]


def test_the_model_card_the_plan_and_the_choice_line_follow_the_language():
    from studio.ui.app import _choice_line
    from studio.ui.model_step import card_markdown
    from studio.ui.train_step import plan

    card = {lang: card_markdown("smollm2-135m", lang) for lang in ("en", "ja")}
    assert "**Size:** 135 M parameters" in card["en"] and "**規模:** 135 M パラメータ" in card["ja"]
    assert "Source" not in card["ja"] and "Chat template" not in card["ja"]
    # issue 15: on this CPU-only machine the card says what will really run, not only "QLoRA fits"
    assert "LoRA on this CPU; 4-bit QLoRA (`--quant nf4`) runs here too" in card["en"]
    assert "この CPU で" in card["ja"]
    data = DataChoice(preset="json", rows=400)
    ja, en = plan("smollm2-135m", data, {}, "ja"), plan("smollm2-135m", data, {})
    assert "**学習 400 行" in ja and "目安時間" in ja and "**400 training rows" in en and "Rough time" in en
    assert "60 rows held out to evaluate" in en and "評価用に 60 行" in ja
    assert plan("smollm2-135m", None, {}, "ja") == "先にステップ②でデータを選んでください。"
    assert _choice_line("m", None, None, "ja").startswith("**モデル:** `m`")


def test_the_data_step_and_the_advisor_follow_the_language():
    from studio import presets
    from studio.ui import advice, data_step

    summary, errors, *_ = data_step.load_preset("json", "smollm2-135m", "ja")
    assert "**使用可能 400 行**" in summary and "学習 400 / 評価 60" in summary
    assert "評価の 60 行はプリセット専用の評価ファイルのもの" in summary  # issue 31: where the 60 come from
    assert list(errors.columns) == ["ファイル", "行", "項目", "問題", "対処"]
    assert presets.load("json").description["ja"] in data_step.preset_blurb("json", "ja")
    assert ("gozaru — ござる口調", "gozaru") in data_step.preset_choices("ja")
    text, column = advice.advice_markdown(DataChoice(preset="json"), "", "ja")
    assert text.startswith("### アドバイザー") and "確信度" in text and column == "tuned"
    assert advice.goal_for(DataChoice(preset="gozaru"), "ja") == presets.load("gozaru").goal["ja"]
    english, _ = advice.advice_markdown(DataChoice(preset="json"), "")
    assert "**Fine-tune.**" in english and "(confidence" in english


def test_the_runs_table_follows_the_language(studio_home):
    from studio.ui import runs_step

    ja = ["実行", "状態", "モデル", "データ", "ステップ", "学習損失", "評価損失"]
    assert list(runs_step.table("ja").columns) == ja
    frame, _ = runs_step.refresh(None)
    assert frame.columns[0] == "run" and frame.empty


def test_charts_speak_the_ui_language():
    from studio.charts import loss_figure, token_histogram
    from studio.text import words

    assert set(words("en", "chart_")) == set(words("ja", "chart_")) and "waiting" in words("ja", "chart_")
    fig = loss_figure([{"step": 1, "loss": 2.0, "learning_rate": 1e-4}], lang="ja")
    assert fig.layout.title.text == "損失" and {t.name for t in fig.data} == {"学習損失", "学習率"}
    assert fig.layout.xaxis.title.text == "最適化ステップ"
    hist = token_histogram([10, 20, 30], 64, "ja")
    assert hist.layout.title.text == "1 サンプルのトークン数" and "最大長 64" in str(hist.layout.annotations)
    assert loss_figure([]).layout.title.text == "Loss: waiting for the first step…"


def test_the_progress_line_follows_the_language():
    from studio.runs import RunStatus
    from studio.ui.train_step import progress_html

    st = RunStatus(state="running", step=3, total_steps=10, eta_s=90)
    metrics = [{"step": 3, "loss": 1.0, "tokens_per_s": 250.0, "memory_mb": 2048}]
    ja, en = progress_html("r1", st, metrics, "ja"), progress_html("r1", st, metrics)
    assert "ステップ 3/10 · 残り 1.5 分 · 250 トークン/秒 · ピーク 2.0 GB" in ja
    assert "step 3/10 · 1.5 min left · 250 tokens/s · 2.0 GB peak" in en and 'class="badge">running' in en


def test_the_advisors_reasons_exist_in_japanese_with_the_same_fields():
    import string

    from studio.evaluate import advisor
    from studio.text import TEXT
    from studio.ui import advice

    def fields(text: str) -> set[str]:
        return {f for _, f, _, _ in string.Formatter().parse(text) if f}

    said = set(re.findall(r'_note\("(\w+)"', Path(advisor.__file__).read_text(encoding="utf-8")))
    assert len(said) >= 10 and all(f"reason_{k}" in TEXT["en"] and f"reason_{k}" in TEXT["ja"] for k in said)
    reasons = [k for k in TEXT["en"] if k.startswith("reason_")]
    assert all(fields(TEXT["ja"][k]) == fields(TEXT["en"][k]) for k in reasons)
    text, _ = advice.advice_markdown(DataChoice(preset="json"), "", "ja")
    assert "- 形式スコア" in text and "構造化データ（json）" in text and "form score" not in text
    english, _ = advice.advice_markdown(DataChoice(preset="json"), "")
    assert "- form score" in english and "structured (json)" in english


def test_device_and_memory_fit_in_words_match_the_models_english():
    from studio.models.device import DeviceInfo
    from studio.models.fit import MemoryEstimate, Verdict
    from studio.models.info import describe

    card = describe("smollm2-135m")
    gpu = DeviceInfo("cuda", "NVIDIA H100", 80 * 1024, 2, True, 16)
    assert gpu.describe() == "2× NVIDIA H100 (80 GB each)" and gpu.describe("ja") == "NVIDIA H100 × 2（各 80 GB）"
    assert card.device.describe().startswith("CPU only: ") or "×" in card.device.describe()
    for v in card.fits.values():
        assert v.text.startswith(("fits", "does not fit")) and "GB" in v.say("ja") and v.say("ja") != v.text
    est = MemoryEstimate(900.0, 10.0, 10.0, 100.0, 4.0)
    gc = Verdict(True, est, 2048.0, "cuda", checkpointing=True)
    assert gc.text == "fits with gradient checkpointing: ~1.0 GB of 2 GB" and "勾配チェックポイント" in gc.say("ja")
    assert "スレッド" in card.device.describe("ja") or "×" in card.device.describe("ja")


def test_the_evaluate_headline_follows_the_language():
    from studio.evaluate.meters import METERS, primary_label
    from studio.evaluate.run_eval import EvalResult
    from studio.text import TEXT
    from studio.ui.eval_step import headline, meters_frame

    assert all(TEXT["en"][f"meter_{k}"] and TEXT["ja"][f"meter_{k}"] for k in [*METERS, "regex"])
    assert primary_label("gozaru") == "ござる style rate" and primary_label("regex:x", "ja") == "正規表現の一致率"
    result = EvalResult(run="r", kind="style", meter="gozaru", n=50, seconds=9.0,
                        meters={"base": {"primary": 0.0}, "tuned": {"primary": 0.98}})
    assert headline(result).startswith("### ござる style rate: base 0% → tuned 98% (+98 points)")
    assert headline(result, "ja").startswith("### ござる口調率: ベース 0% → 学習後 98%（+98 ポイント）")
    assert meters_frame(result.meters, "gozaru", "ja").iloc[0, 0] == "ござる口調率（主指標）"


def test_the_evaluate_tab_names_measures_for_humans_and_shows_what_moved_in_a_short_run():
    """Issue 15: a short run headlined '0% → 0%' while the parse rate moved 10% → 93%. (That the run is too
    short to judge is said beside the picker: tests/evaluate/test_jobs.py.)"""
    from studio.evaluate.run_eval import EvalResult
    from studio.ui.eval_step import headline, meters_frame

    meters = {"base": {"primary": 0.0, "parse_rate": 0.1, "eval_loss": 2.0},
              "tuned": {"primary": 0.0, "parse_rate": 0.93, "eval_loss": 0.9}}
    result = EvalResult(run="r", kind="json", meter="json_mr", n=30, seconds=5.0, meters=meters)
    frame = meters_frame(meters, "json_mr")
    assert list(frame.columns) == ["measure", "Base model", "Tuned (LoRA)"]
    assert list(frame["measure"]) == ["schema-valid JSON rate (headline)", "parses as JSON / SQL",
                                      "eval loss (gold answers)"]
    assert "**parses as JSON / SQL** did: base 10% → tuned 93%" in headline(result, "en")
    assert "did:" not in headline(EvalResult(run="r", kind="json", meter="json_mr", n=30, seconds=5.0, meters={
        "base": {"primary": 0.0, "parse_rate": 0.1}, "tuned": {"primary": 0.5, "parse_rate": 0.93}}))


@pytest.mark.parametrize("step,call,key", [
    ("data_step", lambda m, lang: m.load_preset(None, "smollm2-135m", lang), "toast_need_preset"),
    ("data_step", lambda m, lang: m.load_file(None, "", "smollm2-135m", lang), "toast_need_upload"),
    ("train_step", lambda m, lang: m.stop(None, lang), "toast_no_stop"),
    ("train_step", lambda m, lang: m.resume(None, lang), "toast_no_resume"),
    ("train_step", lambda m, lang: m.start("smollm2-135m", None, {}, lang), "toast_need_data"),
    ("runs_step", lambda m, lang: m.delete(None, None, lang), "toast_need_run_pick"),
    ("runs_step", lambda m, lang: m.continue_from("some-run", None, lang), "toast_need_checkpoint"),
])
def test_toasts_speak_the_ui_language(step, call, key):
    import importlib

    import gradio as gr

    from studio.text import t
    from tests.helpers.bad_input import message

    module = importlib.import_module(f"studio.ui.{step}")
    said = {}
    for lang in ("en", "ja"):
        with pytest.raises(gr.Error) as err:
            call(module, lang)
        said[lang] = message(err.value)
    assert said == {"en": t("en", key), "ja": t("ja", key)} and said["en"] != said["ja"]


def test_a_bad_column_mapping_is_said_in_the_ui_language(tmp_path):
    import gradio as gr

    from studio.text import t
    from studio.ui import data_step
    from tests.helpers.bad_input import message

    csv = tmp_path / "pairs.csv"
    csv.write_text("ask,reply\nhello,hi there\n")
    for lang in ("en", "ja"):
        with pytest.raises(gr.Error) as err:
            data_step.load_file(str(csv), "no equals sign", "smollm2-135m", lang)
        assert message(err.value) == t(lang, "err_mapping_syntax", text="no equals sign")


def test_the_progress_says_loading_before_the_first_step_and_done_offers_compare(tmp_path, monkeypatch):
    """Issue 15: 'step 0/0' for 40 s became 'loading the model'; a finished run offers ④ Compare."""
    from studio import runs
    from studio.ui import train_step

    run = runs.Run("r", tmp_path)
    loading = runs.RunStatus(state="running", step=0, total_steps=0)
    assert "loading the model" in train_step.progress_html("r", loading, [])
    assert "モデルとデータを読み込み中" in train_step.progress_html("r", loading, [], "ja")
    assert "step 3/10" in train_step.progress_html("r", runs.RunStatus(state="running", step=3, total_steps=10), [])
    monkeypatch.setattr(runs, "get", lambda run_id: run)
    monkeypatch.setattr(runs, "reconcile", lambda r: runs.RunStatus(state="done", step=10, total_steps=10))
    monkeypatch.setattr(runs.Run, "has_adapter", lambda self: True)  # a method, like the real one
    assert train_step.poll("r")[-1].visible is True
    monkeypatch.setattr(runs, "reconcile", lambda r: runs.RunStatus(state="failed", step=3, total_steps=10))
    assert train_step.poll("r")[-1].visible is False


def test_the_data_step_warns_when_japanese_data_meets_an_english_only_model():
    """Issue 15: the gozaru preset with smollm2-135m (English only) says so; with gemma3-270m it does not."""
    from studio.ui import data_step

    english = data_step.load_preset("gozaru", "smollm2-135m")[0]
    assert "English-only model" in english and "gemma3-270m" in english
    assert "英語専用" in data_step.load_preset("gozaru", "smollm2-135m", "ja")[0]
    assert "English-only" not in data_step.load_preset("json", "smollm2-135m")[0]  # English data: fine


def test_after_a_reload_the_data_step_shows_the_last_check_without_pressing_it():
    from studio.ui import data_step

    summary, _errors, bubbles, *_ = data_step.last_check(DataChoice(preset="json", label="preset json", rows=400),
                                                        "smollm2-135m")
    assert "400 usable" in summary and bubbles
    assert data_step.last_check(None, "smollm2-135m")[0] == ""
    gone = data_step.last_check(DataChoice(path="nowhere.jsonl", label="nowhere.jsonl"), "smollm2-135m")[0]
    assert "gone" in gone  # a file deleted since is named, not a crash


def test_try_it_says_what_it_waits_for_and_when_it_cut_the_answer(tiny_model_dir):
    """Issue 15: 'Try it' showed nothing while loading and cut answers at 128 tokens without a word."""
    from studio import chat
    from studio.ui import model_step

    name = str(tiny_model_dir)
    chat._CACHE.pop((name, False), None)
    first, *rest = list(model_step.try_it(name, "Say hi", 4))
    assert first == f"Loading {name}…"
    assert rest[-1].endswith("[cut at 4 tokens: raise Max new tokens for more]")  # a random model never stops
    again = list(model_step.try_it(name, "Say hi", 4, "ja"))
    assert not again[0].startswith("Loading")
    assert again[-1].endswith("[4 トークンで打ち切り: 続きは最大生成トークン数を上げてください]")


def test_stop_says_what_it_waits_for():
    """Issue 15: Stop answers at once with what it is waiting for."""
    from studio.runs import RunStatus
    from studio.ui.train_step import stop_message

    stopping = RunStatus(state="stopping")
    loading = RunStatus(state="running", step=0, total_steps=0)
    assert "still loading; the run stops after its first step" in stop_message("r", loading, stopping)
    running = RunStatus(state="running", step=10, total_steps=50, started_at=100.0, updated_at=130.0)
    assert "after the step in progress (~3 s a step)" in stop_message("r", running, stopping)
    assert "約 3 秒" in stop_message("r", running, stopping, "ja")
    assert stop_message("r", RunStatus(state="queued"), RunStatus(state="stopped")) == "r: stopped"


@pytest.mark.parametrize("bad", ["../etc", "/abs/path", "name-only", "a/../b", "org/name/more", ""])
def test_a_hub_dataset_id_is_never_a_path(bad):
    import gradio as gr

    from studio.ui import data_step

    with pytest.raises(gr.Error, match="not a hub dataset id"):
        data_step.load_hub(bad, "train", "smollm2-135m")


def test_a_hub_dataset_that_cannot_be_reached_is_named_not_a_crash(monkeypatch, studio_home):
    """Issue 15 (a hub dataset id in the Data step): offline, the check says why and keeps no choice."""
    import datasets
    import huggingface_hub

    from studio.ui import data_step

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")  # read at import: the libraries' own switches too (no retries)
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", True)
    monkeypatch.setattr(datasets.config, "HF_HUB_OFFLINE", True)
    _summary, errors, *_, choice = data_step.load_hub("someone/not-here", "train", "smollm2-135m")
    assert choice is None and "could not load hub dataset 'someone/not-here'" in errors.to_string()
    _summary, errors, *_, choice = data_step.load_hub("someone/not-here", "train", "smollm2-135m", "ja")
    said = errors.to_string()
    assert choice is None and "Hub のデータセット 'someone/not-here'" in said and "手元のファイル" in said


def test_runs_overlays_several_runs_and_names_the_settings_that_differ(studio_home, tiny_model_dir, tmp_path):
    """Issue 15 (what peers have): several runs' loss curves on one chart, and how their settings differ."""
    from studio import runs
    from studio.fsutil import append_jsonl
    from studio.train import recipe
    from studio.ui import runs_step

    made = []
    for lr in (1e-4, 3e-4):
        run = runs.create(recipe.build(str(tiny_model_dir), train_path="x.jsonl", overrides={"learning_rate": lr}))
        for step in (1, 2):
            append_jsonl(run.path / "metrics.jsonl", {"step": step, "loss": 2.0 / step / (lr * 1e4)})
        made.append(run.id)
    fig, frame = runs_step.overlay(made)
    assert [trace.name for trace in fig.data] == [f"{made[0]} · train loss", f"{made[1]} · train loss"]
    assert list(frame.iloc[:, 0]) == ["learning_rate"] and list(frame.iloc[0, 1:]) == [1e-4, 3e-4]
    assert runs_step.overlay(made[:1])[0] is None  # one run: nothing to compare


def test_runs_offers_each_checkpoint_of_the_picked_run_to_continue_from(studio_home, tiny_model_dir, tmp_path):
    """Issue 15 (what peers have): resume from a chosen checkpoint; the newest is offered first, in the UI's
    language, and a running run offers none (it is still writing them)."""
    from studio.ui import runs_step
    from tests.helpers.runs import fake_run, random_lora_folder

    run = fake_run(tiny_model_dir, random_lora_folder(tiny_model_dir, tmp_path / "lora"), checkpoints=(10, 20))
    *_, box = runs_step.detail(run.id, "ja")
    assert box.choices == [("ステップ 20", 20), ("ステップ 10", 10)] and box.value == 20
    run.write_status(state="running")
    assert runs_step.detail(run.id)[2].choices == []


def test_charts_and_log_read_cleanly(tmp_path):
    """Issue 15's layout: whole-number steps, short rows not squeezed by a far max length, a log without the
    libraries' FutureWarnings."""
    from studio import runs
    from studio.charts import loss_figure, token_histogram
    from studio.ui.train_step import log_lines

    fig = loss_figure([{"step": s, "loss": 1.0 / s} for s in range(1, 5)], "")
    assert fig.layout.xaxis.dtick == 1 and fig.layout.xaxis.tickformat == "d"
    assert loss_figure([{"step": s, "loss": 1.0} for s in range(1, 301)]).layout.xaxis.dtick == 30
    short = token_histogram([20, 30, 40], 512)
    assert tuple(short.layout.xaxis.range) == (0, 40 * 1.15 + 1) and not short.layout.shapes
    assert "512" in short.layout.annotations[0].text
    near = token_histogram([200, 300, 400], 512)
    assert near.layout.shapes and near.layout.xaxis.range is None
    run = runs.Run("r", tmp_path)
    (tmp_path / "train.log").write_text("loading\n/x.py:1: FutureWarning: old\n  warnings.warn(\nstep 1\n")
    assert log_lines(run) == "loading\nstep 1"


def test_run_states_and_vote_buttons_follow_the_language():
    from studio.runs import RunStatus
    from studio.ui import train_step

    assert '<span class="badge">完了</span>' in train_step.progress_html("r", RunStatus(state="done"), [], "ja")
    assert '<span class="badge">done</span>' in train_step.progress_html("r", RunStatus(state="done"), [])
    assert train_step.stop_message("r", RunStatus(state="queued"), RunStatus(state="stopped"), "ja") == "r: 停止"


def test_a_language_switch_says_the_last_measurement_again_in_the_new_language(tmp_path, monkeypatch):
    """Issue 15: a headline measured in English stayed English after switching to Japanese."""
    from studio import runs
    from studio.evaluate.run_eval import EVAL_FILE, EvalResult
    from studio.fsutil import atomic_write_json
    from studio.ui import eval_step

    run = runs.Run("r", tmp_path)
    run.write_status(state="done", step=10, total_steps=10)
    result = EvalResult(run="r", kind="style", meter="gozaru", n=5, seconds=1.0,
                        meters={"base": {"primary": 0.0}, "tuned": {"primary": 0.8}})
    atomic_write_json(tmp_path / EVAL_FILE, result.to_dict())
    monkeypatch.setattr(runs, "get", lambda run_id: run)
    head, table, *_ = eval_step.saved("r", "ja")
    assert "ござる口調率: ベース 0% → 学習後 80%" in head and table.columns[0] == "指標"
    assert list(eval_step.saved(None, "ja")[1].columns) == ["指標", "ベースモデル", "学習後 (LoRA)"]
