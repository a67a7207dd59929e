"""Export a run: its adapter as a zip (standard PEFT files + model card), or a merged model (the LoRA
folded into a full-precision base) as a plain Hugging Face folder that loads without peft.
Everything is written next to its target first and renamed into place, so a crash or a full disk never
leaves a half-written export that looks finished."""
from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
import zipfile
from pathlib import Path

from studio import runs
from studio.export import ExportDenied, ExportError, ExportExists, ExportMissing, dequant
from studio.export.card import portable_base, write_card
from studio.models import hf, load_model, load_tokenizer
from studio.paths import UnsafePathError, runs_dir
from studio.runs import Run
from studio.text import Term

# What an adapter folder may carry out of (and into) the studio. Trainer leftovers such as
# training_args.bin are pickles: they are never copied, so they are never loaded anywhere.
ADAPTER_FILES = ("adapter_config.json", "adapter_model.safetensors")
TOKENIZER_FILES = ("tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "added_tokens.json",
                   "chat_template.jinja", "chat_template.json", "tokenizer.model", "vocab.json", "merges.txt")
PORTABLE_FILES = ADAPTER_FILES + TOKENIZER_FILES


def exportable(run_id: str) -> Run:
    """The run, if it has a finished adapter that is not about to change under us."""
    run = runs.get(run_id)
    st = runs.reconcile(run)
    if st.active:
        raise ExportError("err_export_active", run=run_id, state=Term.of(f"state_{st.state}", st.state))
    if not run.has_adapter():
        raise ExportError("err_export_no_adapter", run=run_id, state=Term.of(f"state_{st.state}", st.state),
                          reason=st.reason or Term("err_no_reason"))
    if not (run.adapter_dir / "adapter_model.safetensors").is_file():
        raise ExportError("err_export_no_weights", run=run_id)
    return run


def check_output(target: str | Path, run: Run, overwrite: bool) -> Path:
    """Where an export may go: an existing writable parent, not inside another run's folder (nor this
    run's adapter or checkpoints), and no existing file unless overwrite was asked for."""
    path = Path(target).expanduser()
    parent = path.parent.resolve()
    path = parent / path.name
    if not path.name or path.name in (".", ".."):
        raise UnsafePathError("err_export_bad_name", target=target)
    if not parent.is_dir():
        raise ExportMissing("err_export_no_folder", folder=parent)
    if not os.access(parent, os.W_OK):
        raise ExportDenied("err_export_not_writable", folder=parent)
    _refuse_run_folders(path, run)
    if (path.exists() or path.is_symlink()) and not overwrite:
        raise ExportExists("err_export_exists", path=path)
    return path


def _refuse_run_folders(path: Path, run: Run) -> None:
    store = runs_dir().resolve()
    if path != store and store not in path.parents:
        return
    parts = path.relative_to(store).parts
    if len(parts) < 2 or parts[0] != run.id or parts[1] in ("adapter", "checkpoints", "config.yaml"):
        raise UnsafePathError("err_export_in_store", path=path, run=run.id)


def stage_adapter(run: Run, dest: Path) -> Path:
    """Copy the run's portable adapter files into dest, name the base so others can load it, add the card."""
    dest.mkdir(parents=True, exist_ok=True)
    for name in PORTABLE_FILES:
        src = run.adapter_dir / name
        if src.is_file() and not src.is_symlink():
            shutil.copy2(src, dest / name)
    config = json.loads((dest / "adapter_config.json").read_text(encoding="utf-8"))
    config["base_model_name_or_path"] = portable_base(run.config())
    (dest / "adapter_config.json").write_text(json.dumps(config, indent=2, ensure_ascii=False), encoding="utf-8")
    write_card(run, dest, "adapter")
    return dest


def export_adapter_zip(run_id: str, out: str | Path, overwrite: bool = False) -> Path:
    """Zip the run's adapter (+ README.md card and loss chart) to out, atomically."""
    run = exportable(run_id)
    path = check_output(out, run, overwrite)
    with tempfile.TemporaryDirectory(prefix=".export-", dir=path.parent) as tmp:
        folder = stage_adapter(run, Path(tmp) / "adapter")
        zipped = Path(tmp) / "adapter.zip"
        _zip_folder(folder, zipped)
        _publish(zipped, path, overwrite)
    return path


