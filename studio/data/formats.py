"""Dataset formats: tell which shape a record has and turn it into a training row.

Record shapes understood (from any source: JSONL, JSON, CSV/TSV, parquet, a hub dataset):

  messages           {"messages": [{"role": "user", "content": "..."}, ...], "tools"?: [...]}
                     OpenAI / HF, with tool_calls, role "tool" and "weight" (OpenAI fine-tuning)
  sharegpt           {"conversations": [{"from": "human", "value": "..."}, ...], "system"?, "tools"?}
                     function_call / observation turns are LLaMA-Factory's tool format
  alpaca             {"instruction", "input"?, "output", "system"?, "history"?: [[user, assistant], ...]}
  prompt_completion  {"prompt": str | messages, "completion": str | messages}          TRL
  query_response     {"query", "response", "history"?, "system"?}                       ms-swift
  columns            a flat record read through a column mapping
                     {"prompt": COL, "response": COL, "system"?: COL}          CSV and friends
  text               {"text": "..."} rows, or a .txt / .md file: continued pretraining, every token trained

Recognised and refused (never trained as SFT): `preference` pairs (chosen/rejected in TRL's,
LLaMA-Factory's and OpenAI's shapes) and `kto` rows (an answer with a good/bad label).

`normalise` returns `{"messages": [...], "tools"?: [...], "meta"?: {...}}` (or `{"text": ...}`) or
raises `RecordError` naming the field at fault; it never returns a half-converted row.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from studio.data.turns import (
    ROLE_ALIASES,
    ROLES,
    MediaError,
    RecordError,
    Turn,
    check_turns,
    fail,
    short,
    text,
    tool_list,
    turn,
    type_name,
    unused_turn_keys,
)

__all__ = [
    "FORMATS",
    "FORMAT_NAMES",
    "REFUSED",
    "ROLES",
    "ROLE_ALIASES",
    "MediaError",
    "RecordError",
    "check_turns",
    "clean_mapping",
    "detect_format",
    "guess_mapping",
    "history_turns",
    "normalise",
    "row_problem",
    "short",
    "side",
    "system_turns",
    "text",
    "turn_list",
    "type_name",
    "unused_keys",
]

FORMATS = ("messages", "sharegpt", "alpaca", "prompt_completion", "query_response", "columns", "text")
REFUSED = ("preference", "kto", "stepwise")  # recognised, named, never trained as SFT
FORMAT_NAMES = {
    "messages": "messages (OpenAI/HF)",
    "sharegpt": "ShareGPT",
    "alpaca": "Alpaca",
    "prompt_completion": "prompt/completion",
    "query_response": "query/response (ms-swift)",
    "columns": "columns",
    "text": "raw text",
    "preference": "preference pairs",
    "kto": "KTO (answers labelled good/bad)",
    "stepwise": "stepwise supervision (labelled reasoning steps)",
}
EXPECTED_KEYS = (
    "'messages', 'conversations' (ShareGPT), 'instruction'+'output' (Alpaca), "
    "'prompt'+'completion', 'query'+'response', 'text' (raw text), or a column pair such as question/answer"
)
# The keys each format reads; any other key is reported as unused (media keys are refused instead).
READS = {
    "messages": {"messages", "tools", "functions", "meta"},
    "sharegpt": {"conversations", "system", "tools", "meta"},
    "alpaca": {"instruction", "input", "output", "system", "history", "meta"},
    "prompt_completion": {"prompt", "completion", "tools", "meta"},
    "query_response": {"query", "response", "history", "system", "meta"},
    "text": {"text", "meta"},
}
MEDIA_KEYS = {"images": "image", "image": "image", "videos": "video", "video": "video",
              "audios": "audio", "audio": "audio"}
# Header names guessed for a column mapping, most specific first.
PROMPT_COLUMNS = (
    "prompt", "question", "instruction", "input", "query", "text", "user", "source", "q",
)
RESPONSE_COLUMNS = (
    "response", "answer", "output", "completion", "label", "target", "assistant", "reply", "a",
)
SYSTEM_COLUMNS = ("system", "system_prompt", "system_message")
MAPPING_KEYS = ("prompt", "response", "system")
PREFERENCE_KEYS = ({"chosen", "rejected"}, {"chosen_messages", "rejected_messages"},
                   {"preferred_output", "non_preferred_output"}, {"messages", "rejected_response"})
LABELLED = ({"prompt", "completion"}, {"messages"}, {"conversations"})  # + a boolean label: KTO


class HubError(RuntimeError):
    """A hub dataset could not be loaded (offline, unknown id, no such split)."""


def detect_format(record: Mapping) -> str | None:
    """The format a record's keys announce, or None. Preference and KTO shapes are told first (a KTO
    row is a prompt/completion row plus a label); complete key sets win over partial ones so that
    e.g. Dolly's instruction/response columns are read as columns, not broken Alpaca."""
    keys = set(record)
    if "kto_tag" in keys or (isinstance(record.get("label"), bool) and any(k <= keys for k in LABELLED)):
        return "kto"
    if any(pair <= keys for pair in PREFERENCE_KEYS):
        return "preference"
    if {"completions", "labels"} <= keys:
        return "stepwise"
    if "messages" in keys:
        return "messages"
    if "conversations" in keys:
        return "sharegpt"
    if {"instruction", "output"} <= keys:
        return "alpaca"
    if {"prompt", "completion"} <= keys:
        return "prompt_completion"
    if {"query", "response"} <= keys:
        return "query_response"
    if guess_mapping(keys):
        return "columns"
    if "text" in keys:
        return "text"
    if "instruction" in keys:
        return "alpaca"  # so the error says 'output is missing' instead of 'unknown format'
    if "prompt" in keys:
        return "prompt_completion"
    return None


