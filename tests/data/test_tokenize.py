import copy

from studio.chat import prompt_ids
from studio.data.tokenize import tokenize_row
from studio.models.embedded import BASE_CHAT_TEMPLATE
from tests.helpers.tiny_tokenizer import tiny_tokenizer

CONV = [{"role": "system", "content": "Be brief."},
        {"role": "user", "content": "Say hi"}, {"role": "assistant", "content": "Hi there"},
        {"role": "user", "content": "Again"}, {"role": "assistant", "content": "Hi again"}]


def _trained_text(tok, t):
    return tok.decode([i for i, m in zip(t.input_ids, t.mask) if m])


def test_only_assistant_turns_are_trained_chatml():
    tok = tiny_tokenizer()
    t = tokenize_row(tok, {"messages": CONV})
    trained = _trained_text(tok, t)
    assert "Hi there" in trained and "Hi again" in trained
    assert "Say hi" not in trained and "Be brief" not in trained and "Again" not in trained
    assert "<|im_end|>" in trained  # the model learns to stop


def test_only_assistant_turns_are_trained_base_template():
    tok = copy.deepcopy(tiny_tokenizer())  # the builder is cached: never mutate the shared one
    tok.chat_template = BASE_CHAT_TEMPLATE
    t = tokenize_row(tok, {"messages": CONV})
    trained = _trained_text(tok, t)
    assert "Hi there" in trained and "Hi again" in trained and "Q:" not in trained


def test_truncation_is_reported():
    tok = tiny_tokenizer()
    t = tokenize_row(tok, {"messages": CONV}, max_length=8)
    assert t.truncated and len(t.input_ids) == 8 == len(t.mask)


def test_prompt_ids_end_with_the_assistant_opening():
    tok = tiny_tokenizer()
    text = tok.decode(prompt_ids(tok, CONV[:2]))
    assert text.endswith("<|im_start|>assistant\n")
