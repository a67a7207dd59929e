"""`studio serve` at the HTTP level and around it: OpenAI-shaped errors for what a client library would never
send (broken JSON, a huge body, an unknown route), the gate (a foreign Host, a foreign page's Origin), the
refusal to bind beyond 127.0.0.1 without a key, a raw-text run, tools through the chat template, the tool
calls of an answer, the snippets the Export tab shows (run for real) and `--print-vllm`."""
from __future__ import annotations

import argparse
import http.client
import json
import shlex
import socket

import pytest

from studio import cli
from studio.serve import ServeError, batch, calls
from studio.serve.catalog import Catalog, Served, base_id
from studio.serve.params import chat_ask
from studio.serve.prompt import chat_text
from studio.serve.server import Options, Server
from studio.serve.snippets import curl_snippet, python_snippet
from studio.serve.vllm import MAX_LORA_RANKS, vllm_commands
from tests.helpers.runs import fake_run
from tests.helpers.server import free_port

pytestmark = pytest.mark.usefixtures("one_thread")


def _request(port: int, method: str, path: str, body: bytes | None = None, **headers: str) -> tuple[int, dict | str]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    conn.request(method, path, body=body, headers={"Host": f"127.0.0.1:{port}", "Content-Type": "application/json",
                                                   **{k.replace("_", "-"): v for k, v in headers.items()}})
    r = conn.getresponse()
    text = r.read().decode("utf-8", "replace")
    conn.close()
    try:
        return r.status, json.loads(text)
    except ValueError:
        return r.status, text


def _error(answer: dict) -> dict:
    assert set(answer) == {"error"} and set(answer["error"]) == {"message", "type", "param", "code"}, answer
    return answer["error"]


def test_what_no_client_library_sends_is_refused_in_openai_s_shape(served):
    port = served.server.options.port
    status, answer = _request(port, "POST", "/v1/chat/completions", b"{not json")
    assert status == 400 and _error(answer)["code"] == "invalid_json"
    status, answer = _request(port, "POST", "/v1/chat/completions", json.dumps({"messages": []}).encode())
    assert status == 400 and _error(answer)["param"] == "messages"
    bad_role = {"model": served.base, "messages": [{"role": "wizard", "content": "hi"}]}
    status, answer = _request(port, "POST", "/v1/chat/completions", json.dumps(bad_role).encode())
    assert status == 400 and _error(answer)["param"] == "messages[0].role"
    status, answer = _request(port, "POST", "/v1/chat/completions", b" " * (5 * 2**20))
    assert status == 413 and _error(answer)["code"] == "request_too_large"
    status, answer = _request(port, "GET", "/v1/nowhere")
    assert status == 404 and "/v1/chat/completions" in _error(answer)["message"]
    for docs in ("/docs", "/openapi.json"):  # no surface nobody designed
        assert _request(port, "GET", docs)[0] == 404
    assert _request(port, "GET", "/v1/models")[0] == 200  # and the server still answers


def test_the_gate_refuses_a_foreign_host_and_a_foreign_page(served):
    port = served.server.options.port
    status, text = _request(port, "GET", "/v1/models", Host="evil.example")
    assert status == 403 and "own address" in text
    body = json.dumps({"model": served.base, "messages": [{"role": "user", "content": "hi"}]}).encode()
    status, text = _request(port, "POST", "/v1/chat/completions", body, Origin="https://evil.example")
    assert status == 403 and "other sites" in text


def test_it_will_not_bind_beyond_this_machine_without_a_key_nor_on_a_taken_port():
    with pytest.raises(ServeError) as err:
        Server(Options(host="0.0.0.0", port=free_port()))
    assert "0.0.0.0" in str(err.value) and "STUDIO_API_KEY" in str(err.value)
    with pytest.raises(ServeError, match="at least 8"):
        Server(Options(api_key="short", port=free_port()))
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        with pytest.raises(ServeError, match="is taken"):
            Server(Options(port=taken.getsockname()[1]))


def test_a_raw_text_run_continues_text_and_refuses_to_chat(served, tiny_model_dir, loras, tmp_path):
    passages = tmp_path / "book.jsonl"
    passages.write_text("\n".join(json.dumps({"text": f"Chapter {i}. It was a dark night."}) for i in range(8)))
    raw = fake_run(tiny_model_dir, loras[0], train_path=str(passages))
    client = served.client()
    import openai

    with pytest.raises(openai.BadRequestError) as err:
        client.chat.completions.create(model=raw.id, messages=[{"role": "user", "content": "hi"}])
    assert err.value.body["code"] == "model_not_chat" and "/v1/completions" in err.value.body["message"]
    out = client.completions.create(model=raw.id, prompt="Chapter 9.", max_tokens=6, temperature=0)
    assert out.choices[0].finish_reason in ("stop", "length")
    card = next(m for m in client.models.list() if m.id == raw.id).model_dump()
    assert card["endpoints"] == ["/v1/completions"]


def test_tools_reach_the_chat_template_the_way_the_studio_trains_them(model, tiny_model_dir, loras):
    run = fake_run(tiny_model_dir, loras[0], system="Answer as a pirate.")
    served = next(s for s in Catalog().models() if s.id == run.id)
    weather = {"type": "function", "function": {"name": "weather", "parameters": {"type": "object"}}}
    ask = chat_ask({"model": run.id, "tools": [weather], "messages": [
        {"role": "user", "content": [{"type": "text", "text": "Rain "}, {"type": "text", "text": "in Kyoto?"}]},
        {"role": "assistant", "content": None, "tool_calls": [
            {"id": "c1", "type": "function", "function": {"name": "weather", "arguments": '{"city": "Kyoto"}'}}]},
        {"role": "tool", "tool_call_id": "c1", "content": "rain"}]})
    text = chat_text(model, served, ask)
    # the tiny ChatML template knows no tools: the plain rendering (studio.data.template) under the run's system
    assert "Answer as a pirate." in text and '"name": "weather"' in text and "<tools>" in text
    assert '<tool_call>\n{"name": "weather", "arguments": {"city": "Kyoto"}}\n</tool_call>' in text
    assert "<tool_response>\nrain\n</tool_response>" in text and "Rain in Kyoto?" in text
    assert text.endswith("<|im_start|>assistant\n")


