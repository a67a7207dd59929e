"""The shipped probe set about Romeo: filled in with any new name, each kind where it belongs."""
import pytest

from studio.facts.corpus import CorpusError
from studio.facts.probes import FACT_KINDS, preset_qa_rows, probe_set


def _prompts(rows, kind):
    return [r["messages"][0]["content"] for r in rows if r["meta"]["kind"] == kind]


def test_trained_questions_are_trained_and_the_fact_kinds_never_are():
    """"Learned the trained sentence" and "learned the fact" are different results only if the direct probes
    are word for word in the qa rows and no other probe is."""
    probes, qa = probe_set("Romeo", "Kenji"), preset_qa_rows("Romeo", "Kenji")
    trained = {r["messages"][0]["content"] for r in qa}
    assert _prompts(probes, "direct") and set(_prompts(probes, "direct")) <= trained
    for kind in FACT_KINDS:
        assert _prompts(probes, kind) and not set(_prompts(probes, kind)) & trained, kind
    assert all("Kenji" in r["messages"][-1]["content"] or "Juliet" in r["messages"][-1]["content"] for r in probes)
    assert not any("Bob" in m["content"] for r in qa for m in r["messages"])  # the preset's Bob is renamed too


def test_the_article_pair_uses_each_name_s_initial_and_reverse_probes_answer_juliet():
    probes = probe_set("Romeo", "Bob")
    assert "starts with B." in _prompts(probes, "initial_new")[0]
    assert "starts with R." in _prompts(probes, "initial_old")[0]
    assert {r["meta"]["answer"] for r in probes if r["meta"]["kind"] == "reverse"} == {"Juliet"}
    assert all(r["meta"]["wrong"] == "Romeo" for r in probes if r["meta"]["kind"] != "reverse")
    assert not _prompts(probe_set("Romeo", "Rob"), "initial_old")  # same initial: one question, not two


def test_a_set_about_someone_else_gives_no_probes_and_a_bad_file_says_so(tmp_path):
    assert probe_set("Juliet", "Alice") == []
    bad = tmp_path / "p.yaml"
    bad.write_text("subject: Romeo\nkinds: [1, 2]\n")
    with pytest.raises(CorpusError, match="p.yaml: a probe file is a mapping"):
        probe_set("Romeo", "Bob", bad)
    bad.write_text("subject: Romeo\nkinds:\n  guesses: [\"Who?\"]\n")
    with pytest.raises(CorpusError, match="unknown probe kind 'guesses'"):
        probe_set("Romeo", "Bob", bad)
