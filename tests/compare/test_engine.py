"""The compare engine on the tiny random model: the batched (mixed-adapter) path gives the same tokens
as each column alone, streaming grows every column, columns are built per kind, adapters are checked,
and `studio compare` prints one JSON object per prompt and column."""
import json
import shutil
from pathlib import Path

import pytest

pytestmark = pytest.mark.usefixtures("one_thread")

from studio import runs
from studio.chat import ChatModel, GenSettings, messages_for
from studio.compare.adapters import same_model
from studio.compare.engine import Column, Comparer, batch_table, build_columns, parse_kinds
from studio.compare.stream import RowsStreamer
from tests.helpers.runs import fake_run, random_lora_folder


def set_adapter_base(adapter: Path, base: str) -> None:
    cfg_file = adapter / "adapter_config.json"
    cfg = json.loads(cfg_file.read_text())
    cfg["base_model_name_or_path"] = base
    cfg_file.write_text(json.dumps(cfg))




@pytest.fixture(scope="module")
def lora(tiny_model_dir, tmp_path_factory) -> Path:
    return random_lora_folder(tiny_model_dir, tmp_path_factory.mktemp("lora"))


@pytest.fixture(scope="module")
def chat(tiny_model_dir) -> ChatModel:
    """fp32, so that batched and one-by-one runs can be compared token for token."""
    return ChatModel(str(tiny_model_dir), dtype="fp32")


def _columns(model_dir, adapter) -> list[Column]:
    short, long = messages_for("Greet guest 3"), messages_for("The quick brown fox jumps over the lazy dog. Why?")
    return [Column("base", "Base", None, short), Column("tuned", "Tuned", str(adapter), short),
            Column("prompt", "Base + system", None, messages_for("Greet guest 3", "Thou art a poet, good sir.")),
            Column("tuned2", "Tuned, long prompt", str(adapter), long)]


def test_batched_gives_the_same_tokens_as_each_column_alone(tiny_model_dir, lora, chat):
    settings = GenSettings(max_new_tokens=20)
    cols = _columns(tiny_model_dir, lora)
    batched = Comparer(str(tiny_model_dir), chat=chat)
    texts = batched.generate(cols, settings, min_new_tokens=20)  # EOS held off: 20 real tokens each
    one_by_one = Comparer(str(tiny_model_dir), mode="sequential", chat=chat)
    alone = []
    for c in cols:
        assert one_by_one.generate([c], settings, min_new_tokens=20)[0] == texts[len(alone)]
        alone.extend(one_by_one.last_token_ids)
    assert batched.last_token_ids == alone
    assert all(len(ids) == 20 for ids in alone)
    assert alone[0] != alone[1]  # the adapter changes the answer: the test compares real work


def test_batched_matches_the_chat_tabs_own_path(tiny_model_dir, lora, chat):
    """ChatModel.generate (TextIteratorStreamer, adapter toggled) is independent code: same answers."""
    settings = GenSettings(max_new_tokens=16)
    cols = _columns(tiny_model_dir, lora)
    comparer = Comparer(str(tiny_model_dir), chat=chat)
    texts = comparer.generate(cols, settings)
    names = {c.adapter: n for c, n in zip(cols, comparer._load_adapters(cols))}
    direct = [chat.generate(c.messages, settings, adapter=None if c.adapter is None else names[c.adapter])
              for c in cols]
    assert texts == direct


def test_streaming_grows_every_column_together(tiny_model_dir, lora, chat):
    cols = _columns(tiny_model_dir, lora)[:2]
    # sampled: the random base model's greedy answer is one whitespace token repeated
    settings = GenSettings(max_new_tokens=40, temperature=1.0, top_p=1.0, seed=3)
    snaps = list(Comparer(str(tiny_model_dir), chat=chat).stream(cols, settings, min_new_tokens=40))
    final = snaps[-1]
    assert all(len(s) == 2 for s in snaps)
    for i in range(2):
        seen = [s[i] for s in snaps]
        assert all(final[i].startswith(t) for t in seen)
        assert len({t for t in seen if t}) >= 3, f"column {i} did not fill step by step"


