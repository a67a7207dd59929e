import json
import subprocess
import sys

import pytest

from studio.models import EMBEDDED, ModelError, load_model, load_tokenizer, resolve
from studio.models.registry import CURATED


def test_resolve_embedded_curated_and_hub_ids():
    assert resolve("smollm2-135m").source == "embedded"
    q = resolve("qwen2.5-0.5b-instruct")
    assert q.source == "hub" and q.location == "Qwen/Qwen2.5-0.5B-Instruct"
    assert resolve("Qwen/Qwen2.5-7B-Instruct").entry is CURATED["qwen2.5-7b-instruct"]
    anyid = resolve("someone/some-model")
    assert anyid.source == "hub" and anyid.entry is None


@pytest.mark.parametrize("name", ["nosuchmodel", "", "a/b/c", "../../etc"])
def test_unknown_model_names_are_one_line_errors(name):
    with pytest.raises(ModelError) as e:
        resolve(name)
    assert "\n" not in str(e.value)


def test_local_folder_checks(tmp_path, tiny_model_dir):
    assert resolve(str(tiny_model_dir)).source == "local"
    with pytest.raises(ModelError, match="does not exist"):
        resolve(str(tmp_path / "missing"))
    (tmp_path / "empty").mkdir()
    with pytest.raises(ModelError, match="config.json"):
        resolve(str(tmp_path / "empty"))
    pickled = tmp_path / "pickled"
    pickled.mkdir()
    (pickled / "config.json").write_text("{}")
    (pickled / "pytorch_model.bin").write_bytes(b"x")
    with pytest.raises(ModelError, match="safetensors"):
        resolve(str(pickled))


def test_local_model_loads_offline_and_generates(tiny_model_dir, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    tok = load_tokenizer(str(tiny_model_dir))
    model = load_model(str(tiny_model_dir), dtype="fp32")
    ids = tok("hello", return_tensors="pt")
    out = model.generate(**ids, max_new_tokens=4, do_sample=False)
    assert out.shape[1] == ids["input_ids"].shape[1] + 4


def test_hub_model_offline_gives_a_clear_error():
    # a subprocess: huggingface_hub reads HF_HUB_OFFLINE once, at import
    out = _cli("chat", "--model", "someone/not-cached-model", "hi", env_extra={"HF_HUB_OFFLINE": "1"})
    assert out.returncode == 2 and "offline" in out.stderr and "someone/not-cached-model" in out.stderr


def test_remote_code_is_off_unless_asked(tiny_model_dir, monkeypatch):
    seen = {}
    import transformers

    real = transformers.AutoTokenizer.from_pretrained

    def spy(*a, **kw):
        seen.update(kw)
        return real(*a, **kw)

    monkeypatch.setattr(transformers.AutoTokenizer, "from_pretrained", spy)
    load_tokenizer(str(tiny_model_dir))
    assert seen["trust_remote_code"] is False


def _cli(*args, env_extra=None):
    import os

    env = {**os.environ, **(env_extra or {})}
    return subprocess.run([sys.executable, "-m", "studio", *args], check=False, capture_output=True, text=True,
                          env=env, timeout=300)


def test_cli_models_lists_embedded_and_curated():
    out = _cli("models", "--json")
    assert out.returncode == 0
    names = {m["name"] for m in json.loads(out.stdout)}
    assert set(EMBEDDED) <= names and "qwen2.5-7b-instruct" in names


@pytest.mark.parametrize("model", ["nosuchmodel", "/definitely/not/here"])
def test_cli_chat_unknown_model_exits_2_with_one_line(model):
    out = _cli("chat", "--model", model, "hi")
    assert out.returncode == 2
    assert model in out.stderr and "Traceback" not in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1


def test_cli_chat_with_local_model(tiny_model_dir):
    out = _cli("chat", "--model", str(tiny_model_dir), "--max-new-tokens", "3", "--json", "hi",
               env_extra={"HF_HUB_OFFLINE": "1"})
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout.strip().splitlines()[-1])["prompt"] == "hi"
