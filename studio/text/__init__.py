"""Every user-facing word, in English and Japanese, by key: the UI's labels and toasts, and the engine's
text built from numbers (chart words, the advisor's reasons, this machine, the memory fit). No gradio:
the engine reads it too. `t(lang, key, **fields)` is the one way in; a test checks both languages hold the
same keys with the same {fields}. Errors the engine raises for a user to fix are `Said`: the UI says them
in its language with `said(lang, e)`."""
from __future__ import annotations

from typing import Self

from studio.text import en, errors_en, errors_ja, ja

LANGS = {"en": "English", "ja": "日本語"}
# The errors' words (errors_en.py / errors_ja.py) join the UI's, as the data checks' do in en.py / ja.py.
TEXT: dict[str, dict[str, str]] = {"en": {**en.TEXT, **errors_en.ERRORS}, "ja": {**ja.TEXT, **errors_ja.ERRORS}}


def t(lang: str | None, key: str, **fields: object) -> str:
    """The text of key in lang (English where lang lacks it), its {fields} filled in when given; a field that
    is a Term or a Phrase is said in lang too. lang first, so functools.partial(t, lang) is a one-language t."""
    text = TEXT.get(lang or "en", TEXT["en"]).get(key) or TEXT["en"].get(key, key)
    return text.format(**_fill(lang, fields)) if fields else text


def words(lang: str | None, prefix: str) -> dict[str, str]:
    """Every key starting with prefix, without it, in lang (e.g. a chart's words: prefix "chart_")."""
    return {k.removeprefix(prefix): t(lang, k) for k in TEXT["en"] if k.startswith(prefix)}


class Term(str):
    """A field of a Said that is itself a catalogue key (a run's state, "run id"): said in the error's
    language too, not left in English inside a Japanese sentence."""

    @classmethod
    def of(cls, key: str, plain: str) -> str:
        """Term(key) when the catalogue has key, else plain as it is (a state no catalogue knows)."""
        return cls(key) if key in TEXT["en"] else plain


class Phrase(str):
    """A field of a Said that is a catalogue text with fields of its own (one problem of several, a rule):
    said in the error's language too. As a str it is its English."""

    def __new__(cls, key: str, **fields: object) -> Self:
        phrase = super().__new__(cls, t("en", key, **_fill("en", fields)))
        phrase.key, phrase.fields = key, fields
        return phrase

    def said(self, lang: str | None) -> str:
        return t(lang, self.key, **_fill(lang, self.fields))


class Phrases(str):
    """Several phrases joined by sep (a config's problems): each said in the error's language."""

    def __new__(cls, phrases: list[str], sep: str = "; ") -> Self:
        joined = super().__new__(cls, sep.join(phrases))
        joined.phrases, joined.sep = list(phrases), sep
        return joined

    def said(self, lang: str | None) -> str:
        return self.sep.join(_say(lang, p) for p in self.phrases)


def _say(lang: str | None, value: object) -> object:
    if isinstance(value, Term):
        return t(lang, value)
    return value.said(lang) if isinstance(value, (Phrase, Phrases)) else value


def _fill(lang: str | None, fields: dict[str, object]) -> dict[str, object]:
    return {k: _say(lang, v) for k, v in fields.items()}


class Said(Exception):
    """An error a user can fix, raised below the UI (loading a model, an export, a path). It carries its
    catalogue key and fields, so the UI can say it in the user's language (`said`), while str(e) stays the
    exact English the command line, logs, run folders and tests have always read."""

    def __init__(self, key: str, **fields: object) -> None:
        self.key, self.fields = key, fields
        super().__init__(t("en", key, **_fill("en", fields)))


def said(lang: str | None, error: BaseException) -> str:
    """What error says, in lang: a Said's (or a data check's RecordError's) catalogue text; anything else
    (a library's error, a plain raise) as str(error), the only words it has."""
    if isinstance(error, Said):
        return t(lang, error.key, **_fill(lang, error.fields))
    key, found = getattr(error, "key", None), getattr(error, "words", None)
    if isinstance(key, str) and key in TEXT["en"] and isinstance(found, dict):  # studio.data's RecordError
        return f"{getattr(error, 'field', '')}: {t(lang, key, **found)}"
    return str(error)
