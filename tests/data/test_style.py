"""The style side: the gozaru and Shakespeare rewriters, their detectors, the style meters, and the two
style generators. The held-out texts below were written apart from the generator corpora."""
from __future__ import annotations

import re

import pytest

from studio.data.generate import gozaru, shakespeare
from studio.data.generate._gozaru_verbs import dict_form, neg_nakatta, neg_nu, ta_form, te_form
from studio.data.generate.gozaru import load_pairs as ja_pairs
from studio.data.generate.shakespeare import load_pairs as en_pairs
from studio.evaluate import style

HELD_OUT_JA = """\
今日は朝から雨が降っています。傘を持って出かけましょう。
この店のラーメンはとてもおいしいです。
私は毎朝六時に起きます。
図書館は月曜日が休みです。
駅までは歩いて十分ほどかかります。
昨日は友達と映画を見ました。とても面白かったです。
この問題はそれほど難しくありません。
明日は晴れるでしょう。
猫は一日の半分以上を寝て過ごします。
この川の水はきれいではありません。
僕はコーヒーより紅茶が好きです。
パソコンの電源を切る前にデータを保存してください。
冬はインフルエンザが流行しやすい季節だ。
私たちは来週、京都へ旅行に行きます。
その映画はまだ見ていません。
新しいスマートフォンは電池が長持ちします。
この道をまっすぐ進むと郵便局があります。
彼は先月、会社を辞めました。
日曜日に公園でサッカーをしました。
ペンギンは空を飛ぶことができません。
地球は太陽のまわりを一年かけて回っています。
お茶を入れましょうか？
その話は本当ですか？
明日の会議は何時に始まりますか？
部屋の窓を開けると、涼しい風が入ってきます。
俺は昔、北海道に住んでいた。
この時計は祖父からもらったものだ。
空が暗くなってきました。もうすぐ雨が降るでしょう。
わたしは海の近くで育ちました。
月は自分では光りません。太陽の光を反射しているのです。
電車が遅れたので、会議に間に合いませんでした。
このスープは少し塩辛いですね。
風邪をひいたときは、早めに寝るのがいいです。
今日は本当にありがとうございます。
彼女は英語とフランス語を話します。
彼はもう帰ったのか？
一緒に散歩に行きませんか？
この方法がいいかもしれません。
宿題は今日中に出さなければなりません。
説明書は箱の中に入れてあります。
先生はいらっしゃいますか？
春がきます。
昨日はプールで泳いだ。
これ、いいね！
ここでタバコを吸わないでください。
少々お待ちください。
私立の学校に通っています。
犬が庭にいます。
休日はよく家でゴロゴロしています…
まだ食べていませんか？
なぜ空は青いのでしょうか？
""".splitlines()

HELD_OUT_EN = """\
You should drink a glass of water when you wake up.
Do you know how long the film lasts? It starts at eight.
If you are cold, your jacket is on the chair.
Your train leaves from platform two, so you have ten minutes.
The kettle boils in about three minutes, and it switches off by itself.
You can borrow my umbrella if it rains before you get home.
Have you tried the new bakery? It sells fresh bread every morning.
Yes, you can pay by card. The shop accepts most cards.
No, you do not need a ticket for the garden.
Perhaps you could call your sister before dinner.
You will find the keys in your bag.
The river floods often in spring, so you should check the news.
If you water your tomatoes every evening, they grow quickly.
Are you ready? The taxi waits outside.
You must keep your receipt, because the shop needs it for returns.
""".splitlines()

PLAIN_EN = """\
The meeting starts at ten o'clock in the main hall.
Water boils at one hundred degrees Celsius at sea level.
Our team finished the project two weeks early.
The museum opened a new wing for modern art last spring.
She walked to the station and caught the last train home.
Prices rose sharply after the storm damaged the harbour.
""".splitlines()

_FIRST_PERSON = {"私", "僕", "俺"}


def content_words_ja(text: str) -> list[str]:
    """Kanji runs and katakana words (the content a rewrite must keep), minus first-person pronouns."""
    return [w for w in re.findall(r"[一-龥々]+|[ァ-ヶー]{2,}", text) if w not in _FIRST_PERSON]


def content_words_en(text: str) -> list[str]:
    """Words of five letters or more (articles, pronouns and auxiliaries are shorter or swapped)."""
    swapped = {"before", "often", "perhaps", "nothing", "until", "between", "never", "yours"}
    return [w.lower() for w in re.findall(r"[A-Za-z]{5,}", text) if w.lower() not in swapped]


def keeps_en(word: str, output: str) -> bool:
    # an -s verb may become -eth (needs → needeth) and a plain verb -est (know → knowest)
    return any(t == word or t.startswith(word[:-1]) for t in re.findall(r"[a-z']+", output.lower()))


# ----------------------------------------------------------------------------------------- gozaru rewriter
def test_held_out_acceptance_gozaru():
    assert len(HELD_OUT_JA) >= 40
    ok = 0
    for text in HELD_OUT_JA:
        out = gozaru.rewrite(text)
        sentences = gozaru.split_sentences(out)
        tone = bool(sentences) and all(map(gozaru.is_gozaru_sentence, sentences))
        kept = all(w in out for w in content_words_ja(text))
        ok += tone and kept
    assert ok / len(HELD_OUT_JA) >= 0.95


