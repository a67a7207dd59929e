"""Export: the adapter zip and its card, the merged model (plain transformers, same greedy output as
base + adapter), the hub push up to the network edge, and the CLI's exit codes."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import pytest

from studio import runs
from studio.cli import main
from studio.config import ModelSpec, RunConfig
from studio.export import bundle as export
from studio.export import hub as export_hub
from studio.paths import UnsafePathError
from tests.helpers.export import left_padded, make_run, tuned_answers


@pytest.fixture
def tiny_run(tiny_model_dir, tiny_data):
    return make_run(str(tiny_model_dir), data=tiny_data)


# ---- adapter zip and card -------------------------------------------------------------------------

def test_adapter_zip_holds_peft_files_card_and_chart(tiny_run, tmp_path, tiny_model_dir):
    from studio.evaluate.run_eval import EVAL_FILE, EvalResult

    measured = EvalResult(run=tiny_run.id, kind="style", meter="gozaru", n=50, seconds=3.0,
                          meters={"base": {"primary": 0.0, "perplexity": 45.5},
                                  "tuned": {"primary": 0.82, "perplexity": 13.1}})
    (tiny_run.path / EVAL_FILE).write_text(json.dumps(measured.to_dict()))
    out = export.export_adapter_zip(tiny_run.id, tmp_path / "a.zip")
    with zipfile.ZipFile(out) as zf:
        names = set(zf.namelist())
        card = zf.read("README.md").decode()
        config = json.loads(zf.read("adapter_config.json"))
        svg = zf.read("loss.svg").decode()
    assert {"adapter_config.json", "adapter_model.safetensors", "tokenizer.json", "README.md"} <= names
    assert config["base_model_name_or_path"] == str(tiny_model_dir)
    assert "tiny.jsonl" in card and "Rows: 48" in card and "| LoRA rank r | 4 |" in card
    assert "Final train loss: 1.75" in card and "Final eval loss: 1.9" in card
    assert "| Measure | base | tuned |" in card and "on 50 held-out rows" in card
    assert "| ござる style rate | 0.0% | 82.0% |" in card and "| perplexity | 45.500 | 13.100 |" in card
    assert "| Quantisation | none (LoRA) on cpu |" in card and "![Training and eval loss](loss.svg)" in card
    root = ElementTree.fromstring(svg)
    line = root.find("{http://www.w3.org/2000/svg}polyline")
    assert line is not None and len(line.get("points").split()) == 3
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".export-")]


def test_card_header_links_the_base_for_the_hubs_model_tree():
    import yaml

    from studio.export.card import _front_matter

    cfg = RunConfig(model=ModelSpec(name="smollm2-135m"))
    for kind, library, relation in (("adapter", "peft", "adapter"), ("merged", "transformers", "finetune")):
        meta = yaml.safe_load(_front_matter(cfg, "HuggingFaceTB/SmolLM2-135M-Instruct", kind).strip("-\n"))
        assert meta["base_model"] == "HuggingFaceTB/SmolLM2-135M-Instruct" and meta["library_name"] == library
        assert meta["base_model_relation"] == relation
    assert "base_model" not in _front_matter(cfg, "/some/local/folder", "adapter")  # no broken hub link


def test_embedded_base_is_named_by_hub_id_in_zip():
    from studio.export.card import portable_base

    assert portable_base(RunConfig(model=ModelSpec(name="smollm2-135m"))) == "HuggingFaceTB/SmolLM2-135M-Instruct"
    assert portable_base(RunConfig(model=ModelSpec(name="qwen2.5-0.5b-instruct"))) == "Qwen/Qwen2.5-0.5B-Instruct"


def test_zip_refuses_overwrite_unless_asked_and_bad_places(tiny_run, tiny_model_dir, tmp_path):
    target = tmp_path / "a.zip"
    target.write_text("keep me")
    with pytest.raises(FileExistsError):
        export.export_adapter_zip(tiny_run.id, target)
    assert target.read_text() == "keep me"
    export.export_adapter_zip(tiny_run.id, target, overwrite=True)
    assert zipfile.is_zipfile(target)
    with pytest.raises(FileNotFoundError):
        export.export_adapter_zip(tiny_run.id, tmp_path / "missing" / "a.zip")
    other = make_run(str(tiny_model_dir), seed=1)
    with pytest.raises(UnsafePathError):
        export.export_adapter_zip(tiny_run.id, other.path / "a.zip")
    with pytest.raises(UnsafePathError):
        export.export_adapter_zip(tiny_run.id, tiny_run.adapter_dir / "a.zip")
    assert export.export_adapter_zip(tiny_run.id, tiny_run.path / "a.zip").is_file()  # its own folder is fine


def test_runs_without_a_finished_adapter_are_not_exported(tiny_run, tmp_path):
    tiny_run.write_status(state="running", pid=None)
    with pytest.raises(ValueError, match="running"):
        export.export_adapter_zip(tiny_run.id, tmp_path / "a.zip")
    cfg = RunConfig(model=ModelSpec(name="smollm2-135m"))
    empty = runs.create(cfg)
    empty.write_status(state="failed", reason="loss became NaN")
    with pytest.raises(ValueError, match="no adapter"):
        export.export_adapter_zip(empty.id, tmp_path / "b.zip")


# ---- merged model --------------------------------------------------------------------------------

PLAIN_LOAD = """
import json, sys
sys.modules["peft"] = None  # the merged folder must load without peft
import torch
from transformers import AutoModelForCausalLM
folder, batch, mask = sys.argv[1], *map(json.loads, sys.argv[2:])
model = AutoModelForCausalLM.from_pretrained(folder).eval()
batch, mask = torch.tensor(batch), torch.tensor(mask)
gen = model.generate(batch, attention_mask=mask, max_new_tokens=12, do_sample=False,
                     pad_token_id=model.generation_config.pad_token_id)