def unused_keys(record: Mapping, fmt: str, mapping: Mapping[str, str] | None = None) -> list[str]:
    """Keys of a record its format does not read, turns' keys as `messages[].key`."""
    reads = READS.get(fmt) or {*(mapping or {}).values(), "meta"}
    out = [k for k in record if k not in reads and k not in MEDIA_KEYS and record[k] not in (None, "", [], {})]
    for list_key in ("messages", "conversations"):
        turns = record.get(list_key) if list_key in reads else None
        if isinstance(turns, list):
            names = dict.fromkeys(k for item in turns for k in unused_turn_keys(item))
            out += [f"{list_key}[].{name}" for name in names]
    return out


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
        fail("mapping", "mapping_keys", keys=unknown)
    out = {k: v for k, v in mapping.items() if v not in (None, "")}
    for key in ("prompt", "response"):
        if not isinstance(out.get(key), str):
            fail("mapping", "mapping_missing", role=repr(key))
    return out


def normalise(record: Mapping, fmt: str, mapping: Mapping[str, str] | None = None) -> dict:
    """One record in `fmt` as a training row. Raises RecordError (MediaError for images & co.)."""
    refuse_media(record)
    if fmt == "text":
        row: dict = {"text": _raw_text(record)}
    else:
        row = {"messages": [t.message() for t in _turns(record, fmt, mapping)]}
        tools = _tools(record) if fmt in ("messages", "sharegpt", "prompt_completion") else None
        if tools:
            row["tools"] = tools
    meta = record.get("meta")
    if meta is not None:
        if not isinstance(meta, Mapping):
            fail("meta", "meta", got=type_name(meta))
        row["meta"] = dict(meta)
    return row


def _turns(record: Mapping, fmt: str, mapping: Mapping[str, str] | None) -> list[Turn]:
    if fmt == "columns":
        if not mapping:
            fail("mapping", "mapping_missing", role="prompt")
        turns = _from_columns(record, clean_mapping(mapping))  # a partial mapping: RecordError
    elif fmt in _CONVERTERS:
        turns = _CONVERTERS[fmt](record)
    elif fmt in REFUSED:
        fail("record", "refused_row", fmt=FORMAT_NAMES[fmt])
    else:
        fail("record", "unknown_fmt", fmt=repr(fmt), formats=", ".join(FORMATS))
    check_turns(turns)
    return turns


