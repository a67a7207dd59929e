"""The studio pointed at `studio serve` itself as an endpoint (the tiny random Llama behind it, on a free port
of 127.0.0.1): a one-token test, teacher rows generated and checked, an endpoint column in Batch with the task
meter, and the judge's agreement computed on votes recorded through studio.data.votes.record, then accepted,
used as Batch's meter and written as DPO pairs."""
from __future__ import annotations

import re
from collections.abc import Iterator

import pandas as pd
import pytest

from studio import cli, runs
from studio.chat import ChatModel, GenSettings, prompt_ids
from studio.compare.engine import Comparer, build_columns
from studio.data import votes
from studio.data.generate import generator, teacher
from studio.endpoints import client, store
from studio.evaluate import agreement, judge, run_eval
from studio.fsutil import read_jsonl
from studio.train import runner
from studio.ui.compare import batch
from studio.ui.compare import judge as judge_panel
from studio.ui.compare.common import FINAL, Setup
from tests.endpoints.conftest import closed_url, save
from tests.helpers.runs import fake_run
from tests.serve.conftest import Served, serving

pytestmark = pytest.mark.usefixtures("one_thread")
SEEDS = [{"messages": [{"role": "user", "content": f"What is {i} plus {i}?"},
                       {"role": "assistant", "content": f"{i} plus {i} is {2 * i}."}]} for i in range(5)]
PROMPTS = "Greet guest 1\nGreet guest 2\nWhy is the sky blue?"


def setup(run_id: str, kinds: tuple[str, ...], lang: str = "en") -> Setup:
    return Setup(run_id=run_id, adapter=FINAL, kinds=list(kinds), system="", notes="", max_tokens=8, lang=lang)


def last(steps: Iterator) -> tuple:
    out = None
    for out in steps:
        pass
    return out


def test_the_studio_tests_studio_serve_with_one_token(served, capsys):
    endpoint = save("serve", served.server.url, served.base)
    reply = client.probe(endpoint)
    assert reply.model == served.base and reply.seconds > 0
    assert cli.main(["endpoints", "test", "serve"]) == 0
    assert f"serve: {served.base} answered in" in capsys.readouterr().out


def test_teacher_rows_from_studio_serve_are_all_checked(served):
    save("serve", served.server.url, served.runs[0].id)  # a tuned run, served, as the teacher
    check = generator("gozaru").check_row
    written = teacher.teach(None, SEEDS, "Arithmetic questions.", n=2, check=check, max_attempts=4,
                            endpoint="serve")
    assert written.attempts == 4 or len(written.rows) == 2
    assert len(written.rows) + sum(written.rejects.values()) == written.attempts and written.stopped is None
    assert all(check(row) is None for row in written.rows)  # whatever a random model writes, only checked rows
    restyled = teacher.restyle([("How tall is it?", "It is 333 metres tall.")] * 3,
                               [("It is old.", "It is old, you see.")], "Restyle.", check, endpoint="serve")
    assert restyled.attempts == 3 and len(restyled.rows) + sum(restyled.rejects.values()) == 3


def test_an_endpoint_column_in_batch_with_its_meter(served, tiny_model_dir, loras):
    run = fake_run(tiny_model_dir, loras[0], preset="gozaru")
    save("serve", served.server.url, served.runs[1].id)
    table, status = last(batch.run_batch(setup(run.id, ("base", "tuned", "endpoint")), batch.PASTE, PROMPTS))
    frame = pd.DataFrame(table.value["data"], columns=table.value["headers"])
    assert list(frame.columns) == ["Prompt", "Base model", "Tuned (LoRA)", "Endpoint (a bigger model) · serve"]
    answers = frame["Endpoint (a bigger model) · serve"]
    assert not any(a.startswith("⚠") or a == batch.PENDING for a in answers)  # studio serve answered each
    assert re.search(r"\*\*ござる style rate\*\* \(3 of 3 prompts\): Base model \d+% · Tuned \(LoRA\) \d+% · "
                     r"Endpoint \(a bigger model\) · serve \d+%", status), status


def test_compare_s_endpoint_column_streams_token_by_token(served, tiny_model_dir, model, monkeypatch):
    monkeypatch.setattr(served.server.batcher, "stream_every_s", 0.0)  # a server that sends every token (Ollama's)
    save("serve", served.server.url, served.runs[1].id)
    columns = build_columns(str(tiny_model_dir), "Greet guest 1", ["endpoint@serve"])
    seen = [texts[0] for texts in Comparer(str(tiny_model_dir), chat=model).stream(columns, GenSettings(
        max_new_tokens=24))]
    grew = [text for before, text in zip(["", *seen], seen) if text != before]
    whole = client.ask(store.get("serve"), columns[0].messages, max_tokens=24).text
    assert seen[-1] == whole and len(grew) >= 3, grew  # it arrived in pieces, not whole at the end
    assert all(whole.startswith(text) for text in grew)


def _answers(i: int) -> dict[str, str]:
    return {"base": f"Plain answer number {i}.", "tuned": f"Answer {i}, in the tone, de gozaru."}


def _shown(i: int) -> list[str]:
    """The order the user saw pair i in."""
    return ["tuned", "base"] if i % 2 else ["base", "tuned"]


def _judge_picks(i: int) -> str:
    """The column the served judge prefers on pair i, in either order."""
    return "base" if i % 4 == 0 else "tuned"


