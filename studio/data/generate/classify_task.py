"""Support-ticket classification: a ticket text in, exactly one category ID out.

Classes are balanced by construction (row i gets LABELS[i % 8]); texts are composed from the
fragments in _struct_tickets: hundreds of distinct tickets share a small, learnable vocabulary."""
from __future__ import annotations

import random
from pathlib import Path

from studio.data.generate._struct_common import (
    check_shape,
    distinct_rows,
    gold_text,
    held_out,
    make_row,
    user_text,
)
from studio.data.generate._struct_tickets import ISSUES, ticket
from studio.data.generate.preset import preset_spec, train_settings, write_preset

LABELS: tuple[str, ...] = (
    "BILLING", "SHIPPING", "ACCOUNT", "BUG", "FEATURE_REQUEST", "REFUND", "SECURITY", "OTHER",
)
assert set(LABELS) == set(ISSUES), "every label needs ticket fragments"

INSTRUCTION = (
    f"Classify this support ticket into one category ({', '.join(LABELS)}). "
    "Answer with the category ID only. Ticket:"
)


def _make(rng: random.Random, index: int) -> dict:
    label = LABELS[index % len(LABELS)]
    return make_row(f"{INSTRUCTION} {ticket(label, rng)}", label, {"label": label})


def generate(n: int, seed: int = 0) -> list[dict]:
    """n tickets, labels in round-robin order so every class has n // 8 or n // 8 + 1 rows."""
    return distinct_rows(_make, check_row, n, seed)


def check_row(row: dict) -> str | None:
    problem = check_shape(row)
    if problem:
        return problem
    label = row["meta"].get("label")
    if label not in LABELS:
        return f"meta.label {label!r} is not one of {', '.join(LABELS)}"
    if gold_text(row) != label:
        return "the answer must be exactly the label ID"
    if not user_text(row).startswith(INSTRUCTION + " "):
        return "prompt must start with the fixed instruction"
    return None


PRESET_SPEC = preset_spec(
    "classify", task="classify", meter="classify", hub_model="Qwen/Qwen2.5-0.5B-Instruct",
    title={"en": "Support tickets → category ID", "ja": "問い合わせ → カテゴリID"},
    description={"en": "Customer-support tickets sorted into eight categories (BILLING, SHIPPING, "
                       "ACCOUNT, BUG, FEATURE_REQUEST, REFUND, SECURITY, OTHER). The tuned model answers "
                       "with the bare ID: the output format is exactly what fine-tuning teaches well.",
                 "ja": "サポートへの問い合わせを8つのカテゴリ（BILLING, SHIPPING, ACCOUNT, BUG, "
                       "FEATURE_REQUEST, REFUND, SECURITY, OTHER）に振り分けます。"
                       "チューニング後のモデルはIDだけを答えます。"
                       "出力の形式こそ、ファインチューニングが得意に教えるものです。"},
    goal={"en": "Reply to each ticket with exactly one category ID.",
          "ja": "各問い合わせに、カテゴリIDを1つだけ返すこと。"},
    train=train_settings(epochs=3, learning_rate=3.0e-4, max_length=192, lora_alpha=32),
)


def build_preset(out_dir: str | Path, sizes: tuple[int, int, int] = (400, 64, 16),
                 seed: int = 2026) -> Path:
    """Train, then eval with equal rows per label, then probes; all prompts pairwise disjoint."""
    n_train, n_eval, n_probes = sizes
    train = generate(n_train, seed)
    taken = {user_text(r) for r in train}
    pool = generate(8 * (n_eval + n_probes), seed + 1)
    per_label = [held_out([r for r in pool if r["meta"]["label"] == label], taken,
                          n_eval // len(LABELS)) for label in LABELS]
    evals = [row for group in zip(*per_label) for row in group]  # interleaved: B, S, A, ..., B, ...
    probes = [user_text(r) for r in held_out(pool, taken, n_probes)]
    return write_preset(out_dir, PRESET_SPEC, train, evals, probes)

