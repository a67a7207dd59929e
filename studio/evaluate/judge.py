"""The judge: an endpoint asked which of two answers is better, on the same A/B pairs the user voted on in
Compare's blind test. Its verdicts are kept beside the votes (votes/RUN.judge.jsonl, one line each, as they
come) and compared with the user's (studio.evaluate.agreement). Once the user accepts it for a run, Batch may
use it as a meter and its verdicts become DPO pairs. An answer that is neither A nor B is counted as unclear
and said, never guessed.

Each pair is asked twice, A and B swapped the second time: a judge model tends to like whichever answer comes
first (or second), and that liking cancels only when both orders are heard. A verdict counts when both orders
name the same answer; two that disagree are a tie (unsure), counted apart and said."""
from __future__ import annotations

import hashlib
import random
import re
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import CancelledError, ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field, replace
from pathlib import Path

from studio.data import votes
from studio.data.store import datasets_dir
from studio.endpoints import EndpointError, client
from studio.endpoints import store as endpoints
from studio.endpoints.store import Endpoint
from studio.evaluate.agreement import MIN_VOTES, Agreement, agreement
from studio.fsutil import append_jsonl, atomic_write_json, read_json, read_jsonl, write_jsonl
from studio.paths import check_name, inside
from studio.text import Said, said, t

DEFAULT_PROMPT = """You are judging two answers to the same request. Pick the answer that better does what the \
request asks, in the form it asks for.

Request:
{prompt}

Answer A:
{a}

Answer B:
{b}

Reply with one letter only: A or B."""
FIELDS = ("prompt", "a", "b")
JUDGE_TOKENS = 4
"""Room for "A", "**A**" or "A." and the end of the answer; a judge that starts to explain is cut short and
counted unclear rather than read for a letter."""
THREADS = 4
"""Judge calls in flight at once."""
UNCLEAR = "unclear"
ORDERS = 2
"""Recorded with each verdict: one asked in a single order (an older judge) is asked again."""
_FIELD = re.compile(r"\{(prompt|a|b)\}")
_NOISE = re.compile(r"[\s*_`'\"()\[\]{}.,:：。、!！]|^(?:answer|the answer is|回答|答え)", re.IGNORECASE)
Progress = Callable[[float, str], None]


class JudgeError(Said, ValueError):
    """A judge that cannot be asked or trusted as asked; said in the UI's language."""


@dataclass(frozen=True)
class Pair:
    id: str
    prompt: str
    first: str
    """The column key shown as A."""
    second: str
    a: str
    b: str
    user: str | None = None
    """The user's letter for this pair ("A" or "B"); None for a pair only the judge sees (Batch)."""


@dataclass
class JudgeReport:
    endpoint: str
    model: str
    pairs: int
    """The user's decided pairs on this run."""
    agreement: Agreement
    unclear: int
    failed: int = 0
    """Pairs that got no answer this time (asked again next time)."""
    why: Exception | None = None
    """The first reason a call failed."""
    inconsistent: int = 0
    """Pairs whose two orders named different answers: a tie, not a vote."""


@dataclass
class JudgeLine:
    """Batch's judge meter: per column, the share of prompts where the judge preferred it to the reference."""
    endpoint: str
    reference: str
    shares: dict[str, float] = field(default_factory=dict)
    judged: dict[str, int] = field(default_factory=dict)
    unclear: int = 0
    inconsistent: int = 0
    same: int = 0
    """Pairs of identical answers: nothing to prefer, not asked."""
    failed: int = 0
    why: Exception | None = None


def check_template(template: str) -> str:
    """The judge prompt, holding each of {prompt}, {a} and {b}."""
    template = (template or "").strip()
    missing = [f"{{{f}}}" for f in FIELDS if f"{{{f}}}" not in template]
    if missing:
        raise JudgeError("err_judge_prompt_fields", missing=", ".join(missing))
    return template


def template_id(template: str) -> str:
    return hashlib.sha1(template.strip().encode()).hexdigest()[:12]


def fill(template: str, pair: Pair) -> str:
    """The prompt with the pair in its places, in one pass: an answer that holds '{a}' stays as written."""
    values = {"prompt": pair.prompt, "a": pair.a, "b": pair.b}
    return _FIELD.sub(lambda m: values[m.group(1)], template)


