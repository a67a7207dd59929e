"""Import of adapters made elsewhere: a zip round trip, adapters for another base refused (by name and
by shape, naming both models), and hostile archives refused (zip-slip, symlinks, pickles, bombs)."""
from __future__ import annotations

import json
import stat
import zipfile
from pathlib import Path

import pytest

from studio import runs
from studio.export import bundle as export
from studio.export import importer as export_import
from studio.export.base_check import WrongBaseError
from studio.paths import UnsafePathError
from tests.helpers.export import make_run, tensors


@pytest.fixture
def tiny_run(tiny_model_dir, tiny_data):
    return make_run(str(tiny_model_dir), data=tiny_data)


def test_zip_round_trip_gives_a_done_run_with_the_same_tensors(tiny_run, tiny_model_dir, tmp_path):
    archive = export.export_adapter_zip(tiny_run.id, tmp_path / "a.zip")
    run = export_import.import_adapter(archive, name="roundtrip")
    assert run.status().state == "done" and run.has_adapter() and run.id in {r.id for r in runs.all_runs()}
    assert Path(run.config().model.name).resolve() == tiny_model_dir.resolve() and run.config().lora.r == 4
    before, after = tensors(tiny_run.adapter_dir / "adapter_model.safetensors"), \
        tensors(run.adapter_dir / "adapter_model.safetensors")
    assert before.keys() == after.keys() and all(before[k].equal(after[k]) for k in before)
    assert json.loads((run.path / "import.json").read_text())["tensors_checked"] == len(before)
    assert not [p for p in runs.runs_dir().iterdir() if p.name.startswith(".import-")]


def test_folder_import_then_export_again(tiny_run, tmp_path):
    run = export_import.import_adapter(tiny_run.adapter_dir)
    with zipfile.ZipFile(export.export_adapter_zip(run.id, tmp_path / "again.zip")) as zf:
        card = zf.read("README.md").decode()
    assert "adapter imported from `adapter`" in card and "| LoRA rank r | 4 |" in card
    assert "| Training settings | not recorded (imported adapter) |" in card and "Epochs" not in card


def test_adapter_for_another_named_base_is_refused_naming_both(tiny_run, tiny_model_dir, tmp_path):
    archive = export.export_adapter_zip(tiny_run.id, tmp_path / "a.zip")
    with pytest.raises(WrongBaseError) as err:
        export_import.import_adapter(archive, model="smollm2-135m")
    msg = str(err.value)
    assert str(tiny_model_dir) in msg and "smollm2-135m" in msg and "HuggingFaceTB/SmolLM2-135M-Instruct" in msg
    assert [r.id for r in runs.all_runs()] == [tiny_run.id]  # nothing was stored


def _other_tiny_model(tmp_path, hidden: int = 32, layers: int = 2) -> Path:
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM

    torch.manual_seed(1)
    cfg = LlamaConfig(vocab_size=400, hidden_size=hidden, intermediate_size=2 * hidden, num_hidden_layers=layers,
                      num_attention_heads=4, num_key_value_heads=2, tie_word_embeddings=True)
    out = tmp_path / f"other-{hidden}-{layers}"
    LlamaForCausalLM(cfg).save_pretrained(out, safe_serialization=True)
    return out


def _rename_base(folder: Path, claimed: str) -> None:
    path = folder / "adapter_config.json"
    config = json.loads(path.read_text())
    config["base_model_name_or_path"] = claimed
    path.write_text(json.dumps(config))


def test_shapes_that_do_not_fit_the_base_are_refused(tiny_run, tmp_path):
    other = _other_tiny_model(tmp_path)
    folder = tmp_path / "unnamed"
    export.stage_adapter(tiny_run, folder)
    _rename_base(folder, "")  # no name to go by: only the shapes can tell
    with pytest.raises(WrongBaseError, match="does not fit") as err:
        export_import.import_adapter(folder, model=str(other))
    assert f"(made for an unnamed base, hidden size 64) does not fit '{other}' (hidden size 32)" in str(err.value)
    with pytest.raises(WrongBaseError, match="not a model the studio can load"):
        export_import.import_adapter(folder)
    deeper = _other_tiny_model(tmp_path, hidden=64, layers=1)  # same width, fewer layers
    with pytest.raises(WrongBaseError, match="layers.1"):
        export_import.import_adapter(folder, model=str(deeper))


@pytest.mark.slow
def test_tiny_adapter_claiming_smollm2_is_refused_by_shape(tiny_run, tmp_path):
    folder = tmp_path / "liar"
    export.stage_adapter(tiny_run, folder)
    _rename_base(folder, "HuggingFaceTB/SmolLM2-135M-Instruct")
    with pytest.raises(WrongBaseError) as err:
        export_import.import_adapter(folder)
    msg = str(err.value)
    assert "hidden size 64) does not fit 'smollm2-135m' (hidden size 576)" in msg and "SmolLM2-135M-Instruct" in msg


def _zip(path: Path, members: dict[str, bytes], links: tuple[str, ...] = ()) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
        for name in links:
            info = zipfile.ZipInfo(name)
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            zf.writestr(info, "/etc/passwd")
    return path


@pytest.fixture
def adapter_files(tiny_run) -> dict[str, bytes]:
    return {n: (tiny_run.adapter_dir / n).read_bytes() for n in export.ADAPTER_FILES}


