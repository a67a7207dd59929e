"""The answer engine on the tiny random model: the LoRA GGUF as llama.cpp's converter lays it out (read back with
gguf), the choice of engine and its fallbacks (each said), llama.cpp giving the torch path's greedy tokens at
full precision, stop strings and max tokens, and every answer surface (Try it, Compare, Batch, Evaluate, serve)
going through the chooser."""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from studio.chat import ChatModel, GenSettings, messages_for
from studio.compare.engine import Column, Comparer, batch_table
from studio.engine import EngineError, choose, layout, weights
from tests.helpers.runs import fake_run, random_lora_folder

pytestmark = pytest.mark.usefixtures("one_thread")
LAYERS = ("attn_q", "attn_k", "attn_v", "attn_output", "ffn_gate", "ffn_up", "ffn_down")


@pytest.fixture(scope="module")
def lora(tiny_model_dir, tmp_path_factory) -> Path:
    return random_lora_folder(tiny_model_dir, tmp_path_factory.mktemp("lora"))


@pytest.fixture(scope="module")
def chat(tiny_model_dir) -> ChatModel:
    return ChatModel(str(tiny_model_dir), dtype="fp32")


def _read(path: Path):
    from gguf import GGUFReader

    reader = GGUFReader(str(path))
    fields = {f.name: f.contents() for f in reader.fields.values()}
    return fields, {t.name: t for t in reader.tensors}


def test_the_lora_gguf_is_named_and_laid_out_as_llama_cpp_converts_it(tiny_model_dir, lora):
    from safetensors.numpy import load_file

    path = weights.adapter_gguf(lora, str(tiny_model_dir))
    fields, tensors = _read(path)
    assert fields["general.type"] == "adapter" and fields["adapter.type"] == "lora"
    assert fields["general.architecture"] == "llama"
    assert fields["adapter.lora.alpha"] == pytest.approx(64.0)  # PEFT's alpha / r x r: llama.cpp divides by r
    assert set(tensors) == {f"blk.{i}.{m}.weight.lora_{p}" for i in range(2) for m in LAYERS for p in "ab"}
    peft = load_file(str(lora / "adapter_model.safetensors"))
    a = peft["base_model.model.model.layers.1.self_attn.v_proj.lora_A.weight"]
    assert tensors["blk.1.attn_v.weight.lora_a"].data.shape == a.shape == (4, 64)  # rank x in
    q_b = peft["base_model.model.model.layers.0.self_attn.q_proj.lora_B.weight"]
    assert (tensors["blk.0.attn_q.weight.lora_b"].data == layout.permute(q_b, 4)).all()  # rotary rows, as the base
    k_b = peft["base_model.model.model.layers.0.self_attn.k_proj.lora_B.weight"]
    assert (tensors["blk.0.attn_k.weight.lora_b"].data == layout.permute(k_b, 2)).all()
    assert (tensors["blk.0.attn_v.weight.lora_b"].data == peft[
        "base_model.model.model.layers.0.self_attn.v_proj.lora_B.weight"]).all()


def test_the_lora_gguf_is_cached_and_made_again_when_the_adapter_changes(tiny_model_dir, lora, tmp_path):
    import shutil

    adapter = shutil.copytree(lora, tmp_path / "adapter")
    first = weights.adapter_gguf(adapter, str(tiny_model_dir))
    assert weights.adapter_gguf(adapter, str(tiny_model_dir)) == first
    weights_file = adapter / "adapter_model.safetensors"
    os.utime(weights_file, ns=(weights_file.stat().st_atime_ns, weights_file.stat().st_mtime_ns + 10**9))
    second = weights.adapter_gguf(adapter, str(tiny_model_dir))
    assert second != first and second.is_file() and not first.exists()


def test_auto_falls_back_to_torch_saying_why(tiny_model_dir, lora, tmp_path, monkeypatch):
    import shutil

    monkeypatch.setenv("STUDIO_ENGINE", "auto")  # the suite's torch default stands aside
    dora = shutil.copytree(lora, tmp_path / "dora")
    cfg = json.loads((dora / "adapter_config.json").read_text())
    (dora / "adapter_config.json").write_text(json.dumps({**cfg, "use_dora": True}))
    picked = choose.choose(str(tiny_model_dir), [dora], asked="auto")
    assert picked.engine == "torch" and "use_dora" in picked.why
    assert choose.choose(str(tiny_model_dir), [None], asked="auto", device="cuda").why.startswith("the model is on")
    with pytest.raises(EngineError, match="use_dora"):
        choose.choose(str(tiny_model_dir), [dora], asked="llama.cpp")
    assert choose.choose(str(tiny_model_dir), [lora], asked="torch") == choose.Choice("torch")
    monkeypatch.setattr(choose.importlib.util, "find_spec", lambda name: None)
    assert "not installed" in choose.choose(str(tiny_model_dir), [lora], asked="auto").why
    with pytest.raises(ValueError, match="engine 'vllm'"):
        choose.preference("vllm")


