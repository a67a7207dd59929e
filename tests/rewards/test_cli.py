"""`studio rewards` and `studio train --method grpo` on the shell: the rewards that fit a data set, the figures of
those chosen, and a bad choice refused before a run folder exists."""
import json

from studio import runs
from studio.cli import main


def test_rewards_lists_those_that_fit_with_a_line_each(capsys):
    assert main(["rewards", "--preset", "sql", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert list(listed)[:3] == ["sql_parses", "sql_executes", "sql_matches"] and "same rows" in listed["sql_matches"]
    assert main(["rewards", "--preset", "json", "--reward", "json_schema:1,json_fields:0.5"]) == 0
    assert "json_fields              weight 0.5  references 0.83" in capsys.readouterr().out


def test_train_refuses_a_reward_that_does_not_fit_before_a_run_exists(capsys):
    assert main(["train", "--preset", "json", "--method", "grpo", "--reward", "sql_matches"]) == 2
    assert "the reward sql_matches does not apply to this data" in capsys.readouterr().err
    assert main(["train", "--preset", "json", "--method", "grpo", "--reward", "regex:(("]) == 2
    assert "not a valid regex" in capsys.readouterr().err
    assert main(["train", "--preset", "json", "--method", "grpo", "--reward", "json_schema", "--generations", "1"]) == 2
    assert "train.generations" in capsys.readouterr().err
    assert runs.all_runs() == []


def test_the_plan_of_a_grpo_run_prints_its_rewards_figures(capsys):
    assert main(["train", "--preset", "json", "--method", "grpo", "--reward", "json_schema:1", "--max-steps", "5",
                 "--plan"]) == 0
    out = capsys.readouterr().out
    assert "4 answers of up to 128 tokens" in out and "json_schema              weight 1  references 0.83" in out
