"""What the format readers share: the `Reader` each module registers, and the pieces that more than one
shape holds (a list of turns, a top-level system prompt, a history of pairs, a prompt or answer given as
text or as messages). One turn and the order rules of a row live in `data/turns.py`."""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from studio.data.turns import MediaError, Turn, check_turns, fail, text, tool_list, turn, type_name

# Record keys that hold media: a text model cannot learn from them, so the row is refused, never trimmed.
MEDIA_KEYS = {"images": "image", "image": "image", "videos": "video", "video": "video",
              "audios": "audio", "audio": "audio"}


@dataclass(frozen=True)
class Reader:
    """One source format, as `formats/__init__.py` registers it: how a record announces it (`detect`) and
    what it becomes: the one row shape (`to_row`), or, for data never trained as SFT (`to_row` None), the
    name of its variant (`shape`) and the DPO/KTO rows it can give."""

    name: str  # the format's id in reports and in `normalise(record, name)`; also its module's name
    label: str  # the name a person reads in a report
    detect: Callable[[Mapping], bool]  # the record holds this format's complete set of keys
    to_row: Callable[[Mapping, Mapping[str, str] | None], dict] | None = None  # (record, column mapping)
    reads: frozenset[str] = frozenset()  # keys it reads, others are reported unused (empty: the mapping's)
    incomplete: Callable[[Mapping], bool] | None = None  # asked after every detect, so the error names the gap
    shape: Callable[[Mapping], str] | None = None  # a refused file's variant, named in its verdict
    dpo_row: Callable[[Mapping], dict] | None = None
    kto_rows: Callable[[Mapping], list[dict]] | None = None

    @property
    def refused(self) -> bool:
        """Recognised, named, and never trained as SFT (preference pairs, KTO, stepwise)."""
        return self.to_row is None


def require(record: Mapping, key: str, label: str) -> Any:
    """record[key], or a RecordError naming the format: any mapping may be handed to a reader, and its
    contract is a RecordError, never a KeyError."""
    if key not in record:
        fail(key, "missing", fmt=label, name=key)
    return record[key]


def refuse_media(record: Mapping) -> None:
    """MediaError for the first media key that holds something (this studio tunes text models)."""
    for key, kind in MEDIA_KEYS.items():
        if record.get(key) not in (None, "", [], {}):
            raise MediaError(key, kind)


def turn_list(value: Any, field: str) -> list[Turn]:
    """A list of {role, content} (or {from, value}) turns, each read by `turns.turn`."""
    if not isinstance(value, list):
        fail(field, "not_list", got=type_name(value))
    return [turn(item, f"{field}[{i}]") for i, item in enumerate(value)]


def system_turns(record: Mapping, key: str) -> list[Turn]:
    """An optional top-level system prompt: absent, null or "" all mean none."""
    value = record.get(key)
    if value is None or value == "":
        return []
    return [Turn("system", text(value, key), key)]


def history_turns(value: Any) -> list[Turn]:
    """Earlier [user, assistant] pairs (LLaMA-Factory's Alpaca, ms-swift, older Alpaca dumps)."""
    if value is None or value == []:
        return []
    if not isinstance(value, list):
        fail("history", "history", got=type_name(value))
    turns: list[Turn] = []
    for i, pair in enumerate(value):
        if not isinstance(pair, list) or len(pair) != 2:
            fail(f"history[{i}]", "history_pair")
        turns += [Turn("user", text(pair[0], f"history[{i}][0]"), f"history[{i}][0]"),
                  Turn("assistant", text(pair[1], f"history[{i}][1]"), f"history[{i}][1]")]
    return turns


def side(value: Any, field: str, role: str) -> list[Turn]:
    """A prompt or completion: plain text, or (TRL's conversational form) a list of messages."""
    if isinstance(value, list) and value and all(
            isinstance(v, Mapping) and "role" in v for v in value):
        return turn_list(value, field)
    return [Turn(role, text(value, field), field)]


def chat_row(turns: list[Turn], tools_from: Mapping | None = None) -> dict:
    """The row of a conversation: its turns checked in order first (a row is never half converted), then
    the tools of `tools_from`, the record, for the formats that carry a tools list."""
    check_turns(turns)
    row: dict = {"messages": as_messages(turns)}
    tools = _tools(tools_from) if tools_from is not None else None
    if tools:
        row["tools"] = tools
    return row


def as_messages(turns: list[Turn]) -> list[dict]:
    """Turns as the {role, content, ...} dicts rows hold."""
    return [t.message() for t in turns]


def _tools(record: Mapping) -> list[dict] | None:
    """`tools`, or OpenAI's legacy `functions` (bare definitions)."""
    if record.get("tools") not in (None, "", []):
        return tool_list(record["tools"])
    return tool_list(record.get("functions"), "functions")
