"""Raw text for continued pretraining: passages cut at paragraph boundaries, packed into full blocks."""
from studio.data.passages import MIN_BLOCK, opening, pack, passages
from studio.data.stats import split
from tests.helpers.tiny_tokenizer import tiny_tokenizer

PLAY = "\n\n".join(f"ROMEO. Line {i} of the play, spoken softly under the balcony." for i in range(40))


def test_passages_keep_every_paragraph_once_and_respect_the_size():
    cut = passages([{"text": PLAY}], max_chars=200)
    assert all(len(p["text"]) <= 200 for p in cut) and len(cut) > 10
    assert "\n\n".join(p["text"] for p in cut) == PLAY  # nothing lost, nothing repeated


def test_a_paragraph_longer_than_a_passage_is_cut_not_dropped():
    text = "x" * 450
    cut = passages([{"text": text}], max_chars=200)
    assert [len(p["text"]) for p in cut] == [200, 200, 50]


def test_pack_fills_blocks_with_every_token_and_an_end_of_text_between_passages():
    tok = tiny_tokenizer()
    rows = passages([{"text": PLAY}], max_chars=200)
    blocks = pack(tok, rows, max_length=64)
    stream = [i for r in rows for i in [*tok(r["text"], add_special_tokens=False)["input_ids"], tok.eos_token_id]]
    assert all(len(b) == 64 for b in blocks[:-1]) and len(blocks[-1]) >= MIN_BLOCK
    assert [i for b in blocks for i in b] == stream[: sum(map(len, blocks))]
    assert stream.count(tok.eos_token_id) == len(rows)


def test_passages_split_into_train_and_eval_without_overlap():
    rows = passages([{"text": PLAY}], max_chars=200)
    train, evals = split(rows, 0.2, seed=1)
    assert evals and len(train) + len(evals) == len(rows)
    assert not {r["text"] for r in train} & {r["text"] for r in evals}


def test_an_opening_is_the_first_words_and_the_rest_is_the_gold():
    prompt, rest = opening("one two three four five six", words=4)
    assert (prompt, rest) == ("one two three four", "five six")
    prompt, rest = opening("拙者はサムライでござる。今日は良い天気でござるな。")
    assert prompt and rest and prompt + rest == "拙者はサムライでござる。今日は良い天気でござるな。"
