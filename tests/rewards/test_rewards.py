"""Each GRPO reward on known good and bad answers, the pre-flight check that refuses a reward blind to broken
answers, and the bad choices refused before anything loads, in both languages. Pure: no model."""
from __future__ import annotations

import pytest

from studio import presets, rewards
from studio.rewards import Reward, RewardError, check
from studio.text import said

SCHEMA = "CREATE TABLE pets (id INTEGER PRIMARY KEY, name TEXT, kind TEXT);"
INSERTS = ["INSERT INTO pets VALUES (1, 'Rex', 'dog');", "INSERT INTO pets VALUES (2, 'Tom', 'cat');",
           "INSERT INTO pets VALUES (3, 'Fido', 'dog');"]


def _row(answer: str, **meta) -> dict:
    return {"messages": [{"role": "user", "content": "q"}, {"role": "assistant", "content": answer}], "meta": meta}


SQL_ROW = _row("SELECT name FROM pets WHERE kind = 'dog'", schema=SCHEMA, inserts=INSERTS)
JSON_ROW = _row('{"name": "Rex", "kind": "dog"}', direction="to_json",
                json_schema={"type": "object", "required": ["name", "kind"],
                             "properties": {"name": {"type": "string"}, "kind": {"enum": ["dog", "cat"]}}})


def _one(name: str, answer: str, row: dict) -> float:
    return rewards.score(Reward(name), [answer], [row])[0]


@pytest.mark.parametrize("name, good, bad", [
    ("json_parses", 'Sure: {"name": "Rex"}', '{"name": "Rex"'),
    ("json_schema", '{"name": "Rex", "kind": "cat"}', '{"name": "Rex", "kind": "fish"}'),  # the user's schema
    ("json_fields", '{"name": "Rex", "kind": "dog"}', '{"name": "Max", "kind": "cat"}'),
])
def test_json_rewards(name, good, bad):
    assert _one(name, good, JSON_ROW) == 1.0
    assert _one(name, bad, JSON_ROW) == 0.0


def test_json_fields_counts_the_share_of_reference_fields():
    assert _one("json_fields", '{"name": "Rex", "kind": "cat"}', JSON_ROW) == 0.5


@pytest.mark.parametrize("name, good, bad", [
    ("sql_parses", "SELECT name FROM pets", "SELEC name FROM"),
    ("sql_executes", "SELECT kind FROM pets", "SELECT colour FROM pets"),  # runs on the row's sqlite tables
    ("sql_matches", "```sql\nSELECT name FROM pets WHERE kind='dog';\n```", "SELECT name FROM pets"),
])
def test_sql_rewards_run_on_the_rows_sqlite(name, good, bad):
    assert _one(name, good, SQL_ROW) == 1.0
    assert _one(name, bad, SQL_ROW) == 0.0


def test_label_style_regex_and_length():
    label = _row("BILLING")
    assert _one("label", "billing.", label) == 1.0 and _one("label", "SHIPPING", label) == 0.0
    gozaru = presets.load("gozaru").train_rows()[:20]
    assert rewards.style_meter(gozaru) == "gozaru"
    assert rewards.score(Reward("style"), ["それは良いでござる。"], gozaru[:1]) == [1.0]
    assert rewards.score(Reward("style"), ["それは良いです。"], gozaru[:1]) == [0.0]
    assert _one(r"regex:^\d+$", "42", label) == 1.0 and _one(r"regex:^\d+$", "forty", label) == 0.0
    assert _one("length", "x" * 10, _row("y" * 10)) == 0.0
    assert -1.0 <= _one("length", "x" * 100, _row("y" * 10)) < 0.0


def test_parse_names_and_weights():
    chosen = rewards.parse(r"json_schema:1, json_fields:0.5,length,regex:^a:b$:2")
    assert chosen == [Reward("json_schema", 1.0), Reward("json_fields", 0.5), Reward("length", 1.0),
                      Reward("regex:^a:b$", 2.0)]


def test_which_rewards_fit_which_data():
    assert rewards.fits(presets.load("json").train_rows())[:3] == ["json_parses", "json_schema", "json_fields"]
    assert "sql_matches" in rewards.fits(presets.load("sql").train_rows())
    assert "label" in rewards.fits(presets.load("classify").train_rows())
    assert rewards.fits(presets.load("chat").train_rows()) == ["regex:PATTERN", "length"]


def test_preflight_passes_rewards_that_tell_references_from_broken_answers():
    rows = presets.load("sql").train_rows()
    found = check.check(rewards.parse("sql_executes:1,sql_matches:1"), rows)
    assert all(f.good > 0.9 and f.good - f.broken >= check.MIN_GAP for f in found)


def test_preflight_refuses_a_blind_reward_with_its_figures():
    rows = presets.load("classify").train_rows()
    with pytest.raises(RewardError) as e:
        check.check(rewards.parse(r"regex:^[A-Z_]+$"), rows)
    assert "gives 1.00 to the references and 1.00 to broken answers" in str(e.value)
    assert "1.00" in said("ja", e.value) and "区別" in said("ja", e.value)


@pytest.mark.parametrize("spec, preset, key", [
    ("sql_matches", "json", "err_reward_applies"),  # a reward that does not apply to the data
    ("bleu", "json", "err_reward_unknown"),
    ("", "json", "err_reward_none"),
])
def test_bad_choices_are_refused_in_both_languages(spec, preset, key):
    with pytest.raises(RewardError) as e:
        check.check(rewards.parse(spec), presets.load(preset).train_rows())
    assert e.value.key == key
    assert said("en", e.value) == str(e.value) and said("ja", e.value) != str(e.value)


def test_a_regex_that_does_not_compile_is_refused():
    with pytest.raises(RewardError) as e:
        rewards.parse("regex:((")
    assert "not a valid regex" in str(e.value) and "正規表現" in said("ja", e.value)
    assert "escape the characters" in str(e.value)  # and how to write one
