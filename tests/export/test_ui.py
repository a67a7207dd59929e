"""The Export step's handlers, as the browser calls them: the adapter zip lands where gradio may serve
it, the merged model in the studio's exports, pushes stop at the network edge, uploads (a zip or a
folder's files) become runs checked against the chosen base, and every refusal is one clear gr.Error."""
from __future__ import annotations

import json
import shutil
import tempfile
import zipfile
from pathlib import Path

import gradio as gr
import pytest

from studio import runs
from studio.export import bundle as export
from studio.paths import studio_home
from studio.ui import export_step
from tests.helpers.export import make_run


@pytest.fixture
def tiny_run(tiny_model_dir, tiny_data):
    return make_run(str(tiny_model_dir), data=tiny_data)


def as_uploads(folder: Path, tmp_path: Path, names: list[str] | None = None) -> list[str]:
    """What gradio hands a handler for a folder upload: each file alone in its own temp folder."""
    out = []
    for i, f in enumerate(sorted(folder.iterdir())):
        if names is None or f.name in names:
            (tmp_path / "up" / str(i)).mkdir(parents=True)
            out.append(str(shutil.copy(f, tmp_path / "up" / str(i) / f.name)))
    return out


def test_zip_is_written_to_the_temp_dir_gradio_serves_and_is_a_peft_adapter(tiny_run):
    update, note = export_step.adapter_zip(tiny_run.id)
    path = update["value"]
    assert update["visible"]
    assert Path(path).is_relative_to(tempfile.gettempdir()) and Path(path).name == f"{tiny_run.id}-adapter.zip"
    with zipfile.ZipFile(path) as zf:
        assert {"adapter_config.json", "adapter_model.safetensors", "README.md"} <= set(zf.namelist())
    assert "MB" in note
    with pytest.raises(gr.Error, match="Pick a run"):
        export_step.adapter_zip(None)
    assert "アダプタを zip にしました" in export_step.adapter_zip(tiny_run.id, "ja")[1]
    with pytest.raises(gr.Error, match="no-such-run"):
        export_step.adapter_zip("no-such-run")


def test_merged_goes_to_the_studio_exports_in_the_chosen_dtype(tiny_run):
    note = export_step.merged(tiny_run.id, "fp32", progress=lambda *a, **k: None)
    folder = studio_home() / "exports" / f"{tiny_run.id}-merged"
    assert str(folder) in note and json.loads((folder / "config.json").read_text())["dtype"] == "float32"
    assert not (folder / "adapter_config.json").exists()


def test_hub_status_says_what_is_missing(monkeypatch):
    monkeypatch.delenv("HF_TOKEN", raising=False)
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    assert "No `HF_TOKEN`" in export_step.hub_status()
    monkeypatch.setenv("HF_TOKEN", "hf_abc")
    assert "token is set" in export_step.hub_status() and "hf_abc" not in export_step.hub_status()
    assert "トークン" in export_step.hub_status("ja")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    assert "offline" in export_step.hub_status() and "オフライン" in export_step.hub_status("ja")


def test_push_adapter_or_merged_private_unless_asked(tiny_run, local_hub):
    quiet = lambda *a, **k: None
    note = export_step.push(tiny_run.id, " me/tiny ", "adapter", False, progress=quiet)
    assert "private" in note and local_hub.repos["me/tiny"].private
    assert "adapter_model.safetensors" in local_hub.repos["me/tiny"].files
    export_step.push(tiny_run.id, "me/tiny-merged", "merged", True, progress=quiet)
    merged = local_hub.repos["me/tiny-merged"]
    assert not merged.private and "model.safetensors" in merged.files and "adapter_config.json" not in merged.files


def test_push_refusals_come_before_any_work(tiny_run, local_hub, monkeypatch):
    quiet = lambda *a, **k: None
    with pytest.raises(gr.Error, match="owner/name"):
        export_step.push(tiny_run.id, "no-owner", "merged", False, progress=quiet)
    monkeypatch.delenv("HF_TOKEN")
    with pytest.raises(gr.Error, match="HF_TOKEN"):
        export_step.push(tiny_run.id, "me/x", "merged", False, progress=quiet)
    assert not local_hub.repos and not (studio_home() / "exports" / f"{tiny_run.id}-merged").exists()