def test_an_architecture_the_gguf_writer_lacks_falls_back_to_torch(tiny_model_dir, tmp_path):
    import shutil

    other = shutil.copytree(tiny_model_dir, tmp_path / "mamba")
    cfg = json.loads((other / "config.json").read_text())
    (other / "config.json").write_text(json.dumps({**cfg, "architectures": ["MambaForCausalLM"]}))
    assert "MambaForCausalLM" in choose.why_not(str(other), [], "cpu")


def _columns(adapter: Path) -> list[Column]:
    short, long = messages_for("Greet guest 3"), messages_for("The quick brown fox jumps over the lazy dog. Why?")
    return [Column("base", "Base", None, short), Column("tuned", "Tuned", str(adapter), short),
            Column("prompt", "Base + system", None, messages_for("Greet guest 3", "Thou art a poet, good sir.")),
            Column("tuned2", "Tuned, long prompt", str(adapter), long)]


def test_llama_cpp_gives_the_torch_paths_greedy_tokens(tiny_model_dir, lora, chat, monkeypatch):
    """fp32 on both sides (the base GGUF in f32): the same prompt ids, penalty and stopping give the same tokens,
    columns with and without the adapter decoded in one context."""
    monkeypatch.setenv("STUDIO_ENGINE_WEIGHTS", "f32")
    settings = GenSettings(max_new_tokens=16)
    torch_side = Comparer(str(tiny_model_dir), chat=chat, engine="torch")
    llama_side = Comparer(str(tiny_model_dir), chat=chat, engine="llama.cpp")
    texts = llama_side.generate(_columns(lora), settings, min_new_tokens=16)
    assert llama_side.last_engine.label == "llama.cpp f32"
    assert torch_side.generate(_columns(lora), settings, min_new_tokens=16) == texts
    assert torch_side.last_token_ids == llama_side.last_token_ids
    assert llama_side.last_token_ids[0] != llama_side.last_token_ids[1]  # the adapter is applied per column


