"""Import a LoRA adapter made elsewhere (a folder or a .zip) as a finished pseudo-run, so Compare and
Export treat it like one the studio trained. An archive from a stranger is hostile until proven
otherwise: no absolute or '..' paths, no symlinks, a size limit, and no pickled weights."""
from __future__ import annotations

import json
import shutil
import stat
import tempfile
import time
import zipfile
import zlib
from collections.abc import Sequence
from pathlib import Path, PurePosixPath

from studio import runs
from studio.config import LoraSpec, ModelSpec, RunConfig
from studio.export import ExportError, ExportMissing
from studio.export.base_check import adapter_shapes, base_modules, check_shapes, choose_base
from studio.export.bundle import ADAPTER_FILES, PORTABLE_FILES
from studio.export.card import IMPORT_FILE
from studio.fsutil import atomic_write_json
from studio.paths import UnsafePathError, runs_dir
from studio.runs import Run
from studio.text import Term

MAX_UNZIPPED_BYTES = 2 * 1024**3
MAX_MEMBERS = 2000
PICKLE_WEIGHTS = ("adapter_model.bin", "adapter_model.pt", "adapter_model.pth", "adapter_model.ckpt",
                  "adapter_model.pkl")


def check_member(info: zipfile.ZipInfo) -> PurePosixPath:
    """The member's safe relative path, or UnsafePathError (zip-slip, absolute path, symlink)."""
    name = info.filename.replace("\\", "/")
    path = PurePosixPath(name)
    if name.startswith("/") or (len(name) > 1 and name[1] == ":") or path.is_absolute():
        raise UnsafePathError("err_zip_absolute", member=info.filename)
    if ".." in path.parts:
        raise UnsafePathError("err_zip_dotdot", member=info.filename)
    if stat.S_ISLNK(info.external_attr >> 16):
        raise UnsafePathError("err_zip_symlink", member=info.filename)
    return path


def safe_extract(archive: Path, dest: Path) -> Path:
    """Check every member, then extract only the adapter's portable files; return the adapter folder."""
    try:
        with zipfile.ZipFile(archive) as zf:
            _extract_checked(zf, archive.name, dest)
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError) as e:
        raise ExportError("err_zip_unreadable", name=archive.name, why=e) from None
    return dest


