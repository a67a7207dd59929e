"""`studio serve` through a client no one here wrote: the official `openai` package against a real server on
127.0.0.1 (uvicorn on a thread of this process), the tiny random Llama behind it (fp32, so batched and
alone can be compared token for token) and finished runs made from random LoRAs."""
from __future__ import annotations

import threading
from pathlib import Path

import openai
import pytest

from studio import runs
from studio.chat import ChatModel, GenSettings
from studio.compare.engine import Comparer, build_columns
from tests.serve.conftest import KEY, serving

pytestmark = pytest.mark.usefixtures("one_thread")
PROMPT = "Greet guest 3"
TOKENS = 12


def compare_answer(tiny_model_dir: Path, model: ChatModel, run: runs.Run | None, tokens: int = TOKENS) -> str:
    """What Compare's tuned column (or base column) answers to PROMPT, greedy."""
    kind = "tuned" if run else "base"
    column = build_columns(str(tiny_model_dir), PROMPT, [kind], run_id=run.id if run else None)[0]
    return Comparer(str(tiny_model_dir), chat=model).generate([column], GenSettings(max_new_tokens=tokens))[0]


def ask(client: openai.OpenAI, model_id: str, **kw) -> openai.types.chat.ChatCompletion:
    kw = {"temperature": 0, "max_tokens": TOKENS, **kw}
    return client.chat.completions.create(model=model_id, messages=[{"role": "user", "content": PROMPT}], **kw)


def test_models_lists_the_base_models_and_each_finished_run_by_id(served):
    unfinished = runs.create(served.runs[0].config())  # queued: not served
    listed = {m.id: m for m in served.client().models.list()}
    assert served.base in listed and "smollm2-135m" in listed  # the run's base, and the embedded models
    assert {r.id for r in served.runs} <= set(listed) and unfinished.id not in listed
    card = listed[served.runs[0].id].model_dump()
    assert card["object"] == "model" and card["owned_by"] == "katachi-studio"
    assert card["name"] == served.runs[0].title() and card["kind"] == "run" and card["base"] == served.base
    assert served.client().models.retrieve(served.runs[1].id).id == served.runs[1].id


def test_chat_with_a_run_gives_compare_s_tuned_answer_and_the_base_its_own(served, tiny_model_dir, model):
    client = served.client()
    tuned = ask(client, served.runs[0].id)
    base = ask(client, served.base)
    assert tuned.choices[0].message.content == compare_answer(tiny_model_dir, model, served.runs[0])
    assert base.choices[0].message.content == compare_answer(tiny_model_dir, model, None)
    assert tuned.choices[0].message.content != base.choices[0].message.content  # the adapter was used
    assert tuned.model == served.runs[0].id and tuned.object == "chat.completion"
    usage = tuned.usage
    assert usage.prompt_tokens > 0 and 0 < usage.completion_tokens <= TOKENS
    assert usage.total_tokens == usage.prompt_tokens + usage.completion_tokens
    assert tuned.choices[0].finish_reason in ("stop", "length")


def test_a_stream_arrives_in_chunks_and_adds_up_to_the_whole_answer(served):
    client = served.client()
    whole = ask(client, served.runs[1].id).choices[0].message.content
    chunks = list(ask(client, served.runs[1].id, stream=True, stream_options={"include_usage": True}))
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == whole
    assert len([c for c in chunks if c.choices and c.choices[0].delta.content]) >= 2  # streamed, not one lump
    assert chunks[0].choices[0].delta.role == "assistant"
    assert [c.choices[0].finish_reason for c in chunks if c.choices][-1] in ("stop", "length")
    assert chunks[-1].choices == [] and chunks[-1].usage.completion_tokens > 0


def test_n_gives_that_many_choices_and_sampling_follows_the_seed(served):
    client = served.client()
    greedy = ask(client, served.runs[0].id, n=2)
    assert [c.index for c in greedy.choices] == [0, 1]
    assert greedy.choices[0].message.content == greedy.choices[1].message.content  # greedy: the same answer
    sampled = ask(client, served.runs[0].id, n=2, temperature=1.0, seed=7, max_tokens=24)
    again = ask(client, served.runs[0].id, n=2, temperature=1.0, seed=7, max_tokens=24)
    texts = [c.message.content for c in sampled.choices]
    assert texts == [c.message.content for c in again.choices] and texts[0] != texts[1]