def test_a_reader_that_stops_early_frees_the_model(tiny_model_dir, lora, chat):
    comparer = Comparer(str(tiny_model_dir), chat=chat)
    cols = _columns(tiny_model_dir, lora)[:2]
    stream = comparer.stream(cols, GenSettings(max_new_tokens=400), min_new_tokens=400)
    next(stream)
    stream.close()  # the UI's "clear": generation ends, the lock is released
    assert not chat.lock.locked()
    assert len(comparer.generate(cols, GenSettings(max_new_tokens=3))) == 2


def test_sequential_mode_fills_the_columns_one_after_another(tiny_model_dir, lora, chat):
    cols = _columns(tiny_model_dir, lora)[1:3]
    settings = GenSettings(max_new_tokens=12, temperature=1.0, top_p=1.0, seed=1)
    snaps = list(Comparer(str(tiny_model_dir), mode="sequential", chat=chat).stream(cols, settings))
    final = snaps[-1]
    second_started = next(i for i, s in enumerate(snaps) if s[1])
    assert all(s[0] == final[0] for s in snaps[second_started:])  # the first was complete by then
    assert any(s[0] and not s[1] for s in snaps)


def test_old_adapters_are_dropped_beyond_the_limit(tiny_model_dir, lora, chat, tmp_path, monkeypatch):
    from studio.compare import engine as compare

    monkeypatch.setattr(compare, "MAX_ADAPTERS", 2)
    comparer = Comparer(str(tiny_model_dir), chat=chat)
    for i in range(3):
        copy = shutil.copytree(lora, tmp_path / f"copy{i}")
        col = Column("tuned", "Tuned", str(copy), messages_for("hi"))
        assert len(comparer.generate([col], GenSettings(max_new_tokens=2))) == 1
    ours = [n for n in chat.adapters if compare._OUR_NAME.match(n)]
    assert len(ours) == 2 and compare.adapter_name(str(tmp_path / "copy2")) in ours
    assert set(ours) <= set(chat.model.peft_config)


class _Tok:
    """Decodes ids as letters: enough to drive the streamer by hand."""

    def decode(self, ids, skip_special_tokens=True):
        return "".join(chr(ord("a") + i) for i in ids)


def test_rows_streamer_stops_each_row_at_its_eos_or_stop_string():
    import torch

    s = RowsStreamer(_Tok(), 3, stop_strings=["cd"], eos_ids={25})
    s.put(torch.tensor([[9, 9, 9]] * 3))  # the prompt: ignored
    for step in ([0, 0, 4], [1, 25, 2], [2, 1, 3], [3, 2, 0]):
        s.put(torch.tensor(step))
    s.end()
    snaps = []
    while isinstance(item := s.queue.get(), list):
        snaps.append(item)
    assert len(snaps) == 4 and snaps[0] == ["a", "a", "e"]
    # row 0 cut at "cd", row 1 ended at EOS, row 2 cut at "cd"; tokens after the end are ignored
    assert snaps[-1] == s.final() == ["ab", "a", "e"]
    assert all(final.startswith(t) for snap in snaps for t, final in zip(snap, snaps[-1]))  # never shrinks
    assert s.done == [True, True, True]


def test_build_columns_for_every_kind(tiny_model_dir, lora):
    run = fake_run(tiny_model_dir, lora, preset="facts", checkpoints=(5,))
    name = str(tiny_model_dir)
    cols = build_columns(name, "Whom did Juliet love?", ["base", "tuned", "tuned@checkpoint-5", "prompt",
                                                         "fewshot"], run_id=run.id, k=2, dynamic=False)
    assert [c.key for c in cols] == ["base", "tuned", "tuned@checkpoint-5", "prompt", "fewshot"]
    base, tuned, ck, prompt, shots = cols
    assert base.adapter is None and base.messages == [{"role": "user", "content": "Whom did Juliet love?"}]
    assert tuned.adapter == str(run.adapter_dir) and tuned.messages == base.messages
    assert Path(ck.adapter).name == "checkpoint-5"
    from studio import presets

    facts = presets.load("facts")
    assert prompt.messages[0] == {"role": "system", "content": facts.extra["fact_prompt"]}
    first_two = [t for r in facts.train_rows()[:2] for t in r["messages"] if t["role"] != "system"]
    assert shots.messages == [*first_two, base.messages[-1]]


