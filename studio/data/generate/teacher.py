"""The teacher: a model writes new training pairs from a few seeds and an instruction, or rewrites
texts in a style shown by a handful of example pairs. The model is the small local one, or an endpoint (a
bigger model behind an OpenAI-compatible API, studio.endpoints). Every row it writes passes the same checks
as the rule-based generators (parses, matches the style or schema via the kind's check_row, not a
near-duplicate) before it is kept; the rest are counted as rejects, by reason."""
from __future__ import annotations

import difflib
import json
import random
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from studio import chat
from studio.chat import GenSettings
from studio.data.generate import GeneratorError
from studio.endpoints import EndpointError, client
from studio.endpoints import store as endpoints

Check = Callable[[dict], "str | None"]
Progress = Callable[[float, str], None]
Writer = Callable[[list[dict], int], str]
"""(messages, seed) -> the model's text, sampled at the teacher's temperature."""
Meta = Callable[[dict, list[dict]], dict]
"""(a new row, the seed rows it was shown) -> the row's meta, what its kind's check reads."""
_PAIR = re.compile(r"Q:\s*(.+?)\s*\nA:\s*(.+?)(?:\n\s*\n|\nQ:|$)", re.DOTALL)
TEMPERATURE = 0.8
"""Sampled, so the attempts differ; the checks keep only what holds."""
NEW_TOKENS = 160
"""New tokens for one pair: plenty for a styled paragraph, and within every model's context."""
SYSTEM = ("You write training examples for a small model. Follow the examples' form exactly; write nothing "
          "but what is asked.")


@dataclass
class TeacherResult:
    rows: list[dict] = field(default_factory=list)
    rejects: Counter = field(default_factory=Counter)
    attempts: int = 0
    stopped: Exception | None = None
    """Why an endpoint stopped answering midway (the rows kept before it are kept)."""


def local_writer(model: str) -> Writer:
    """The small local model, continuing the prompt."""
    loaded = chat.get_chat_model(model)
    return lambda messages, seed: loaded.generate(
        messages, GenSettings(max_new_tokens=NEW_TOKENS, temperature=TEMPERATURE, seed=seed))


def endpoint_writer(name: str | None) -> Writer:
    """A saved endpoint (None: the current one); a missing key is said before the first attempt."""
    endpoint = endpoints.get(name)
    client.key_of(endpoint)
    return lambda messages, seed: client.ask(endpoint, messages, max_tokens=NEW_TOKENS,
                                             temperature=TEMPERATURE, seed=seed).text


def _pair(row: dict) -> tuple[str, str]:
    msgs = row["messages"]
    user = next(m["content"] for m in msgs if m["role"] == "user")
    answer = next(m["content"] for m in reversed(msgs) if m["role"] == "assistant")
    return user, answer


def near_duplicate(text: str, seen: list[str], threshold: float = 0.9) -> bool:
    return any(difflib.SequenceMatcher(None, text, s).ratio() >= threshold for s in seen[-300:])


def _prompt(instruction: str, examples: list[dict]) -> str:
    shots = "\n\n".join(f"Q: {q}\nA: {a}" for q, a in map(_pair, examples))
    return f"{instruction.strip()}\nWrite one new question and answer in the same form.\n\n{shots}\n\nQ:"


def _messages(instruction: str, examples: list[dict], chatty: bool) -> list[dict]:
    """A local model continues after 'Q:'; an endpoint's chat model is asked for the pair in so many words."""
    if not chatty:
        return [{"role": "user", "content": _prompt(instruction, examples)}]
    ask = _prompt(instruction, examples).removesuffix("Q:") + "Reply with the new pair only, as\nQ: ...\nA: ..."
    return [{"role": "system", "content": SYSTEM}, {"role": "user", "content": ask}]


def parse_pair(text: str) -> tuple[str, str] | None:
    """A 'Q: …\\nA: …' pair from a model's text; a chat model's reply may begin with the 'Q:' itself."""
    m = _PAIR.search("Q: " + re.sub(r"^\s*Q:\s*", "", text))
    if not m:
        return None
    q, a = m.group(1).strip(), m.group(2).strip()
    return (q, a) if q and a else None


def _json(text: str) -> object:
    try:
        return json.loads(text)
    except ValueError:
        return None


def _schema_meta(row: dict, shots: list[dict]) -> dict:
    """The seed whose tables the new question repeats lends its schema and sample rows: the new query is then
    run on them by the check, as the generator's own are."""
    user = _pair(row)[0]
    return next((dict(s["meta"]) for s in shots if isinstance(s.get("meta"), dict)
                 and str(s["meta"].get("schema", "\n")).replace("\n", " ") in user), {})


def row_meta(kind: str | None) -> Meta | None:
    """How a new row of a generator's kind gets the meta its check reads: the form's ground truth taken from
    what the teacher wrote (the JSON, the label) or from the seed whose context it repeats (SQL); for a tone,
    only where it came from. None for no kind: rows without meta, checked by nothing but their shape."""
    if kind is None:
        return None
    derive: dict[str, Meta] = {
        "json": lambda row, shots: {"direction": "to_json", "mr": _json(_pair(row)[1])},
        "classify": lambda row, shots: {"label": _pair(row)[1].strip()},
        "sql": _schema_meta,
    }
    return derive.get(kind, lambda row, shots: {"source": "teacher"})