@pytest.mark.parametrize("bad,why", [
    ({"../evil.txt": b"x"}, "outside"), ({"/abs/evil.txt": b"x"}, "absolute"),
    ({"sub/../../evil.txt": b"x"}, "outside"), ({"C:/evil.txt": b"x"}, "absolute")])
def test_zip_slip_is_refused(adapter_files, tmp_path, bad, why):
    archive = _zip(tmp_path / "evil.zip", {**adapter_files, **bad})
    with pytest.raises(UnsafePathError, match=why):
        export_import.import_adapter(archive)
    assert not (tmp_path.parent / "evil.txt").exists() and len(runs.all_runs()) == 1


def test_symlinks_pickles_bombs_and_non_lora_are_refused(adapter_files, tmp_path, monkeypatch, tiny_run):
    with pytest.raises(UnsafePathError, match="symbolic link"):
        export_import.import_adapter(_zip(tmp_path / "l.zip", adapter_files, links=("tokenizer.json",)))
    pickled = {"adapter_config.json": adapter_files["adapter_config.json"], "adapter_model.bin": b"\x80\x04."}
    with pytest.raises(ValueError, match="pickle"):
        export_import.import_adapter(_zip(tmp_path / "p.zip", pickled))
    config = json.loads(adapter_files["adapter_config.json"])
    with pytest.raises(ValueError, match="only LoRA"):
        export_import.import_adapter(_zip(tmp_path / "ia3.zip", {**adapter_files, "adapter_config.json":
                                                                  json.dumps({**config, "peft_type": "IA3"})}))
    (tmp_path / "junk.zip").write_bytes(b"not a zip")
    with pytest.raises(ValueError, match="neither a folder nor a zip"):
        export_import.import_adapter(tmp_path / "junk.zip")
    monkeypatch.setattr(export_import, "MAX_UNZIPPED_BYTES", 1000)
    with pytest.raises(ValueError, match="more than"):
        export_import.import_adapter(_zip(tmp_path / "big.zip", adapter_files))
    assert len(runs.all_runs()) == 1  # only tiny_run: nothing half-imported


def test_a_pickle_beside_safetensors_is_ignored_and_folder_symlinks_refused(adapter_files, tmp_path):
    nested = {f"my-adapter/{k}": v for k, v in {**adapter_files, "training_args.bin": b"\x80"}.items()}
    run = export_import.import_adapter(_zip(tmp_path / "n.zip", nested))
    assert sorted(p.name for p in run.adapter_dir.iterdir()) == sorted(export.ADAPTER_FILES)
    folder = tmp_path / "linked"
    folder.mkdir()
    (folder / "adapter_config.json").write_bytes(adapter_files["adapter_config.json"])
    (folder / "adapter_model.safetensors").symlink_to(run.adapter_dir / "adapter_model.safetensors")
    with pytest.raises(UnsafePathError, match="symbolic link"):
        export_import.import_adapter(folder)


def test_base_names_map_to_studio_models():
    from studio.export.base_check import choose_base, identify
    from studio.paths import model_cache_dir

    assert identify("HuggingFaceTB/SmolLM2-135M-Instruct") == "smollm2-135m"  # embedded: loads offline
    assert identify("Qwen/Qwen2.5-0.5B-Instruct") == "qwen2.5-0.5b-instruct"
    assert identify(str(model_cache_dir() / "gemma3-270m")) == "gemma3-270m"  # a studio run's own adapter
    assert identify("/home/someone-else/models/llama") is None and identify("") is None
    assert choose_base("HuggingFaceTB/SmolLM2-135M-Instruct", "smollm2-135m").model == "smollm2-135m"
    with pytest.raises(WrongBaseError, match="google/gemma-3-270m"):
        choose_base("google/gemma-3-270m", "smollm2-135m")


def test_a_corrupt_zip_is_one_clean_error(adapter_files, tmp_path):
    archive = tmp_path / "a.zip"
    with zipfile.ZipFile(archive, "w") as zf:  # stored, so flipping a byte leaves a readable directory
        for name, data in adapter_files.items():
            zf.writestr(name, data)
    raw = bytearray(archive.read_bytes())
    at = raw.find(adapter_files["adapter_model.safetensors"][-64:])
    raw[at + 10] ^= 0xFF
    archive.write_bytes(bytes(raw))
    with pytest.raises(ValueError, match="not a readable zip"):
        export_import.import_adapter(archive)


def test_an_imported_adapter_answers_in_compare_like_the_original(tiny_run, tiny_model_dir, tmp_path):
    from studio.chat import ChatModel, GenSettings
    from studio.compare.engine import Comparer, build_columns

    imported = export_import.import_adapter(export.export_adapter_zip(tiny_run.id, tmp_path / "a.zip"))
    comparer = Comparer(str(tiny_model_dir), chat=ChatModel(str(tiny_model_dir), dtype="fp32"))
    settings = GenSettings(max_new_tokens=12, temperature=0.0)
    answers = {}
    for run in (tiny_run, imported):
        cols = build_columns(str(tiny_model_dir), "Greet guest 1", ["base", "tuned"], run_id=run.id)
        comparer.generate(cols, settings)
        answers[run.id] = [list(ids) for ids in comparer.last_token_ids]
    original, again = answers[tiny_run.id], answers[imported.id]
    assert again == original and original[0] != original[1]  # same tuned tokens; the adapter changes them
