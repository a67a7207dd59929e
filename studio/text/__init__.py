"""Every user-facing word, in English and Japanese, by key: the UI's labels and toasts, and the engine's
text built from numbers (chart words, the advisor's reasons, this machine, the memory fit). No gradio:
the engine reads it too. `t(lang, key, **fields)` is the one way in; a test checks both languages hold the
same keys with the same {fields}."""
from __future__ import annotations

from studio.text import en, ja

LANGS = {"en": "English", "ja": "日本語"}
TEXT: dict[str, dict[str, str]] = {"en": en.TEXT, "ja": ja.TEXT}


def t(lang: str | None, key: str, **fields: object) -> str:
    """The text of key in lang (English where lang lacks it), its {fields} filled in when given.
    lang first, so functools.partial(t, lang) is a one-language t."""
    text = TEXT.get(lang or "en", TEXT["en"]).get(key) or TEXT["en"].get(key, key)
    return text.format(**fields) if fields else text


def words(lang: str | None, prefix: str) -> dict[str, str]:
    """Every key starting with prefix, without it, in lang (e.g. a chart's words: prefix "chart_")."""
    return {k.removeprefix(prefix): t(lang, k) for k in TEXT["en"] if k.startswith(prefix)}