def test_a_stop_string_cuts_the_answer(served):
    client = served.client()
    whole = ask(client, served.runs[2].id, max_tokens=24).choices[0].message.content
    stop = whole[len(whole) // 2:len(whole) // 2 + 2]
    assert len(stop) == 2 and stop.strip()
    cut = ask(client, served.runs[2].id, max_tokens=24, stop=[stop])
    assert cut.choices[0].message.content == whole[:whole.find(stop)]
    assert cut.choices[0].finish_reason == "stop"


def test_completions_continue_raw_text(served, tiny_model_dir, model):
    text = served.client().completions.create(model=served.runs[0].id, prompt="Once upon a time", max_tokens=8,
                                              temperature=0)
    assert text.object == "text_completion" and text.choices[0].text
    assert text.usage.completion_tokens <= 8


def test_four_clients_at_once_each_get_their_own_model_s_answer(served, tiny_model_dir, model):
    """Four models (the base and three runs) asked at the same moment: the requests share engine calls
    (several adapters in one batch) and each gets exactly what its model answers alone."""
    ids = [served.base, *(r.id for r in served.runs)]
    alone = {mid: ask(served.client(), mid).choices[0].message.content for mid in ids}
    assert len(set(alone.values())) == 4  # four different answers: a mix-up would show
    served.server.batcher.sizes.clear()
    start, got, errors = threading.Barrier(4), {}, []

    def one(mid: str) -> None:
        try:
            start.wait()
            got[mid] = ask(served.client(), mid).choices[0].message.content
        except Exception as e:  # noqa: BLE001 - reported by the assertion below
            errors.append(e)

    threads = [threading.Thread(target=one, args=(mid,)) for mid in ids]
    for th in threads:
        th.start()
    for th in threads:
        th.join(timeout=120)
    assert not errors and got == alone
    assert max(served.server.batcher.sizes) >= 2, served.server.batcher.sizes  # batched, not one by one


def test_an_unknown_model_is_not_found_and_no_id_reads_a_path(served, tiny_model_dir):
    client = served.client()
    for name in ("no-such-model", str(tiny_model_dir), "../runs", served.runs[0].path.as_posix()):
        with pytest.raises(openai.NotFoundError) as err:
            ask(client, name)
        assert err.value.body["code"] == "model_not_found" and err.value.body["param"] == "model"


@pytest.mark.parametrize("kw, param", [({"temperature": 3}, "temperature"), ({"max_tokens": 0}, "max_tokens"),
                                       ({"n": 99}, "n"), ({"top_p": 0}, "top_p"), ({"logprobs": True}, "logprobs"),
                                       ({"stop": ["a", "b", "c", "d", "e"]}, "stop"),
                                       ({"tool_choice": "required"}, "tool_choice")])
def test_a_bad_parameter_is_a_bad_request_naming_it(served, kw, param):
    with pytest.raises(openai.BadRequestError) as err:
        ask(served.client(), served.runs[0].id, **kw)
    assert err.value.status_code == 400 and err.value.body["param"] == param
    assert err.value.body["type"] == "invalid_request_error" and param in err.value.body["message"]
    assert ask(served.client(), served.runs[0].id).choices  # and the server still answers


def test_a_prompt_past_the_context_is_413(served):
    client = served.client()
    long = " ".join(["word"] * 2000)  # the tiny model reads 512 tokens
    with pytest.raises(openai.APIStatusError) as err:
        client.chat.completions.create(model=served.base, messages=[{"role": "user", "content": long}])
    assert err.value.status_code == 413 and err.value.body["code"] == "context_length_exceeded"
    with pytest.raises(openai.BadRequestError) as err:  # fits, but not with the answer asked for
        ask(client, served.base, max_tokens=600)
    assert err.value.body["param"] == "max_tokens"


def test_a_key_once_set_is_required(tiny_model_dir, model, loras, monkeypatch):
    with serving(tiny_model_dir, model, loras, monkeypatch, api_key=KEY) as served:
        for wrong in ("none", KEY + "x"):
            with pytest.raises(openai.AuthenticationError) as err:
                served.client(wrong).models.list()
            assert err.value.body["code"] == "invalid_api_key"
        assert ask(served.client(KEY), served.runs[0].id).choices[0].message.content is not None
