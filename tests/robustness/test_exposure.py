"""Exposure: localhost by default; a share link or a non-local host only with --auth; uploads limited
in size; only safetensors weights loaded; trust_remote_code off unless asked; no user string reaches a
shell; logs, status files and error lines hold no hub tokens. (app.py's basic refusals are in
ui/test_app.py; the source-wide rules here are checked on the code itself, with ast.)"""
from __future__ import annotations

import ast
import json
import pickle
import shutil
from pathlib import Path

import pytest

from studio.data import store
from studio.data.validate import MAX_BYTES
from studio.ui import cli as app
from tests.helpers import ROOT

SOURCES = sorted([*(ROOT / "studio").rglob("*.py"), ROOT / "app.py"])
TOKEN = "hf_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789"


# --- binding and authentication -----------------------------------------------------------------

@pytest.fixture
def launched(monkeypatch) -> list[dict]:
    """What `studio app` (app.py) hands to the UI's launch (nothing is served)."""
    calls: list[dict] = []
    monkeypatch.setattr("studio.ui.app.launch", lambda **kw: calls.append(kw))
    return calls


def test_default_serves_localhost_only_without_a_share_link(launched, monkeypatch):
    monkeypatch.setenv("GRADIO_SERVER_NAME", "0.0.0.0")  # gradio's own override must not apply
    monkeypatch.setenv("GRADIO_SHARE", "True")
    app.main([])
    assert launched == [{"host": "127.0.0.1", "port": 7860, "share": False, "auth": None, "allowed_hosts": []}]


def test_allowed_hosts_are_passed_on_as_a_list_of_names(launched):
    app.main(["--allowed-hosts", "studio.example.org, proxy.lan,"])
    assert launched[0]["allowed_hosts"] == ["studio.example.org", "proxy.lan"]


@pytest.mark.parametrize("argv", [
    ["--host", "::"], ["--host", "0"], ["--host", ""], ["--host", "example.com"],
    ["--host", "localhost.example.com"], ["--host", "127.0.0.1.nip.io"], ["--host", "10.0.0.1"],
    ["--share", "--auth", "admin:"], ["--share", "--auth", ":longpassword"], ["--share", "--auth", "x:1234567"],
])
def test_exposure_without_a_real_password_never_reaches_launch(argv, launched):
    with pytest.raises(SystemExit) as stop:
        app.main(argv)
    assert "--auth" in str(stop.value) and launched == []


@pytest.mark.parametrize("argv,share", [(["--share", "--auth", "me:a-long-password"], True),
                                        (["--host", "0.0.0.0", "--auth", "me:a-long-password"], False)])
def test_exposure_with_auth_passes_the_password_to_gradio(argv, share, launched):
    app.main(argv)
    assert launched[0]["auth"] == ("me", "a-long-password") and launched[0]["share"] is share


def test_gradio_gets_the_host_the_password_and_the_upload_limit(monkeypatch):
    from gradio.utils import _parse_file_size

    from studio import gate
    from studio.ui import app as ui_app

    seen: dict = {}

    class Demo:
        def queue(self, **kw):
            return self

        def launch(self, **kw):
            seen.update(kw)

    monkeypatch.setattr(ui_app, "build_ui", Demo)
    ui_app.launch(auth=("me", "a-long-password"))
    assert seen["server_name"] == "127.0.0.1" and seen["share"] is False
    assert seen["auth"]("me", "a-long-password") and not seen["auth"]("me", "a-long-passworD")
    gates = [m for m in seen["app_kwargs"]["middleware"] if m.cls is gate.Gate]
    assert len(gates) == 1 and "evil.example" not in gates[0].kwargs["allowed"]
    assert _parse_file_size(seen["max_file_size"]) == store.MAX_UPLOAD_BYTES


# --- upload size ---------------------------------------------------------------------------------

def _sparse(path: Path, size: int) -> str:
    with open(path, "wb") as f:
        f.truncate(size)
    return str(path)


def test_the_upload_limit_is_one_number_everywhere():
    assert store.MAX_UPLOAD_BYTES == MAX_BYTES == 200 * 2**20


def test_an_upload_at_the_limit_passes_and_one_byte_more_is_refused(tmp_path, studio_home):
    _, name = store.check_upload(_sparse(tmp_path / "at.jsonl", store.MAX_UPLOAD_BYTES))
    assert name == "at.jsonl"
    with pytest.raises(ValueError, match="200 MB limit"):
        store.import_upload(_sparse(tmp_path / "over.jsonl", store.MAX_UPLOAD_BYTES + 1))
    assert not (studio_home / "datasets").exists() or list((studio_home / "datasets").iterdir()) == []