def judge(text: str, check: Check | None, seen: list[str], meta: Meta | None = None,
          shots: list[dict] | None = None) -> tuple[dict | None, str]:
    """A candidate row and '' when it passes, else None and the reject reason."""
    pair = parse_pair(text)
    if pair is None:
        return None, "did not parse as Q:/A:"
    return keep(pair[0], pair[1], check, seen, lambda row: meta(row, shots or []) if meta else None)


def keep(question: str, answer: str, check: Check | None, seen: list[str],
         meta: Callable[[dict], dict | None] | None = None) -> tuple[dict | None, str]:
    """The row of a question and its answer when it passes the kind's check and is new, else the reason."""
    row = {"messages": [{"role": "user", "content": question}, {"role": "assistant", "content": answer}]}
    if meta and (found := meta(row)) is not None:
        row["meta"] = found
    if check and (why := check(row)):
        return None, f"failed the check: {why[:60]}"
    if near_duplicate(question + " " + answer, seen):
        return None, "near-duplicate"
    return row, ""


def _writer(model: str | None, endpoint: str | None) -> tuple[Writer, bool]:
    return (endpoint_writer(endpoint), True) if endpoint else (local_writer(model or ""), False)


def teach(model: str | None, seeds: list[dict], instruction: str, n: int, check: Check | None = None,
          max_attempts: int | None = None, seed: int = 0, progress: Progress | None = None,
          endpoint: str | None = None, meta: Meta | None = None) -> TeacherResult:
    """Up to n new rows in the seeds' form, written by `model` or, when named, `endpoint`; `meta` gives each
    the meta its kind's check reads (row_meta)."""
    if not seeds:
        raise GeneratorError("err_teacher_no_seeds")
    write, chatty = _writer(model, endpoint)
    rng, result = random.Random(seed), TeacherResult()
    seen = [" ".join(_pair(s)) for s in seeds]
    limit = max_attempts or 4 * n
    while len(result.rows) < n and result.attempts < limit:
        shots = rng.sample(seeds, min(3, len(seeds)))
        text = _attempt(write, _messages(instruction, shots, chatty), rng, result)
        if text is None:
            break
        row, why = judge(text, check, seen, meta, shots)
        _count(result, row, why, seen, n, progress)
    return result


def _attempt(write: Writer, messages: list[dict], rng: random.Random, result: TeacherResult) -> str | None:
    """One call; None when the endpoint stopped answering after rows were kept (said in result.stopped). A
    first call that fails raises: there is nothing to keep."""
    result.attempts += 1
    try:
        return write(messages, rng.randrange(2**31))
    except EndpointError as e:
        if not result.rows:
            raise
        result.attempts -= 1
        result.stopped = e
        return None


def _count(result: TeacherResult, row: dict | None, why: str, seen: list[str], n: int,
           progress: Progress | None) -> None:
    if row is None:
        result.rejects[why] += 1
        return
    result.rows.append(row)
    seen.append(" ".join(_pair(row)))
    if progress:
        progress(len(result.rows) / n, f"{len(result.rows)} kept, {sum(result.rejects.values())} rejected")


def _restyle_messages(instruction: str, examples: list[tuple[str, str]], text: str) -> list[dict]:
    shots = "\n\n".join(f"Plain: {plain}\nRewritten: {styled}" for plain, styled in examples)
    ask = (f"{instruction.strip()}\nRewrite the plain text the way the examples do: keep what it says, change "
           f"only its form. Reply with the rewritten text only.\n\n{shots}\n\nPlain: {text}\nRewritten:")
    return [{"role": "system", "content": SYSTEM}, {"role": "user", "content": ask}]


def restyle(sources: list[tuple[str, str]], examples: list[tuple[str, str]], instruction: str,
            check: Check | None = None, seed: int = 0, progress: Progress | None = None, *,
            model: str | None = None, endpoint: str | None = None) -> TeacherResult:
    """Each (question, plain answer) of `sources` with its answer rewritten in the style of the examples'
    (plain, rewritten) pairs; kept when the row passes the check. One attempt per source."""
    if not examples:
        raise GeneratorError("err_teacher_no_seeds")
    write, _ = _writer(model, endpoint)
    rng, result, seen = random.Random(seed), TeacherResult(), []
    for question, plain in sources:
        shots = rng.sample(examples, min(3, len(examples)))
        text = _attempt(write, _restyle_messages(instruction, shots, plain), rng, result)
        if text is None:
            break
        answer = re.sub(r"^\s*Rewritten:\s*", "", text).strip()
        source = {"source": plain}  # the plain text it restyled, as the rule-based rows keep theirs
        row, why = keep(question, answer, check, seen, lambda _, s=source: s) if answer else (None, "empty answer")
        _count(result, row, why, seen, len(sources), progress)
    return result
