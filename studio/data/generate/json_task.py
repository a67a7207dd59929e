"""A ViGGO-like structured-output task: sentences about (invented) video games <-> a JSON meaning
representation with a fixed JSON Schema.

Most rows (4 in 5) go sentence -> JSON, the direction the json_mr meter judges; the rest go JSON ->
sentence so the model sees the mapping both ways. The JSON is one compact line with keys in a fixed
canonical order and list values in enum order, so there is exactly one right answer per sentence."""
from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator

from studio.data.generate import _struct_games as games
from studio.data.generate._struct_common import (
    check_shape,
    distinct_rows,
    gold_text,
    make_row,
    split_preset,
    user_text,
)
from studio.data.generate._struct_game_text import realise
from studio.data.generate.preset import preset_spec, train_settings, write_preset

KEY_ORDER = (
    "dialogue_act", "name", "genres", "platforms", "release_year", "developer", "rating",
    "player_perspective", "has_multiplayer", "esrb",
)


def _enum_list(values: tuple[str, ...], most: int) -> dict[str, Any]:
    return {"type": "array", "items": {"enum": list(values)}, "minItems": 1, "maxItems": most,
            "uniqueItems": True}


SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "https://katachi.studio/schemas/video-game-mr.json",
    "title": "Video game meaning representation",
    "type": "object",
    "properties": {
        "dialogue_act": {"enum": list(games.DIALOGUE_ACTS)},
        "name": {"type": "string", "minLength": 1},
        "genres": _enum_list(games.GENRES, 3),
        "platforms": _enum_list(games.PLATFORMS, 4),
        "release_year": {"type": "integer", "minimum": games.YEARS[0], "maximum": games.YEARS[1]},
        "developer": {"type": "string", "minLength": 1},
        "rating": {"enum": list(games.RATINGS)},
        "player_perspective": _enum_list(games.PERSPECTIVES, 2),
        "has_multiplayer": {"type": "boolean"},
        "esrb": {"enum": list(games.ESRB)},
    },
    "required": ["dialogue_act", "name"],
    "additionalProperties": False,
}
VALIDATOR = Draft202012Validator(SCHEMA)

TO_JSON = "Convert this sentence about a video game into a JSON meaning representation:"
TO_TEXT = "Write a sentence about a video game that expresses this JSON meaning representation:"
MAX_JSON_CHARS = 220  # ~60 tokens for SmolLM2's tokenizer: short enough for a 135M model to learn

ACT_WEIGHTS = {act: (3 if act == "inform" else 1) for act in games.DIALOGUE_ACTS}
# (fewest, most) attributes besides name and dialogue_act, per act.
ATTR_COUNTS = {
    "inform": (2, 4), "request": (0, 2), "give_opinion": (0, 2), "confirm": (1, 2),
    "suggest": (1, 3), "recommend": (1, 3), "verify_attribute": (1, 1),
}
ATTRIBUTES = KEY_ORDER[2:]
VERIFY_KEYS = ("genres", "platforms", "developer", "rating", "player_perspective",
               "has_multiplayer", "esrb")


def _value(key: str, rng: random.Random) -> Any:
    if key == "genres":
        return games.pick_ordered(rng, games.GENRES, rng.choice((1, 1, 2)))
    if key == "platforms":
        return games.pick_ordered(rng, games.PLATFORMS, rng.choice((1, 2, 2, 3)))
    if key == "player_perspective":
        return games.pick_ordered(rng, games.PERSPECTIVES, rng.choice((1, 1, 2)))
    if key == "release_year":
        return rng.randint(*games.YEARS)
    if key == "developer":
        return games.developer(rng)
    if key == "rating":
        return rng.choice(games.RATINGS)
    if key == "has_multiplayer":
        return rng.random() < 0.5
    return rng.choice(games.ESRB)


def canonical(mr: dict[str, Any]) -> dict[str, Any]:
    """Keys in KEY_ORDER, list values in enum order: the one form the gold answer takes."""
    enums = {"genres": games.GENRES, "platforms": games.PLATFORMS,
             "player_perspective": games.PERSPECTIVES}
    out = {}
    for key in KEY_ORDER:
        if key in mr:
            value = mr[key]
            out[key] = [v for v in enums[key] if v in value] if key in enums else value
    return out


def to_json_text(mr: dict[str, Any]) -> str:
    return json.dumps(canonical(mr), ensure_ascii=False, separators=(",", ":"))


