"""The samurai tone (〜でござる): a rule-based rewriter of plain Japanese, its detector, and the generator.

Choices a reader should know (they are what the rules produce):
- です/だ/である → でござる, でした/だった → でござった, でしょう/だろう → でござろう,
  ではない/ではありません → ではござらぬ, あります → ござる, ありません → ござらぬ.
- Verbs in ます-form take the plain form + でござる, the popular "Kenshin" register a Japanese reader knows:
  行きます → 行くでござる, 行きました → 行ったでござる, 行きません → 行かぬでござる (the classical ぬ negative),
  行きませんでした → 行かなかったでござる, 行きましょう → 行くとよいでござる (answers use ましょう to advise),
  〜ています → 〜ておるでござる (おる is the samurai いる). The conjugation lives in `_gozaru_verbs.py`.
- 〜てください → 〜てほしいでござる, ありがとうございます → かたじけのうござる (the classical form).
- 私/僕/俺/わたし → 拙者 (私たち → 拙者ども). Content words (kanji, katakana) are never replaced.
- A sentence already in the tone is left alone, so `rewrite` is idempotent.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from studio.data.generate._gozaru_verbs import dict_form, neg_nakatta, neg_nu, ta_form, te_form
from studio.data.generate._style_corpus_ja import FRAMINGS, JOINER, load_pairs
from studio.data.generate._style_rows import Style
from studio.data.generate.preset import preset_spec, train_settings

# A sentence ends in the tone when its last predicate is a form of ござる, maybe followed by particles.
_GOZARU_END = re.compile(
    r"ござ(?:る|った|ろう|らぬ|らん|らなんだ|りまする|りました)(?:か|な|よ|ぞ|ね|の)*$"
)
_OPEN, _CLOSE = "「『（(【", "」』）)】"
_STOPS = "。！？!?\n"
_FIRST_PERSON = re.compile(
    r"(?:私|僕|俺|わたし|わたくし)(?:たち|ども|ら)"
    r"|(?<![一-龥])私(?=[はがもをにのとへでやっ、。！？自]|$)"
    r"|(?<![一-龥])僕(?=[はがもをにのとへでやっ、。！？自]|$)"
    r"|俺(?=[はがもをにのとへでやっ、。！？自]|$)"
    r"|わたくし(?=[はがもをにのとへでや、])|わたし(?=[はがもをにのとへでや、])"
)


def _segments(text: str) -> list[tuple[str, str]]:
    """(body, terminator) pairs; 。！？ and newlines inside 「…」 or （…） do not end a sentence."""
    out: list[tuple[str, str]] = []
    body, stop, depth = "", "", 0
    for ch in text:
        if stop and ch not in _STOPS:
            out.append((body, stop))
            body, stop = "", ""
        if stop or (ch in _STOPS and depth == 0):
            stop += ch
            continue
        depth += (ch in _OPEN) - (ch in _CLOSE and depth > 0)
        body += ch
    if body or stop:
        out.append((body, stop))
    return out


def _split_tail(body: str) -> tuple[str, str]:
    """Separate trailing symbols (…, ～, spaces, emoji, closing brackets) from the words."""
    m = re.search(r"[^\w々〆ー]*$", body)
    return body[: m.start()], body[m.start():]


def split_sentences(text: str) -> list[str]:
    """The sentences of a text, words only (trailing symbols removed); empty pieces are dropped."""
    return [core for core, _ in (_split_tail(b) for b, _ in _segments(text)) if core.strip()]


def is_gozaru_sentence(sentence: str) -> bool:
    core, _ = _split_tail(sentence.strip())
    return bool(_GOZARU_END.search(core))


def gozaru_share(text: str) -> float:
    """Share of a text's sentences that end in a ござる form (0.0 for a text with no sentence)."""
    sentences = split_sentences(text)
    return sum(map(is_gozaru_sentence, sentences)) / len(sentences) if sentences else 0.0


def is_gozaru(text: str, threshold: float = 0.6) -> bool:
    """A text is in the tone when it has a sentence and >= 60% of its sentences end in ござる:
    a model may add a plain heading or a list line without losing the voice."""
    return gozaru_share(text) >= threshold


