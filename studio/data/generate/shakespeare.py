"""Early Modern English: a rule-based rewriter of plain English, its detector, and the generator.

What the rules do (content words are kept; only pronouns, auxiliaries and a few small words change):
- you → thou (subject) / thee (object), your → thy (thine before a vowel), yours → thine,
  yourself → thyself; the verb beside thou agrees: you are → thou art, do you → dost thou,
  you can → thou canst, you know → thou knowest.
- third-person -s verbs → -eth after he/she/it/this/who... or a noun subject: it goes → it goeth,
  the sun rises → the sun riseth; has → hath, does → doth, says → saith.
- "Do not worry." → "Worry not."; "It is" → "'Tis"; yes → aye and no → nay (as interjections);
  before → ere, often → oft, perhaps/maybe → perchance, why → wherefore, nothing → naught,
  come here → come hither.
The detector and its threshold live in `markers` / `is_shakespearean` below.
"""
from __future__ import annotations

import re
from pathlib import Path

from studio.data.generate._style_corpus_en import (
    ADVERBS,
    AUX_THOU,
    CLAUSE_START,
    CONTRACTIONS,
    DETERMINERS,
    EST_VERBS,
    FRAMINGS,
    JOINER,
    NOT_NOUNS,
    NOT_S_VERBS,
    PREPOSITIONS,
    QUANTIFIERS,
    S_VERBS,
    THIRD_SUBJECTS,
    WEAK_SUBJECTS,
    WORD_SWAPS,
    _words,
    load_pairs,
)
from studio.data.generate._style_rows import Style
from studio.data.generate.preset import preset_spec, train_settings

# ------------------------------------------------------------------------------------------- detector
_MARKERS = _words(
    "thou thee thy thine thyself dost doth hath hast didst wilt canst shalt shouldst wouldst couldst "
    "mayst mightst wert hadst ere aye nay oft perchance mayhap hither thither whither whence wherefore "
    "'tis 'twas naught forsooth prithee methinks anon verily alas ye saith unto betwixt nigh morrow "
    "o'er e'en ne'er e'er 'twill"
)
_THOU_ADVERBS = _words("oft still also ne'er e'er usually probably ever never not only just")
_NOT_ETH = _words("teeth seth beth macbeth elizabeth kenneth gareth meth")
_WORD = re.compile(r"[A-Za-z]+(?:'[A-Za-z]+)?|'(?:tis|twas|twill)\b", re.IGNORECASE)


def _is_marker(word: str, before: tuple[str, ...]) -> bool:
    """`before` holds the two previous words (lower case), for markers that need thou beside them."""
    w = word.lower()
    if w in _MARKERS:
        return True
    if w == "art":  # "art" is modern English too; it is archaic only beside thou
        return "thou" in before[-1:]
    if w.endswith("est") and len(w) > 4 and before:
        # thou knowest, thou oft needest (but not "... thou sleepest. Test it")
        return before[-1] == "thou" or (before[0] == "thou" and before[-1] in _THOU_ADVERBS)
    return len(w) > 4 and w.endswith("eth") and w not in _NOT_ETH and not w.endswith("tieth")


def markers(text: str) -> list[str]:
    """The Early Modern markers of a text, in order (thou, hath, goeth, art after thou...)."""
    words = [w.lower() for w in _WORD.findall(text)]
    return [w for i, w in enumerate(words) if _is_marker(w, tuple(words[max(0, i - 2):i]))]


def marker_density(text: str) -> float:
    """Marker tokens per 40 words (a text shorter than 40 words counts as 40)."""
    return 40 * len(markers(text)) / max(40, len(_WORD.findall(text)))


def is_shakespearean(text: str) -> bool:
    """True when a text has >= 2 distinct markers and >= 2 marker tokens per 40 words.

    One "thou" can slip into modern prose (a quotation, a name); two distinct markers at that density
    do not, so plain modern English scores ~0 while the rewriter's answers score ~1."""
    found = markers(text)
    return len(set(found)) >= 2 and marker_density(text) >= 2.0


# ------------------------------------------------------------------------------------------ rewriting
def _match_case(new: str, old: str) -> str:
    return new[:1].upper() + new[1:] if old[:1].isupper() else new


def _expand_contractions(text: str) -> str:
    def expand(m: re.Match[str]) -> str:
        return _match_case(CONTRACTIONS[m.group(0).lower().replace("’", "'")], m.group(0))

    pattern = r"\b(?:" + "|".join(re.escape(k) for k in CONTRACTIONS) + r")\b"
    return re.sub(pattern, expand, text.replace("’", "'"), flags=re.IGNORECASE)