def sample_mr(rng: random.Random) -> dict[str, Any]:
    """A random MR that fits the schema and the token budget."""
    while True:
        act = rng.choices(list(ACT_WEIGHTS), weights=list(ACT_WEIGHTS.values()))[0]
        pool = VERIFY_KEYS if act == "verify_attribute" else ATTRIBUTES
        keys = set(rng.sample(pool, rng.randint(*ATTR_COUNTS[act])))
        if act == "give_opinion":
            keys.add("rating")  # an opinion states how good the game is
        mr = {"dialogue_act": act, "name": games.game_title(rng)}
        # draw values in a fixed key order: set order varies with PYTHONHASHSEED between processes
        mr.update({k: _value(k, rng) for k in KEY_ORDER if k in keys})
        mr = canonical(mr)
        if len(to_json_text(mr)) <= MAX_JSON_CHARS:
            return mr


def _make(rng: random.Random, index: int) -> dict:
    mr = sample_mr(rng)
    sentence = realise(mr, rng)
    if index % 5 == 4:
        meta = {"direction": "to_text", "mr": mr}
        return make_row(f"{TO_TEXT} {to_json_text(mr)}", sentence, meta)
    return make_row(f"{TO_JSON} {sentence}", to_json_text(mr), {"direction": "to_json", "mr": mr})


def generate(n: int, seed: int = 0) -> list[dict]:
    return distinct_rows(_make, check_row, n, seed)


def is_to_json(row: dict) -> bool:
    """Whether the row's gold answer is the JSON (direction a): the rows the meter judges."""
    meta = row.get("meta") or {}
    if "direction" in meta:
        return meta["direction"] == "to_json"
    return gold_text(row).lstrip().startswith("{")


def _check_mr_text(text: str, mr: dict[str, Any]) -> str | None:
    try:
        obj = json.loads(text)
    except ValueError as err:
        return f"JSON does not parse: {err}"
    errors = sorted(VALIDATOR.iter_errors(obj), key=str)
    if errors:
        return f"JSON breaks the schema: {errors[0].message}"
    if obj != mr or text != to_json_text(mr):
        return "JSON disagrees with meta.mr or is not in canonical form"
    return None


def check_row(row: dict) -> str | None:
    problem = check_shape(row)
    if problem:
        return problem
    meta, user, gold = row["meta"], user_text(row), gold_text(row)
    mr = meta.get("mr")
    if not isinstance(mr, dict) or not VALIDATOR.is_valid(mr):
        return "meta.mr is missing or breaks the schema"
    if meta.get("direction") == "to_json":
        if not user.startswith(TO_JSON + " ") or mr["name"] not in user:
            return "prompt must be the fixed instruction plus a sentence naming the game"
        return _check_mr_text(gold, mr)
    if meta.get("direction") == "to_text":
        if not user.startswith(TO_TEXT + " ") or mr["name"] not in gold:
            return "prompt must be the fixed instruction plus JSON; the answer must name the game"
        return _check_mr_text(user[len(TO_TEXT) + 1:], mr)
    return "meta.direction must be to_json or to_text"


PRESET_SPEC = preset_spec(
    "json", task="json", meter="json_mr", hub_model="Qwen/Qwen2.5-0.5B-Instruct",
    title={"en": "Game sentences → JSON", "ja": "ゲーム紹介文 → JSON"},
    description={"en": "Sentences about invented video games turned into one line of JSON that follows a "
                       "fixed schema (dialogue act, name, genres, platforms, year, ...). Structured output "
                       "is form: a small model learns it from a few hundred examples.",
                 "ja": "架空のビデオゲームについての文を、決まったスキーマ"
                       "（対話行為・名前・ジャンル・機種・年など）に従う1行のJSONに変換します。"
                       "構造化出力は「形」なので、小さなモデルでも数百例で身につきます。"},
    goal={"en": "Answer every game sentence with schema-valid JSON and nothing else.",
          "ja": "ゲームについての文に、スキーマに合ったJSONだけで答えること。"},
    train=train_settings(epochs=3, learning_rate=3.0e-4, max_length=256, lora_alpha=32),
)


def build_preset(out_dir: str | Path, sizes: tuple[int, int, int] = (400, 60, 20),
                 seed: int = 2026) -> Path:
    """Write presets/json: train mixes both directions; eval and probes are sentence -> JSON."""
    train, evals, probes = split_preset(generate, sizes, seed, keep_eval=is_to_json)
    return write_preset(out_dir, PRESET_SPEC, train, evals, probes)

