"""Issue 31, the Data step's side without a browser: an upload is checked as it lands (the old report goes
first), clearing it clears its report and choice, a trap is said in the summary, and the split says where the
eval rows come from."""
from __future__ import annotations

import shutil

from studio.data.choice import DataChoice
from studio.data.inspect import inspect_file
from studio.ui import data_step
from tests.helpers import FIXTURES

MODEL = "smollm2-135m"


def test_an_upload_is_checked_as_it_lands_and_the_old_report_goes_first(studio_home, tmp_path):
    src = tmp_path / "identity.json"
    shutil.copyfile(FIXTURES / "traps" / "identity.json", src)
    first, checked = list(data_step.check_on_arrival(str(src), "", MODEL))
    summary, errors, bubbles, hist, mask, choice, _fix = first
    assert (summary, bubbles, hist, mask, choice) == ("", [], None, "", None) and errors.empty
    summary, errors, bubbles, *_, choice, _fix = checked
    assert "20 usable" in summary and choice.label == "identity.json" and choice.rows == 20
    assert "⚠ **an unfilled template placeholder {{name}} in 14 answer(s)" in summary
    assert "replace {{name}} with your model's name" in summary
    assert any("{{name}}" in problem for problem in errors.iloc[:, 3])


def test_clearing_the_upload_clears_its_report_and_choice_but_not_a_presets():
    upload = DataChoice(path="/home/datasets/identity.json", label="identity.json", rows=20)
    summary, errors, *_, choice, _fix = data_step.clear_upload(upload, "ja")
    assert summary == "" and choice is None and errors.columns[0] == "ファイル"
    assert data_step.clear_upload(None)[0] == ""  # nothing usable was chosen: its report goes too
    kept = data_step.clear_upload(DataChoice(preset="gozaru"))
    assert all(out == {"__type__": "update"} for out in kept[:6])  # the preset's report stays
    assert not data_step.from_upload(DataChoice(path="/d/generated-gozaru-400-0.jsonl"))


def test_the_split_says_where_the_eval_rows_come_from():
    summary = data_step.load_preset("gozaru", MODEL)[0]
    assert "**443 train / 60 eval** — every usable row trains; the 60 eval rows are the preset's own eval file" \
        in summary
    held = data_step._split_line(inspect_file(FIXTURES / "traps" / "identity.json"))
    assert held.startswith("Split: **18 train / 2 eval** — 2 of the 20 usable rows (10%) are held out")
    ja = data_step._split_line(inspect_file(FIXTURES / "traps" / "identity.json"), "ja")
    assert "使用可能な 20 行のうち 2 行 (10%) を取り分け" in ja
