"""A newcomer's walk (issue 31), without a browser: Start pressed twice asks before a second run, a queued run
says whom it waits behind, runs are named as people read them, the blind test asks by the number of answers."""
from __future__ import annotations

import json
import time

import gradio as gr
import pytest

from studio import runs
from studio.config import DataSpec, RunConfig
from studio.data.choice import DataChoice
from studio.text import t
from studio.train import runner
from studio.ui import train_step
from studio.ui.compare import blind


@pytest.fixture
def json_rows(studio_home) -> DataChoice:
    from studio.data.store import datasets_dir

    path = datasets_dir() / "json.jsonl"
    path.write_text(json.dumps({"prompt": "a", "completion": "b"}) + "\n")
    return DataChoice(path=str(path), rows=1)


@pytest.fixture(autouse=True)
def no_worker(monkeypatch):
    """runner.spawn without a process: the run joins the queue as spawn leaves it."""
    def spawn(run, *_a, **_k):
        run.write_status(state="queued", pid=None, queued_at=time.time())
        return 1

    monkeypatch.setattr(runner, "spawn", spawn)


def test_start_pressed_twice_asks_and_starts_no_second_run(json_rows):
    run_id, timer, box, _text, _twin = train_step.start("smollm2-135m", json_rows, {"max_steps": 2})
    assert timer.active and box.visible is False
    current, timer, box, text, twin = train_step.start("smollm2-135m", json_rows, {"max_steps": 2})
    assert isinstance(current, type(gr.skip())) and isinstance(timer, type(gr.skip()))  # the watched run stays
    assert box.visible is True and twin == run_id and "json · SFT" in text and "queued" in text and "(" not in text
    assert [r.id for r in runs.all_runs()] == [run_id]
    ja = train_step.start("smollm2-135m", json_rows, {"max_steps": 2}, "ja")[3]
    assert "同じ設定の実行がすでに待機中です" in ja
    another = train_step.start("smollm2-135m", json_rows, {"max_steps": 2}, another=True)[0]
    assert another != run_id and len(runs.all_runs()) == 2 and runs.get(another).title() == "json · SFT #2"


def test_watch_makes_the_twin_the_current_run():
    run = runs.create(RunConfig(data=DataSpec(preset="json")))
    current, timer, box = train_step.watch(run.id)
    assert current == run.id and timer.active and box.visible is False


def test_a_queued_run_says_whom_it_waits_behind_never_loading():
    ahead = runs.create(RunConfig(data=DataSpec(preset="json")))
    ahead.write_status(state="running", device="cpu", step=3, total_steps=10)
    queued = runs.create(RunConfig(data=DataSpec(preset="chat")))
    st = queued.write_status(state="queued", device="cpu", queued_at=time.time())
    line = train_step.waiting_line(queued, st)
    assert line == "Waiting behind json · SFT (step 3/10) — place 1 in the queue"
    ja = train_step.waiting_line(queued, st, "ja")
    assert ja == "json · SFT の終了を待っています (ステップ 3/10) — 待ち順 1 番目"
    box = train_step.progress_html(queued.id, st, [], "en", queued.title(), line)
    assert line in box and "loading" not in box and ">chat · SFT</b>" in box and queued.id in box  # id on hover
    assert "loading" not in train_step.progress_html("r", runs.RunStatus(state="queued"), [])
    assert "starting the worker" in train_step.progress_html("r", runs.RunStatus(state="queued"), [])
    ahead.write_status(state="done")
    assert train_step.waiting_line(queued, queued.status()) == t("en", "prog_starting")  # nothing ahead
    assert train_step.poll(queued.id)[0].count("chat · SFT") == 1


def test_a_started_run_that_must_wait_says_so_in_its_toast():
    ahead = runs.create(RunConfig(data=DataSpec(preset="json")))
    ahead.write_status(state="running", device="cpu", step=1, total_steps=4)
    queued = runs.create(RunConfig(data=DataSpec(preset="chat")))
    queued.write_status(state="queued", queued_at=time.time())
    said = train_step.started_text(queued)
    assert said == "run chat · SFT started; it waits behind json · SFT — place 1 in the queue"
    ahead.write_status(state="done")
    assert train_step.started_text(queued) == "run chat · SFT started"


def test_the_header_and_the_pickers_name_runs_by_title():
    from studio.ui.app import _choice_line
    from studio.ui.context import labelled

    run = runs.create(RunConfig(data=DataSpec(preset="gozaru")), title="gozaru · DPO on 6 votes")
    assert _choice_line("m", None, run.id).endswith("**Run:** gozaru · DPO on 6 votes")
    assert _choice_line("m", None, "gone-run").endswith("gone-run") and _choice_line("m", None, None).endswith("—")
    [(label, value)] = labelled([run.id])
    assert value == run.id and label.startswith("gozaru · DPO on 6 votes · ")


def test_a_dpo_run_on_votes_is_named_by_what_was_voted_on():
    source = runs.create(RunConfig(data=DataSpec(preset="gozaru")))
    dpo = RunConfig()
    dpo.train.method = "dpo"
    assert blind.votes_title(source.id, dpo, 6, "en") == "gozaru · DPO on 6 votes"
    assert blind.votes_title(source.id, dpo, 6, "ja") == "gozaru · 投票 6 件で DPO"
    again = runs.create(RunConfig(data=DataSpec(preset="x")), title="gozaru · DPO on 6 votes")
    assert blind.votes_title(again.id, dpo, 3, "en") == "gozaru · DPO on 3 votes"  # a second round keeps the word
    assert blind.votes_title(source.id, dpo, 1, "en") == "gozaru · DPO on 1 vote"


@pytest.mark.parametrize(("n", "lang", "words"), [
    (2, "en", "Which answer is better?"), (3, "en", "Which of the 3 answers is best?"),
    (2, "ja", "どちらの回答が良いですか"), (5, "ja", "5 つの回答のうち、どれが一番良いですか"),
])
def test_the_blind_test_asks_by_the_number_of_answers(n, lang, words):
    assert blind.which(n, lang).startswith(words)
    assert n == 2 or "どちら" not in blind.which(n, lang) and "two" not in blind.which(n, lang)