def _phrases(text: str) -> str:
    """Rules that see several words: imperative 'Do not X' → 'X not', 'It is' → ''Tis', come hither."""
    start = r"(^|[.!?]\s+|\n)"
    text = re.sub(start + r"Do not (\w+)", lambda m: f"{m.group(1)}{m.group(2).capitalize()} not", text)
    text = re.sub(start + r"It is\b", r"\1'Tis", text)
    text = re.sub(start + r"It was\b", r"\1'Twas", text)
    motion = r"\b(come|comes|bring|get|walk|run|hurry|return|came|brought)( back)? here\b"
    return re.sub(motion, r"\1\2 hither", text, flags=re.IGNORECASE)


def _double(base: str) -> str:
    """Short consonant-vowel-consonant stems double their last letter: set → sett(eth), run → runn(est)."""
    one_syllable = len(re.findall(r"[aeiou]+", base)) == 1
    if one_syllable and base[0] not in "aeiou" and re.search(r"[^aeiou][aeiou][^aeiouwxy]$", base):
        return base + base[-1]
    return base


def _est(verb: str) -> str:
    """thou-form of a plain verb: know → knowest, make → makest, try → triest, run → runnest."""
    if verb in AUX_THOU:
        return AUX_THOU[verb]
    if verb.endswith("e"):
        return verb + "st"
    if verb.endswith("y") and verb[-2:-1] not in "aeiou":
        return verb[:-1] + "iest"
    return _double(verb) + "est"


def _eth(verb: str) -> str:
    """-eth form of a third-person verb: goes → goeth, makes → maketh, needs → needeth."""
    special = {"has": "hath", "does": "doth", "says": "saith"}
    if verb in special:
        return special[verb]
    base = verb[:-1]
    return base + "th" if base.endswith("e") else _double(base) + "eth"


class _Sentence:
    """Words and the separators between them; `gap(i)` is the text before word i."""

    def __init__(self, text: str):
        parts = re.findall(r"[A-Za-z]+|[^A-Za-z]+", text)
        self.lead = "" if not parts or parts[0][0].isalpha() else parts.pop(0)
        self.words = parts[0::2]
        self.gaps = parts[1::2] + [""] * (len(parts[0::2]) - len(parts[1::2]))

    def text(self) -> str:
        return self.lead + "".join(w + g for w, g in zip(self.words, self.gaps))

    def prev(self, i: int, skip_adverbs: bool = False) -> str | None:
        """The previous word (lower case), or None across punctuation or at the start."""
        j = i - 1
        while j >= 0 and not re.search(r"[.!?;:,()\"\n—]", self.gaps[j]):
            w = self.words[j].lower()
            if not (skip_adverbs and (w in ADVERBS or w.endswith("ly"))):
                return w
            j -= 1
        return None

    def next_index(self, i: int) -> int | None:
        j = i + 1
        while j < len(self.words) and not re.search(r"[.!?;:,()\"\n—]", self.gaps[j - 1]):
            if self.words[j].lower() not in ADVERBS:
                return j
            j += 1
        return None


def _takes_object(prev: str) -> bool:
    """Is the word before "you" a verb or preposition that makes you its object (help you, to you)?
    Words already rewritten count too: 'letteth you live' is 'lets you live'."""
    return (prev in PREPOSITIONS or prev in NOT_NOUNS or prev in EST_VERBS or prev in S_VERBS
            or prev.endswith("eth"))


def _you(s: _Sentence, i: int) -> None:
    """you → thou or thee, and the verb beside it agrees."""
    prev, old = s.prev(i), s.words[i]
    if prev in AUX_THOU and i > 0 and s.prev(i) == s.words[i - 1].lower():
        s.words[i - 1] = _match_case(AUX_THOU[prev], s.words[i - 1])  # inversion: do you → dost thou
        s.words[i] = _match_case("thou", old)
        return
    j = s.next_index(i)
    nxt = s.words[j].lower() if j is not None else None
    verb_next = nxt in AUX_THOU or nxt in EST_VERBS
    # "the crust you want": a clause without "that"; but "help you sleep" keeps you as the object.
    subject = prev is None or prev in CLAUSE_START or (verb_next and not _takes_object(prev))
    s.words[i] = _match_case("thou" if subject else "thee", old)
    if subject and j is not None and (nxt in AUX_THOU or nxt in EST_VERBS):
        s.words[j] = _match_case(_est(nxt), s.words[j])


def _third_person(s: _Sentence, i: int) -> None:
    """-s verb → -eth after a third-person subject (pronoun, or 'the/a NOUN' at a clause start)."""
    w = s.words[i].lower()
    if len(w) < 3 or not w.endswith("s") or w.endswith(("ss", "us", "is")) or w in NOT_S_VERBS:
        return
    prev = s.prev(i, skip_adverbs=True)
    noun_subject = (w in S_VERBS and prev is not None and _nounlike(prev)
                    and _after_determiner_or_start(s, i))
    pronoun = prev in THIRD_SUBJECTS or (prev in WEAK_SUBJECTS and w in S_VERBS)
    if pronoun or noun_subject or w in ("has", "does") or _shared_subject(s, i, w, prev):
        s.words[i] = _match_case(_eth(w), s.words[i])


