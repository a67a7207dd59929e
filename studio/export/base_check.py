"""Does an adapter fit a base model the studio can load? First by name (adapter_config.json's
base_model_name_or_path against the registry), then by shape: every LoRA tensor must fit the module of
the base it is meant for. A name can be wrong or missing; shapes cannot lie."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from studio.export import ExportError
from studio.export.bundle import to_stderr
from studio.models import CURATED, EMBEDDED, ModelError, hf, model_path, resolve
from studio.paths import model_cache_dir
from studio.text import Phrase, Said, Term

PREFIX = "base_model.model."
# LoRA tensor suffix -> (which side of the module it touches, index of that size in the tensor).
LORA_PARTS = {".lora_A.weight": ("in", 1), ".lora_B.weight": ("out", 0),
              ".lora_embedding_A": ("in", 1), ".lora_embedding_B": ("out", 0)}


class WrongBaseError(Said, ValueError):
    """The adapter was made for another model; the message names both. `problem` is the message without
    the command-line advice (a Phrase: the UI says it in its language), `made_for` the studio model the
    adapter fits, when known (the UI gives its own advice from them)."""

    def __init__(self, key: str, made_for: str | None = None, cli_hint: Phrase | None = None, **fields: object):
        self.problem, self.made_for = Phrase(key, **fields), made_for
        if cli_hint:
            super().__init__("err_base_hint", problem=self.problem, hint=cli_hint)
        else:
            super().__init__(key, **fields)


@dataclass(frozen=True)
class BaseChoice:
    model: str
    """The studio model name the adapter will be used with (stored in the pseudo-run's config)."""
    claimed: str
    """What the adapter says its base is (may be empty or a path from another machine)."""


def identify(claimed: str) -> str | None:
    """The studio model an adapter's base name stands for, or None when it names nothing loadable here."""
    claimed = (claimed or "").strip()
    if not claimed:
        return None
    low = claimed.lower()
    for table in (EMBEDDED, CURATED):  # embedded first: it loads offline
        for key, entry in table.items():
            if low in (key.lower(), entry.hub_id.lower()):
                return key
    path = Path(claimed).expanduser()
    if path.parent.resolve() == model_cache_dir().resolve() and path.name in EMBEDDED:
        return path.name  # trained in the studio on an embedded model's cached copy
    try:
        return resolve(claimed).name if not path.is_absolute() or path.is_dir() else None
    except ModelError:
        return None  # e.g. a folder on the machine that made the adapter


def canonical(name: str) -> str:
    """One spelling per model: the hub id of a registry model, the real path of a folder."""
    r = resolve(name)
    if r.entry:
        return r.entry.hub_id.lower()
    return str(Path(r.location).resolve()) if r.source == "local" else r.location.lower()


def choose_base(claimed: str, model: str | None) -> BaseChoice:
    """The model to use: --model when given (it must not contradict the adapter), else the adapter's own."""
    known = identify(claimed)
    if model:
        resolve(model)  # an unknown --model fails with the registry's message
        if known and canonical(known) != canonical(model):
            raise WrongBaseError("err_base_named", made_for=known, cli_hint=Phrase("err_base_cli_hint", known=known),
                                 claimed=claimed, claimed_id=_describe(known), model=model,
                                 model_id=_describe(model))
        return BaseChoice(model, claimed)
    if not known:
        raise WrongBaseError("err_base_unknown", claimed=claimed or Term("err_base_none_given"))
    return BaseChoice(known, claimed)


def _describe(name: str) -> str:
    r = resolve(name)
    return r.entry.hub_id if r.entry else r.location


@dataclass(frozen=True)
class BaseShape:
    modules: dict[str, tuple[int, int]]
    """name -> (in size, out size) of every weight-bearing module."""
    hidden: int | None


def base_modules(model: str, trust_remote_code: bool = False) -> BaseShape:
    """The base's module sizes, from a model built on the meta device (no weights are read, so this is
    cheap even for a 7B model whose config is cached)."""
    import torch

    AutoConfig, AutoModelForCausalLM = hf.classes("AutoConfig", "AutoModelForCausalLM")

    _, where = model_path(model, to_stderr)
    try:
        config = AutoConfig.from_pretrained(where, trust_remote_code=trust_remote_code)
        with torch.device("meta"):
            net = AutoModelForCausalLM.from_config(config, trust_remote_code=trust_remote_code)
    except (OSError, ValueError, KeyError) as e:
        raise ModelError("err_model_architecture", name=model, why=str(e).splitlines()[0][:160]) from None
    modules = {name: sizes for name, mod in net.named_modules() if (sizes := _io_sizes(mod))}
    text_config = config.get_text_config() if hasattr(config, "get_text_config") else config
    return BaseShape(modules, getattr(text_config, "hidden_size", None))


def _io_sizes(module) -> tuple[int, int] | None:
    if hasattr(module, "in_features") and hasattr(module, "out_features"):
        return int(module.in_features), int(module.out_features)
    if hasattr(module, "num_embeddings") and hasattr(module, "embedding_dim"):
        return int(module.num_embeddings), int(module.embedding_dim)
    weight = getattr(module, "weight", None)
    if hasattr(module, "nf") and weight is not None and weight.dim() == 2:  # GPT-2 style Conv1D
        return int(weight.shape[0]), int(weight.shape[1])
    return None


def adapter_shapes(weights: Path) -> dict[str, tuple[int, ...]]:
    from safetensors import SafetensorError, safe_open

    try:
        with safe_open(str(weights), framework="pt") as f:
            return {k: tuple(f.get_slice(k).get_shape()) for k in f.keys()}  # noqa: SIM118 (safe_open is not iterable)
    except (SafetensorError, OSError) as e:
        raise ExportError("err_bad_safetensors", name=weights.name, why=e) from None


def adapter_hidden(shapes: dict[str, tuple[int, ...]]) -> int | None:
    """The hidden size an adapter was made for: most projections (q, k, v, o, gate, up) read the hidden
    state, so the commonest lora_A input width is it."""
    widths = [s[1] for k, s in shapes.items() if k.endswith(".lora_A.weight") and len(s) == 2]
    return Counter(widths).most_common(1)[0][0] if widths else None


def check_shapes(shapes: dict[str, tuple[int, ...]], base: BaseShape, model: str, claimed: str) -> int:
    """Raise WrongBaseError at the first LoRA tensor that does not fit; return how many were checked."""
    checked = 0
    for key, shape in sorted(shapes.items()):
        part = next((p for p in LORA_PARTS if key.endswith(p)), None)
        if part is None:
            continue  # e.g. modules_to_save copies: checked by peft when it loads them
        module = key[: -len(part)].removeprefix(PREFIX)
        side, axis = LORA_PARTS[part]
        if module not in base.modules:
            raise WrongBaseError("err_base_no_module", pair=_pair(shapes, base, model, claimed), module=module,
                                 model=model)
        want = base.modules[module][0 if side == "in" else 1]
        if len(shape) != 2 or shape[axis] != want:
            raise WrongBaseError("err_base_size", pair=_pair(shapes, base, model, claimed), module=module,
                                 side=Term(f"err_base_side_{side}"), want=want, shape=list(shape))
        checked += 1
    if not checked:
        raise ExportError("err_no_lora_weights")
    return checked


def _pair(shapes: dict[str, tuple[int, ...]], base: BaseShape, model: str, claimed: str) -> Phrase:
    """'the adapter (made for X, hidden size 64) does not fit Y (hidden size 576)'."""
    theirs, ours = adapter_hidden(shapes), base.hidden
    made: str = repr(claimed) if claimed else Term("err_base_unnamed")
    if theirs:
        made = Phrase("err_base_made_hidden", made=made, hidden=theirs)
    if ours:
        return Phrase("err_base_pair_hidden", made=made, model=model, hidden=ours)
    return Phrase("err_base_pair", made=made, model=model)