@pytest.mark.parametrize(("plain", "samurai"), [
    ("富士山は日本で一番高い山です。", "富士山は日本で一番高い山でござる。"),
    ("昨日は雨でした。", "昨日は雨でござった。"),
    ("明日は晴れるでしょう。", "明日は晴れるでござろう。"),
    ("これは私の傘ではありません。", "これは拙者の傘ではござらぬ。"),
    ("その話は本当ですか？", "その話は本当でござるか？"),
    ("私は毎朝六時に起きます。", "拙者は毎朝六時に起きるでござる。"),
    ("彼女は英語を話します。", "彼女は英語を話すでござる。"),
    ("この本はもう読みました。", "この本はもう読んだでござる。"),
    ("ペンギンは空を飛べません。", "ペンギンは空を飛べぬでござる。"),
    ("町には古いお寺があります。", "町には古いお寺がござる。"),
    ("犬が庭にいます。", "犬が庭におるでござる。"),
    ("この薬は食後に飲んでください。", "この薬は食後に飲んでほしいでござる。"),
    ("今日は本当にありがとうございます。", "今日は本当にかたじけのうござる。"),
    ("このスープは少し塩辛いですね。", "このスープは少し塩辛いでござるな。"),
])
def test_rewrite_examples(plain, samurai):
    assert gozaru.rewrite(plain) == samurai


def test_rewrite_first_person_and_false_friends():
    assert gozaru.rewrite("私たちは学生です。").startswith("拙者ども")
    out = gozaru.rewrite("私立の学校で公僕について学びます。")
    assert "私立" in out and "公僕" in out and "拙者" not in out


def test_rewrite_keeps_lines_quotes_and_is_idempotent():
    text = "今日は晴れです。\n彼は「明日また来ます。」と言いました！"
    out = gozaru.rewrite(text)
    assert out.count("\n") == 1 and "「明日また来ます。」" in out and out.endswith("でござる！")
    assert gozaru.rewrite(out) == out


@pytest.mark.parametrize(("stem", "forms"), [
    ("行き", ("行く", "行った", "行かぬ", "行かなかった", "行って")),
    ("書き", ("書く", "書いた", "書かぬ", "書かなかった", "書いて")),
    ("泳ぎ", ("泳ぐ", "泳いだ", "泳がぬ", "泳がなかった", "泳いで")),
    ("読み", ("読む", "読んだ", "読まぬ", "読まなかった", "読んで")),
    ("買い", ("買う", "買った", "買わぬ", "買わなかった", "買って")),
    ("食べ", ("食べる", "食べた", "食べぬ", "食べなかった", "食べて")),
    ("借り", ("借りる", "借りた", "借りぬ", "借りなかった", "借りて")),
    ("勉強し", ("勉強する", "勉強した", "勉強せぬ", "勉強しなかった", "勉強して")),
    ("話し", ("話す", "話した", "話さぬ", "話さなかった", "話して")),
    ("来", ("来る", "来た", "来ぬ", "来なかった", "来て")),
    ("でき", ("できる", "できた", "できぬ", "できなかった", "できて")),
    ("い", ("おる", "おった", "おらぬ", "おらなかった", "おって")),
])
def test_conjugation(stem, forms):
    assert (dict_form(stem), ta_form(stem), neg_nu(stem), neg_nakatta(stem), te_form(stem)) == forms


def test_gozaru_detector_and_threshold():
    assert gozaru.is_gozaru_sentence("拙者は侍でござる。")
    assert gozaru.is_gozaru_sentence("それは存じませぬ、ござらぬ！")
    assert not gozaru.is_gozaru_sentence("これはペンです。")
    assert not gozaru.is_gozaru_sentence("ござるという言葉があります。")
    two_of_three = "山は高いでござる。川は長いでござる。海は広いです。"
    assert gozaru.is_gozaru(two_of_three) and not gozaru.is_gozaru("山でござる。川です。")
    assert gozaru.gozaru_share("") == 0.0 and not gozaru.is_gozaru("")


# ------------------------------------------------------------------------------------ shakespeare rewriter
@pytest.mark.parametrize(("plain", "archaic"), [
    ("You are right.", "Thou art right."),
    ("Do you know the way?", "Dost thou know the way?"),
    ("I will help you.", "I will help thee."),
    ("Your hands are cold.", "Thy hands are cold."),
    ("Your own garden grows.", "Thine own garden groweth."),
    ("He goes home and she needs rest.", "He goeth home and she needeth rest."),
    ("The sun rises in the east.", "The sun riseth in the east."),
    ("Yes, it has a name.", "Aye, it hath a name."),
    ("No, it does not.", "Nay, it doth not."),
    ("Wash your hands before you eat.", "Wash thy hands ere thou eatest."),
    ("Do not worry.", "Worry not."),
    ("It is often cold.", "'Tis oft cold."),
    ("If you can, come here.", "If thou canst, come hither."),
])
def test_shakespeare_examples(plain, archaic):
    assert shakespeare.rewrite(plain) == archaic


