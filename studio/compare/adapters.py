"""Which adapter folder a "tuned" column uses (a run's final adapter or one of its checkpoints), and
the checks that it exists and was trained on the model it is about to be put on."""
from __future__ import annotations

import json
from pathlib import Path

from studio import runs
from studio.models import EMBEDDED, resolve
from studio.text import Said, Term


class AdapterError(Said, ValueError):
    """A run's adapter or checkpoint that Compare cannot load, and why; said in the UI's language."""


def get_run(run_id: str) -> runs.Run:
    try:
        return runs.get(run_id)
    except KeyError:
        raise AdapterError("err_adapter_run_gone", run=repr(run_id)) from None


def adapter_for(run: runs.Run, checkpoint: str | None = None) -> Path:
    """The run's adapter/, or its checkpoint folder named `checkpoint` (e.g. "checkpoint-40")."""
    if checkpoint:
        found = {p.name: p for p in run.checkpoints()}
        if checkpoint not in found:
            names = ", ".join(found) or Term("err_none_yet")
            raise AdapterError("err_adapter_no_checkpoint", run=run.id, checkpoint=repr(checkpoint), have=names)
        return found[checkpoint]
    if not run.has_adapter():
        state = run.status().state
        raise AdapterError("err_adapter_not_final_pick" if run.checkpoints() else "err_adapter_not_final", run=run.id,
                           state=runs.state_term(state))
    return run.adapter_dir


def adapter_base(adapter_dir: str | Path) -> str:
    """base_model_name_or_path from the adapter's adapter_config.json (clear errors when it is gone)."""
    cfg_file = Path(adapter_dir) / "adapter_config.json"
    try:
        cfg = json.loads(cfg_file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise AdapterError("err_adapter_gone", adapter=adapter_dir) from None
    except (OSError, ValueError) as e:
        raise AdapterError("err_adapter_unreadable", adapter=adapter_dir, why=e) from None
    return str(cfg.get("base_model_name_or_path") or "")


def model_names(name: str) -> set[str]:
    """Every spelling that means this model: the name typed, its registry key, hub id, folder."""
    out = {name}
    try:
        r = resolve(name)
    except ValueError:
        return out
    out |= {r.name, r.location}
    if r.entry:
        out |= {r.entry.key, r.entry.hub_id}
    if r.source == "local":
        out.add(str(Path(r.location).resolve()))
    return out


def same_model(adapter_base_name: str, model_name: str) -> bool:
    """True when an adapter's recorded base is `model_name`. Embedded models are trained from their
    converted cache folder, named after the registry key; that folder differs between machines,
    so its last component is what identifies them."""
    if not adapter_base_name:
        return True  # nothing recorded: let peft's own shape checks speak
    names = model_names(model_name)
    if adapter_base_name in names:
        return True
    path = Path(adapter_base_name).expanduser()

    if path.name in EMBEDDED and path.name in names:
        return True
    return path.is_absolute() and str(path.resolve()) in names


def check_adapter(adapter_dir: str | Path, model_name: str) -> None:
    """Refuse an adapter trained on another base model, naming both."""
    base = adapter_base(adapter_dir)
    if not same_model(base, model_name):
        raise AdapterError("err_adapter_other_base", adapter=adapter_dir, base=repr(base), model=repr(model_name))