def _zip_folder(folder: Path, target: Path) -> None:
    # Members sit at the top of the zip, as `save_pretrained` lays them out: unzip and load.
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for f in sorted(folder.iterdir()):
            if f.is_file():
                zf.write(f, arcname=f.name)
    with target.open("rb") as fh:
        os.fsync(fh.fileno())


def _publish(tmp: Path, path: Path, overwrite: bool) -> None:
    """Move a finished file or folder into place. Without overwrite, a target that appeared meanwhile wins."""
    if overwrite and path.exists():
        old = path.with_name(f".{path.name}.old-{os.getpid()}")
        path.rename(old)
        tmp.rename(path)
        if old.is_dir():
            shutil.rmtree(old)
        else:
            old.unlink()
    elif tmp.is_dir():
        if path.exists():
            raise ExportExists("err_export_exists_now", path=path)
        tmp.rename(path)
    else:
        os.link(tmp, path)  # fails if path exists: no check-then-write race
        tmp.unlink()


def export_merged(run_id: str, out: str | Path, *, dtype: str = "auto", device: str = "cpu",
                  overwrite: bool = False) -> Path:
    """Merge the run's LoRA into a full-precision copy of its base and save a plain HF folder to out."""
    run = exportable(run_id)
    path = check_output(out, run, overwrite)
    tmp = Path(tempfile.mkdtemp(prefix=f"{path.name}.tmp-", dir=path.parent))
    try:
        merged, tokenizer = merge(run, dtype=dtype, device=device)
        save_merged(merged, tokenizer, run, tmp)
        _publish(tmp, path, overwrite)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return path


def merge(run: Run, *, dtype: str = "auto", device: str = "cpu"):
    """(merged model, tokenizer). A run that trained on a 4-bit base (QLoRA) merges into that base's
    dequantised weights, the ones the adapter learned to correct (studio/export/dequant.py); folding the LoRA
    into the 4-bit weights themselves would round it away. Other runs merge into the base as it is."""
    from peft import PeftModel

    cfg = run.config()
    if dequant.trained_in_4bit(run):  # the adapter learned on the 4-bit base; merge into that one
        base = dequant.dequantised_base(cfg, dtype=dtype, device=device, progress=to_stderr)
    else:
        base = load_model(cfg.model.name, quant="none", dtype=dtype, device=device, progress=to_stderr,
                          trust_remote_code=cfg.model.trust_remote_code, revision=cfg.model.revision)
    refuse_quantized(base, cfg.model.name)
    tuned = PeftModel.from_pretrained(base, str(run.adapter_dir), is_trainable=False)
    merged = tuned.merge_and_unload()
    if (run.adapter_dir / "tokenizer_config.json").is_file():
        tokenizer = _adapter_tokenizer(run, cfg)
    else:
        tokenizer = load_tokenizer(cfg.model.name, trust_remote_code=cfg.model.trust_remote_code)
    return merged, tokenizer


def to_stderr(fraction: float, message: str) -> None:
    """Progress of a first-use model conversion, kept off stdout (where `--json` answers go)."""
    print(f"[{fraction:4.0%}] {message}", file=sys.stderr, flush=True)


def _adapter_tokenizer(run: Run, cfg):
    """The tokenizer the run trained with (it carries the chat template the adapter learned)."""
    (AutoTokenizer,) = hf.classes("AutoTokenizer")

    tok = AutoTokenizer.from_pretrained(str(run.adapter_dir))
    if not tok.chat_template:
        tok.chat_template = load_tokenizer(cfg.model.name).chat_template
    return tok


def refuse_quantized(model, name: str) -> None:
    if getattr(model, "is_loaded_in_4bit", False) or getattr(model, "is_loaded_in_8bit", False) or \
            getattr(model.config, "quantization_config", None):
        raise ExportError("err_export_quantised", name=name)


def save_merged(model, tokenizer, run: Run, folder: Path) -> None:
    model.config.use_cache = True
    if tokenizer.pad_token_id is not None:
        model.generation_config.pad_token_id = tokenizer.pad_token_id
    model.save_pretrained(folder, safe_serialization=True)
    tokenizer.save_pretrained(folder)
    write_card(run, folder, "merged")
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(folder, 0o777 & ~umask)  # mkdtemp made it private; the export is the user's, like any folder
    for f in folder.iterdir():
        if f.is_file():
            f.chmod(0o666 & ~umask)  # safetensors writes some files 0600
            with f.open("rb") as fh:
                os.fsync(fh.fileno())
