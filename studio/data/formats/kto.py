"""KTO data: answers labelled good or bad, never trained as SFT. TRL's unpaired form is prompt/completion (or
messages, conversations) with a boolean `label`; LLaMA-Factory's says `kto_tag`. For KTO each record is one
row {"prompt": [...], "completion": [assistant turn], "label": true | false}."""
from __future__ import annotations

from collections.abc import Mapping

from studio.data.formats._common import Reader, as_messages, side, system_turns, turn_list
from studio.data.turns import check_turns, fail, type_name

LABELLED = ({"prompt", "completion"}, {"messages"}, {"conversations"})  # + a boolean label


def detect(record: Mapping) -> bool:
    """A kto_tag, or a boolean label beside an answer (told first: without the label it is SFT data)."""
    return "kto_tag" in record or (
        isinstance(record.get("label"), bool) and any(keys <= record.keys() for keys in LABELLED))


def shape(record: Mapping) -> str:
    """Which tool's shape the labelled answers have, for the file's verdict."""
    if "kto_tag" in record:
        return "LLaMA-Factory kto_tag"
    base = next((k for k in ("messages", "conversations") if k in record), "prompt/completion")
    return f"{base} with a true/false label"


def kto_rows(record: Mapping) -> list[dict]:
    """The one KTO row of a labelled answer: a conversation's last turn is the completion."""
    label = record.get("kto_tag", record.get("label"))
    if not isinstance(label, bool):
        fail("label", "kto_label", got=type_name(label))
    if "prompt" in record:
        prompt = side(record["prompt"], "prompt", "user")
        completion = side(record.get("completion"), "completion", "assistant")
    else:
        key = next((k for k in ("messages", "conversations") if k in record), None)
        if key is None:  # a kto_tag alone (detect takes it): said as the data's fault, not a KeyError
            fail("messages", "kto_no_turns", tag="kto_tag")
        turns = system_turns(record, "system") + turn_list(record[key], key)
        prompt, completion = turns[:-1], turns[-1:]
    check_turns(prompt + completion)
    return [{"prompt": as_messages(prompt), "completion": as_messages(completion), "label": label}]


READER = Reader("kto", "KTO (answers labelled good/bad)", detect, shape=shape, kto_rows=kto_rows)