def test_a_file_that_grows_after_the_size_check_is_still_cut_off(tmp_path, studio_home, monkeypatch):
    src = tmp_path / "grows.jsonl"
    src.write_bytes(b'{"prompt": "a", "completion": "b"}\n' * 10)
    monkeypatch.setattr(store, "MAX_UPLOAD_BYTES", 100)
    monkeypatch.setattr(store, "check_upload", lambda path, name=None: (Path(path), "grows.jsonl"))
    with pytest.raises(ValueError, match="over the"):
        store.import_upload(src)
    assert list(store.datasets_dir().iterdir()) == []  # nor a temporary file


# --- weights: safetensors only, never a pickle ---------------------------------------------------

class _Trap:
    """A pickle that, when loaded, creates a file: proof that the pickle ran."""

    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):
        return (open, (str(self.marker), "w"))


def _trap(path: Path, marker: Path) -> None:
    path.write_bytes(pickle.dumps(_Trap(marker)))


def test_a_pickle_beside_safetensors_weights_is_never_unpickled(tiny_model_dir, tmp_path):
    from studio.models import load_model, load_tokenizer

    folder, marker = tmp_path / "model", tmp_path / "PWNED"
    shutil.copytree(tiny_model_dir, folder)
    _trap(folder / "pytorch_model.bin", marker)
    _trap(folder / "training_args.bin", marker)
    load_tokenizer(str(folder))
    model = load_model(str(folder), dtype="fp32")
    assert model is not None and not marker.exists()
    pickle.loads((folder / "pytorch_model.bin").read_bytes())  # the trap is real: loading it fires
    assert marker.exists()


def test_model_loading_asks_for_safetensors(tiny_model_dir, monkeypatch):
    import transformers

    from studio.models import load_model

    seen: dict = {}
    real = transformers.AutoModelForCausalLM.from_pretrained

    def spy(*a, **kw):
        seen.update(kw)
        return real(*a, **kw)

    monkeypatch.setattr(transformers.AutoModelForCausalLM, "from_pretrained", spy)
    load_model(str(tiny_model_dir), dtype="fp32")
    assert seen["use_safetensors"] is True and seen["trust_remote_code"] is False


def test_an_adapter_with_only_pickled_weights_is_refused_unread(tiny_model_dir, tmp_path):
    from studio.chat import ChatModel

    adapter, marker = tmp_path / "adapter", tmp_path / "PWNED"
    adapter.mkdir()
    (adapter / "adapter_config.json").write_text(json.dumps({
        "peft_type": "LORA", "base_model_name_or_path": str(tiny_model_dir), "r": 2, "lora_alpha": 4,
        "target_modules": ["q_proj"], "task_type": "CAUSAL_LM"}))
    _trap(adapter / "adapter_model.bin", marker)
    chat = ChatModel(str(tiny_model_dir), dtype="fp32")
    with pytest.raises(ValueError, match="only safetensors"):
        chat.add_adapter("evil", str(adapter))
    assert not marker.exists() and chat.adapters == {}


# --- the source itself ---------------------------------------------------------------------------

def _calls(tree: ast.AST):
    return [n for n in ast.walk(tree) if isinstance(n, ast.Call)]


def _name(func: ast.expr) -> str:
    """'os.system', 'subprocess.run', 'eval', 'x.from_pretrained' ..."""
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return f"{_name(func.value)}.{func.attr}"
    return "?"


def _kw(call: ast.Call, name: str) -> ast.expr | None:
    return next((k.value for k in call.keywords if k.arg == name), None)


def _is_const(node: ast.expr | None, value: object) -> bool:
    return isinstance(node, ast.Constant) and node.value is value


def _parsed() -> list[tuple[str, ast.AST]]:
    return [(str(p.relative_to(ROOT)), ast.parse(p.read_text(encoding="utf-8"))) for p in SOURCES]


SHELL_FUNCS = {"os.system", "os.popen", "subprocess.getoutput", "subprocess.getstatusoutput", "pty.spawn",
               "os.execl", "os.execlp", "os.spawnl", "os.spawnlp"}
PROCESS_FUNCS = {"subprocess.run", "subprocess.call", "subprocess.check_call", "subprocess.check_output",
                 "subprocess.Popen"}
