"""The three structure presets (json, sql, classify): layout, sizes, disjointness, row validity, and
that the committed files are exactly what their generator builds (through the registry that
`studio data build-preset` runs)."""
from __future__ import annotations

import json
from collections import Counter

import pytest
import yaml

from studio.data import generate
from studio.data.generate import classify_task, json_task, sql_task
from studio.evaluate.structure import METERS
from tests.helpers import PRESETS

CASES = {
    "json": (json_task, "json_mr"),
    "sql": (sql_task, "sql"),
    "classify": (classify_task, "classify"),
}
KEYS = {"name", "title", "description", "language", "task", "meter", "model", "hub_model", "system",
        "goal", "train"}
TRAIN_KEYS = {
    "epochs", "learning_rate", "max_length", "lora_r", "lora_alpha", "batch_size", "max_steps",
}


def load(name: str) -> tuple[dict, list[dict], list[dict], list[str]]:
    folder = PRESETS / name
    spec = yaml.safe_load((folder / "preset.yaml").read_text(encoding="utf-8"))
    train, evals = (
        [json.loads(line) for line in (folder / f).read_text(encoding="utf-8").splitlines()]
        for f in ("train.jsonl", "eval.jsonl")
    )
    probes = (folder / "probes.txt").read_text(encoding="utf-8").splitlines()
    return spec, train, evals, probes


def prompts(rows: list[dict]) -> set[str]:
    return {r["messages"][0]["content"] for r in rows}


@pytest.mark.parametrize("name", list(CASES))
def test_preset_yaml_keys(name):
    spec, *_ = load(name)
    assert set(spec) == KEYS
    assert spec["name"] == name and spec["task"] == name and spec["meter"] == CASES[name][1]
    assert spec["meter"] in METERS
    assert spec["language"] == "en" and spec["model"] == "smollm2-135m"
    assert "/" in spec["hub_model"] and spec["system"] is None
    for key in ("title", "description", "goal"):
        assert set(spec[key]) == {"en", "ja"} and all(v.strip() for v in spec[key].values())
    assert set(spec["train"]) <= TRAIN_KEYS
    assert spec["train"]["epochs"] > 0 and 0 < spec["train"]["learning_rate"] < 1e-2


@pytest.mark.parametrize("name", list(CASES))
def test_preset_sizes_and_disjointness(name):
    _, train, evals, probes = load(name)
    assert len(train) >= 300 and len(evals) >= 50 and 10 <= len(probes) <= 30
    assert all(p.strip() for p in probes)
    assert not prompts(evals) & prompts(train)
    assert not set(probes) & prompts(train)
    assert not set(probes) & prompts(evals)
    assert len(prompts(train)) == len(train)


@pytest.mark.parametrize("name", list(CASES))
def test_every_preset_row_passes_check_row(name):
    module = CASES[name][0]
    _, train, evals, _ = load(name)
    problems = [(i, module.check_row(r)) for i, r in enumerate(train + evals)]
    assert [p for p in problems if p[1] is not None] == []


@pytest.mark.parametrize("name", list(CASES))
def test_gold_answers_on_eval_score_full_marks(name):
    _, _, evals, _ = load(name)
    scores = METERS[CASES[name][1]]([r["messages"][-1]["content"] for r in evals], evals)
    assert scores["primary"] == 1.0
    assert scores["n"] >= 50


def test_json_eval_judges_sentence_to_json_only_and_classify_eval_is_balanced():
    _, train, evals, _ = load("json")
    assert all(r["meta"]["direction"] == "to_json" for r in evals)
    assert {r["meta"]["direction"] for r in train} == {"to_json", "to_text"}
    _, train, evals, _ = load("classify")
    assert len(set(Counter(r["meta"]["label"] for r in evals).values())) == 1
    assert set(Counter(r["meta"]["label"] for r in train).values()) == {len(train) // 8}


@pytest.mark.parametrize("name", list(CASES))
def test_committed_preset_is_what_the_generator_builds(name, tmp_path):
    generate.build_preset(name, tmp_path)
    for file in ("preset.yaml", "train.jsonl", "eval.jsonl", "probes.txt"):
        built = (tmp_path / file).read_text(encoding="utf-8")
        committed = (PRESETS / name / file).read_text(encoding="utf-8")
        assert built == committed, f"rebuild presets/{name}: {file} differs"
