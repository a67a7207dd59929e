"""Dataset formats: tell which shape a record has and turn it into chat `messages`.

Record shapes understood (from any source: JSONL, JSON, CSV/TSV, parquet, a hub dataset):

  messages           {"messages": [{"role": "user", "content": "..."}, ...]}          OpenAI / HF
  sharegpt           {"conversations": [{"from": "human", "value": "..."}, ...],
                      "system"?: "..."}
  alpaca             {"instruction": ..., "input"?: ..., "output": ..., "system"?: ...,
                      "history"?: [[user, assistant], ...]}
  prompt_completion  {"prompt": str | messages, "completion": str | messages}          TRL
  columns            a flat record read through a column mapping
                     {"prompt": COL, "response": COL, "system"?: COL}          CSV and friends

`normalise` returns `{"messages": [...], "meta"?: {...}}` or raises `RecordError` naming the
field at fault; it never returns a half-converted row.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

ROLES = ("system", "user", "assistant")
FORMATS = ("messages", "sharegpt", "alpaca", "prompt_completion", "columns")
FORMAT_NAMES = {
    "messages": "messages (OpenAI/HF)",
    "sharegpt": "ShareGPT",
    "alpaca": "Alpaca",
    "prompt_completion": "prompt/completion",
    "columns": "columns",
}
EXPECTED_KEYS = (
    "'messages', 'conversations' (ShareGPT), 'instruction'+'output' (Alpaca), "
    "'prompt'+'completion', or a column pair such as question/answer"
)
# Every spelling of a role seen in the wild, mapped to the three the trainer knows.
ROLE_ALIASES = {
    "system": "system", "developer": "system",
    "user": "user", "human": "user",
    "assistant": "assistant", "gpt": "assistant", "model": "assistant",
}
# Header names guessed for a column mapping, most specific first.
PROMPT_COLUMNS = (
    "prompt", "question", "instruction", "input", "query", "text", "user", "source", "q",
)
RESPONSE_COLUMNS = (
    "response", "answer", "output", "completion", "label", "target", "assistant", "reply", "a",
)
SYSTEM_COLUMNS = ("system", "system_prompt", "system_message")
MAPPING_KEYS = ("prompt", "response", "system")

# (role, content, source field): the field lets errors point back at the input
Turn = tuple[str, str, str]


class RecordError(ValueError):
    """One record cannot be used: `field` is where, `hint` says what to do."""

    def __init__(self, field: str, message: str, hint: str = "") -> None:
        super().__init__(f"{field}: {message}")
        self.field, self.message, self.hint = field, message, hint


class HubError(RuntimeError):
    """A hub dataset could not be loaded (offline, unknown id, no such split)."""


def type_name(value: Any) -> str:
    """The JSON name of a value's type, for messages such as 'expected a string, got a number'."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, (list, tuple)):
        return "a list"
    if isinstance(value, Mapping):
        return "an object"
    return "a string" if isinstance(value, str) else f"a {type(value).__name__}"


def short(value: Any, limit: int = 40) -> str:
    """A repr safe to echo in an error: user data can be megabytes long."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def detect_format(record: Mapping) -> str | None:
    """The format a record's keys announce, or None. Complete key sets win over partial ones
    so that e.g. Dolly's instruction/response columns are read as columns, not broken Alpaca."""
    keys = set(record)
    if "messages" in keys:
        return "messages"
    if "conversations" in keys:
        return "sharegpt"
    if {"instruction", "output"} <= keys:
        return "alpaca"
    if {"prompt", "completion"} <= keys:
        return "prompt_completion"
    if guess_mapping(keys):
        return "columns"
    if "instruction" in keys:
        return "alpaca"  # so the error says 'output is missing' instead of 'unknown format'
    if "prompt" in keys:
        return "prompt_completion"
    return None


def guess_mapping(columns: Iterable[str]) -> dict[str, str] | None:
    """Guess {"prompt", "response", "system"?} from header names; None when no pair is found."""
    by_name = {str(c).strip().lower(): c for c in columns}
    prompt = next((by_name[n] for n in PROMPT_COLUMNS if n in by_name), None)
    response = next(
        (by_name[n] for n in RESPONSE_COLUMNS if n in by_name and by_name[n] != prompt), None)
    if prompt is None or response is None:
        return None
    mapping = {"prompt": prompt, "response": response}
    system = next((by_name[n] for n in SYSTEM_COLUMNS if n in by_name), None)
    if system is not None:
        mapping["system"] = system
    return mapping


def clean_mapping(mapping: Mapping[str, Any]) -> dict[str, str]:
    """Check a user-given mapping; drops an empty system entry. Raises RecordError."""
    unknown = sorted(set(mapping) - set(MAPPING_KEYS))
    if unknown:
        raise RecordError("mapping", f"unknown key(s) {unknown}", "use prompt, response and system")
    out = {k: v for k, v in mapping.items() if v not in (None, "")}
    for key in ("prompt", "response"):
        if not isinstance(out.get(key), str):
            raise RecordError("mapping", f"no column given for {key!r}",
                              "map prompt=COL,response=COL")
    return out


