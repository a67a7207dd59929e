"""The Train step's reward table: GRPO shows the rewards that fit the data, the chosen ones' pre-flight figures,
or why one is refused, in the UI's language; an empty rewards box is no reward."""
import gradio as gr
import pytest

from studio import presets, rewards, runs
from studio.config import DataSpec, RunConfig
from studio.data.choice import DataChoice
from studio.fsutil import atomic_write_json
from studio.rewards import LATEST
from studio.ui import train_step
from studio.ui.reward_table import latest_answers, reward_table


def test_the_table_shows_the_figures_of_the_chosen_rewards_and_those_that_fit():
    rows = presets.load("sql").train_rows()
    text = reward_table(rows, "sql_executes:1,sql_matches:2", "en")
    assert "| reward | weight | references | broken answers |" in text
    assert "| `sql_matches` | 2 | 1.00 |" in text and "- `sql_parses` — the query parses" in text
    assert "| 報酬 | 重み | 参照回答 | 壊した回答 |" in reward_table(rows, "sql_matches", "ja")


def test_a_refused_reward_is_said_in_the_ui_language():
    rows = presets.load("json").train_rows()
    assert "sql_matches はこのデータには使えません" in reward_table(rows, "sql_matches", "ja")
    assert "does not apply to this data" in reward_table(rows, "sql_matches", "en")


def test_raw_text_fits_no_reward_and_the_table_says_why_in_the_ui_language():
    rows = [{"text": f"Paragraph {i} of plain prose."} for i in range(6)]
    assert rewards.fits(rows) == []
    assert reward_table(rows, None, "en").startswith("**GRPO needs prompts to answer, and this data is raw text")
    assert "生テキスト" in reward_table(rows, "regex:a", "ja")


def test_the_plan_of_a_grpo_run_holds_the_table_and_an_empty_box_is_no_reward():
    text = train_step.plan("smollm2-135m", DataChoice(preset="json"),
                           {"method": "grpo", "reward": "json_schema:1", "max_steps": 5}, "en")
    assert "| `json_schema` | 1 |" in text and "4 answers of up to 128 tokens" in text
    widgets = train_step.TrainWidgets({"reward": None, "generations": None})
    assert widgets.values(("  ", 4.0)) == {"reward": None, "generations": 4}


def test_start_refuses_a_reward_that_does_not_apply_before_a_run_exists():
    with pytest.raises(gr.Error, match="sql_matches はこのデータには使えません"):
        train_step.start("smollm2-135m", DataChoice(preset="json"), {"method": "grpo", "reward": "sql_matches"}, "ja")
    assert runs.all_runs() == []


def test_the_latest_answers_table_is_one_line_a_answer_with_its_scores():
    run = runs.create(RunConfig(data=DataSpec(preset="json")))
    assert latest_answers(run.id, "en") == "" and latest_answers(None) == ""
    atomic_write_json(run.path / LATEST, {"time": 0, "answers": [
        {"prompt": "Pet 1", "answer": "a | b\nc" + "x" * 200, "scores": {"json_parses": 1.0, "length": -0.25}}]})
    table = latest_answers(run.id, "en").splitlines()
    assert table[2] == "| Prompt | Answer | json_parses | length |"
    assert table[4].startswith("| Pet 1 | a \\| b c") and table[4].endswith("… | 1.00 | -0.25 |")