def parse_letter(text: str) -> str | None:
    """'A' or 'B' when that is all the judge said (markdown, quotes and 'Answer:' aside), else None."""
    cleaned = _NOISE.sub("", (text or "").strip()).upper()
    return cleaned if cleaned in ("A", "B") else None


def user_pairs(cast: list[dict]) -> list[Pair]:
    """The pairs the user decided: the winner of each vote against each other answer, in the order shown.
    Ties and identical answers decide nothing."""
    pairs = []
    for v in cast:
        winner, answers = v.get("winner"), v["answers"]
        if winner == votes.TIE or winner not in answers:
            continue
        order = [k for k in (v.get("order") or answers) if k in answers]
        for other in order:
            if other == winner or answers[other].strip() == answers[winner].strip():
                continue
            first, second = sorted((winner, other), key=order.index)
            pairs.append(Pair(f"{v.get('time')}|{first}|{second}", v["prompt"], first, second, answers[first],
                              answers[second], "A" if winner == first else "B"))
    return pairs


def verdicts_file(run_id: str) -> Path:
    return votes.votes_file(f"{check_name(run_id, 'run id')}.judge")


def accepted_file(run_id: str) -> Path:
    return verdicts_file(run_id).with_suffix(".json")


def both_orders(shown: str | None, swapped: str | None) -> str | None:
    """The verdict in the shown order when the swapped order names the same answer (its other letter); else
    None: unclear, or a judge whose pick follows the position rather than the answer."""
    return shown if shown and swapped == {"A": "B", "B": "A"}[shown] else None


def ask_pair(endpoint: Endpoint, template: str, pair: Pair) -> tuple[list[str | None], list[str]]:
    """(the letter read in each order: as shown, then A and B swapped; what the judge said each time), greedy."""
    said_ = [client.ask(endpoint, [{"role": "user", "content": fill(template, p)}], max_tokens=JUDGE_TOKENS,
                        temperature=0.0).text for p in (pair, replace(pair, a=pair.b, b=pair.a))]
    return [parse_letter(s) for s in said_], said_


def _record(run_id: str, endpoint: Endpoint, template: str, pair: Pair, letters: list[str | None],
            replies: list[str], source: str) -> dict:
    """One verdict, kept as it came: both orders' letters and words beside the verdict they make."""
    letter = both_orders(*letters)
    record = {
        "time": time.time(), "pair": pair.id, "source": source, "run": run_id, "prompt": pair.prompt,
        "answers": {pair.first: pair.a, pair.second: pair.b}, "order": [pair.first, pair.second],
        "winner": {"A": pair.first, "B": pair.second}.get(letter or "", UNCLEAR), "letter": letter,
        "letters": letters, "inconsistent": None not in letters and letter is None,
        "said": [r[:200] for r in replies], "orders": ORDERS, "judge": endpoint.name, "model": endpoint.model,
        "template": template_id(template)}
    append_jsonl(verdicts_file(run_id), record, durable=True)
    return record


def _ask_all(run_id: str, endpoint: Endpoint, template: str, pairs: list[Pair], source: str,
             progress: Progress | None) -> tuple[list[tuple[Pair, dict]], list[Exception]]:
    """Every pair asked (a few at a time), each verdict recorded as it comes. After a failure the pairs not yet
    sent are not sent: a down or slow endpoint costs one timeout per thread, not one per pair."""
    done: list[tuple[Pair, dict]] = []
    failures: list[Exception] = []
    with ThreadPoolExecutor(THREADS, thread_name_prefix="judge") as pool:
        futures = {pool.submit(ask_pair, endpoint, template, p): p for p in pairs}
        for future in as_completed(futures):
            try:
                letters, replies = future.result()
            except CancelledError:  # not sent after a failure
                continue
            except EndpointError as e:
                failures.append(e)
                for other in futures:
                    other.cancel()
                continue
            done.append((futures[future], _record(run_id, endpoint, template, futures[future], letters, replies,
                                                  source)))
            if progress:
                progress(len(done) / len(pairs), f"{len(done)} of {len(pairs)} judged")
    if failures and not done:
        raise failures[0]
    return done, failures


def _verdicts(run_id: str, endpoint: Endpoint, template: str, source: str) -> dict[str, dict]:
    """This judge's (endpoint, model, prompt) latest verdict per pair, asked in both orders."""
    tid = template_id(template)
    return {r["pair"]: r for r in read_jsonl(verdicts_file(run_id))
            if r.get("judge") == endpoint.name and r.get("model") == endpoint.model and r.get("template") == tid
            and r.get("source") == source and r.get("orders") == ORDERS}


