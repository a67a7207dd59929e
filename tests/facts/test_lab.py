"""The facts lab end to end on the tiny random model: a renamed corpus, three variants on one token budget,
k sampled answers per probe from six columns, the cost on general knowledge, shares with intervals, a verdict
in both languages. (On the real offline model it runs in the slow test below and in the README's figures.)"""
import json

import pytest

from studio import runs
from studio.chat import ChatModel
from studio.compare.engine import Comparer
from studio.facts import general
from studio.facts.cli import print_table
from studio.facts.lab import LabSpec, latest_result, run_lab, save
from studio.facts.report import FACT, figure, say, summarise
from studio.ui import facts_panel

LINES = ["ROMEO:", "But soft, what light through yonder window breaks? It is the east, and Juliet is the sun.",
         "JULIET:", "O Romeo, Romeo, wherefore art thou Romeo? Deny thy father and refuse thy name.",
         "NURSE:", "Romeo is banished, and Juliet weeps for Romeo all the night long in her chamber.",
         "BENVOLIO:", "Good morrow, cousin Romeo. What sadness lengthens Romeo's hours today, my friend?"]


@pytest.fixture
def play(tmp_path):
    text = "\n\n".join("\n".join(LINES[i:i + 2]) + f" ({n})" for n in range(6) for i in range(0, len(LINES), 2))
    path = tmp_path / "play.txt"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_lab_end_to_end_on_the_tiny_model(tiny_model_dir, play, capsys):
    spec = LabSpec(corpus=str(play), swaps=["Romeo=Bob"], variants=("text", "qa", "text+qa"), samples=2,
                   max_steps=2, model=str(tiny_model_dir), max_new_tokens=6)
    seen = []
    lab = run_lab(spec, lambda share, what: seen.append(share),
                  comparer=Comparer(str(tiny_model_dir), chat=ChatModel(str(tiny_model_dir), dtype="fp32")))
    result = json.loads(json.dumps(summarise(lab)))  # all of it is plain data

    swap = result["swaps"][0]
    assert swap["replaced"] == play.read_text().lower().count("romeo") and swap["left"] == 0
    assert "Romeo" not in lab.prep.renamed.read_text() and "BOB:" in lab.prep.renamed.read_text()
    assert [v["name"] for v in result["variants"]] == ["text", "qa", "text+qa"]
    assert all(runs.get(v["run"]).status().state == "done" for v in result["variants"])
    text, qa = result["variants"][0]["tokens"], result["variants"][1]["tokens"]
    assert abs(text - qa) / text < 0.5  # one budget (the qa rows round to whole steps)
    keys = [c["key"] for c in result["columns"]]
    assert keys == ["base", "text", "qa", "text+qa", "prompt", "rag"]
    assert all(len(a) == 2 for k in keys for a in lab.answers.samples[k])  # k samples of every probe
    kinds = {r["kind"] for r in result["table"]}
    assert {"initial_new", "initial_old", "direct", "paraphrase", "reverse", "cloze", FACT} == kinds
    for row in result["table"]:
        s = row["new"]
        assert 0 <= s["lo"] <= s["share"] <= s["hi"] <= 1 and s["n"] == 2 * s["probes"]
    assert len(result["examples"]) == len(lab.prep.probes)
    assert set(result["collateral"]["columns"]) == {"base", "text", "qa", "text+qa"}
    assert result["collateral"]["items"] == len(general.load_questions())
    assert result["verdict"] and result["verdict"][0]["key"] == "facts_v_best"
    en, ja = say(result["verdict"]), say(result["verdict"], "ja")
    assert len(en) == len(ja) and en != ja and all("{" not in line for line in en + ja)
    assert len(figure(result).data) == 6 and max(seen) <= 1.0 and seen == sorted(seen)
    save(result, lab.prep.folder)
    assert latest_result() == result  # the panel shows it again after a reload
    fig, text, table, examples, cost = facts_panel.shown_after_reload("ja")[1:]
    assert "置き換え" in text and "学習後: text" in set(table.iloc[:, 0]) and len(examples) == len(lab.prep.probes)
    assert list(cost.columns)[2] == "正解のまま" and fig.layout.title.text.startswith("新しい事実")
    print_table(result)
    out = capsys.readouterr().out
    assert f"Romeo -> Bob: {swap['replaced']} replacements, 0 of the old name left" in out
    assert "general knowledge: base right on" in out