def test_shakespeare_held_out_and_content_words():
    outs = [shakespeare.rewrite(t) for t in HELD_OUT_EN]
    assert sum(map(shakespeare.is_shakespearean, outs)) / len(outs) >= 0.9
    for text, out in zip(HELD_OUT_EN, outs):
        assert all(keeps_en(w, out) for w in content_words_en(text)), (text, out)


def test_plain_english_is_not_shakespearean():
    assert not any(shakespeare.is_shakespearean(t) for t in PLAIN_EN + HELD_OUT_EN)
    assert shakespeare.markers("Modern art is on the art floor.") == []
    assert shakespeare.markers("Thou art kind, and it goeth well.") == ["thou", "art", "goeth"]


# ---------------------------------------------------------------------------------------------- meters
def test_style_meters_separate_styles():
    ja_plain = [p.answer for p in ja_pairs()[:40]]
    ja_tone = [gozaru.rewrite(t) for t in ja_plain]
    high, low = style.gozaru(ja_tone, []), style.gozaru(ja_plain, [])
    assert high["primary"] == 1.0 and high["sentence_share"] == 1.0 and low["primary"] == 0.0
    en_plain = [p.answer for p in en_pairs()[:40]]
    en_tone = [shakespeare.rewrite(t) for t in en_plain]
    high, low = style.shakespeare(en_tone, []), style.shakespeare(en_plain, [])
    assert high["primary"] >= 0.95 and low["primary"] == 0.0 and low["thou_share"] == 0.0
    assert high["marker_density"] > 2.0 > low["marker_density"]
    assert style.is_gozaru(ja_tone[0]) and style.is_shakespearean(en_tone[0])


def test_first_person_sessha():
    scores = style.gozaru(["拙者は侍でござる。", "私は学生でござる。", "空は青いでござる。"], [])
    assert scores["first_person_sessha"] == 0.5 and scores["primary"] == 1.0
    assert style.gozaru([], [])["primary"] == 0.0


def test_regex_nonempty_and_fact_recall():
    assert style.regex_style(["Hello!", "hi", "Hello. Hello."], [], r"Hello") == {
        "primary": 2 / 3, "mean_matches": 1.0}
    scores = style.nonempty(["", "  ", "A short answer.", "x" * 500], [])
    assert scores["primary"] == 0.25 and scores["empty"] == 0.5
    rows = [{"meta": {"answer": "Bob", "wrong": "Romeo"}}] * 4 + [{"messages": []}]
    outs = ["Bob.", "It was Romeo.", "Bob, not Romeo.", "Bobby Tables", "Bob"]
    fr = style.fact_recall(outs, rows)
    assert fr == {"primary": 0.25, "old_fact": 0.5, "new_fact": 0.5, "scored": 4.0}


# ------------------------------------------------------------------------------------------ generators
@pytest.mark.parametrize("module", [gozaru, shakespeare])
def test_generator_rows(module):
    rows = module.generate(400, seed=3)
    assert len(rows) == 400 and all(module.check_row(r) is None for r in rows)
    prompts = [r["messages"][0]["content"] for r in rows]
    assert len(set(prompts)) == 400
    assert len({r["messages"][-1]["content"] for r in rows}) >= 300
    assert len({r["meta"]["category"] for r in rows}) >= 30
    assert module.generate(50, seed=9) == module.generate(50, seed=9)
    assert module.generate(50, seed=9) != module.generate(50, seed=10)
    many = module.generate(3000, seed=1)
    assert len({r["messages"][0]["content"] for r in many}) == 3000
    assert all(module.check_row(r) is None for r in many[-200:])


def test_check_row_rejects_plain_answers():
    row = {"messages": [{"role": "user", "content": "空はなぜ青いのですか？"},
                        {"role": "assistant", "content": "光が散らばるからです。"}], "meta": {}}
    assert gozaru.check_row(row) is not None
    row["messages"][1]["content"] = gozaru.rewrite(row["messages"][1]["content"])
    assert gozaru.check_row(row) is None
    en = {"messages": [{"role": "user", "content": "Why?"},
                       {"role": "assistant", "content": "Because the light scatters."}], "meta": {}}
    assert shakespeare.check_row(en) is not None


@pytest.mark.parametrize(("pairs", "module"), [(ja_pairs, gozaru), (en_pairs, shakespeare)])
def test_corpus_size_and_every_pair_rewrites(pairs, module):
    corpus = pairs()
    assert len(corpus) >= 450 and len({p.category for p in corpus}) >= 40
    failures = [p.question for p in corpus
                if module.check_row(module.STYLE.make(p.question, p.answer, p.category)) is not None]
    assert failures == []


def test_gozaru_corpus_answers_are_short_and_keep_content():
    for p in ja_pairs():
        out = gozaru.rewrite(p.answer)
        assert len(out) <= 90, out
        assert all(w in out for w in content_words_ja(p.answer)), (p.answer, out)