UNSAFE_LOADS = {"pickle.load", "pickle.loads", "marshal.loads", "yaml.load", "yaml.unsafe_load",
                "yaml.full_load", "eval", "exec", "dill.load", "joblib.load"}


def shell_uses(where: str, tree: ast.AST) -> list[str]:
    found = []
    for call in _calls(tree):
        name = _name(call.func)
        shell = _kw(call, "shell")
        if name in SHELL_FUNCS or (shell is not None and not _is_const(shell, False)):
            found.append(f"{where}:{call.lineno} {name}")
        elif name in PROCESS_FUNCS and call.args and not isinstance(call.args[0], (ast.List, ast.Name, ast.Call)):
            found.append(f"{where}:{call.lineno} {name} with a command string")  # a string needs a shell
    return found


def code_loads(where: str, tree: ast.AST) -> list[str]:
    found = []
    for call in _calls(tree):
        name = _name(call.func)
        if name in UNSAFE_LOADS:
            found.append(f"{where}:{call.lineno} {name}")
        if name.endswith("torch.load") and not _is_const(_kw(call, "weights_only"), True):
            found.append(f"{where}:{call.lineno} torch.load without weights_only=True")
    return found


def _default(value: ast.AST | None) -> ast.AST | None:
    """A field's default: the value itself, or the first argument of config.setting(default, help, ...)."""
    if isinstance(value, ast.Call) and getattr(value.func, "id", "") == "setting" and value.args:
        return value.args[0]
    return value


def remote_code_on(where: str, tree: ast.AST) -> list[str]:
    found = []
    for call in _calls(tree):
        value = _kw(call, "trust_remote_code")
        if isinstance(value, ast.Constant) and value.value is not False:
            found.append(f"{where}:{call.lineno} trust_remote_code={value.value!r}")
    for fn in (n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))):
        args = fn.args
        positional = args.posonlyargs + args.args
        pairs = [*zip(positional[len(positional) - len(args.defaults):], args.defaults),
                 *((a, d) for a, d in zip(args.kwonlyargs, args.kw_defaults) if d is not None)]
        found += [f"{where}:{fn.lineno} {fn.name}(trust_remote_code=...)" for a, d in pairs
                  if a.arg == "trust_remote_code" and not _is_const(d, False)]
    for node in ast.walk(tree):  # dataclass fields such as ModelSpec.trust_remote_code: bool = False
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) \
                and node.target.id == "trust_remote_code" and not _is_const(_default(node.value), False):
            found.append(f"{where}:{node.lineno} field default")
    return found


BAD_SNIPPETS = {
    shell_uses: ["os.system(cmd)", "os.popen('ls ' + path)", "subprocess.run(cmd, shell=True)",
                 "subprocess.Popen(f'git {x}')", "subprocess.check_output('ls')", "sp.call(c, shell=flag)"],
    code_loads: ["pickle.loads(b)", "eval(text)", "exec(code)", "yaml.load(f)", "torch.load(p)",
                 "torch.load(p, weights_only=False)"],
    remote_code_on: ["AutoModel.from_pretrained(x, trust_remote_code=True)", "def f(trust_remote_code=True): pass",
                     "class S:\n    trust_remote_code: bool = True",
                     "class S:\n    trust_remote_code: bool = setting(True, 'help', 1)"],
}


@pytest.mark.parametrize("rule", BAD_SNIPPETS, ids=lambda r: r.__name__)
def test_the_source_breaks_no_rule_and_the_rules_catch_what_they_look_for(rule):
    assert [hit for where, tree in _parsed() for hit in rule(where, tree)] == []
    for snippet in BAD_SNIPPETS[rule]:  # the scanners are not vacuous
        assert rule("snippet", ast.parse(snippet)), snippet
    assert rule("ok", ast.parse("subprocess.run([sys.executable, '-m', 'x'], shell=False)\n"
                                "torch.load(p, weights_only=True)\nmodel.eval()\n"
                                "load(name, trust_remote_code=False)\ndef g(trust_remote_code=False): pass")) == []


def test_trust_remote_code_flags_and_config_default_to_off():
    from studio.cli import build_parser
    from studio.config import RunConfig

    assert RunConfig().model.trust_remote_code is False
    assert build_parser().parse_args(["chat", "hi"]).trust_remote_code is False


