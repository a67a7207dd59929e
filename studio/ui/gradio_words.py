"""Gradio's own words in the studio's language. Gradio's frontend picks its locale once, from the browser's
language; the studio's switch sets it instead, through gradio's own `changeLocale` and translations (the upload
widget, the table's drop zone, the footer). The few words gradio writes in English whatever the locale (a
toast's title, some buttons' tooltips) are rewritten from the catalogue as they appear."""
from __future__ import annotations

import json
from pathlib import Path

import gradio

from studio.text import LANGS, t

ASSETS = Path(gradio.__file__).parent / "templates" / "frontend" / "assets"
TOASTS = {"error": "gradio_toast_error", "warning": "gradio_toast_warning", "info": "gradio_toast_info",
          "success": "gradio_toast_success"}
"""A toast's type -> the catalogue key of its title (gradio titles a toast with its type, capitalised)."""
TOOLTIPS = {"Reset to default value": "gradio_reset", "Copy table data": "gradio_copy_table",
            "Copied to clipboard": "gradio_copied", "Copy conversation": "gradio_copy_chat",
            "Copied conversation": "gradio_copied_chat", "Copy message": "gradio_copy_message",
            "Copied message": "gradio_copied_message", "Fullscreen": "gradio_fullscreen",
            "Exit fullscreen mode": "gradio_exit_fullscreen", "copy": "gradio_copy_code"}
"""A button's English tooltip (its title and aria-label) as gradio writes it on the studio's pages -> its key:
the slider's ↺, the table's, the chat's and the code blocks' copy and fullscreen buttons."""
STATUS = {"processing": "gradio_processing", "queue": "gradio_queue"}
"""The first word of an output's status line while its event waits or runs ("queue: 2/3 |", "processing |")."""


def core_module(assets: Path = ASSETS) -> str:
    """The file name of gradio's frontend module that exports changeLocale. Its name carries a build hash, so
    it is looked up in the installed package, not written here; "" when this gradio has none."""
    for path in sorted(assets.glob("core-*.js")):
        if "as changeLocale" in path.read_text(encoding="utf-8", errors="replace"):
            return path.name
    return ""


def words() -> dict[str, dict[str, str]]:
    """Per language: each toast type's title, and the text of each tooltip and status key."""
    keys = {**TOASTS, **{key: key for key in (*TOOLTIPS.values(), *STATUS.values())}}
    return {lang: {name: t(lang, key) for name, key in keys.items()} for lang in LANGS}


def known(english: dict[str, str]) -> dict[str, str]:
    """gradio's English or the studio's words in any language -> the key: a switch back finds the words the
    last switch wrote."""
    return {**{t(lang, key): key for key in english.values() for lang in LANGS}, **english}


_APPLY = r"""
  const apply = () => {
    const w = words[own.lang] || words.en;
    document.querySelectorAll('.toast-title').forEach((e) => {
      const type = Object.keys(toasts).find((k) => e.classList.contains(k));
      const node = e.firstChild;
      if (type && node && node.nodeType === 3 && node.data !== w[type] + ' ') node.data = w[type] + ' ';
    });
    document.querySelectorAll('button[title], button[aria-label]').forEach((e) => {
      const key = tips[e.getAttribute('title')] || tips[e.getAttribute('aria-label')];
      if (typeof key !== 'string' || e.getAttribute('title') === w[key]) return;
      e.title = w[key];
      e.setAttribute('aria-label', w[key]);
    });
    document.querySelectorAll('.progress-text').forEach((e) => e.childNodes.forEach((node) => {
      const [, lead, word, rest] = (node.nodeType === 3 && node.data.match(/^(\s*)([^\s:|]+)(.*)$/s)) || [];
      const key = word && status[word];
      if (typeof key === 'string' && word !== w[key]) node.data = lead + w[key] + rest;
    }));
  };"""
"""Rewrites what is on the page now; an observer calls it (once per frame at most) for what appears later,
and when gradio writes a tooltip or a status again (a copy button says "copied" for a moment, the queue
moves). typeof: a text such as "toString" must not find the maps' prototype."""


def switch_js() -> str:
    """A gradio `js=` function of the language: gradio's locale and its English-only words follow it. The module
    is imported from the URL the page loaded it by, so it is the very instance whose locale the page reads."""
    data = {"words": words(), "toasts": TOASTS, "tips": known(TOOLTIPS), "status": known(STATUS),
            "core": core_module()}
    return ("(lang) => { const {words, toasts, tips, status, core} = " + json.dumps(data, ensure_ascii=False) + ";"
            " const own = window.__studioOwn || (window.__studioOwn = {}); own.lang = lang;" + _APPLY +
            " own.apply = apply; apply();"
            " if (!own.observer) { own.observer = new MutationObserver(() => { if (own.queued) return;"
            " own.queued = true; requestAnimationFrame(() => { own.queued = false; own.apply(); }); });"
            " own.observer.observe(document.body, {childList: true, subtree: true, characterData: true,"
            " attributes: true, attributeFilter: ['title']}); }"
            " const index = document.querySelector('script[type=module][src*=\"/assets/index-\"]');"
            " if (core && index) import(new URL(core, index.src).href).then((m) => m.changeLocale(lang))"
            ".catch(() => {}); }")