def test_base_and_tuned_get_the_system_prompt_the_run_trained_with(tiny_model_dir, lora):
    run = fake_run(tiny_model_dir, lora, system="Answer in verse.")
    history = [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "hello"}]
    cols = build_columns(str(tiny_model_dir), "and now?", ["base", "tuned"], run_id=run.id, history=history)
    for c in cols:
        assert c.messages == [{"role": "system", "content": "Answer in verse."}, *history,
                              {"role": "user", "content": "and now?"}]


@pytest.mark.parametrize("kinds, message", [
    (["bogus"], "unknown column"), (["base@x"], "unknown column"), ([], "no columns"),
])
def test_bad_column_kinds_are_refused(kinds, message):
    with pytest.raises(ValueError, match=message):
        parse_kinds(kinds)


def test_columns_that_lack_what_they_need_say_so(tiny_model_dir, lora):
    name = str(tiny_model_dir)
    with pytest.raises(ValueError, match="needs a run"):
        build_columns(name, "hi", ["tuned"])
    with pytest.raises(ValueError, match="system prompt"):
        build_columns(name, "hi", ["prompt"])
    with pytest.raises(ValueError, match="notes"):
        build_columns(name, "hi", ["rag"], notes=[" "])
    run = fake_run(tiny_model_dir, lora, checkpoints=(5,))
    with pytest.raises(ValueError, match="no checkpoint 'checkpoint-9'.*checkpoint-5"):
        build_columns(name, "hi", ["tuned"], run_id=run.id, checkpoint="checkpoint-9")


def test_an_adapter_of_another_base_model_is_refused(tiny_model_dir, lora, chat, tmp_path):
    other = tmp_path / "other"
    shutil.copytree(lora, other)
    set_adapter_base(other, "Qwen/Qwen2.5-0.5B-Instruct")
    run = fake_run(tiny_model_dir, other)
    with pytest.raises(ValueError, match="trained on 'Qwen/Qwen2.5-0.5B-Instruct'"):
        build_columns(str(tiny_model_dir), "hi", ["tuned"], run_id=run.id)
    col = Column("tuned", "Tuned", str(other), messages_for("hi"))
    with pytest.raises(ValueError, match="trained on"):
        Comparer(str(tiny_model_dir), chat=chat).generate([col], GenSettings(max_new_tokens=2))
    with pytest.raises(ValueError, match="comparison loads"):
        build_columns("smollm2-135m", "hi", ["tuned"], run_id=fake_run(tiny_model_dir, lora).id)


def test_embedded_models_match_by_their_cache_folder_name():
    assert same_model("/somewhere/else/models/smollm2-135m", "smollm2-135m")
    assert same_model("HuggingFaceTB/SmolLM2-135M-Instruct", "smollm2-135m")
    assert not same_model("/x/models/gemma3-270m", "smollm2-135m")


def test_a_deleted_run_gives_a_clear_error(tiny_model_dir, lora, chat, tmp_path):
    run = fake_run(tiny_model_dir, lora)
    cols = build_columns(str(tiny_model_dir), "hi", ["base", "tuned"], run_id=run.id)
    runs.delete(run.id)
    with pytest.raises(ValueError, match="does not exist"):
        build_columns(str(tiny_model_dir), "hi", ["tuned"], run_id=run.id)
    with pytest.raises(ValueError, match="gone"):
        Comparer(str(tiny_model_dir), chat=chat).generate(cols, GenSettings(max_new_tokens=2))


def test_batch_table_runs_every_prompt_through_every_column(tiny_model_dir, lora, chat):
    run = fake_run(tiny_model_dir, lora)
    comparer = Comparer(str(tiny_model_dir), chat=chat)
    settings = GenSettings(max_new_tokens=8)
    prompts = ["Greet guest 1", "Greet guest 2", "Why is the sky blue?"]
    rows = batch_table(str(tiny_model_dir), prompts, ["base", "tuned"], run_id=run.id, settings=settings,
                       comparer=comparer, batch_size=4)
    assert [(r["prompt"], r["column"]) for r in rows] == [(p, c) for p in prompts for c in ("base", "tuned")]
    one = build_columns(str(tiny_model_dir), prompts[2], ["tuned"], run_id=run.id)
    assert rows[-1]["text"] == comparer.generate(one, settings)[0]  # batching across prompts changes nothing


