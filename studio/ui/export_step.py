"""Export: the adapter as a zip, a merged model folder, a push to the hub; import an adapter."""
from __future__ import annotations

import gradio as gr

from studio import runs
from studio.paths import studio_home
from studio.ui.context import Ctx


def exports_dir():
    d = studio_home() / "exports"
    d.mkdir(parents=True, exist_ok=True)
    return d


def _guard(fn, *args, **kw):
    try:
        return fn(*args, **kw)
    except (ValueError, KeyError, OSError) as e:
        raise gr.Error(str(e)) from None


def adapter_zip(run_id: str | None):
    from studio.export import export_adapter_zip

    if not run_id:
        raise gr.Error("pick a run with an adapter first")
    path = _guard(export_adapter_zip, run_id, exports_dir() / f"{run_id}-adapter.zip", overwrite=True)
    return str(path), f"Adapter zipped: `{path}`"


def merged(run_id: str | None, progress=gr.Progress()):
    from studio.export import export_merged

    if not run_id:
        raise gr.Error("pick a run with an adapter first")
    progress(0.2, desc="merging the LoRA into a full-precision copy of the base")
    path = _guard(export_merged, run_id, exports_dir() / f"{run_id}-merged", overwrite=True)
    return (f"Merged model saved to `{path}` — it loads with plain transformers: "
            f"`AutoModelForCausalLM.from_pretrained('{path}')`")


def push(run_id: str | None, repo: str):
    from studio.export_hub import push_adapter

    if not run_id or not (repo or "").strip():
        raise gr.Error("pick a run and type a repo id (user/name)")
    result = _guard(push_adapter, run_id, repo.strip())
    return f"Pushed to {getattr(result, 'url', repo)} (private)"


def import_zip(path: str | None, model: str):
    from studio.export_import import import_adapter

    if not path:
        raise gr.Error("upload an adapter .zip first")
    run = _guard(import_adapter, path, model=model)
    gr.Info(f"imported as run {run.id}")
    return f"Imported as run `{run.id}`: open it in **④ Compare**.", gr.Dropdown(choices=runs.with_adapter(),
                                                                                  value=run.id)


def build(ctx: Ctx):
    ctx.labels.md("export_intro")
    pick = gr.Dropdown(runs.with_adapter(), label="Run", elem_id="export-run")
    with gr.Row():
        with gr.Column():
            gr.Markdown("#### Adapter (.zip, standard PEFT files + model card)")
            zip_btn = gr.DownloadButton("Build the adapter zip", variant="primary")
            zip_info = gr.Markdown()
            zip_btn.click(adapter_zip, pick, [zip_btn, zip_info])
        with gr.Column():
            gr.Markdown("#### Merged model (LoRA merged into a bf16/fp32 base, never 4-bit)")
            merge_btn = gr.Button("Save merged model")
            merge_info = gr.Markdown()
            merge_btn.click(merged, pick, merge_info)
    with gr.Row():
        with gr.Column():
            gr.Markdown("#### Push to the hub\nThe token is read from the `HF_TOKEN` environment variable of "
                        "the studio process, never typed here; the repo is created private.")
            repo = gr.Textbox(label="Repo id", placeholder="your-name/my-adapter")
            push_btn = gr.Button("Push adapter")
            push_info = gr.Markdown()
            push_btn.click(push, [pick, repo], push_info)
        with gr.Column():
            gr.Markdown("#### Import an adapter made elsewhere\nIt is checked against the base model chosen "
                        "in step ①; a mismatch is refused.")
            upload = gr.File(label="Adapter .zip", file_types=[".zip"])
            import_info = gr.Markdown()
            upload.upload(import_zip, [upload, ctx.model], [import_info, pick])
    ctx.run.change(lambda r: gr.Dropdown(choices=runs.with_adapter(), value=r if r in runs.with_adapter() else None),
                   ctx.run, pick)
    return (lambda r: gr.Dropdown(choices=runs.with_adapter(), value=r if r in runs.with_adapter() else None),
            ctx.run, pick)
