"""The teacher's checks (parsing, validators, near-duplicates) and a real run on a tiny model."""
from studio.data.generate import teacher

SEEDS = [{"messages": [{"role": "user", "content": f"What is {i} plus {i}?"},
                       {"role": "assistant", "content": f"{i} plus {i} is {2 * i}."}]} for i in range(5)]


def test_parse_pair():
    assert teacher.parse_pair(" Why is the sky blue?\nA: Scattering.\n\nQ: more") == \
        ("Why is the sky blue?", "Scattering.")
    assert teacher.parse_pair("no structure here") is None


def test_judge_rejects_for_each_reason():
    seen = ["What is 1 plus 1? 1 plus 1 is 2."]
    assert teacher.judge("garbage", None, seen)[1] == "did not parse as Q:/A:"
    assert teacher.judge(" What is 1 plus 1?\nA: 1 plus 1 is 2.", None, seen)[1] == "near-duplicate"
    row, why = teacher.judge(" Name a red fruit.\nA: An apple.", lambda r: "not JSON", seen)
    assert row is None and why.startswith("failed the check")
    row, why = teacher.judge(" Name a red fruit.\nA: An apple.", None, seen)
    assert why == "" and row["messages"][1]["content"] == "An apple."


def test_teach_runs_a_real_model_and_counts_every_attempt(tiny_model_dir):
    result = teacher.teach(str(tiny_model_dir), SEEDS, "Arithmetic questions.", n=2, max_attempts=3)
    assert result.attempts == 3 or len(result.rows) == 2
    assert len(result.rows) + sum(result.rejects.values()) == result.attempts
    for row in result.rows:  # whatever a random model writes, only checked rows are kept
        assert row["messages"][0]["role"] == "user" and row["messages"][1]["content"]