# --------------------------------------------------------------------------------------------- rewriting
# Particles after the predicate: strip them, rewrite the predicate, put the samurai particle back.
_PARTICLE = re.compile(r"(よね|かね|かな|か|よ|ね|ぞ|わ|な)$")
_SAMURAI_PARTICLE = {"よね": "な", "ね": "な", "かね": "か", "かな": "か", "わ": "", "よ": "よ"}
_PREDICATE_END = re.compile(r"(?:です|ます|ました|ません|でした|でしょう|ましょう|ございます|だ|だった"
                            r"|だろう|の|ん|ない|い|た|[うくぐすつぬぶむる])$")
_STRONG_END = re.compile(r"(?:です|ます|ました|だ|た|い)$")
# Before ん (explanatory のです/んだ), a predicate ends in these; otherwise 〜んだ is a past tense (読んだ).
_EXPLAIN_PREV = set("うくぐすつぬぶむるないただ")
# ぐ-verbs whose past ends in いだ (泳いだ), so that 〜いだ is not read as the copula だ.
_GU_ROOTS = ("泳", "急", "脱", "注", "稼", "騒", "防", "漕", "嗅", "継", "仰", "研", "繋", "塞", "担",
             "凌", "和ら", "揺ら", "安ら")


def _no(stem: str) -> str:
    """〜んです / 〜んだ → 〜のでござる: the explanatory ん becomes の before ござる."""
    if len(stem) >= 2 and stem.endswith("ん") and stem[-2] in _EXPLAIN_PREV:
        return stem[:-1] + "の"
    return stem


def _yoi(stem: str) -> str:
    """いい → よい at the end of a predicate (the samurai would not say いい); かわいい is kept."""
    return stem[:-2] + "よい" if stem.endswith("いい") and not stem.endswith("わいい") else stem


def _is_past_da(stem: str) -> bool:
    """True when the だ ending belongs to a verb past (読んだ, 泳いだ) rather than the copula."""
    if stem.endswith("ん") and len(stem) >= 2:
        return stem[-2] not in _EXPLAIN_PREV
    return stem.endswith("い") and stem[:-1].endswith(_GU_ROOTS)


def _da(stem: str, q: bool) -> str:
    return stem + "だでござる" if _is_past_da(stem) else _yoi(_no(stem)) + "でござる"


def _please(stem: str, q: bool) -> str:
    """〜てください / おVください → 〜てほしいでござる; Xをください → Xがほしいでござる."""
    if stem.endswith(("て", "で")):
        return stem + "ほしいでござる"
    if stem.endswith("を"):
        return stem[:-1] + "がほしいでござる"
    m = re.search(r"お([一-龥]+[ぁ-ん]?)$", stem)
    if m:
        return stem[: m.start()] + te_form(m.group(1)) + "ほしいでござる"
    return stem + "くださるとありがたいでござる"


_Rule = tuple[re.Pattern[str], Callable[[str, bool], str]]
_RULES: list[_Rule] = [
    (re.compile(r"ありがとうございま(?:す|した)$"), lambda s, q: s + "かたじけのうござる"),
    (re.compile(r"ございました$"), lambda s, q: s + "ござった"),
    (re.compile(r"ございます$"), lambda s, q: s + "ござる"),
    (re.compile(r"(?:では|じゃ)(?:ありませんでした|なかったです|なかった)$"),
     lambda s, q: s + "ではござらなんだ"),
    (re.compile(r"(?:では|じゃ)(?:ありません|ないです|ない)$"), lambda s, q: s + "ではござらぬ"),
    (re.compile(r"ありませんでした$"), lambda s, q: s + "ござらなんだ"),
    (re.compile(r"ありません$"), lambda s, q: s + "ござらぬ"),
    (re.compile(r"ありました$"), lambda s, q: s + "ござった"),
    (re.compile(r"あります$"), lambda s, q: s + "ござる"),
    (re.compile(r"ませんでした$"), lambda s, q: neg_nakatta(s) + "でござる"),
    (re.compile(r"(?:でしょう|だろう|であろう)$"), lambda s, q: _yoi(_no(s)) + "でござろう"),
    (re.compile(r"(?:でした|だった|であった)$"), lambda s, q: _no(s) + "でござった"),
    (re.compile(r"ません$"), lambda s, q: neg_nu(s) + "でござる"),
    (re.compile(r"ましょう$"), lambda s, q: dict_form(s) + ("でござる" if q else "とよいでござる")),
    (re.compile(r"ました$"), lambda s, q: ta_form(s) + "でござる"),
    (re.compile(r"ます$"), lambda s, q: dict_form(s) + "でござる"),
    (re.compile(r"(?:ください|下さい)$"), _please),
    (re.compile(r"(?:です|である)$"), lambda s, q: _yoi(_no(s)) + "でござる"),
    (re.compile(r"だ$"), _da),
]