def test_tool_calls_in_an_answer_become_openai_s_tool_calls():
    content, found = calls.split_calls('Let me look.\n<tool_call>\n{"name": "weather", "arguments": '
                                       '{"city": "京都"}}\n</tool_call>')
    assert content == "Let me look." and found[0]["type"] == "function" and found[0]["id"].startswith("call_")
    assert found[0]["function"] == {"name": "weather", "arguments": '{"city": "京都"}'}
    assert calls.split_calls("<tool_call>not json</tool_call>") == ("<tool_call>not json</tool_call>", [])
    assert calls.shown("Sure <tool_c") == "Sure " and calls.shown('Sure <tool_call>{"na') == "Sure "


def test_the_snippets_call_the_server_as_they_are(served, monkeypatch, capsys):
    monkeypatch.setenv("STUDIO_API_KEY", "ignored-without-a-key")
    code = python_snippet(served.server.url, served.runs[0].id, keyed=False)
    exec(compile(code, "<snippet>", "exec"), {})  # noqa: S102 - the snippet the Export tab shows, run as shown
    assert capsys.readouterr().out.strip() != "None"
    curl = shlex.split(curl_snippet(served.server.url, served.runs[0].id, keyed=True).replace("\\\n", " "))
    assert curl[:2] == ["curl", served.server.url + "/chat/completions"]
    assert "Authorization: Bearer $STUDIO_API_KEY" in curl and json.loads(curl[-1])["model"] == served.runs[0].id


def _vllm_parser() -> argparse.ArgumentParser:
    """`vllm serve`'s flags as vLLM documents them (vLLM itself is not installed here)."""
    p = argparse.ArgumentParser(prog="vllm serve", exit_on_error=False)
    p.add_argument("model")
    p.add_argument("--served-model-name", nargs="+")
    p.add_argument("--port", type=int)
    p.add_argument("--enable-lora", action="store_true")
    p.add_argument("--max-lora-rank", type=int, choices=MAX_LORA_RANKS)
    p.add_argument("--max-loras", type=int)
    p.add_argument("--lora-modules", nargs="+")
    return p


def test_print_vllm_prints_a_vllm_serve_command_with_every_run_as_a_lora_module(tiny_model_dir, loras, capsys):
    made = [fake_run(tiny_model_dir, lora) for lora in loras]
    assert cli.main(["serve", "--print-vllm", "--runs", made[0].id, made[2].id]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 1  # one base model: one command
    argv = shlex.split(lines[0])
    assert argv[:2] == ["vllm", "serve"]
    args = _vllm_parser().parse_args(argv[2:])
    assert args.model == str(tiny_model_dir) and args.served_model_name == [tiny_model_dir.name]
    assert args.enable_lora and args.max_lora_rank == 8 and args.max_loras == 2  # the random LoRAs' r is 4
    modules = dict(m.split("=", 1) for m in args.lora_modules)
    assert modules == {r.id: str(r.adapter_dir.resolve()) for r in (made[0], made[2])}


def test_print_vllm_names_an_embedded_model_by_its_hub_original(tmp_path):
    adapter = tmp_path / "adapter"
    adapter.mkdir()
    (adapter / "adapter_config.json").write_text(json.dumps({"r": 24}))
    run = Served("r1", "r1", "smollm2-135m", str(adapter))
    note, command = vllm_commands([run], port=9000)
    assert note.startswith("# smollm2-135m was trained on its embedded GGUF weights")
    args = _vllm_parser().parse_args(shlex.split(command)[2:])
    assert args.model == "HuggingFaceTB/SmolLM2-135M-Instruct" and args.served_model_name == ["smollm2-135m"]
    assert args.max_lora_rank == 32 and args.port == 9000 and base_id("smollm2-135m") == "smollm2-135m"


def test_serve_refuses_an_unfinished_or_unknown_run_before_starting(tiny_model_dir, loras, capsys):
    run = fake_run(tiny_model_dir, loras[0])
    run.write_status(state="failed")
    assert cli.main(["serve", "--runs", run.id]) == 2
    assert f"run {run.id} is failed" in capsys.readouterr().err
    assert cli.main(["serve", "--runs", "no-such-run"]) == 2
    assert cli.main(["serve", "--print-vllm", "--runs", "all"]) == 2  # no finished run at all
    assert "no finished run" in capsys.readouterr().err


def test_a_stream_sends_a_row_s_first_text_at_once_then_at_most_every_interval(monkeypatch):
    clock = iter([10.0, 10.01, 10.02, 10.05, 10.06, 10.1])
    monkeypatch.setattr(batch.time, "monotonic", lambda: next(clock))
    pace = batch.Pace(every=0.04)
    sent = [pace.due(texts) for texts in (["", ""], ["a", ""], ["ab", ""], ["ab", "x"], ["abc", "x"],
                                          ["abcd", "xy"])]
    # the first snapshot (nothing waited for yet), row 0's first text, not 10 ms later, row 1's first text,
    # not 10 ms later, 40 ms after the last one sent
    assert sent == [True, True, False, True, False, True]