def _extract_checked(zf: zipfile.ZipFile, label: str, dest: Path) -> None:
    infos = zf.infolist()
    if len(infos) > MAX_MEMBERS:
        raise ExportError("err_zip_members", name=label, n=len(infos))
    paths = {check_member(i): i for i in infos}
    if sum(i.file_size for i in infos) > MAX_UNZIPPED_BYTES:
        raise ExportError("err_zip_too_big", name=label, mb=MAX_UNZIPPED_BYTES // 2**20)
    root = _adapter_root(set(paths), label)
    refuse_pickled_weights({p.name for p in paths if p.parent == root})
    budget = MAX_UNZIPPED_BYTES
    for path, info in paths.items():
        if path.parent == root and path.name in PORTABLE_FILES and not info.is_dir():
            budget -= _copy_member(zf, info, dest / path.name, budget)


def refuse_pickled_weights(names: set[str]) -> None:
    """Weights only as a pickle: refused (unpickling runs code). Beside safetensors, pickles are ignored."""
    if "adapter_model.safetensors" not in names and names & set(PICKLE_WEIGHTS):
        raise ExportError("err_adapter_pickle")


def _adapter_root(paths: set[PurePosixPath], label: str) -> PurePosixPath:
    """Where adapter_config.json sits: the top of the zip or one folder down (as zipping a folder does)."""
    roots = [p.parent for p in paths if p.name == "adapter_config.json" and "__MACOSX" not in p.parts
             and len(p.parts) <= 2]
    if not roots:
        raise ExportError("err_adapter_no_config", name=label)
    if len(roots) > 1:
        raise ExportError("err_adapter_many", name=label, n=len(roots))
    return roots[0]


def _copy_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, target: Path, budget: int) -> int:
    """Copy one member, counting bytes as they come (declared sizes can lie); return the bytes written."""
    written = 0
    with zf.open(info) as src, target.open("wb") as out:
        while chunk := src.read(1 << 20):
            written += len(chunk)
            if written > budget:
                raise ExportError("err_zip_past_limit", member=info.filename, mb=MAX_UNZIPPED_BYTES // 2**20)
            out.write(chunk)
    return written


def copy_folder(src: Path, dest: Path) -> Path:
    """The adapter's portable files from a folder (symlinks refused: they could point anywhere)."""
    if not (src / "adapter_config.json").is_file():
        raise ExportError("err_folder_no_config", folder=src)
    refuse_pickled_weights({p.name for p in src.iterdir()})
    total = 0
    for name in PORTABLE_FILES:
        f = src / name
        if f.is_symlink():
            raise UnsafePathError("err_folder_symlink", file=f)
        if f.is_file():
            total += f.stat().st_size
            if total > MAX_UNZIPPED_BYTES:
                raise ExportError("err_folder_too_big", folder=src, mb=MAX_UNZIPPED_BYTES // 2**20)
            shutil.copy2(f, dest / name)
    return dest


def read_adapter_config(folder: Path) -> dict:
    """adapter_config.json of a LoRA adapter with safetensors weights, or a clear refusal."""
    if not (folder / "adapter_model.safetensors").is_file():
        raise ExportError("err_adapter_no_weights")
    try:
        config = json.loads((folder / "adapter_config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise ExportError("err_adapter_config_unreadable", why=e) from None
    if not isinstance(config, dict) or str(config.get("peft_type", "")).upper() != "LORA":
        kind = config.get("peft_type") if isinstance(config, dict) else None
        raise ExportError("err_adapter_not_lora", kind=kind or Term("err_kind_unknown"))
    return config


def import_adapter(source: str | Path, *, name: str | None = None, model: str | None = None) -> Run:
    """Check the adapter, then store it as a finished run whose model is its base."""
    src = Path(source).expanduser()
    if not src.exists():
        raise ExportMissing("err_import_missing", source=source)
    stage = Path(tempfile.mkdtemp(prefix=".import-", dir=runs_dir()))  # same disk: the final move is a rename
    try:
        folder = stage / "adapter"
        folder.mkdir()
        if src.is_dir():
            copy_folder(src, folder)
        elif zipfile.is_zipfile(src):
            safe_extract(src, folder)
        else:
            raise ExportError("err_import_not_zip", name=src.name)
        config = read_adapter_config(folder)
        choice = choose_base(str(config.get("base_model_name_or_path") or ""), model)
        checked = check_shapes(adapter_shapes(folder / "adapter_model.safetensors"),
                               base_modules(choice.model), choice.model, choice.claimed)
        return _store(folder, config, choice.model, name or src.stem,
                      {"source": src.name, "claimed_base": choice.claimed, "tensors_checked": checked})
    finally:
        shutil.rmtree(stage, ignore_errors=True)


def import_uploads(paths: Sequence[str | Path], *, model: str | None = None) -> Run:
    """What a browser uploads: one .zip, or the files of an adapter folder (each lands in its own temp
    folder, so they are gathered by name; only the portable PEFT and tokenizer files are kept)."""
    files = [Path(p) for p in paths]
    if len(files) == 1 and zipfile.is_zipfile(files[0]):
        return import_adapter(files[0], model=model)
    names = [f.name for f in files]
    if len(set(names)) < len(names):
        raise ExportError("err_upload_same_name")
    refuse_pickled_weights(set(names))
    missing = [n for n in ADAPTER_FILES if n not in names]
    if len(missing) == 1:
        raise ExportError("err_upload_lacks", missing=missing[0])
    if missing:
        raise ExportError("err_upload_lacks_both", first=missing[0], second=missing[1])
    with tempfile.TemporaryDirectory(prefix=".upload-", dir=runs_dir()) as tmp:
        folder = Path(tmp) / "uploaded-adapter"
        folder.mkdir()
        for f in files:
            if f.name in PORTABLE_FILES and f.is_file() and not f.is_symlink():
                shutil.copyfile(f, folder / f.name)
        return import_adapter(folder, model=model)


def _store(folder: Path, adapter_config: dict, model: str, label: str, info: dict) -> Run:
    cfg = RunConfig(model=ModelSpec(name=model), lora=_lora_spec(adapter_config), name=f"imported-{label}")
    run = runs.create(cfg)
    try:
        folder.rename(run.adapter_dir)
        atomic_write_json(run.path / IMPORT_FILE, {**info, "imported_at": time.time()})
        run.write_status(state="done", reason=f"imported from {info['source']}")
    except BaseException:
        shutil.rmtree(run.path, ignore_errors=True)
        raise
    return run


def _lora_spec(c: dict) -> LoraSpec:
    """The adapter's own LoRA settings, so the run's config (and its model card) tells the truth."""
    spec = LoraSpec()
    spec.r = int(c.get("r") or spec.r)
    spec.alpha = c.get("lora_alpha") or spec.alpha
    spec.dropout = float(c.get("lora_dropout") or 0.0)
    targets = c.get("target_modules")
    if isinstance(targets, (list, str)) and targets:
        spec.target_modules = sorted(targets) if isinstance(targets, list) else targets
    return spec