def normalise(record: Mapping, fmt: str, mapping: Mapping[str, str] | None = None) -> dict:
    """One record in `fmt` as {"messages": [...], "meta"?: {...}}. Raises RecordError."""
    if fmt == "columns":
        if not mapping:
            raise RecordError("mapping", "no column mapping", "map prompt=COL,response=COL")
        turns = _from_columns(record, clean_mapping(mapping))  # a partial mapping: RecordError
    elif fmt in _CONVERTERS:
        turns = _CONVERTERS[fmt](record)
    else:
        raise RecordError("record", f"unknown format {fmt!r}", f"use one of {', '.join(FORMATS)}")
    check_turns(turns)
    row: dict = {"messages": [{"role": r, "content": c} for r, c, _ in turns]}
    meta = record.get("meta")
    if meta is not None:
        if not isinstance(meta, Mapping):
            raise RecordError("meta", f"expected an object, got {type_name(meta)}",
                              "make meta a JSON object")
        row["meta"] = dict(meta)
    return row


def row_problem(row: Any) -> str | None:
    """None when `row` is a well-formed studio row ({"messages": [...]}), else the reason."""
    if not isinstance(row, Mapping):
        return f"expected an object, got {type_name(row)}"
    try:
        normalise(row, "messages")
    except RecordError as exc:
        return str(exc)
    return None


def check_turns(turns: list[Turn]) -> None:
    """The order rules every row obeys: an optional system turn first, then user and assistant
    alternating, starting with the user and ending with the assistant; no empty text."""
    if not turns:
        raise RecordError("messages", "no turns", "add a user turn and the assistant's answer")
    for index, (role, content, field) in enumerate(turns):
        if role == "system" and index:
            raise RecordError(field, "a system turn must come first", "move it to the start")
        if not content.strip():
            raise RecordError(field, *_EMPTY[role])
    previous = None
    for role, _, field in turns[1:] if turns[0][0] == "system" else turns:
        if previous is None and role == "assistant":
            raise RecordError(field, "assistant turn with no user turn before it",
                              "start the conversation with the user's message")
        if role == previous:
            raise RecordError(field, f"two {role} turns in a row", "user and assistant turns "
                              "must alternate: merge them or add the missing turn")
        previous = role
    _check_ending(turns)


def _check_ending(turns: list[Turn]) -> None:
    if not any(role == "assistant" for role, _, _ in turns):
        raise RecordError(turns[-1][2], "no assistant turn: there is nothing for the model to "
                          "learn", "add the answer the model should give")
    if turns[-1][0] != "assistant":
        raise RecordError(turns[-1][2], "the conversation ends with a user turn",
                          "end each row with the assistant's answer")


_EMPTY = {
    "assistant": ("empty answer", "write the answer the model should give, or drop the row"),
    "user": ("empty user turn", "write the user's message, or drop the row"),
    "system": ("empty system prompt", "write one or remove the system turn"),
}


def text(value: Any, field: str) -> str:
    """A string value; OpenAI content-part lists of text parts are joined."""
    if isinstance(value, list) and value and all(_is_text_part(p) for p in value):
        return "".join(p["text"] for p in value)
    if not isinstance(value, str):
        raise RecordError(field, f"expected a string, got {type_name(value)}",
                          "write the text as a JSON string")
    # JSON's "\ud800" escape decodes to a lone surrogate: no tokenizer and no UTF-8 writer accepts
    # one, so such a row would only fail later, in the middle of training, with a cryptic error.
    bad = _SURROGATE.search(value)
    if bad:
        raise RecordError(field, f"invalid character U+{ord(bad.group()):04X} (a lone UTF-16 "
                          f"surrogate) at position {bad.start()}",
                          "fix the \\uD8xx escape: a surrogate must be one half of a pair")
    return value


_SURROGATE = re.compile("[\ud800-\udfff]")


def _is_text_part(part: Any) -> bool:
    return (isinstance(part, Mapping) and part.get("type") == "text"
            and isinstance(part.get("text"), str))


def _require(record: Mapping, key: str, fmt: str) -> Any:
    if key not in record:
        raise RecordError(key, f"missing (required in the {FORMAT_NAMES[fmt]} format)",
                          f"add \"{key}\" to the record")
    return record[key]


def _turn(item: Any, where: str, role_keys: tuple[str, str], content_keys: tuple[str, str]) -> Turn:
    """One {role, content} (or ShareGPT {from, value}) entry as a Turn."""
    if not isinstance(item, Mapping):
        raise RecordError(where, f"expected an object with {role_keys[0]} and {content_keys[0]}, "
                          f"got {type_name(item)}", "each turn is a JSON object")
    role_key = next((k for k in role_keys if k in item), None)
    if role_key is None:
        raise RecordError(where, f"missing role ('{role_keys[0]}')",
                          f"add \"{role_keys[0]}\": \"user\" or \"assistant\"")
    raw = item[role_key]
    role = ROLE_ALIASES.get(raw.strip().lower()) if isinstance(raw, str) else None
    if role is None:
        raise RecordError(f"{where}.{role_key}", f"unknown role {short(raw)}",
                          f"use one of: {', '.join(ROLE_ALIASES)}")
    content_key = next((k for k in content_keys if k in item), None)
    if content_key is None:
        raise RecordError(where, f"missing text ('{content_keys[0]}')",
                          f"add \"{content_keys[0]}\"")
    return role, text(item[content_key], f"{where}.{content_key}"), f"{where}.{content_key}"