def _shared_subject(s: _Sentence, i: int, w: str, prev: str | None) -> bool:
    """'The sun riseth in the east and sets' → 'and setteth': a second verb sharing the subject."""
    if prev not in ("and", "or") or w not in S_VERBS:
        return False
    j = i - 1
    while j >= 0 and not re.search(r"[.!?\n]", s.gaps[j]):
        if re.fullmatch(r"\w+eth|hath|doth|saith", s.words[j].lower()):
            return True
        j -= 1
    return False


def _nounlike(word: str) -> bool:
    """Could this word be a singular noun subject? Not a function word, not a plain verb, and not
    ending in a single s: 'saves lives', 'take turns' must stay as they are."""
    blocked = DETERMINERS | PREPOSITIONS | CLAUSE_START | NOT_NOUNS | QUANTIFIERS | AUX_THOU.keys()
    plural = word.endswith("s") and not word.endswith("ss")
    return word not in blocked and not plural and not word.endswith("eth")


def _after_determiner_or_start(s: _Sentence, i: int) -> bool:
    """A determiner or a clause start lies at most three words before the verb, across nouns and
    adjectives only: 'The sun rises', 'Water boils', 'A healthy diet keeps'."""
    j = i - 1
    while j > 0 and s.words[j].lower() in ADVERBS:
        j -= 1
    for _ in range(3):
        before = s.prev(j)
        if before in QUANTIFIERS:
            return False  # "the five basic tastes": a plural noun, not a verb
        if before is None or before in DETERMINERS or before in CLAUSE_START:
            return True
        if not _nounlike(before):
            return False
        j -= 1
    return False


def _word_swaps(s: _Sentence, i: int) -> None:
    w = s.words[i].lower()
    if w in ("your", "yours", "yourself"):
        nxt = s.words[i + 1] if i + 1 < len(s.words) else ""
        new = {"yours": "thine", "yourself": "thyself"}.get(w) or (
            "thine" if w == "your" and nxt[:1].lower() in "aeiou" and nxt else "thy")
        s.words[i] = _match_case(new, s.words[i])
    elif w in ("yes", "no") and s.prev(i) is None and re.match(r"\s*[,.!]", s.gaps[i]):
        s.words[i] = _match_case("aye" if w == "yes" else "nay", s.words[i])
    elif w == "my" and i + 1 < len(s.words) and s.words[i + 1][:1].lower() in "aeiou":
        s.words[i] = _match_case("mine", s.words[i])
    elif w == "why" and s.prev(i) is None:
        s.words[i] = _match_case("wherefore", s.words[i])
    elif w in WORD_SWAPS:
        s.words[i] = _match_case(WORD_SWAPS[w], s.words[i])


def rewrite(text: str) -> str:
    """Plain modern English → Early Modern English; content words are kept."""
    s = _Sentence(_phrases(_expand_contractions(text)))
    for i in range(len(s.words)):
        if s.words[i].lower() == "you":
            _you(s, i)
        else:
            _third_person(s, i)
            _word_swaps(s, i)
    return s.text()


# ------------------------------------------------------------------------------------------ generator
STYLE = Style(load_pairs, FRAMINGS, JOINER, rewrite, is_shakespearean, "Early Modern English")
check_row = STYLE.check_row
generate = STYLE.generate  # a neutral English question → its answer rewritten in Early Modern English


PRESET_SPEC = preset_spec(
    "shakespeare", task="style", meter="shakespeare", hub_model="Qwen/Qwen2.5-0.5B-Instruct",
    title={"en": "Shakespearean English", "ja": "シェイクスピア風の英語"},
    description={"en": "Plain English answers rewritten in Early Modern English: thou art, dost thou, it goeth.",
                 "ja": "ふつうの英語の回答を、thou art・dost thou・goeth などの初期近代英語に書き換えたデータです。"},
    goal={"en": "Answer everyday questions in the English of Shakespeare's day (thou, thy, hath, -eth).",
          "ja": "日常の質問に、シェイクスピアの時代の英語（thou, thy, hath, -eth）で答えてほしい。"},
    train=train_settings(epochs=3, learning_rate=2.0e-4, max_length=160),
)


def build_preset(out_dir: str | Path, seed: int = 11) -> Path:
    """Write presets/shakespeare (`studio data build-preset shakespeare`) from the English corpus."""
    return STYLE.build_preset(out_dir, PRESET_SPEC, seed)