def test_import_a_zip_or_a_folders_files_as_the_current_run(tiny_run, tiny_model_dir, tmp_path):
    archive = export.export_adapter_zip(tiny_run.id, tmp_path / "a.zip")
    note, pick, current = export_step.import_files([str(archive)], str(tiny_model_dir))
    assert current in runs.with_adapter() and current != tiny_run.id and f"`{current}`" in note
    assert pick["value"] == current if isinstance(pick, dict) else pick.value == current
    _, _, again = export_step.import_files(as_uploads(tiny_run.adapter_dir, tmp_path), str(tiny_model_dir))
    assert runs.get(again).status().state == "done" and runs.get(again).has_adapter()


def test_import_refusals_name_the_problem_and_store_nothing(tiny_run, tiny_model_dir, tmp_path):
    before = set(runs.with_adapter())
    with pytest.raises(gr.Error, match="smollm2-135m") as wrong:  # the adapter is for the tiny model
        export_step.import_files([str(export.export_adapter_zip(tiny_run.id, tmp_path / "a.zip"))],
                                 "smollm2-135m")
    assert f"pick `{tiny_model_dir}` in step ①" in wrong.value.message and "--model" not in wrong.value.message
    with pytest.raises(gr.Error, match="adapter_model.safetensors"):
        export_step.import_files(as_uploads(tiny_run.adapter_dir, tmp_path, ["adapter_config.json"]),
                                 str(tiny_model_dir))
    twice = as_uploads(tiny_run.adapter_dir, tmp_path / "1") + as_uploads(tiny_run.adapter_dir, tmp_path / "2")
    with pytest.raises(gr.Error, match="share a name"):
        export_step.import_files(twice, str(tiny_model_dir))
    with pytest.raises(gr.Error, match="Upload an adapter"):
        export_step.import_files(None, str(tiny_model_dir))
    assert set(runs.with_adapter()) == before
    assert not [p for p in runs.runs_dir().iterdir() if p.name.startswith((".upload-", ".import-"))]


def test_card_preview_is_the_readable_card(tiny_run):
    text = export_step.card_preview(tiny_run.id)
    assert not text.startswith("---") and "## Training configuration" in text and "| LoRA rank r | 4 |" in text
    assert export_step.card_preview(None) == "" and export_step.card_preview("no-such-run") == ""


def test_the_export_tab_is_built_in_both_languages():
    from studio.text import TEXT
    from studio.ui.app import build_ui

    config = build_ui().config
    ids = {c.get("props", {}).get("elem_id") for c in config["components"]}
    assert {"export-run", "export-zip-go", "export-merged-go", "export-push-go", "export-import",
            "export-card"} <= ids
    keys = [k for k in TEXT["en"] if k.startswith("export_")]
    assert len(keys) > 10 and all(TEXT["ja"][k] and TEXT["ja"][k] != TEXT["en"][k] for k in keys)


def test_gguf_goes_to_the_studio_exports_with_a_modelfile_and_the_ollama_commands(tiny_run):
    note, files = export_step.gguf_file(tiny_run.id, "q8_0", progress=lambda *a, **k: None)
    folder = export_step.exports_dir() / f"{tiny_run.id}-gguf"
    assert (folder / f"{tiny_run.id}.gguf").is_file() and (folder / "Modelfile").is_file()
    assert f"ollama create {tiny_run.id} -f Modelfile" in note and "q8_0" in note
    assert files["visible"] and [Path(f).name for f in files["value"]] == [f"{tiny_run.id}.gguf", "Modelfile"]
    ja, _ = export_step.gguf_file(tiny_run.id, "f16", "ja", progress=lambda *a, **k: None)
    assert "GGUF を書き出しました" in ja
    with pytest.raises(gr.Error, match="GGUF export does not know"):
        export_step.gguf_file(_unknown_arch_run(tiny_run), "f16", progress=lambda *a, **k: None)


def _unknown_arch_run(run) -> str:
    """A copy of a run whose base claims an architecture the GGUF writer does not know."""
    base = Path(run.config().model.name)
    other = base.parent / f"{base.name}-mamba"
    if not other.exists():
        shutil.copytree(base, other)
        cfg = json.loads((other / "config.json").read_text())
        (other / "config.json").write_text(json.dumps({**cfg, "architectures": ["MambaForCausalLM"]}))
    new = runs.create(run.config())
    shutil.copytree(run.adapter_dir, new.adapter_dir)
    cfg = new.config()
    cfg.model.name = str(other)
    cfg.save(new.path / "config.yaml")
    new.write_status(state="done")
    return new.id
