"""Export: the adapter as a zip, a merged model folder, a push to the hub, the model card; import an
adapter made elsewhere (a .zip or the files of its folder) so Compare can use it."""
from __future__ import annotations

import re
import tempfile
from pathlib import Path

import gradio as gr

from studio import runs
from studio.export import bundle, hub
from studio.export.base_check import WrongBaseError
from studio.export.bundle import export_adapter_zip, export_merged
from studio.export.card import card_text
from studio.export.gguf import GGUF_TYPES, export_gguf
from studio.export.hub import DEFAULT_TOKEN_ENV, readiness
from studio.export.importer import import_uploads
from studio.paths import studio_home
from studio.text import said, t
from studio.ui import serve_panel
from studio.ui.context import Ctx, OnOpen, bind_run_picker, current_or_newest, guard, labelled

DTYPES = ["auto", "bf16", "fp16", "fp32"]


def exports_dir() -> Path:
    d = studio_home() / "exports"
    d.mkdir(parents=True, exist_ok=True)
    return d


def _need_run(run_id: str | None, lang: str) -> str:
    if not run_id:
        raise gr.Error(t(lang, "exp_need_run"))
    return run_id


def adapter_zip(run_id: str | None, lang: str = "en"):
    run_id = _need_run(run_id, lang)
    # A fresh temp folder: gradio serves files from the system temp dir, and each download stays whole.
    target = Path(tempfile.mkdtemp(prefix="katachi-export-")) / f"{run_id}-adapter.zip"
    path = guard(export_adapter_zip, run_id, target, lang=lang)
    note = t(lang, "exp_zipped", mb=f"{path.stat().st_size / 2**20:.1f}")
    return gr.update(value=str(path), visible=True), note


def merged(run_id: str | None, dtype: str, lang: str = "en", progress=gr.Progress()) -> str:
    run_id = _need_run(run_id, lang)
    progress(0.2, desc="merging the LoRA into a full-precision copy of the base")
    path = guard(export_merged, run_id, exports_dir() / f"{run_id}-merged", dtype=dtype, overwrite=True, lang=lang)
    return t(lang, "exp_merged", path=path)


def gguf_file(run_id: str | None, gguf_type: str, lang: str = "en", progress=gr.Progress()):
    """The merged model as one GGUF + an Ollama Modelfile: the note with the two commands that run it, and
    the file to download (served from the exports folder, which launch() lets gradio read)."""
    run_id = _need_run(run_id, lang)
    made = guard(export_gguf, run_id, exports_dir() / f"{run_id}-gguf", gguf_type=gguf_type, overwrite=True,
                 progress=lambda f, message: progress(f, desc=message), lang=lang)
    note = t(lang, "exp_gguf", path=made.gguf, mb=made.megabytes, arch=made.architecture, type=made.gguf_type,
             folder=made.gguf.parent, run=run_id)
    return note, gr.update(value=[str(made.gguf), str(made.modelfile)], visible=True)


def hub_status(lang: str = "en") -> str:
    key = {"offline": "export_hub_offline", "ready": "export_hub_token"}.get(readiness(), "export_hub_no_token")
    return t(lang, key, env=DEFAULT_TOKEN_ENV)


def push(run_id: str | None, repo: str, what: str, public: bool, lang: str = "en",
         progress=gr.Progress()) -> str:
    run_id = _need_run(run_id, lang)
    repo = guard(hub.check_repo_id, (repo or "").strip(), lang=lang)
    guard(hub.hub_token, lang=lang)  # no token: say so before minutes of merging
    if what == "merged":
        progress(0.1, desc="merging before the upload")
        folder = guard(bundle.export_merged, run_id, exports_dir() / f"{run_id}-merged", overwrite=True, lang=lang)
        result = guard(hub.push_folder, folder, repo, private=not public,
                        message=f"Merged model from Katachi Studio run {run_id}", lang=lang)
    else:
        result = guard(hub.push_adapter, run_id, repo, private=not public, lang=lang)
    made = t(lang, "exp_public" if public else "exp_private")
    return t(lang, "exp_pushed", n=result.files, url=result.url, made=made)


def import_files(files: list[str] | None, model: str, lang: str = "en"):
    if not files:
        raise gr.Error(t(lang, "exp_need_upload"))
    try:  # a wrong base gets the UI's advice (pick the right model in step ①), not the CLI's flags
        run = import_uploads(files, model=model)
    except WrongBaseError as e:
        fix = t(lang, "toast_pick_model", model=e.made_for) if e.made_for else t(lang, "toast_pick_trained_model")
        raise gr.Error(t(lang, "toast_wrong_base", problem=e.problem.said(lang), fix=fix)) from None
    except (ValueError, KeyError, OSError) as e:
        raise gr.Error(said(lang, e)) from None
    gr.Info(t(lang, "toast_imported", run=run.id))
    ids = runs.with_adapter()
    note = t(lang, "exp_imported", run=run.id, model=model)
    return note, gr.Dropdown(choices=labelled(ids), value=run.id), run.id