print(json.dumps({"out": gen[:, batch.shape[1]:].tolist(), "dtype": str(model.dtype)}))
"""


def plain_answers(folder: Path, tok) -> dict:
    """Greedy answers of the merged folder in a fresh process where peft cannot even be imported."""
    batch, mask = left_padded(tok)
    proc = subprocess.run([sys.executable, "-c", PLAIN_LOAD, str(folder), json.dumps(batch), json.dumps(mask)],
                          check=False, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_merged_tiny_model_loads_without_peft_and_matches_base_plus_adapter(tiny_run, tiny_model_dir, tmp_path):
    from transformers import AutoTokenizer

    from studio.data.tokenize import render
    from studio.models import load_tokenizer

    out = export.export_merged(tiny_run.id, tmp_path / "merged", dtype="fp32")
    tuned, changed = tuned_answers(str(tiny_model_dir), tiny_run.adapter_dir)
    assert changed  # the adapter does change the model, so equality below means something
    tok = load_tokenizer(str(tiny_model_dir))
    result = plain_answers(out, tok)
    assert result["out"] == tuned and result["dtype"] == "torch.float32"
    assert not (out / "adapter_config.json").exists() and (out / "README.md").is_file()
    merged_tok = AutoTokenizer.from_pretrained(out)
    msgs = [{"role": "user", "content": "hi"}]
    assert render(merged_tok, msgs, True) == render(tok, msgs, True)  # chat template travelled
    assert not [p for p in tmp_path.iterdir() if ".tmp-" in p.name]


def test_merge_of_an_nf4_run_is_a_plain_bf16_model(tiny_model_dir, tmp_path):
    from safetensors import safe_open

    run = make_run(str(tiny_model_dir), quant="nf4")
    out = export.export_merged(run.id, tmp_path / "m16", dtype="bf16")
    config = json.loads((out / "config.json").read_text())
    assert "quantization_config" not in config and config["dtype"] == "bfloat16"
    with safe_open(str(out / "model.safetensors"), framework="pt") as f:
        dtypes = {f.get_slice(k).get_dtype() for k in f.keys()}  # noqa: SIM118 (safe_open is not iterable)
    assert dtypes == {"BF16"}


def test_an_nf4_run_merges_into_the_dequantised_base_it_trained_on(tiny_model_dir, tmp_path):
    """Issue 16: a QLoRA adapter learned to correct the 4-bit base, so it is folded into that base's dequantised
    weights, not into the original ones. Same adapter, merged for a LoRA run and for a QLoRA run: the LoRA run's
    merge is original + delta; the QLoRA run's, minus that delta, is the 4-bit base: near the original but not
    it, and at most 16 distinct values (the NF4 codes times the block's scale) in each block of 64 weights."""
    from safetensors.torch import load_file

    key = "model.layers.0.mlp.down_proj.weight"
    original = load_file(str(tiny_model_dir / "model.safetensors"))[key].float()
    merged = {}
    for quant in ("none", "nf4"):
        run = make_run(str(tiny_model_dir), quant=quant, seed=3)
        out = export.export_merged(run.id, tmp_path / quant, dtype="fp32")
        merged[quant] = load_file(str(out / "model.safetensors"))[key]
    delta = merged["none"] - original
    assert delta.abs().max() > 1e-3  # the adapter changes the weights: the test compares real work
    base = (merged["nf4"] - delta).flatten()
    error = (base - original.flatten()).abs()
    assert 1e-4 < error.max() < 0.25 * original.abs().max()
    steps = [(b.sort().values.diff() > 1e-6).sum().item() + 1 for b in base.view(-1, 64)]  # distinct values
    assert max(steps) <= 16


def test_a_quantised_base_is_refused_for_merging():
    from types import SimpleNamespace

    four_bit = SimpleNamespace(is_loaded_in_4bit=True, config=SimpleNamespace())
    prequantised = SimpleNamespace(config=SimpleNamespace(quantization_config={"load_in_4bit": True}))
    for model in (four_bit, prequantised):
        with pytest.raises(ValueError, match="quantised"):
            export.refuse_quantized(model, "org/some-bnb-4bit")
    export.refuse_quantized(SimpleNamespace(config=SimpleNamespace()), "fine")


def test_merged_refuses_an_existing_folder(tiny_run, tmp_path):
    (tmp_path / "merged").mkdir()
    (tmp_path / "merged" / "mine.txt").write_text("x")
    with pytest.raises(FileExistsError):
        export.export_merged(tiny_run.id, tmp_path / "merged")
    assert (tmp_path / "merged" / "mine.txt").is_file()


@pytest.mark.slow
def test_merged_smollm2_equals_base_plus_adapter_with_plain_transformers(tmp_path):
    from studio.models import load_tokenizer

    run = make_run("smollm2-135m", scale=0.3)  # enough to change answers, not to wreck them
    out = export.export_merged(run.id, tmp_path / "merged", dtype="fp32")
    tuned, changed = tuned_answers("smollm2-135m", run.adapter_dir)
    assert changed
    assert plain_answers(out, load_tokenizer("smollm2-135m"))["out"] == tuned  # five prompts, peft blocked
    card = (out / "README.md").read_text()
    assert "base_model: HuggingFaceTB/SmolLM2-135M-Instruct" in card and "library_name: transformers" in card
    assert "base_model_relation: finetune" in card


# ---- hub push at the network edge ----------------------------------------------------------------

def test_push_adapter_sends_the_staged_files_to_a_private_repo_with_the_token(tiny_run, local_hub, tmp_path,
                                                                              capsys):
    rc = main(["export", "--run", tiny_run.id, "--adapter-zip", str(tmp_path / "a.zip"), "--push", "me/tiny-lora"])
    assert rc == 0
    repo = local_hub.repos["me/tiny-lora"]
    sent_files = {"adapter_config.json", "adapter_model.safetensors", "README.md", "loss.svg"}
    assert repo.private and sent_files <= set(repo.files)
    sent = repo.files["adapter_model.safetensors"]
    assert sent == (tiny_run.adapter_dir / "adapter_model.safetensors").read_bytes()
    assert local_hub.tokens and set(local_hub.tokens) == {"Bearer hf_secret_token_123"}
    assert repo.commits == [f"Adapter from Katachi Studio run {tiny_run.id}"]
    captured = capsys.readouterr()
    assert "hf_secret" not in captured.out + captured.err and "me/tiny-lora" in captured.out


def test_push_merged_folder_and_failures_stay_one_clean_line(tiny_run, local_hub, tmp_path, capsys):
    merged = export.export_merged(tiny_run.id, tmp_path / "merged", dtype="fp32")
    pushed = export_hub.push_folder(merged, "me/merged", private=False)
    repo = local_hub.repos["me/merged"]
    assert pushed.repo_id == "me/merged" and not repo.private
    assert repo.files == {f.name: f.read_bytes() for f in merged.iterdir()}  # every file, byte for byte
    local_hub.refuse_with = 401
    with pytest.raises(OSError) as err:
        export_hub.push_folder(merged, "me/merged")
    assert "401" in str(err.value) and "hf_secret" not in str(err.value) and "\n" not in str(err.value)
    os.environ.pop("HF_TOKEN")
    rc = main(["export", "--run", tiny_run.id, "--adapter-zip", str(tmp_path / "b.zip"), "--push", "me/x"])
    err_text = capsys.readouterr().err
    assert rc == 2 and "HF_TOKEN" in err_text and "Traceback" not in err_text
    assert not (tmp_path / "b.zip").exists()  # the token is checked before any work is done
    with pytest.raises(ValueError):
        export_hub.check_repo_id("no-owner")


# ---- CLI ------------------------------------------------------------------------------------------

def test_cli_exit_codes_and_one_line_errors(tiny_run, tmp_path, capsys):
    assert main(["export", "--run", tiny_run.id, "--adapter-zip", str(tmp_path / "a.zip"), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["adapter_zip"] == str(tmp_path / "a.zip")
    assert main(["import-adapter", str(tmp_path / "a.zip"), "--name", "cli", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["state"] == "done"
    with zipfile.ZipFile(slip := tmp_path / "e.zip", "w") as zf:
        zf.writestr("../x", b"x")
    bad = [["export", "--run", "no-such-run", "--adapter-zip", str(tmp_path / "x.zip")],
           ["export", "--run", tiny_run.id, "--adapter-zip", str(tmp_path / "a.zip")],
           ["import-adapter", str(tmp_path / "missing.zip")],
           ["import-adapter", str(slip)],
           ["import-adapter", str(tmp_path / "a.zip"), "--model", "smollm2-135m"]]
    for argv in bad:
        assert main(argv) == 2, argv
        err = capsys.readouterr().err
        assert err.startswith("error: ") and err.count("\n") == 1 and "Traceback" not in err
    with pytest.raises(SystemExit) as exit_:
        main(["export", "--run", tiny_run.id])  # neither --adapter-zip nor --merged
    assert exit_.value.code == 2


def test_the_card_writes_the_dtype_that_ran_not_auto():
    """Issue 15: the card said 'Compute dtype auto'; it says what auto became on the device that trained."""
    from studio.config import RunConfig
    from studio.export.card import _dtype_used
    from studio.models.loader import cpu_has_bf16

    cfg = RunConfig()
    assert cfg.train.dtype == "auto"
    assert _dtype_used(cfg, "cpu") == f"{'bf16' if cpu_has_bf16() else 'fp32'} (auto on cpu)"
    assert _dtype_used(cfg, None) == "auto"  # the device is unknown: say what was asked, nothing more
    cfg.train.dtype = "fp32"
    assert _dtype_used(cfg, "cpu") == "fp32"