def _cli(capsys, *argv):
    from studio.cli import main

    code = main(["compare", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_json_prints_one_object_per_prompt_and_column(tiny_model_dir, lora, tmp_path, capsys):
    run = fake_run(tiny_model_dir, lora)
    prompts = tmp_path / "prompts.txt"
    prompts.write_text("Greet guest 1\n\nWhy is the sky blue?\n", encoding="utf-8")
    code, out, _ = _cli(capsys, "--run", run.id, "--prompts-file", str(prompts), "--columns", "base,tuned",
                        "--max-new-tokens", "4", "--json")
    assert code == 0
    rows = [json.loads(line) for line in out.splitlines()]
    assert [(r["prompt"], r["column"]) for r in rows] == [
        ("Greet guest 1", "base"), ("Greet guest 1", "tuned"),
        ("Why is the sky blue?", "base"), ("Why is the sky blue?", "tuned")]
    assert all(set(r) == {"prompt", "column", "text", "engine"} and isinstance(r["text"], str) for r in rows)
    assert {r["engine"] for r in rows} == {"torch"}  # which engine answered (the suite's STUDIO_ENGINE)


def test_cli_bad_input_exits_2_with_one_line(tiny_model_dir, lora, tmp_path, capsys):
    run = fake_run(tiny_model_dir, lora)
    big = tmp_path / "big.txt"
    big.write_text("x\n" * 600_000)
    empty = tmp_path / "empty.txt"
    empty.write_text("\n \n")
    cases = [(["--prompts-file", str(tmp_path / "missing.txt")], "does not exist"),
             (["--prompts-file", str(tmp_path)], "is not a file"),
             (["--prompts-file", str(big)], "the limit is"),
             (["--prompts-file", str(empty)], "holds no prompt"),
             (["--prompt", "hi", "--columns", "base,wat"], "unknown column"),
             (["--prompt", "hi", "--max-new-tokens", "0"], "max-new-tokens"),
             (["--prompt", "hi", "--columns", "rag", "--notes", str(tmp_path / "nope.md")], "does not exist")]
    for extra, message in cases:
        code, _out, err = _cli(capsys, "--run", run.id, *extra)
        assert code == 2 and message in err and len(err.strip().splitlines()) == 1, (extra, err)
    code, _, err = _cli(capsys, "--run", "no-such-run", "--prompt", "hi")
    assert code == 2 and "does not exist" in err


@pytest.mark.slow
def test_benchmark_side_by_side_costs_at_most_1_5x_the_tuned_answer_alone():
    """Issue 6's acceptance on smollm2-135m (CPU). Judged on CPU time with one thread (set by
    the one_thread fixture): wall time on a shared machine measures the neighbours, not the code."""
    from studio.bench.compare import benchmark

    result = benchmark("smollm2-135m", new_tokens=32, repeats=2)
    print(json.dumps(result))
    assert result["batched_vs_alone_cpu_median"] <= 1.5
    assert result["batched"]["cpu_median_s"] < result["sequential"]["cpu_median_s"]


def test_two_adapters_take_peft_routing_and_one_adapter_the_row_scale(tiny_model_dir, lora, chat, tmp_path):
    """Base + one adapter runs with a per-row LoRA scale (studio.compare.mask); a second adapter falls back
    to peft's mixed batch; both give each column its own tokens, and the scales are left as they were."""
    from peft.tuners.lora import LoraLayer

    from studio.compare import mask as compare_mask

    other = random_lora_folder(tiny_model_dir, tmp_path / "other", seed=2)
    cols = _columns(tiny_model_dir, lora)[:2] + [Column("other", "Other", str(other), messages_for("Hi"))]
    comparer = Comparer(str(tiny_model_dir), chat=chat)
    names = comparer._load_adapters(cols)
    assert comparer._single_adapter(names[:2]) == names[1] and comparer._single_adapter(names) is None
    assert compare_mask.supports(chat.model, names[1])
    scales = {id(m): dict(m.scaling) for m in chat.model.modules() if isinstance(m, LoraLayer)}
    settings = GenSettings(max_new_tokens=12)
    mixed = comparer.generate(cols, settings, min_new_tokens=12)
    alone = [Comparer(str(tiny_model_dir), mode="sequential", chat=chat).generate([c], settings,
                                                                                 min_new_tokens=12)[0]
             for c in cols]
    assert mixed == alone and len(set(alone)) == 3
    assert scales == {id(m): dict(m.scaling) for m in chat.model.modules() if isinstance(m, LoraLayer)}