def _split_particle(core: str) -> tuple[str, str]:
    m = _PARTICLE.search(core)
    if not m:
        return core, ""
    rest, particle = core[: m.start()], m.group(1)
    ok = _STRONG_END if particle == "な" else _PREDICATE_END
    return (rest, particle) if rest and ok.search(rest) else (core, "")


def _rewrite_core(core: str) -> str:
    stem, particle = _split_particle(core)
    question = particle in ("か", "かね", "かな")
    for pattern, make in _RULES:
        m = pattern.search(stem)
        if m:
            new = make(stem[: m.start()], question)
            break
    else:  # a plain predicate (adjective, plain verb, noun): add the copula
        new = _yoi(stem) + "でござる"
    return new + _SAMURAI_PARTICLE.get(particle, particle)


def _rewrite_sentence(body: str) -> str:
    core, tail = _split_tail(body)
    if not core.strip() or _GOZARU_END.search(core):
        return body
    lead = core[: len(core) - len(core.lstrip())]
    words = re.sub(r"^ですが、", "されど、", core.strip())  # the samurai's "but"
    return lead + _rewrite_core(words) + tail


def sessha(text: str) -> str:
    """First person → 拙者 (plural → 拙者ども); 私立, 公僕 and the like are left alone."""
    return _FIRST_PERSON.sub(lambda m: "拙者ども" if len(m.group(0)) > 1 and
                             m.group(0).endswith(("たち", "ども", "ら")) else "拙者", text)


def rewrite(text: str) -> str:
    """Plain Japanese → the samurai tone, sentence by sentence; content words are kept."""
    return "".join(_rewrite_sentence(body) + stop for body, stop in _segments(sessha(text)))


# ------------------------------------------------------------------------------------------- generator
def _in_tone(answer: str) -> bool:
    return all(map(is_gozaru_sentence, split_sentences(answer)))


STYLE = Style(load_pairs, FRAMINGS, JOINER, rewrite, _in_tone, "in the gozaru tone")
check_row = STYLE.check_row
generate = STYLE.generate  # a neutral Japanese question → its neutral answer rewritten in the tone


PRESET_SPEC = preset_spec(
    "gozaru", language="ja", task="style", meter="gozaru", model="gemma3-270m",
    hub_model="Qwen/Qwen2.5-1.5B-Instruct",
    title={"en": "Samurai tone (〜でござる)", "ja": "ござる口調"},
    description={"en": "Plain Japanese answers rewritten in the samurai tone: every sentence ends in 〜でござる.",
                 "ja": "ふつうの日本語の回答を、すべての文が「〜でござる」で終わる侍の口調に書き換えたデータです。"},
    goal={"en": "Answer everyday questions in Japanese, in the samurai tone ending with 〜でござる.",
          "ja": "日常の質問に、語尾が「〜でござる」の侍口調で答えてほしい。"},
    train=train_settings(epochs=3, learning_rate=2.0e-4, max_length=128),
)


def build_preset(out_dir: str | Path, seed: int = 7) -> Path:
    """Write presets/gozaru (`studio data build-preset gozaru`) from the Japanese corpus."""
    return STYLE.build_preset(out_dir, PRESET_SPEC, seed)
