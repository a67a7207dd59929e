"""TRL's stepwise supervision: {"prompt", "completions": [step, ...], "labels": [bool, ...]}, reasoning steps
labelled one by one for a process reward model. Recognised so that it is named, never trained here."""
from __future__ import annotations

from collections.abc import Mapping

from studio.data.formats._common import Reader


def detect(record: Mapping) -> bool:
    """Completions and their labels (told before prompt/completion, whose prompt it shares)."""
    return "completions" in record and "labels" in record


def shape(record: Mapping) -> str:
    """One shape only, named for the file's verdict."""
    return "TRL stepwise supervision: prompt, completions, labels"


READER = Reader("stepwise", "stepwise supervision (labelled reasoning steps)", detect, shape=shape)