def card_preview(run_id: str | None) -> str:
    if not run_id or run_id not in runs.with_adapter():
        return ""
    run = runs.get(run_id)
    text = card_text(run, run.config(), "adapter", has_chart=False)
    return re.sub(r"\A---\n.*?\n---\n", "", text, flags=re.DOTALL)  # the hub's YAML header is not for reading


def refresh(run_id: str | None):
    """When the tab opens: the runs with an adapter (one may have just finished) and the current one's card."""
    ids = runs.with_adapter()
    value = current_or_newest(run_id, ids)
    return gr.Dropdown(choices=labelled(ids), value=value), card_preview(value)


def _files_panel(ctx: Ctx, pick: gr.Dropdown) -> None:
    L = ctx.labels
    with gr.Row():
        with gr.Column():
            L.md("export_zip_title")
            go = L(gr.Button(L.text("export_zip_go"), variant="primary", elem_id="export-zip-go"),
                   "export_zip_go", "value")
            file = L(gr.File(label=L.text("export_zip_file"), interactive=False, visible=False,
                             elem_id="export-zip-file"), "export_zip_file")
            info = gr.Markdown(elem_id="export-zip-info")
            go.click(adapter_zip, [pick, ctx.lang], [file, info])
        with gr.Column():
            L.md("export_merged_title")
            dtype = gr.Radio(DTYPES, value="auto", label=L.text("export_dtype"), info=L.text("export_dtype_info"))
            L(L(dtype, "export_dtype"), "export_dtype_info", "info")
            go = L(gr.Button(L.text("export_merged_go"), elem_id="export-merged-go"), "export_merged_go", "value")
            info = gr.Markdown(elem_id="export-merged-info")
            go.click(merged, [pick, dtype, ctx.lang], info)
        with gr.Column():
            L.md("export_gguf_title")
            kind = L(gr.Radio(list(GGUF_TYPES), value="f16", label=L.text("export_gguf_type"),
                              elem_id="export-gguf-type"), "export_gguf_type")
            go = L(gr.Button(L.text("export_gguf_go"), elem_id="export-gguf-go"), "export_gguf_go", "value")
            info = gr.Markdown(elem_id="export-gguf-info")
            files = L(gr.File(label=L.text("export_gguf_files"), file_count="multiple", interactive=False,
                              visible=False, elem_id="export-gguf-files"), "export_gguf_files")
            go.click(gguf_file, [pick, kind, ctx.lang], [info, files])


def push_choices(lang: str) -> list[tuple[str, str]]:
    return [(t(lang, "export_what_adapter"), "adapter"), (t(lang, "export_what_merged"), "merged")]


def _hub_panel(ctx: Ctx, pick: gr.Dropdown) -> gr.Markdown:
    L = ctx.labels
    L.md("export_push_title")
    status = gr.Markdown(hub_status(), elem_id="export-hub-status")
    ctx.lang.change(hub_status, ctx.lang, status)
    repo = L(gr.Textbox(label=L.text("export_repo"), placeholder="your-name/my-adapter"), "export_repo")
    with gr.Row(equal_height=True):
        what = L(gr.Radio(push_choices("en"), value="adapter", label=L.text("export_push_what")), "export_push_what")
        ctx.lang.change(lambda lang: gr.Radio(choices=push_choices(lang)), ctx.lang, what, show_progress="hidden")
        public = L(gr.Checkbox(False, label=L.text("export_public")), "export_public")
    go = L(gr.Button(L.text("export_push_go"), elem_id="export-push-go"), "export_push_go", "value")
    info = gr.Markdown(elem_id="export-push-info")
    go.click(push, [pick, repo, what, public, ctx.lang], info)
    return status


def _import_panel(ctx: Ctx, pick: gr.Dropdown) -> None:
    L = ctx.labels
    L.md("export_import_title")
    upload = L(gr.File(label=L.text("export_import_file"), file_count="multiple",
                       file_types=[".zip", ".json", ".safetensors", ".jinja", ".model", ".txt"],
                       elem_id="export-import"), "export_import_file")
    info = gr.Markdown(elem_id="export-import-info")
    upload.upload(import_files, [upload, ctx.model, ctx.lang], [info, pick, ctx.run])


def build(ctx: Ctx) -> OnOpen:
    L = ctx.labels
    L.md("export_intro")
    pick = L(gr.Dropdown(labelled(runs.with_adapter()), label=L.text("compare_run"), elem_id="export-run"),
             "compare_run")
    _files_panel(ctx, pick)
    with gr.Row():
        with gr.Column():
            status = _hub_panel(ctx, pick)
        with gr.Column():
            _import_panel(ctx, pick)
    serve_panel.build(ctx, pick)
    with L(gr.Accordion(L.text("export_card"), open=False), "export_card"):
        card = gr.Markdown(elem_id="export-card")
    pick.change(card_preview, pick, card)
    ctx.on_load.append((hub_status, ctx.lang, status))
    return bind_run_picker(ctx, pick, refresh, [pick, card])