def report(run_id: str, endpoint: Endpoint, template: str) -> JudgeReport:
    """The judge's agreement with the user on the run's pairs it has answered."""
    pairs = user_pairs(votes.run_votes(run_id))
    found = _verdicts(run_id, endpoint, template, "blind")
    answered = [(p.user, found[p.id]) for p in pairs if p.id in found]
    decided = [(u, r["letter"]) for u, r in answered if r.get("letter")]
    inconsistent = sum(1 for _, r in answered if r.get("inconsistent"))
    unclear = len(answered) - len(decided) - inconsistent
    user, judge = [u for u, _ in decided], [j for _, j in decided]
    return JudgeReport(endpoint.name, endpoint.model, len(pairs), agreement(user, judge), unclear,
                       inconsistent=inconsistent)


def judge_votes(run_id: str, endpoint: str | None = None, template: str = DEFAULT_PROMPT,
                progress: Progress | None = None) -> JudgeReport:
    """Ask the judge on each of the user's pairs it has not answered with this prompt, then report."""
    template = check_template(template)
    judge = endpoints.get(endpoint)
    pairs = user_pairs(votes.run_votes(run_id))
    if not pairs:
        raise JudgeError("err_judge_no_votes", run=run_id)
    found = _verdicts(run_id, judge, template, "blind")
    todo = [p for p in pairs if p.id not in found]
    done, failures = _ask_all(run_id, judge, template, todo, "blind", progress)
    out = report(run_id, judge, template)
    out.failed, out.why = len(todo) - len(done), failures[0] if failures else None
    return out


def accept(run_id: str, endpoint: str | None = None, template: str = DEFAULT_PROMPT) -> dict:
    """Trust this judge (endpoint and prompt) for the run: Batch's meter and DPO pairs. It must have decided
    at least MIN_VOTES of the user's pairs."""
    template = check_template(template)
    judge = endpoints.get(endpoint)
    agreed = report(run_id, judge, template).agreement
    if agreed.n < MIN_VOTES:
        raise JudgeError("err_judge_accept_few", n=agreed.n, need=MIN_VOTES, more=agreed.more)
    record = {"endpoint": judge.name, "model": judge.model, "template": template, "n": agreed.n,
              "share": agreed.share, "kappa": agreed.kappa, "time": time.time()}
    atomic_write_json(accepted_file(run_id), record)
    return record


def accepted(run_id: str | None) -> dict | None:
    """The judge the user accepted for this run, or None."""
    return read_json(accepted_file(run_id)) if run_id else None


def _accepted_judge(run_id: str) -> tuple[Endpoint, str]:
    found = accepted(run_id)
    if not found:
        raise JudgeError("err_judge_not_accepted", run=run_id)
    judge = endpoints.get(found["endpoint"])
    if judge.model != found["model"]:  # the endpoint was replaced since: its agreement is no longer known
        raise JudgeError("err_judge_changed", name=judge.name, model=found["model"], now=judge.model)
    return judge, found["template"]


def batch_pairs(prompts: list[str], answers: dict[str, list[str]], reference: str,
                failed: dict[str, set[int]]) -> tuple[list[Pair], Counter]:
    """Each column against the reference on each prompt both answered, A and B drawn per pair (a judge's
    liking for the first answer then favours no column); identical answers counted, not asked."""
    pairs, same, stamp = [], Counter(), f"{time.time():.6f}"
    for col in (c for c in answers if c != reference):
        for i, prompt in enumerate(prompts):
            if i in failed.get(col, set()) | failed.get(reference, set()):
                continue
            if answers[col][i].strip() == answers[reference][i].strip():
                same[col] += 1
                continue
            first, second = (reference, col) if random.Random(f"{i}|{col}").random() < 0.5 else (col, reference)
            pairs.append(Pair(f"batch|{stamp}|{i}|{first}|{second}", prompt, first, second, answers[first][i],
                              answers[second][i]))
    return pairs, same


