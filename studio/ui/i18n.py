"""Components register their text keys here, so switching the language updates them all at once."""
from __future__ import annotations

from typing import Any

import gradio as gr

from studio.text import t


class Labels:
    def __init__(self, lang: str = "en"):
        self.lang = lang
        self._items: dict[int, tuple[Any, dict[str, str]]] = {}

    def __call__(self, component: Any, key: str, attr: str = "label") -> Any:
        """Register `attr` of component to show text `key`; returns the component."""
        entry = self._items.setdefault(id(component), (component, {}))
        entry[1][attr] = key
        return component

    def text(self, key: str) -> str:
        return t(self.lang, key)

    def md(self, key: str, **kw: Any) -> gr.Markdown:
        return self(gr.Markdown(self.text(key), **kw), key, "value")

    def components(self) -> list[Any]:
        return [c for c, _ in self._items.values()]

    def updates(self, lang: str) -> list[Any]:
        return [gr.update(**{attr: t(lang, key) for attr, key in keys.items()})
                for _, keys in self._items.values()]
