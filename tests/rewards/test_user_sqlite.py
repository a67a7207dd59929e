"""The SQL rewards on a user's own SQLite file beside their data (train.sqlite beside train.jsonl, or a name in
meta.sqlite), and each bad input of a GRPO run refused before a run folder exists or a model loads, with what to
do, in English and Japanese: a reward that does not apply, a missing database, raw text, a regex that does not
compile, K < 2. A real sqlite file; no model."""
from __future__ import annotations

import json
import sqlite3

import pytest

from studio import rewards, runs
from studio.cli import main
from studio.config import ConfigError, DataSpec
from studio.evaluate import meters
from studio.rewards import Reward, RewardError, check
from studio.text import said
from studio.train import recipe, runner
from studio.train.data import usable

QUESTIONS = [("Names of the dogs", "SELECT name FROM pets WHERE kind = 'dog'"),
             ("How many cats?", "SELECT COUNT(*) FROM pets WHERE kind = 'cat'"),
             ("The oldest pet", "SELECT name FROM pets ORDER BY age DESC LIMIT 1"),
             ("Kinds of pets", "SELECT DISTINCT kind FROM pets")]


def _database(path) -> None:
    with sqlite3.connect(path) as conn:
        conn.executescript("CREATE TABLE pets (id INTEGER PRIMARY KEY, name TEXT, kind TEXT, age INTEGER);"
                           "INSERT INTO pets VALUES (1, 'Rex', 'dog', 7), (2, 'Tom', 'cat', 3), (3, 'Fido', 'dog', 2);")
    conn.close()


def _sql_file(folder, name: str = "shop.jsonl", **meta) -> str:
    path = folder / name
    rows = [{"messages": [{"role": "user", "content": q}, {"role": "assistant", "content": sql}],
             **({"meta": meta} if meta else {})} for q, sql in QUESTIONS * 3]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return str(path)


def _rows(path: str) -> list[dict]:
    return usable(DataSpec(train_path=path))


def test_a_database_with_the_datas_name_serves_every_row(tmp_path):
    _database(tmp_path / "shop.sqlite")
    rows = _rows(_sql_file(tmp_path))
    assert rows[0]["meta"]["sqlite"] == str((tmp_path / "shop.sqlite").resolve())
    assert rewards.fits(rows)[:3] == ["sql_parses", "sql_executes", "sql_matches"]
    row = rows[0]  # the dogs
    score = {name: rewards.score(Reward(name), answers, [row] * len(answers)) for name, answers in (
        ("sql_executes", ["SELECT kind FROM pets", "SELECT colour FROM pets"]),
        ("sql_matches", ["SELECT name FROM pets WHERE age > 1 AND kind <> 'cat'", "SELECT name FROM pets"]))}
    assert score == {"sql_executes": [1.0, 0.0], "sql_matches": [1.0, 0.0]}
    found = check.check(rewards.parse("sql_executes:1,sql_matches:1"), rows)
    assert [(f.name, f.good) for f in found] == [("sql_executes", 1.0), ("sql_matches", 1.0)]
    assert all(f.broken < 0.9 for f in found)  # half a query does not run
    # the Evaluate meter reads the same file: a gold answer matches, a write is refused by the sandbox
    assert meters.score("sql", [r["messages"][-1]["content"] for r in rows], rows)["primary"] == 1.0
    assert rewards.score(Reward("sql_executes"), ["DELETE FROM pets"], [row]) == [0.0]
    with sqlite3.connect(tmp_path / "shop.sqlite") as conn:
        assert conn.execute("SELECT COUNT(*) FROM pets").fetchone() == (3,)  # the user's file is untouched
    conn.close()