def test_max_tokens_and_stop_strings_end_llama_cpp_answers(tiny_model_dir, lora, chat, monkeypatch):
    monkeypatch.setenv("STUDIO_ENGINE_WEIGHTS", "f32")
    comparer = Comparer(str(tiny_model_dir), chat=chat, engine="llama.cpp")
    cols = _columns(lora)[:2]
    full = comparer.generate(cols, GenSettings(max_new_tokens=12), min_new_tokens=12)
    assert [len(ids) for ids in comparer.last_token_ids] == [12, 12]
    comparer.generate(cols, GenSettings(max_new_tokens=5))
    assert all(len(ids) <= 5 for ids in comparer.last_token_ids)
    stop = full[1][len(full[1]) // 2:][:3]
    monkeypatch.setattr(chat, "stop_strings", [stop])
    cut = comparer.generate(cols, GenSettings(max_new_tokens=12), min_new_tokens=12)
    assert stop not in cut[1] and full[1].startswith(cut[1]) and len(cut[1]) < len(full[1])


def test_try_it_streams_through_the_chosen_engine(tiny_model_dir, lora, chat, monkeypatch):
    monkeypatch.setenv("STUDIO_ENGINE_WEIGHTS", "f32")
    chat.add_adapter("t", str(lora))
    msgs = messages_for("Greet guest 3")
    settings = GenSettings(max_new_tokens=10)
    streamed = list(chat.stream(msgs, settings, adapter="t", engine="llama.cpp"))
    assert chat.last_engine.engine == "llama.cpp" and streamed
    assert streamed[-1] == chat.generate(msgs, settings, adapter="t")  # the torch path (STUDIO_ENGINE=torch)
    assert chat.last_engine.engine == "torch"


class _Recorder:
    """choose.decode replaced: the rows each surface sends to llama.cpp, answered with end of sequence."""

    def __init__(self):
        self.calls: list[int] = []
        self.threads: set[str] = set()

    def __call__(self, model_name, choice, job):
        import threading

        self.calls.append(len(job.rows))
        self.threads.add(threading.current_thread().name.split("_")[0])
        job.on_step([next(iter(job.eos_ids))] * len(job.rows))
        return [[] for _ in job.rows]


def test_every_answer_surface_goes_through_the_chooser(tiny_model_dir, lora, chat, monkeypatch):
    from studio.compare import engine as compare_engine
    from studio.evaluate import run_eval
    from studio.serve import batch as serve_batch

    recorder = _Recorder()
    monkeypatch.setattr(choose, "decode", recorder)
    monkeypatch.setenv("STUDIO_ENGINE", "llama.cpp")
    chat.add_adapter("t", str(lora))
    list(chat.stream(messages_for("hi"), GenSettings(max_new_tokens=4), adapter="t"))  # Try it
    Comparer(str(tiny_model_dir), chat=chat).generate(_columns(lora), GenSettings(max_new_tokens=4))  # Compare
    batch_table(str(tiny_model_dir), ["a", "b"], ["base"], comparer=Comparer(str(tiny_model_dir), chat=chat))  # Batch
    posted: list = []
    serve_batch.answer([serve_batch.Job(str(tiny_model_dir), chat, str(lora), "hi", GenSettings(max_new_tokens=4),
                                        posted.append, n=3)])  # studio serve
    assert recorder.calls == [1, 4, 2, 3]
    assert isinstance(posted[-1], serve_batch.Done)
    run = fake_run(tiny_model_dir, lora, preset="json")
    monkeypatch.setattr(compare_engine, "get_chat_model", lambda *a, **k: chat)
    result = run_eval.evaluate_run(run.id, limit=2, losses=False, save=False)  # Evaluate's held-out answers
    assert recorder.calls[4:] == [4] and result.settings["engine"] == "llama.cpp f16"
    # llama.cpp decodes on the compute thread, torch's: its OpenMP team beside torch's made every step ~1.6x slower
    assert recorder.threads == {"studio-compute"}


def test_an_answer_asked_for_on_the_compute_thread_itself_does_not_wait_for_itself(tiny_model_dir, lora, chat,
                                                                                   monkeypatch):
    from studio.models import compute

    recorder = _Recorder()
    monkeypatch.setattr(choose, "decode", recorder)
    comparer = Comparer(str(tiny_model_dir), chat=chat, engine="llama.cpp")
    done = compute.submit(comparer.generate, _columns(lora)[:2], GenSettings(max_new_tokens=4))
    assert done.result(timeout=60) == ["", ""] and recorder.calls == [2] and recorder.threads == {"studio-beside"}


@pytest.mark.parametrize("kind", ["qwen2", "gemma3"])
def test_the_other_families_agree_too(kind, tmp_path, monkeypatch):
    """Qwen2 (biases) and Gemma 3 (norms as 1 + w, sliding-window layers, its own rotary bases): llama.cpp at f32
    gives the torch path's greedy tokens, with and without the adapter."""
    from tests.export.test_gguf import _tiny

    monkeypatch.setenv("STUDIO_ENGINE_WEIGHTS", "f32")
    model_dir = _tiny(kind, tmp_path / kind)
    cfg = json.loads((model_dir / "config.json").read_text())
    if kind == "gemma3":  # HF scales attention by query_pre_attn_scalar, llama.cpp by head_dim (equal in gemma3-270m)
        assert "query_pre_attn_scalar" in choose.why_not(str(model_dir), [], "cpu")
        (model_dir / "config.json").write_text(json.dumps({**cfg, "query_pre_attn_scalar": cfg["head_dim"]}))
    adapter = random_lora_folder(model_dir, tmp_path / "lora")
    chat = ChatModel(str(model_dir), dtype="fp32")
    cols = _columns(adapter)
    settings = GenSettings(max_new_tokens=12)
    ids = {}
    for engine in ("torch", "llama.cpp"):
        comparer = Comparer(str(model_dir), chat=chat, engine=engine)
        comparer.generate(cols, settings, min_new_tokens=12)
        ids[engine] = comparer.last_token_ids
    assert ids["torch"] == ids["llama.cpp"]


def test_llama_cpp_answers_never_load_the_torch_model(tiny_model_dir, lora, monkeypatch):
    """The base in memory once: where llama.cpp answers (Try it, Compare) the torch model stays unloaded; the
    torch path loads it on its first answer, with the adapters added before."""
    monkeypatch.setenv("STUDIO_ENGINE", "llama.cpp")
    fresh = ChatModel(str(tiny_model_dir))
    fresh.add_adapter("t", str(lora))
    list(fresh.stream(messages_for("hi"), GenSettings(max_new_tokens=4), adapter="t"))
    comparer = Comparer(str(tiny_model_dir), chat=fresh)
    comparer.generate(_columns(lora), GenSettings(max_new_tokens=4))
    assert fresh.last_engine.engine == comparer.last_engine.engine == "llama.cpp"
    assert not fresh.loaded and fresh.packed == 0
    monkeypatch.setenv("STUDIO_ENGINE", "torch")
    fresh.generate(messages_for("hi"), GenSettings(max_new_tokens=4), adapter="t")
    assert fresh.loaded and fresh.last_engine.engine == "torch" and list(fresh.model.peft_config) == ["t"]
    assert fresh.placement() == ("cpu", choose.dtype_of(fresh.model))


def test_llama_cpp_says_its_errors_and_keeps_its_warnings_to_itself(capsys):
    from studio.engine import llama

    callback = llama._errors_only(llama.lib())
    for level, text in [(3, b"load: control-looking token"), (5, b" more of it\n"), (2, b"loaded meta data\n"),
                        (4, b"failed to load model"), (5, b" from x.gguf\n")]:
        callback(level, text, None)
    assert capsys.readouterr().err == "failed to load model from x.gguf\n"
