"""Models: the registry (embedded offline, curated hub, any hub id, local folder), loading, memory fit."""
from studio.models.loader import load_model, load_tokenizer, model_path
from studio.models.registry import (
    CURATED,
    EMBEDDED,
    ModelEntry,
    ModelError,
    ResolvedModel,
    list_models,
    resolve,
)

__all__ = [
    "CURATED",
    "EMBEDDED",
    "ModelEntry",
    "ModelError",
    "ResolvedModel",
    "list_models",
    "load_model",
    "load_tokenizer",
    "model_path",
    "resolve",
]