def judge_meter(run_id: str, prompts: list[str], answers: dict[str, list[str]], *, reference: str = "base",
                failed: dict[str, set[int]] | None = None, progress: Progress | None = None) -> JudgeLine:
    """The accepted judge's preference for each column over the reference (base, else the first column) on
    Batch's table; every verdict is kept, so it can become a DPO pair."""
    judge, template = _accepted_judge(run_id)
    reference = reference if reference in answers else next(iter(answers))
    pairs, same = batch_pairs(prompts, answers, reference, failed or {})
    done, failures = _ask_all(run_id, judge, template, pairs, "batch", progress) if pairs else ([], [])
    line = JudgeLine(judge.name, reference, same=sum(same.values()), failed=len(pairs) - len(done),
                     why=failures[0] if failures else None)
    for pair, record in done:
        col, letter = pair.second if pair.first == reference else pair.first, record["letter"]
        if letter is None:
            line.inconsistent += bool(record["inconsistent"])
            line.unclear += not record["inconsistent"]
            continue
        line.judged[col] = line.judged.get(col, 0) + 1
        line.shares[col] = line.shares.get(col, 0) + ({"A": pair.first, "B": pair.second}[letter] == col)
    line.shares = {c: wins / line.judged[c] for c, wins in line.shares.items()}
    return line


def judge_pairs_file(run_id: str) -> tuple[Path, int]:
    """The accepted judge's verdicts as DPO pairs {"prompt", "chosen", "rejected"}, in the datasets folder."""
    judge, template = _accepted_judge(run_id)
    cast = [v for source in ("blind", "batch") for v in _verdicts(run_id, judge, template, source).values()]
    pairs = votes.preference_pairs(cast)  # an unclear or two-minded verdict names no winner: it makes no pair
    if not pairs:
        raise JudgeError("err_judge_no_pairs", run=run_id)
    path = inside(datasets_dir(), f"judge-{check_name(run_id, 'run id')}.jsonl")
    write_jsonl(path, pairs)
    return path, len(pairs)


def _pct(x: float | None) -> str:
    return "—" if x is None else f"{x:.0%}"


def _k(x: float | None) -> str:
    return "—" if x is None else f"{x:.2f}"


def say_report(found: JudgeReport, lang: str | None = "en") -> str:
    """The agreement in words: the numbers from MIN_VOTES decided pairs, else how many more are needed; the
    unclear answers and the pairs that got none, each counted."""
    a = found.agreement
    who = {"name": found.endpoint, "model": found.model, "pairs": found.pairs}
    if a.more:
        lines = [t(lang, "jdg_more", n=a.n, need=MIN_VOTES, more=a.more, **who)]
    else:
        lines = [t(lang, "jdg_report", n=a.n, agree=a.agree, share=_pct(a.share), share_lo=_pct(a.share_lo),
                   share_hi=_pct(a.share_hi), kappa=_k(a.kappa), kappa_lo=_k(a.kappa_lo), kappa_hi=_k(a.kappa_hi),
                   **who)]
        if a.kappa is None:
            lines.append(t(lang, "jdg_kappa_undefined"))
    if found.unclear:
        lines.append(t(lang, "jdg_unclear", n=found.unclear))
    if found.inconsistent:
        lines.append(t(lang, "jdg_inconsistent", n=found.inconsistent))
    if found.failed:
        lines.append(t(lang, "jdg_failed", n=found.failed, why=said(lang, found.why) if found.why else "—"))
    return "\n\n".join(lines)


def say_meter(line: JudgeLine, name: Callable[[str], str] = str, lang: str | None = "en") -> str:
    """'Judge meter (big): preferred over Base — Tuned 70% of 20 · Endpoint 90% of 20'; `name` names a column."""
    cols = " · ".join(t(lang, "jdg_meter_col", col=name(c), share=_pct(s), n=line.judged[c])
                      for c, s in line.shares.items()) or "—"
    lines = [t(lang, "jdg_meter_line", name=line.endpoint, reference=name(line.reference), cols=cols)]
    if line.same:
        lines.append(t(lang, "jdg_meter_same", n=line.same))
    if line.unclear:
        lines.append(t(lang, "jdg_unclear", n=line.unclear))
    if line.inconsistent:
        lines.append(t(lang, "jdg_inconsistent", n=line.inconsistent))
    if line.failed:
        lines.append(t(lang, "jdg_failed", n=line.failed, why=said(lang, line.why) if line.why else "—"))
    return "\n\n".join(lines)