@pytest.fixture(scope="module")
def ab_model(tiny_model_dir) -> ChatModel:
    """The tiny model with an output layer that can say only "A" or "B", fitted (least squares on the last hidden
    state) so that on the test's 24 pairs, asked in both orders, it names the answer _judge_picks names: a judge
    that hears the answers, not their places. Elsewhere it says A or B as it happens to."""
    import torch

    m = ChatModel(str(tiny_model_dir), dtype="fp32")
    a, b = (m.tokenizer.convert_tokens_to_ids(x) for x in "AB")
    asks, wants = [], []
    for i in range(24):
        answers, order = _answers(i), _shown(i)
        for first, second in (order, order[::-1]):
            pair = judge.Pair("", f"Question {i}?", first, second, answers[first], answers[second])
            asks.append(judge.fill(judge.DEFAULT_PROMPT, pair))
            wants.append(1.0 if _judge_picks(i) == first else -1.0)
    with torch.no_grad():
        last = torch.stack([m.model.model(torch.tensor([prompt_ids(m.tokenizer, [{"role": "user", "content": q}])]))
                            .last_hidden_state[0, -1] for q in asks]).double()
        w = torch.linalg.lstsq(last, torch.tensor(wants).double().unsqueeze(1)).solution[:, 0].float()
    head = torch.nn.Linear(m.model.config.hidden_size, m.model.config.vocab_size, bias=False)
    with torch.no_grad():
        head.weight.zero_()
        head.weight[a], head.weight[b] = w, -w
    m.model.lm_head = head
    return m


@pytest.fixture
def ab_served(tiny_model_dir, ab_model, monkeypatch) -> Iterator[Served]:
    monkeypatch.setattr(judge, "JUDGE_TOKENS", 1)  # the letter and nothing after it
    monkeypatch.setattr(judge, "THREADS", 1)  # one prompt a call, unpadded: the hidden states the head was fitted on
    with serving(tiny_model_dir, ab_model, [], monkeypatch) as s:
        yield s


def test_the_judge_s_agreement_on_recorded_votes(ab_served, tiny_model_dir, loras, monkeypatch):
    monkeypatch.setattr(runner, "spawn", lambda run, on_gpu_freed=None: None)
    run = fake_run(tiny_model_dir, loras[0], preset="gozaru")
    for i in range(24):  # the user's votes, cast through the blind test's own recorder
        votes.record(f"Question {i}?", _answers(i), "tuned" if i % 3 else "base", vote_set=run.id, run_id=run.id,
                     order=_shown(i))
    save("serve", ab_served.server.url, ab_served.base)
    found = judge.judge_votes(run.id)
    recorded = {r["pair"]: r for r in read_jsonl(judge.verdicts_file(run.id))}
    pairs = judge.user_pairs(votes.run_votes(run.id))
    user, said = [p.user for p in pairs], [recorded[p.id]["letter"] for p in pairs]
    assert all(len(r["letters"]) == 2 for r in recorded.values())  # each pair heard in both orders
    assert len(pairs) == 24 and found.unclear == found.inconsistent == 0 and set(said) == {"A", "B"}
    assert [recorded[p.id]["winner"] for p in pairs] == [_judge_picks(i) for i in range(24)]
    assert found.agreement == agreement.agreement(user, said)  # the report is the recorded verdicts' agreement
    assert found.agreement.n == 24 and found.agreement.share == sum(u == j for u, j in zip(user, said)) / 24
    text = judge.say_report(found)
    assert f"on 24 of your 24 decided pairs: agrees on {found.agreement.agree}" in text and "95% bootstrap" in text
    assert "Cohen の κ" in judge.say_report(found, "ja")
    accepted = judge.accept(run.id)
    assert accepted["endpoint"] == "serve" and accepted["n"] == 24
    assert judge.accepted(run.id)["model"] == ab_served.base
    _, status = last(batch.run_batch(setup(run.id, ("base", "tuned"), "ja"), batch.PASTE, PROMPTS, True))
    # Batch's own answers are prompts the judge was not fitted on: a share, or a pair said two-minded or same
    meter = r"\*\*審査役メーター\*\*（serve）: ベースモデル より好まれた割合: (学習後 \(LoRA\) \d+%|—)"
    assert re.search(meter, status), status
    judged = [r for r in read_jsonl(judge.verdicts_file(run.id)) if r["source"] == "batch"]
    assert len(judged) + int(re.search(r"同じ回答どうしの (\d+) 件|$", status).group(1) or 0) == 3
    path, n = judge.judge_pairs_file(run.id)
    rows = read_jsonl(path)
    assert n >= 24 and rows[0] == {"prompt": "Question 0?", "chosen": _answers(0)["base"],
                                   "rejected": _answers(0)["tuned"]}
    started = judge_panel.train(run.id, "en")  # one click: a DPO run on those pairs (its worker not spawned here)
    dpo = runs.get(started).config()
    assert (dpo.train.method, dpo.data.train_path, dpo.train.start_from) == ("dpo", str(path), run.id)
    assert runs.get(started).title().endswith(f"DPO on the judge's {n} votes")
    store.remove("serve")


def test_evaluate_measures_an_endpoint_column_and_counts_what_it_could_not_answer(served, tiny_model_dir, loras):
    run = fake_run(tiny_model_dir, loras[0], preset="gozaru")
    save("serve", served.server.url, served.runs[0].id)
    save("gone", closed_url())
    result = run_eval.evaluate_run(run.id, 3, ("base", "endpoint@serve", "endpoint@gone"), losses=False, save=False)
    assert set(result.meters) == {"base", "endpoint@serve", "endpoint@gone"}
    assert 0 <= result.meters["endpoint@serve"]["primary"] <= 1 and "unanswered" not in result.meters["endpoint@serve"]
    assert result.meters["endpoint@gone"] == {"unanswered": 3}  # no answer is no wrong answer: not scored
    assert all(s["endpoint@gone"].startswith("⚠ endpoint gone cannot be reached") for s in result.samples)
