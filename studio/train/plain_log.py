"""Lines a library writes into train.log that read as an error to a newcomer while the run is fine. The worker
writes them as one plain catalogue line instead (the UI shows it in the user's language) and keeps the
libraries' own words in the run's debug.log, for whoever needs them."""
from __future__ import annotations

import logging
from pathlib import Path

from studio.text import t

DEBUG_LOG = "debug.log"
KNOWN: dict[str, str] = {
    "Failed to load CPU gemm_4bit_forward from kernels-community": "log_kernel_offline",
    "Skipping publisher trust check for 'kernels-community/quantization-bitsandbytes'": "log_kernel_offline",
}
"""A known line's start -> the catalogue key of its plain line. bitsandbytes looks for an optional faster CPU
kernel on the Hub while it is imported; offline (or untrusted) the lookup fails, and bitsandbytes uses its own.
The `kernels` package says the second line on the way: the same fact, said once."""
HERE = "_here"
"""A known line's catalogue key + HERE: its plain words where no debug log keeps the library's (the app's terminal)."""
LOGGERS = ("bitsandbytes.backends.cpu.ops", "kernels._internals.hf_hub")
"""The loggers that write them."""


def known_key(line: str) -> str | None:
    """The catalogue key of line's plain words: a known library line, or the plain line the worker wrote."""
    for start, key in KNOWN.items():  # "in": a logging format may put the level and the logger first
        if start in line or t("en", key) in line:
            return key
    return None


class PlainLines(logging.Filter):
    """Keeps a known record's words in the debug log (where there is one) and lets the first one of its kind
    through as its plain English line (the others are the same fact again)."""

    def __init__(self, debug_log: Path | None) -> None:
        super().__init__()
        self.debug_log = debug_log
        self.said: set[str] = set()

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        key = known_key(message)
        if key is None:
            return True
        if self.debug_log is not None:
            with self.debug_log.open("a", encoding="utf-8") as f:
                f.write(f"{record.levelname} {record.name}: {message}\n")
        if key in self.said:
            return False
        self.said.add(key)
        # with no debug log (the app's terminal), the line that does not point to one
        record.msg, record.args = t("en", key if self.debug_log is not None else key + HERE), ()
        return True


def install(run_dir: Path | None) -> None:
    """Before the libraries are imported: their known lines go plain into train.log (whole into the run's
    debug.log), or, for the app and the commands (run_dir None), plain into the terminal. A later install
    replaces an earlier one (a worker started through the command line)."""
    plain = PlainLines(run_dir / DEBUG_LOG if run_dir is not None else None)
    for name in LOGGERS:
        logger = logging.getLogger(name)
        for old in [f for f in logger.filters if isinstance(f, PlainLines)]:
            logger.removeFilter(old)
        logger.addFilter(plain)


def plain_lines(lines: list[str], lang: str = "en") -> list[str]:
    """train.log's lines as the user reads them: a known one (as a library wrote it, or already plain) in lang,
    each fact once."""
    out, said = [], set()
    for line in lines:
        key = known_key(line)
        if key is None:
            out.append(line)
        elif key not in said:
            said.add(key)
            out.append(t(lang, key))
    return out
