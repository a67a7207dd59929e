"""The files people already have: a corpus shaped after the public documentation of OpenAI chat
fine-tuning (tools, weights, content parts, vision, DPO), TRL's dataset formats, LLaMA-Factory's data
formats, ShareGPT, Axolotl, mlx-lm and ms-swift, each with its expected outcome; and for every
accepted file, each row tokenised with the loss mask checked token by token against the turns."""
from __future__ import annotations

import copy
import json
import re

import pytest

from studio.data.inspect import trained_pieces
from studio.data.template import knows_tools, plain, template_input
from studio.data.tokenize import tokenize_row
from studio.data.validate import validate_file
from studio.text import t
from tests.helpers import FIXTURES
from tests.helpers.tiny_tokenizer import tiny_tokenizer

CORPUS = FIXTURES / "formats"
# name -> (format, usable rows, words of each error (None: no error), words of a warning or None)
EXPECTED = {
    "openai_chat_weight.jsonl": ("messages", 2, None, None),
    "openai_tools.jsonl": ("messages", 2, None, "key 'parallel_tool_calls' is in 1 row(s) but not used"),
    "openai_functions_legacy.jsonl": ("messages", 1, None, None),
    "openai_content_parts.jsonl": ("messages", 1, None, None),
    "openai_vision.jsonl": ("messages", 0, "2 row(s) hold image data", None),
    "openai_audio.jsonl": ("messages", 0, "1 row(s) hold audio data", None),
    "openai_dpo.jsonl": ("preference", 0, "preference data (OpenAI DPO", None),
    "trl_text.jsonl": ("text", 2, None, None),
    "trl_prompt_completion_conversational.jsonl": ("prompt_completion", 2, None, None),
    "trl_preference.jsonl": ("preference", 0, "preference data (TRL prompt/chosen/rejected)", None),
    "trl_preference_implicit.jsonl": ("preference", 0, "preference data (TRL chosen/rejected", None),
    "trl_unpaired_kto.jsonl": ("kto", 0, "KTO data (prompt/completion with a true/false label), 2 row(s)", None),
    "trl_stepwise.jsonl": ("stepwise", 0, "stepwise supervision", None),
    "trl_prompt_only.jsonl": ("prompt_completion", 0, "completion: missing", None),
    "llamafactory_alpaca.json": ("alpaca", 2, None, None),
    "llamafactory_sharegpt_tools.json": ("sharegpt", 1, None, None),
    "llamafactory_sharegpt_preference.json": ("preference", 0, "LLaMA-Factory ShareGPT with chosen/rejected", None),
    "llamafactory_kto.json": ("kto", 0, "KTO data (messages with a true/false label)", None),
    "llamafactory_mllm.json": ("messages", 0, "1 row(s) hold image data", None),
    "sharegpt_vicuna.jsonl": ("sharegpt", 2, None, "key 'id' is in 2 row(s)"),
    "axolotl_chat_template_training.jsonl": ("messages", 1, None, None),
    "axolotl_completion.jsonl": ("text", 2, None, None),
    "mlx_lm_tools.jsonl": ("messages", 1, None, None),
    "mlx_lm_completions.jsonl": ("prompt_completion", 1, None, None),
    "ms_swift_query_response.jsonl": ("query_response", 2, None, None),
    "ms_swift_agent.jsonl": ("messages", 1, None, None),
    "ms_swift_dpo.jsonl": ("preference", 0, "ms-swift messages with rejected_response", None),
    "ms_swift_multimodal.jsonl": ("messages", 0, "hold image data", None),
    "corpus.txt": ("text", 1, None, None),
    "notes.md": ("text", 1, None, None),
    "python_repr.jsonl": (None, 0, "a Python dict (single quotes, True/None), not JSON (5 more rows alike", None),
    "reasoning_parts.jsonl": ("messages", 0, ("a reasoning part", "reasoning kept beside the answer"), None),
    "dolly.jsonl": ("columns", 1, None, "key 'context' is in 1 row(s) but not used"),
    "content_value_parts.jsonl": ("messages", 1, None, None),
}
FILES = sorted(p.name for p in CORPUS.iterdir())
ACCEPTED = [n for n in FILES if EXPECTED[n][1]]

