"""The data the user chose in the Data step, as one typed value: what the Train step builds its run from, what
the browser keeps across a reload (as_dict / from_dict), and what the shell line repeats."""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Any

from studio.config import DataSpec
from studio.text import Said


class MappingError(Said, ValueError):
    """A column mapping that is not field=column pairs."""


@dataclass(frozen=True)
class DataChoice:
    preset: str | None = None
    """A preset's name; else path is set."""
    path: str | None = None
    """The checked file in the datasets folder (an upload, a generated set, a hub split's rows)."""
    label: str = ""
    """What the header and the plan call it."""
    rows: int = 0
    """Usable rows the Data step counted (every row, before the eval split)."""
    method: str = "sft"
    """What the rows teach: sft (answers), dpo (pairs) or kto (labelled answers)."""
    mapping: tuple[tuple[str, str], ...] = ()
    """The user's column mapping as (field, column) pairs (prompt=ask,response=reply): the run reads the file
    through it too. Pairs, not a dict, so the value hashes (gradio tells a changed State by its hash); a dict
    given here is taken as its pairs."""

    def __post_init__(self) -> None:
        pairs = self.mapping.items() if isinstance(self.mapping, dict) else self.mapping
        object.__setattr__(self, "mapping", tuple((str(k), str(v)) for k, v in pairs))

    @property
    def title(self) -> str:
        return f"preset {self.preset}" if self.preset else self.label or "uploaded file"

    def spec(self) -> DataSpec:
        """The run's data section for this choice (the rest of it comes from the settings)."""
        return DataSpec(preset=self.preset, train_path=self.path, mapping=self.columns)

    @property
    def columns(self) -> dict[str, str]:
        """The mapping as field -> column."""
        return dict(self.mapping)

    def key(self) -> str:
        """A stable text for 'the same choice' (the Train step keeps the user's edits per choice)."""
        return json.dumps(self.as_dict(), sort_keys=True)

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "mapping": self.columns}

    @classmethod
    def from_dict(cls, d: dict[str, Any] | DataChoice | None) -> DataChoice | None:
        """From what the browser kept; None for nothing chosen, or for a shape this version cannot read
        (an old tab's state: the Data step then asks again instead of guessing)."""
        if isinstance(d, DataChoice) or d is None:
            return d
        if not isinstance(d, dict) or not (d.get("preset") or d.get("path")):
            return None
        known = {k: v for k, v in d.items() if k in cls.__dataclass_fields__ and v is not None}
        mapping = known.get("mapping") or {}
        known["mapping"] = mapping if isinstance(mapping, dict) else tuple(map(tuple, mapping))
        return cls(**known)


def parse_mapping(text: str | None) -> dict[str, str]:
    """'prompt=ask, response=reply' -> {"prompt": "ask", "response": "reply"}; a MappingError when a part
    is not field=column."""
    text = (text or "").strip()
    if not text:
        return {}
    parts = [part.split("=", 1) for part in text.split(",") if part.strip()]
    if any(len(p) != 2 or not p[0].strip() or not p[1].strip() for p in parts):
        raise MappingError("err_mapping_syntax", text=text)
    return {k.strip(): v.strip() for k, v in parts}


def mapping_text(mapping: dict[str, str] | None) -> str:
    """The inverse of parse_mapping, as the shell line's --map writes it."""
    return ",".join(f"{k}={v}" for k, v in (mapping or {}).items())