def test_a_database_named_in_meta_is_read_beside_the_data(tmp_path):
    (tmp_path / "db").mkdir()
    _database(tmp_path / "db" / "pets.sqlite")
    rows = _rows(_sql_file(tmp_path, sqlite="db/pets.sqlite"))
    assert rows[0]["meta"]["sqlite"] == str((tmp_path / "db" / "pets.sqlite").resolve())
    assert check.check([Reward("sql_matches")], rows)[0].good == 1.0


@pytest.mark.parametrize("meta", [{"sqlite": "gone.sqlite"}, {"sqlite": "../outside.sqlite"}])
def test_a_missing_database_is_refused_with_where_to_put_it_in_both_languages(tmp_path, meta):
    (tmp_path / "data").mkdir()
    _database(tmp_path / "outside.sqlite")  # there, but outside the data's folder: not read
    path = _sql_file(tmp_path / "data", **meta)
    with pytest.raises(RewardError) as e:
        check.check([Reward("sql_matches")], _rows(path))
    assert e.value.key == "err_reward_sqlite_missing" and meta["sqlite"].rsplit("/", 1)[-1] in str(e.value)
    assert "Put the database at that path" in str(e.value) and "データベースを置く" in said("ja", e.value)


def test_sql_data_with_no_tables_is_told_where_a_database_goes(tmp_path, capsys):
    path = _sql_file(tmp_path)
    assert main(["train", "--data", path, "--method", "grpo", "--reward", "sql_matches"]) == 2
    assert "train.jsonl -> train.sqlite" in capsys.readouterr().err
    with pytest.raises(RewardError) as e:
        check.check([Reward("sql_executes")], _rows(path))
    assert e.value.key == "err_reward_sql_tables" and "meta.sqlite" in said("ja", e.value)
    assert runs.all_runs() == []


def _refusal(tmp_path, data: str, reward: str, **over) -> RewardError | ConfigError:
    """The error a GRPO run of these settings is refused with before a run folder exists: the Train step's and
    the shell's pre-flight check (rewards), then the runner's own checks."""
    cfg = recipe.build("smollm2-135m", train_path=data, overrides={"method": "grpo", "reward": reward, **over})
    try:
        check.preflight(cfg)
        runner.start(cfg)
    except (RewardError, ConfigError) as e:
        assert runs.all_runs() == []
        return e
    raise AssertionError("not refused")


def test_each_bad_input_is_refused_before_anything_loads_in_both_languages(tmp_path, capsys):
    """The issue's list: a reward that does not apply, a missing sqlite file, a regex that does not compile, K < 2;
    and raw text, which has no prompts. Each says what to do, in English and in Japanese; no model is loaded
    (smollm2-135m is never read) and no run folder is made."""
    json_data = tmp_path / "pets.jsonl"
    json_data.write_text("".join(json.dumps({"messages": [{"role": "user", "content": f"pet {i}"},
                                                          {"role": "assistant", "content": json.dumps({"n": i})}]})
                                 + "\n" for i in range(12)))
    text = tmp_path / "notes.txt"
    text.write_text("\n\n".join(f"Paragraph {i} of plain prose about pets." for i in range(12)))
    cases = [
        (str(json_data), "sql_matches", {}, "does not apply to this data", "このデータには使えません"),
        (_sql_file(tmp_path, sqlite="gone.sqlite"), "sql_matches", {}, "which is not there", "ファイルがありません"),
        (str(json_data), "regex:((", {}, "not a valid regex", "正しい正規表現ではありません"),
        (str(json_data), "json_parses", {"generations": 1}, "train.generations", "train.generations"),
        (str(text), "regex:pets", {}, "this data is raw text", "生テキスト"),
    ]
    for data, reward, over, en, ja in cases:
        e = _refusal(tmp_path, data, reward, **over)
        assert en in str(e), (reward, str(e))
        assert ja in said("ja", e) and said("ja", e) != str(e), (reward, said("ja", e))
    assert main(["train", "--data", str(text), "--method", "grpo", "--reward", "regex:pets"]) == 2
    assert "--method sft" in capsys.readouterr().err
