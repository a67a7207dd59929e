"""Preference pairs (chosen/rejected): never trained as SFT; for DPO a pair becomes TRL's conversational row
{"prompt": [messages ending with the user's turn], "chosen": [assistant turn], "rejected": [assistant turn]},
and for KTO two rows (the chosen answer labelled true, the rejected one false).

Shapes read: TRL's prompt/chosen/rejected (text or messages, the prompt explicit or implicit in both
conversations), LLaMA-Factory's Alpaca and ShareGPT with chosen/rejected, chosen_messages/rejected_messages,
OpenAI's input/preferred_output/non_preferred_output, ms-swift's messages + rejected_response.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from studio.data.formats._common import Reader, as_messages, history_turns, side, system_turns, turn_list
from studio.data.turns import Turn, check_turns, fail, text, turn, type_name

PAIRS = ({"chosen", "rejected"}, {"chosen_messages", "rejected_messages"},
         {"preferred_output", "non_preferred_output"}, {"messages", "rejected_response"})
# A key that tells the shape, and the shape's name in the file's verdict; the first found wins.
SHAPES = (("preferred_output", "OpenAI DPO: input, preferred_output, non_preferred_output"),
          ("rejected_response", "ms-swift messages with rejected_response"),
          ("chosen_messages", "chosen_messages/rejected_messages"),
          ("conversations", "LLaMA-Factory ShareGPT with chosen/rejected"),
          ("instruction", "LLaMA-Factory Alpaca with chosen/rejected"),
          ("prompt", "TRL prompt/chosen/rejected"))
Pair = tuple[list[Turn], list[Turn], list[Turn]]  # prompt, chosen, rejected


def detect(record: Mapping) -> bool:
    """Both halves of a pair, in any of the shapes (told before messages and ShareGPT, which they extend)."""
    return any(pair <= record.keys() for pair in PAIRS)


def shape(record: Mapping) -> str:
    """Which tool's shape the pair has, for the file's verdict."""
    return next((name for key, name in SHAPES if key in record), "TRL chosen/rejected, the prompt inside each")


def dpo_row(record: Mapping) -> dict:
    """One pair as a DPO row. Raises RecordError naming the field at fault."""
    prompt, chosen, rejected = _pair(record)
    check_turns(prompt + chosen)
    check_turns(prompt + rejected)
    if as_messages(chosen) == as_messages(rejected):
        fail("rejected", "same_answers")
    return {"prompt": as_messages(prompt), "chosen": as_messages(chosen), "rejected": as_messages(rejected)}


def kto_rows(record: Mapping) -> list[dict]:
    """A pair as two KTO rows: the chosen answer is good, the rejected one bad."""
    row = dpo_row(record)
    return [{"prompt": row["prompt"], "completion": row["chosen"], "label": True},
            {"prompt": row["prompt"], "completion": row["rejected"], "label": False}]


def _pair(record: Mapping) -> Pair:
    if "preferred_output" in record:
        return _openai(record)
    if "rejected_response" in record:
        turns = turn_list(record.get("messages"), "messages")
        return turns[:-1], turns[-1:], [Turn("assistant", text(record["rejected_response"], "rejected_response"),
                                             "rejected_response")]
    if "chosen_messages" in record:
        return _implicit(record, "chosen_messages", "rejected_messages")
    if "conversations" in record:
        prompt = system_turns(record, "system") + turn_list(record["conversations"], "conversations")
        return prompt, _answer(record["chosen"], "chosen"), _answer(record["rejected"], "rejected")
    if "instruction" in record:
        return _alpaca(record)
    if "prompt" in record:
        return (side(record["prompt"], "prompt", "user"), _answer(record["chosen"], "chosen"),
                _answer(record["rejected"], "rejected"))
    return _implicit(record, "chosen", "rejected")


def _alpaca(record: Mapping) -> Pair:
    """LLaMA-Factory's Alpaca pair: the instruction (and input) is the prompt's last turn."""
    user = text(record["instruction"], "instruction")
    if record.get("input"):
        user = f"{user}\n\n{text(record['input'], 'input')}"
    prompt = system_turns(record, "system") + history_turns(record.get("history")) + [
        Turn("user", user, "instruction")]
    return prompt, _answer(record["chosen"], "chosen"), _answer(record["rejected"], "rejected")


def _answer(value: Any, field: str) -> list[Turn]:
    """A chosen or rejected answer: text, one {role|from, content|value} turn, or a list of turns."""
    if isinstance(value, Mapping):
        return [turn(value, field)]
    return side(value, field, "assistant")


def _implicit(record: Mapping, chosen_key: str, rejected_key: str) -> Pair:
    """Both conversations hold the prompt (TRL's implicit prompt): it is the turns they share."""
    chosen = turn_list(record[chosen_key], chosen_key)
    rejected = turn_list(record[rejected_key], rejected_key)
    if len(chosen) < 2 or as_messages(chosen[:-1]) != as_messages(rejected[:-1]):
        fail(rejected_key, "implicit_prompt", chosen=chosen_key, rejected=rejected_key)
    return chosen[:-1], chosen[-1:], rejected[-1:]


def _openai(record: Mapping) -> Pair:
    source = record.get("input")
    if not isinstance(source, Mapping):
        fail("input", "meta", got=type_name(source))
    prompt = turn_list(source.get("messages"), "input.messages")
    return (prompt, turn_list(record["preferred_output"], "preferred_output"),
            turn_list(record["non_preferred_output"], "non_preferred_output"))


READER = Reader("preference", "preference pairs", detect, shape=shape, dpo_row=dpo_row, kto_rows=kto_rows)
