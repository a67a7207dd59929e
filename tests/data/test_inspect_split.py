"""Issue 31: "443 rows · usable 443" then "train 443 / eval 60" read as arithmetic that did not add up. The Data
step's view says where the eval rows come from: a preset's own eval file, or a share held out of the rows (of
the passages, for raw text); the words say it in both languages."""
from __future__ import annotations

from studio import presets
from studio.data.inspect import inspect_file, inspect_preset
from studio.text import t
from tests.helpers import FIXTURES


def test_a_presets_eval_rows_are_its_own_file():
    view = inspect_preset("gozaru")
    assert view.eval_from == "own"
    assert (view.train_n, view.eval_n) == (len(view.usable), len(presets.load("gozaru").eval_rows())) == (443, 60)


def test_a_files_eval_rows_are_held_out_of_its_rows():
    view = inspect_file(FIXTURES / "traps" / "identity.json")
    assert view.eval_from == "held" and view.train_n + view.eval_n == len(view.usable) == 20


def test_raw_texts_eval_rows_are_passages():
    assert inspect_file(FIXTURES / "formats" / "corpus.txt").eval_from == "passages"


def test_the_words_say_where_the_eval_rows_come_from():
    words = {"train": 443, "eval": 60, "total": 503, "pct": "12%"}
    assert "the 60 eval rows are the preset's own eval file, not taken from these rows" in t(
        "en", "sum_split_own", **words)
    assert "評価の 60 行はプリセット専用の評価ファイルのもの" in t("ja", "sum_split_own", **words)
    held = {"train": 18, "eval": 2, "total": 20, "pct": "10%"}
    assert "2 of the 20 usable rows (10%) are held out" in t("en", "sum_split_held", **held)
    assert "使用可能な 20 行のうち 2 行 (10%) を取り分け" in t("ja", "sum_split_held", **held)