def test_the_worker_is_started_with_an_argument_list_whatever_the_run_is_called(tiny_model_dir, monkeypatch):
    from studio import runs
    from studio.config import RunConfig
    from studio.train import runner

    seen: list = []

    class Proc:
        pid = 1

    monkeypatch.setattr(runner.subprocess, "Popen", lambda cmd, **kw: seen.append((cmd, kw)) or Proc())
    cfg = RunConfig(name="x; rm -rf ~ $(reboot) `id`")
    cfg.model.name, cfg.data.preset = str(tiny_model_dir), "gozaru"
    run = runs.create(cfg)
    runner.spawn(run)
    (cmd, kw), = seen
    assert isinstance(cmd, list) and all(isinstance(c, str) for c in cmd) and not kw.get("shell")
    assert cmd[-1] == str(run.path) and ";" not in run.id and "$" not in run.id and "`" not in run.id


# --- tokens never written ------------------------------------------------------------------------

@pytest.fixture
def hf_token(monkeypatch) -> str:
    monkeypatch.setenv("HF_TOKEN", TOKEN)
    return TOKEN


def test_a_run_failing_with_the_token_in_the_error_stores_and_logs_it_masked(tiny_model_dir, hf_token, capsys,
                                                                           monkeypatch):
    import signal

    from studio import runs
    from studio.config import RunConfig
    from studio.train import worker

    def denied(*a, **kw):
        raise OSError(f"401 Client Error for https://huggingface.co/api/models/x?token={hf_token}\n"
                      f"headers: {{'authorization': 'Bearer {hf_token}'}}")

    monkeypatch.setattr("studio.train.engine.train", denied)
    before = signal.getsignal(signal.SIGTERM)
    cfg = RunConfig()
    cfg.model.name, cfg.data.preset = str(tiny_model_dir), "gozaru"
    run = runs.create(cfg)
    try:
        assert worker._train_and_record(run, cfg, True, 0, 1) == 1
    finally:
        signal.signal(signal.SIGTERM, before)
    out = capsys.readouterr()
    st = run.status()
    assert st.state == "failed" and "401 Client Error" in st.reason and "***" in st.reason
    written = "".join(p.read_text(errors="replace") for p in run.path.rglob("*") if p.is_file())
    assert hf_token not in st.reason + out.out + out.err + written
    assert "Traceback" in out.err  # the log still has the traceback, masked


@pytest.mark.parametrize("text", [
    f"bad credentials {TOKEN}",
    "Authorization: Bearer sk-some-other-secret-value",
    "old token hf_ZyXwVuTsRqPoNmLkJiHgFeDcBa98765432 in the cache",
])
def test_cli_error_lines_mask_tokens(text, hf_token, capsys, monkeypatch):
    from studio.cli import main

    def fail(*a, **kw):
        raise OSError(text)

    monkeypatch.setattr("studio.chat.get_chat_model", fail)
    assert main(["chat", "hi"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "***" in err
    assert TOKEN not in err and "sk-some-other" not in err and "hf_ZyXw" not in err


def test_a_push_failure_masks_the_token_from_any_variable(tmp_path, monkeypatch):
    from huggingface_hub import HfApi

    from studio.export import hub as export_hub

    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.delenv("HF_TOKEN", raising=False)
    monkeypatch.setenv("MY_WRITE_TOKEN", TOKEN)
    monkeypatch.setattr(HfApi, "create_repo", lambda self, repo_id, **kw: f"https://hf.co/{repo_id}")

    def broken(self, **kw):
        raise RuntimeError(f"403 Forbidden: Bearer {self.token} cannot write to me/x")

    monkeypatch.setattr(HfApi, "upload_folder", broken)
    (tmp_path / "f.txt").write_text("x")
    with pytest.raises(OSError) as err:
        export_hub.push_folder(tmp_path, "me/x", token_env="MY_WRITE_TOKEN")
    assert "403 Forbidden" in str(err.value) and TOKEN not in str(err.value)


def test_no_run_file_holds_the_token(tiny_model_dir, hf_token, monkeypatch):
    from studio.config import RunConfig
    from studio.train import runner

    class Proc:
        pid = 1

    envs: list[dict] = []
    monkeypatch.setattr(runner.subprocess, "Popen", lambda cmd, **kw: envs.append(kw["env"]) or Proc())
    cfg = RunConfig()
    cfg.model.name, cfg.data.preset = str(tiny_model_dir), "gozaru"
    run = runner.start(cfg)
    assert envs[0]["HF_TOKEN"] == hf_token  # the worker may need it for a gated hub model...
    written = "".join(p.read_text(errors="replace") for p in run.path.rglob("*") if p.is_file())
    assert hf_token not in written  # ...but it is never written into the run
