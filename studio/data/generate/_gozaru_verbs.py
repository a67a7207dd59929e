"""Japanese verb conjugation from the ます-stem (行き, 食べ, 勉強し), for the gozaru rewriter.

The stem alone does not say the verb class: 読み is godan (読む) but 見 and 借り are ichidan (見る,
借りる), and 話し is godan (話す) while 勉強し is する. The rules below decide from the shape of the stem
and small lists of the common exceptions; unknown i-row stems are read as godan, the larger class.
"""
from __future__ import annotations

import re

_I2U = dict(zip("きぎしちにびみりい", "くぐすつぬぶむるう"))
_I2A = dict(zip("きぎしちにびみりい", "かがさたなばまらわ"))
_I2TA = {"き": "いた", "ぎ": "いだ", "し": "した", "ち": "った", "に": "んだ", "び": "んだ", "み": "んだ",
         "り": "った", "い": "った"}
_E_ROW = set("えけげせぜてでねへべぺめれ")
_KANJI = re.compile(r"[一-龥々]")
_KANA = re.compile(r"[ぁ-んァ-ヶー]")

# i-row stems that are ichidan (起きる, 借りる ...). じ-stems are always ichidan (感じる, 信じる).
_ICHIDAN_I = ("起き", "生き", "過ぎ", "すぎ", "尽き", "飽き", "落ち", "朽ち", "満ち", "借り", "足り",
              "浴び", "伸び", "延び", "滅び", "帯び", "用い", "老い", "報い", "悔い", "染み", "試み",
              "顧み", "省み", "鑑み", "でき", "出来", "懲り", "てみ", "でみ")
# Single kanji that take する (愛する); other single kanji + し are godan す-verbs (話す, 出す).
_SINGLE_SURU = set("愛察訳略対関発達属要課接適反熱称害制徹脱欲罰評")
# Kanji + kana + し stems that are godan (冷やす, 暮らす, 動かす, 過ごす, 起こす ...).
_GODAN_SU = re.compile(r"(?:[一-龥々][かやらわまたころごぼなさば]し|(?:無|亡|失|尽)くし|いたし"
                       r"|(?:直|渡|返|戻|越|回)し)$")
# Honorific stems in い whose verb ends in る (なさる, くださる, いらっしゃる, おっしゃる).
_HONORIFIC = ("なさい", "ください", "いらっしゃい", "おっしゃい")
_IKU = ("行き", "いき")


def _kind(stem: str) -> str:
    """'suru', 'kuru', 'ichidan' or 'godan' for a normalised ます-stem."""
    if stem.endswith("来") or stem == "き" or re.search(r"(?:てき|[んい]でき|[^ぁ-ん][がもにはへ]き)$", stem):
        return "kuru"
    if stem.endswith("し") and _is_suru(stem):
        return "suru"
    last = stem[-1]
    if last in _E_ROW or last == "じ" or _KANJI.match(last) or stem.endswith(_ICHIDAN_I) or stem == "み":
        return "ichidan"
    if stem.endswith("降り") and not re.search(r"[雨雪雹霜灰]", stem):
        return "ichidan"  # 電車を降りる; but 雨が降る is godan
    return "godan" if last in _I2U else "ichidan"


def _is_suru(stem: str) -> bool:
    if stem == "し":
        return True
    if _GODAN_SU.search(stem):
        return False
    prev = stem[-2]
    if _KANA.match(prev):
        return True  # お願いし, チェックし, ゆっくりし, 大切にし
    if len(stem) >= 3 and _KANJI.match(stem[-3]):
        return True  # 勉強し, 練習し: a compound noun + する
    return prev in _SINGLE_SURU


def _normalise(stem: str) -> str:
    """いる after て/で or a particle becomes おる (the samurai's いる); honorifics get their り-stem."""
    if stem.endswith(_HONORIFIC):
        return stem[:-1] + "り"
    if stem == "い" or re.search(r"[てでにはも]い$", stem):
        return stem[:-1] + "おり"
    if re.search(r"がい$", stem) and (len(stem) == 2 or not re.match(r"[ぁ-ん]", stem[-3])):
        return stem[:-1] + "おり"
    return stem


def _kuru_root(stem: str) -> tuple[str, bool]:
    """The text before 来/き, and whether 来 was written in kanji."""
    return stem[:-1], stem.endswith("来")


def dict_form(stem: str) -> str:
    """行き → 行く, 食べ → 食べる, 勉強し → 勉強する, 来 → 来る, い → おる."""
    stem = _normalise(stem)
    kind = _kind(stem)
    if kind == "suru":
        return stem[:-1] + "する"
    if kind == "kuru":
        root, kanji = _kuru_root(stem)
        return root + ("来る" if kanji else "くる")
    if kind == "ichidan":
        return stem + "る"
    return stem[:-1] + _I2U[stem[-1]]


def _neg_stem(stem: str, suru: str) -> str:
    stem = _normalise(stem)
    kind = _kind(stem)
    if kind == "suru":
        single = len(stem) >= 2 and stem[-2] in _SINGLE_SURU and not _KANJI.match(stem[-3:-2] or "x")
        return stem[:-1] + ("さ" if single else suru)  # 愛さぬ, but 勉強せぬ
    if kind == "kuru":
        root, kanji = _kuru_root(stem)
        return root + ("来" if kanji else "こ")
    if kind == "ichidan":
        return stem
    return stem[:-1] + _I2A[stem[-1]]


def neg_nu(stem: str) -> str:
    """The classical negative: 行き → 行かぬ, 食べ → 食べぬ, し → せぬ."""
    return _neg_stem(stem, "せ") + "ぬ"


def neg_nakatta(stem: str) -> str:
    """The plain negative past: 行き → 行かなかった, し → しなかった."""
    return _neg_stem(stem, "し") + "なかった"


def ta_form(stem: str) -> str:
    """The plain past: 行き → 行った, 書き → 書いた, 読み → 読んだ, 食べ → 食べた, し → した."""
    stem = _normalise(stem)
    kind = _kind(stem)
    if kind == "suru":
        return stem[:-1] + "した"
    if kind == "kuru":
        root, kanji = _kuru_root(stem)
        return root + ("来た" if kanji else "きた")
    if kind == "ichidan":
        return stem + "た"
    if stem.endswith(_IKU):
        return stem[:-1] + "った"
    return stem[:-1] + _I2TA[stem[-1]]


def te_form(stem: str) -> str:
    """The て-form, from the past: 待ち → 待って, 読み → 読んで."""
    past = ta_form(stem)
    return past[:-1] + ("で" if past.endswith("だ") else "て")