def _tools(record: Mapping) -> list[dict] | None:
    """`tools`, or OpenAI's legacy `functions` (bare definitions)."""
    if record.get("tools") not in (None, "", []):
        return tool_list(record["tools"])
    return tool_list(record.get("functions"), "functions")


def refuse_media(record: Mapping) -> None:
    for key, kind in MEDIA_KEYS.items():
        if record.get(key) not in (None, "", [], {}):
            raise MediaError(key, kind)


def _raw_text(record: Mapping) -> str:
    value = text(_require(record, "text", "text"), "text")
    if not value.strip():
        fail("text", "empty_text")
    return value


def row_problem(row: Any) -> str | None:
    """None when `row` is a well-formed studio row ({"messages": [...]}), else the reason."""
    if not isinstance(row, Mapping):
        return f"expected an object, got {type_name(row)}"
    try:
        normalise(row, "messages")
    except RecordError as exc:
        return str(exc)
    return None


def _require(record: Mapping, key: str, fmt: str) -> Any:
    if key not in record:
        fail(key, "prompt_only" if key == "completion" else "missing", fmt=FORMAT_NAMES[fmt], name=key)
    return record[key]


def turn_list(value: Any, field: str) -> list[Turn]:
    if not isinstance(value, list):
        fail(field, "not_list", got=type_name(value))
    return [turn(item, f"{field}[{i}]") for i, item in enumerate(value)]


def system_turns(record: Mapping, key: str) -> list[Turn]:
    """An optional top-level system prompt: absent, null or "" all mean none."""
    value = record.get(key)
    if value is None or value == "":
        return []
    return [Turn("system", text(value, key), key)]


def _from_messages(record: Mapping) -> list[Turn]:
    # _require, not record[...]: row_problem() hands any mapping here, and the contract is RecordError
    return turn_list(_require(record, "messages", "messages"), "messages")


def _from_sharegpt(record: Mapping) -> list[Turn]:
    return system_turns(record, "system") + turn_list(_require(record, "conversations", "sharegpt"), "conversations")


def _from_alpaca(record: Mapping) -> list[Turn]:
    user = text(_require(record, "instruction", "alpaca"), "instruction")
    extra = record.get("input")
    if extra is not None and extra != "":
        # Alpaca's own template puts the input after a blank line
        user = f"{user}\n\n{text(extra, 'input')}"
    answer = text(_require(record, "output", "alpaca"), "output")
    last = [Turn("user", user, "instruction"), Turn("assistant", answer, "output")]
    return system_turns(record, "system") + history_turns(record.get("history")) + last


def _from_query_response(record: Mapping) -> list[Turn]:
    user = text(_require(record, "query", "query_response"), "query")
    answer = text(_require(record, "response", "query_response"), "response")
    last = [Turn("user", user, "query"), Turn("assistant", answer, "response")]
    return system_turns(record, "system") + history_turns(record.get("history")) + last


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


def _from_prompt_completion(record: Mapping) -> list[Turn]:
    prompt = side(_require(record, "prompt", "prompt_completion"), "prompt", "user")
    completion = _require(record, "completion", "prompt_completion")
    return prompt + side(completion, "completion", "assistant")


def side(value: Any, field: str, role: str) -> list[Turn]:
    """A prompt or completion: plain text, or (TRL's conversational form) a list of messages."""
    if isinstance(value, list) and value and all(
            isinstance(v, Mapping) and "role" in v for v in value):
        return turn_list(value, field)
    return [Turn(role, text(value, field), field)]


def _from_columns(record: Mapping, mapping: Mapping[str, str]) -> list[Turn]:
    turns: list[Turn] = []
    system = mapping.get("system")
    if system and record.get(system) not in (None, ""):
        turns.append(Turn("system", text(record[system], system), system))
    for key, role in (("prompt", "user"), ("response", "assistant")):
        column = mapping[key]
        if column not in record:
            fail(column, "missing_column", column=short(column), role=key)
        turns.append(Turn(role, text(record[column], column), column))
    return turns


_CONVERTERS = {
    "messages": _from_messages,
    "sharegpt": _from_sharegpt,
    "alpaca": _from_alpaca,
    "prompt_completion": _from_prompt_completion,
    "query_response": _from_query_response,
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