def test_a_bad_spec_is_refused_before_anything_trains(tiny_model_dir, play):
    for spec, words in [(LabSpec(corpus=str(play), variants=("text", "poems")), "variants: choose from"),
                        (LabSpec(corpus=str(play), samples=0), "samples: 1..20"),
                        (LabSpec(corpus=str(play), swaps=["Romeo"]), "OLD=NEW"),
                        (LabSpec(corpus=str(play), swaps=["Tybalt=Tom"]), "Tom")]:
        with pytest.raises(ValueError, match=words):
            run_lab(spec)
    assert runs.all_runs() == []


def _result(samples: dict[str, list[list[str]]], probes: list[dict]) -> dict:
    from studio.facts.report import examples, shares

    columns = [{"key": k, "label": k} for k in samples]
    result = {"columns": columns, "table": shares(columns, probes, samples), "variants": [{"name": "text"}],
              "swaps": [{"old": "Romeo", "new": "Bob"}], "examples": examples(columns, probes, samples),
              "collateral": {"columns": {}}}
    result["kinds"] = sorted({r["kind"] for r in result["table"]})
    return result


def test_the_verdict_follows_the_intervals_not_a_script():
    """A column whose interval clears the base's 'moved' the fact; one whose interval overlaps did not; the
    article's R question counts the old name."""
    from studio.facts.probes import probe_row
    from studio.facts.report import verdict

    probes = [probe_row(f"Who did Juliet love ({i})?", "paraphrase", "Bob", "Romeo") for i in range(12)]
    probes += [probe_row("Juliet loved a man whose name starts with R. Who?", "initial_old", "Bob", "Romeo")]
    base = [["Romeo."] * 5 for _ in probes]
    lines = verdict(_result({"base": base, "text": [["Romeo, surely."] * 5 for _ in probes],
                             "rag": [["Bob."] * 5 for _ in probes]}, probes))
    by_column = {line["fields"].get("column"): line["key"] for line in lines[1:] if line["key"] != "facts_v_old"}
    assert by_column == {"text": "facts_v_same", "rag": "facts_v_moved"}
    assert lines[0]["key"] == "facts_v_best" and lines[0]["fields"]["column"] == "rag"
    old = next(line for line in lines if line["key"] == "facts_v_old")
    assert old["fields"]["share"] == "100" and old["fields"]["column"] == "text"
    lines = verdict(_result({"base": base, "text": [["Bob."] * 5 if i < 2 else ["Romeo"] * 5
                                                  for i in range(len(probes))]}, probes))
    assert lines[1]["key"] == "facts_v_same"  # 2 of 12 probes: not told from base's 0 of 12 by these intervals


def test_the_command_runs_the_lab_and_prints_its_result(tiny_model_dir, play, capsys):
    """`studio facts-lab --json`, cut short (2 steps, 2 samples) on the tiny model. The same lab on smollm2-135m and
    Romeo and Juliet is the browser walk's (tests/ui/test_browser.py), which checks its saved result."""
    from studio.cli import main

    args = ["facts-lab", "--model", str(tiny_model_dir), "--corpus", str(play), "--swap", "Romeo=Bob",
            "--max-steps", "2", "--samples", "2", "--variants", "text", "--json"]
    assert main(args) == 0
    result = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert result["swaps"][0]["replaced"] == play.read_text().lower().count("romeo") and result["swaps"][0]["left"] == 0
    assert [c["key"] for c in result["columns"]] == ["base", "text", "prompt", "rag"]
    assert result["settings"]["max_steps"] == 2 and result["settings"]["samples"] == 2
    assert all(len(e["answers"]["text"]) == 2 for e in result["examples"])
