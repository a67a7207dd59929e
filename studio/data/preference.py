"""Preference data for DPO and KTO, from every common shape to TRL's conversational form.

  DPO row  {"prompt": [messages ending with the user's turn], "chosen": [assistant turn],
            "rejected": [assistant turn]}
  KTO row  {"prompt": [...], "completion": [assistant turn], "label": true | false}

Shapes read (see formats.detect_format): TRL's prompt/chosen/rejected (text or messages, the prompt
explicit or implicit in both conversations), LLaMA-Factory's Alpaca and ShareGPT with chosen/rejected,
chosen_messages/rejected_messages, OpenAI's input/preferred_output/non_preferred_output, ms-swift's
messages + rejected_response; for KTO, prompt/completion (or messages, conversations) with a boolean
`label`, or LLaMA-Factory's `kto_tag`. A DPO pair also makes two KTO rows (chosen true, rejected false).
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from studio.data import formats
from studio.data.turns import Turn, check_turns, fail, text, turn, type_name


def dpo_row(record: Mapping) -> dict:
    """One pair as a DPO row. Raises RecordError naming the field at fault."""
    prompt, chosen, rejected = _pair(record)
    check_turns(prompt + chosen)
    check_turns(prompt + rejected)
    if [t.message() for t in chosen] == [t.message() for t in rejected]:
        fail("rejected", "same_answers")
    return {"prompt": _messages(prompt), "chosen": _messages(chosen), "rejected": _messages(rejected)}


def kto_rows(record: Mapping, fmt: str) -> list[dict]:
    """KTO rows of a record: one for a labelled answer, two for a pair (chosen true, rejected false)."""
    if fmt == "preference":
        row = dpo_row(record)
        return [{"prompt": row["prompt"], "completion": row["chosen"], "label": True},
                {"prompt": row["prompt"], "completion": row["rejected"], "label": False}]
    label = record.get("kto_tag", record.get("label"))
    if not isinstance(label, bool):
        fail("label", "kto_label", got=type_name(label))
    if "prompt" in record:
        prompt = formats.side(record["prompt"], "prompt", "user")
        completion = formats.side(record.get("completion"), "completion", "assistant")
    else:
        key = "messages" if "messages" in record else "conversations"
        turns = formats.system_turns(record, "system") + formats.turn_list(record[key], key)
        prompt, completion = turns[:-1], turns[-1:]
    check_turns(prompt + completion)
    return [{"prompt": _messages(prompt), "completion": _messages(completion), "label": label}]


def _messages(turns: list[Turn]) -> list[dict]:
    return [t.message() for t in turns]


def _pair(record: Mapping) -> tuple[list[Turn], list[Turn], list[Turn]]:
    if "preferred_output" in record:
        return _openai(record)
    if "rejected_response" in record:
        turns = formats.turn_list(record.get("messages"), "messages")
        return turns[:-1], turns[-1:], [Turn("assistant", text(record["rejected_response"], "rejected_response"),
                                              "rejected_response")]
    if "chosen_messages" in record:
        return _implicit(record, "chosen_messages", "rejected_messages")
    if "conversations" in record:
        prompt = formats.system_turns(record, "system") + formats.turn_list(record["conversations"], "conversations")
        return prompt, _answer(record["chosen"], "chosen"), _answer(record["rejected"], "rejected")
    if "instruction" in record:
        user = text(record["instruction"], "instruction")
        if record.get("input"):
            user = f"{user}\n\n{text(record['input'], 'input')}"
        prompt = formats.system_turns(record, "system") + formats.history_turns(record.get("history")) + [
            Turn("user", user, "instruction")]
        return prompt, _answer(record["chosen"], "chosen"), _answer(record["rejected"], "rejected")
    if "prompt" in record:
        return (formats.side(record["prompt"], "prompt", "user"), _answer(record["chosen"], "chosen"),
                _answer(record["rejected"], "rejected"))
    return _implicit(record, "chosen", "rejected")


def _answer(value: Any, field: str) -> list[Turn]:
    """A chosen or rejected answer: text, one {role|from, content|value} turn, or a list of turns."""
    if isinstance(value, Mapping):
        return [turn(value, field)]
    return formats.side(value, field, "assistant")


def _implicit(record: Mapping, chosen_key: str, rejected_key: str) -> tuple[list[Turn], list[Turn], list[Turn]]:
    """Both conversations hold the prompt (TRL's implicit prompt): it is the turns they share."""
    chosen = formats.turn_list(record[chosen_key], chosen_key)
    rejected = formats.turn_list(record[rejected_key], rejected_key)
    if len(chosen) < 2 or [t.message() for t in chosen[:-1]] != [t.message() for t in rejected[:-1]]:
        fail(rejected_key, "implicit_prompt", chosen=chosen_key, rejected=rejected_key)
    return chosen[:-1], chosen[-1:], rejected[-1:]


def _openai(record: Mapping) -> tuple[list[Turn], list[Turn], list[Turn]]:
    source = record.get("input")
    if not isinstance(source, Mapping):
        fail("input", "meta", got=type_name(source))
    prompt = formats.turn_list(source.get("messages"), "input.messages")
    return (prompt, formats.turn_list(record["preferred_output"], "preferred_output"),
            formats.turn_list(record["non_preferred_output"], "non_preferred_output"))