# A ChatML template that knows tools (the shape of Qwen2.5's): the native rendering.
TOOL_TEMPLATE = (
    "{%- if tools %}<|im_start|>system\n{% if messages[0].role == 'system' %}{{ messages[0].content }}\n\n"
    "{% endif %}# Tools\n<tools>{% for t in tools %}\n{{ t | tojson }}{% endfor %}\n</tools><|im_end|>\n"
    "{%- elif messages[0].role == 'system' %}<|im_start|>system\n{{ messages[0].content }}<|im_end|>\n{%- endif %}"
    "{%- for m in messages %}{% if m.role == 'system' %}{% elif m.role == 'assistant' %}<|im_start|>assistant\n"
    "{{ m.content }}{% for c in m.tool_calls or [] %}<tool_call>{{ c.function | tojson }}</tool_call>{% endfor %}"
    "<|im_end|>\n{% elif m.role == 'tool' %}<|im_start|>tool\n{{ m.content }}<|im_end|>\n{% else %}"
    "<|im_start|>{{ m.role }}\n{{ m.content }}<|im_end|>\n{% endif %}{% endfor %}"
    "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)


def tool_tokenizer():
    tok = copy.deepcopy(tiny_tokenizer())  # the builder is cached: never mutate the shared one
    tok.chat_template = TOOL_TEMPLATE
    return tok


def test_the_corpus_is_complete():
    assert len(FILES) >= 25 and set(FILES) == set(EXPECTED)


@pytest.mark.parametrize("name", FILES)
def test_each_file_gets_its_expected_outcome(name):
    fmt, usable, error, warning = EXPECTED[name]
    report = validate_file(CORPUS / name, tokenizer=tiny_tokenizer())
    assert all(i.field != "internal" for i in report.errors), report.errors
    assert report.format == fmt and len(report.usable) == usable, report.summary()
    if error is None:
        assert report.errors == [] and report.ok
    else:
        words = (error,) if isinstance(error, str) else error
        assert [w in str(i) for w, i in zip(words, report.errors)] == [True] * len(report.errors) == [True] * len(
            words), [str(i) for i in report.errors]
        assert all(i.hint for i in report.errors) and not report.ok
    if warning:
        assert any(warning in str(w) for w in report.warnings), [str(w) for w in report.warnings]
    assert f": {t('en', f'fmt_{fmt}' if fmt else 'fmt_unknown')}, " in report.summary()  # the format really found


def _chatml_trained_spans(text: str) -> list[tuple[int, int]]:
    """Independently of the tokenizer code: every assistant block's body, end-of-turn included."""
    return [(m.start(1), m.end(1)) for m in re.finditer(r"<\|im_start\|>assistant\n(.*?<\|im_end\|>)", text, re.DOTALL)]


def _expected_mask(tokenized, row: dict, messages: list[dict]) -> list[int]:
    if "text" in row:
        return [1] * len(tokenized.input_ids)
    blocks = _chatml_trained_spans(tokenized.text)
    answers = [m for m in messages if m["role"] == "assistant"]
    assert len(blocks) == len(answers)
    spans = [span for span, m in zip(blocks, answers) if m.get("weight") != 0]
    return [int(any(a < e and b > s for s, e in spans)) for a, b in tokenized.offsets]


@pytest.mark.parametrize("tools", ["plain", "native"])
@pytest.mark.parametrize("name", ACCEPTED)
def test_every_accepted_row_round_trips_to_a_sample_with_the_right_loss_mask(name, tools):
    tok = tool_tokenizer() if tools == "native" else tiny_tokenizer()
    report = validate_file(CORPUS / name, tokenizer=tok)
    assert report.usable
    for row in report.usable:
        sample = tokenize_row(tok, row)
        messages, _ = template_input(tok, row) if "messages" in row else ([], None)
        assert sample.mask == _expected_mask(sample, row, messages)
        assert sample.trained > 0
        for m in row.get("messages", []):  # a tool's output (its first appearance) is never trained
            if m["role"] == "tool":
                start = sample.text.index(m["content"])
                end = start + len(m["content"])
                assert not any(on for (a, b), on in zip(sample.offsets, sample.mask) if a < end and b > start)


def test_tool_calls_are_rendered_natively_when_the_template_knows_tools():
    row = validate_file(CORPUS / "openai_tools.jsonl").usable[1]
    native, plain_tok = tool_tokenizer(), tiny_tokenizer()
    assert knows_tools(native) and not knows_tools(plain_tok)
    text = tokenize_row(native, row).text
    assert "<|im_start|>tool\n" in text and '"name": "get_current_weather"' in text and "# Tools" in text
    text = tokenize_row(plain_tok, row).text
    assert "<|im_start|>tool" not in text and "<tool_response>\n{\"temperature\": 14" in text
    assert '<tool_call>\n{"name": "get_current_weather", "arguments": {"location": "Tokyo, Japan"' in text


def test_the_plain_rendering_keeps_every_part_of_the_row():
    row = validate_file(CORPUS / "mlx_lm_tools.jsonl").usable[0]
    out = plain(row["messages"], row["tools"])
    assert [m["role"] for m in out] == ["system", "user", "assistant", "user", "assistant"]
    assert json.loads(out[0]["content"].split("<tools>\n")[1].split("\n</tools>")[0]) == row["tools"][0]
    assert json.loads(out[2]["content"].removeprefix("<tool_call>\n").removesuffix("\n</tool_call>")) == {
        "name": "multiply", "arguments": {"a": 17, "b": 23}}
    assert out[3]["content"] == "<tool_response>\n391\n</tool_response>"


def test_weight_zero_and_training_false_turns_are_context_only():
    tok = tiny_tokenizer()
    for name, shown in (("openai_chat_weight.jsonl", "Paris<|im_end|>"),
                        ("axolotl_chat_template_training.jsonl", "Why did the chicken")):
        row = validate_file(CORPUS / name).usable[0]
        sample = tokenize_row(tok, row)
        trained = tok.decode([i for i, m in zip(sample.input_ids, sample.mask) if m])
        assert shown in sample.text and shown not in trained and trained.strip()


def test_history_becomes_earlier_turns():
    row = validate_file(CORPUS / "ms_swift_query_response.jsonl").usable[0]
    assert [(m["role"], m["content"]) for m in row["messages"]] == [
        ("system", "You are a helpful assistant."), ("user", "How do I say hello in French?"),
        ("assistant", "Bonjour."), ("user", "And in Japanese?"), ("assistant", "こんにちは")]


def test_json_list_issues_name_the_line_where_the_record_starts_and_its_number():
    report = validate_file(CORPUS / "llamafactory_mllm.json")
    issue = report.errors[0]
    assert (issue.line, issue.record) == (2, 1)
    assert "llamafactory_mllm.json:2 (record 1): images: " in str(issue)


def test_the_trained_token_view_reads_japanese_whole():
    tok = tiny_tokenizer()
    row = {"messages": [{"role": "user", "content": "今日は？"}, {"role": "assistant", "content": "晴れでござる。🎉"}]}
    pieces = trained_pieces(tok, row)
    assert "".join(p for p, _ in pieces) == tokenize_row(tok, row).text
    assert "\ufffd" not in "".join(p for p, _ in pieces)
    assert "晴れでござる。🎉" in "".join(p for p, on in pieces if on)
    assert "今日は？" in "".join(p for p, on in pieces if not on)


@pytest.mark.parametrize("folder", ["formats", "malformed"])
def test_every_problem_in_both_corpora_can_be_said_in_japanese(folder):
    """Each issue comes from the text catalogue, so the Data step says it in the UI's language."""
    for path in sorted((FIXTURES / folder).iterdir()):
        report = validate_file(path, tokenizer=tiny_tokenizer(), max_length=64, max_bytes=50_000)
        for issue in report.errors + report.warnings:
            assert issue.key, f"{path.name}: {issue} has no catalogue key"
            ja, en = issue.text("ja"), issue.text("en")
            assert ja != en and not re.search(r"\{[a-z_]+\}", ja), ja  # translated, every field filled
            assert issue.hint_text("ja") and issue.hint_text("ja") != issue.hint
