"""Models: the registry (embedded offline, curated hub, any hub id, local folder), loading, memory fit."""
from studio.models.registry import (
    CURATED,
    EMBEDDED,
    ModelEntry,
    ModelError,
    ResolvedModel,
    list_models,
    resolve,
)
from studio.models.loader import load_model, load_tokenizer, model_path

__all__ = [
    "CURATED", "EMBEDDED", "ModelEntry", "ModelError", "ResolvedModel", "list_models", "resolve",
    "load_model", "load_tokenizer", "model_path",
]