def _turn_list(value: Any, field: str, role_keys: tuple[str, str],
               content_keys: tuple[str, str]) -> list[Turn]:
    if not isinstance(value, list):
        raise RecordError(field, f"expected a list of turns, got {type_name(value)}",
                          "make it a JSON list of {role, content} objects")
    return [_turn(item, f"{field}[{i}]", role_keys, content_keys) for i, item in enumerate(value)]


def _system(record: Mapping, key: str) -> list[Turn]:
    """An optional top-level system prompt: absent, null or "" all mean none."""
    value = record.get(key)
    if value is None or value == "":
        return []
    return [("system", text(value, key), key)]


def _from_messages(record: Mapping) -> list[Turn]:
    # _require, not record[...]: row_problem() hands any mapping here, and the contract is RecordError
    return _turn_list(_require(record, "messages", "messages"), "messages", ("role", "from"),
                      ("content", "value"))


def _from_sharegpt(record: Mapping) -> list[Turn]:
    turns = _turn_list(_require(record, "conversations", "sharegpt"), "conversations", ("from", "role"),
                       ("value", "content"))
    return _system(record, "system") + turns


def _from_alpaca(record: Mapping) -> list[Turn]:
    user = text(_require(record, "instruction", "alpaca"), "instruction")
    extra = record.get("input")
    if extra is not None and extra != "":
        # Alpaca's own template puts the input after a blank line
        user = f"{user}\n\n{text(extra, 'input')}"
    answer = text(_require(record, "output", "alpaca"), "output")
    history = _history(record.get("history"))
    last = [("user", user, "instruction"), ("assistant", answer, "output")]
    return _system(record, "system") + history + last


def _history(value: Any) -> list[Turn]:
    """LLaMA-Factory's Alpaca `history`: earlier [user, assistant] pairs."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise RecordError("history", "expected a list of [user, assistant] pairs, "
                          f"got {type_name(value)}")
    turns: list[Turn] = []
    for i, pair in enumerate(value):
        if not isinstance(pair, list) or len(pair) != 2:
            raise RecordError(f"history[{i}]", "expected a [user, assistant] pair",
                              "two strings per pair")
        turns += [("user", text(pair[0], f"history[{i}][0]"), f"history[{i}][0]"),
                  ("assistant", text(pair[1], f"history[{i}][1]"), f"history[{i}][1]")]
    return turns


def _from_prompt_completion(record: Mapping) -> list[Turn]:
    prompt = _side(_require(record, "prompt", "prompt_completion"), "prompt", "user")
    completion = _require(record, "completion", "prompt_completion")
    return prompt + _side(completion, "completion", "assistant")


def _side(value: Any, field: str, role: str) -> list[Turn]:
    """A prompt or completion: plain text, or (TRL's conversational form) a list of messages."""
    if isinstance(value, list) and value and all(
            isinstance(v, Mapping) and "role" in v for v in value):
        return _turn_list(value, field, ("role", "from"), ("content", "value"))
    return [(role, text(value, field), field)]


def _from_columns(record: Mapping, mapping: Mapping[str, str]) -> list[Turn]:
    turns: list[Turn] = []
    system = mapping.get("system")
    if system and record.get(system) not in (None, ""):
        turns.append(("system", text(record[system], system), system))
    for key, role in (("prompt", "user"), ("response", "assistant")):
        column = mapping[key]
        if column not in record:
            raise RecordError(column, f"missing column {short(column)} (mapped as {key})",
                              "check the column mapping")
        turns.append((role, text(record[column], column), column))
    return turns


_CONVERTERS = {
    "messages": _from_messages,
    "sharegpt": _from_sharegpt,
    "alpaca": _from_alpaca,
    "prompt_completion": _from_prompt_completion,
}


def load_hub(dataset_id: str, split: str = "train", max_rows: int | None = None) -> list[dict]:
    """Records of a hub dataset through `datasets`. Raises HubError with a readable reason."""
    try:
        from datasets import load_dataset

        dataset = load_dataset(dataset_id, split=split)
        if max_rows is not None and len(dataset) > max_rows + 1:
            dataset = dataset.select(range(max_rows + 1))  # one extra row tells 'too many'
        return [dict(r) for r in dataset]
    except Exception as exc:  # datasets raises many types (ConnectionError, FileNotFoundError...)
        raise HubError(
            f"could not load hub dataset {dataset_id!r} (split {split!r}): "
            f"{type(exc).__name__}: {exc}. "
            "Check the id and your connection (HF_HUB_OFFLINE=1 forbids downloads), "
            "or download the file and validate it locally."
        ) from exc
