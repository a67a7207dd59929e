"""Vocabulary of the invented video-game world behind the JSON task: attribute values (the schema's
enums), the words that express them in sentences, and composed game titles and developer names.

Every title and studio here is made up by composition; none names a real game."""
from __future__ import annotations

import random

from studio.data.generate._struct_common import article  # noqa: F401  (re-exported)

DIALOGUE_ACTS = (
    "inform", "request", "give_opinion", "confirm", "suggest", "recommend", "verify_attribute",
)
GENRES = (
    "action", "adventure", "role-playing", "shooter", "strategy", "simulation", "puzzle",
    "platformer", "racing", "sports", "fighting", "horror", "survival", "music",
)
PLATFORMS = ("PC", "PlayStation", "Xbox", "Nintendo Switch", "Mac", "Linux", "iOS", "Android")
RATINGS = ("excellent", "good", "average", "poor")
PERSPECTIVES = ("first person", "third person", "side view", "bird view")
ESRB = ("E", "E10+", "T", "M")
YEARS = (1985, 2024)

# How a value may be said. The first entry is the plainest; the others teach the model to normalise.
PLATFORM_WORDS: dict[str, tuple[str, ...]] = {
    "PC": ("PC",),
    "PlayStation": ("PlayStation",),
    "Xbox": ("Xbox",),
    "Nintendo Switch": ("Nintendo Switch", "Switch"),
    "Mac": ("Mac", "macOS"),
    "Linux": ("Linux",),
    "iOS": ("iOS", "iPhone"),
    "Android": ("Android",),
}
RATING_WORDS: dict[str, tuple[str, ...]] = {
    "excellent": ("excellent", "outstanding", "superb"),
    "good": ("good", "solid", "pretty good"),
    "average": ("average", "mediocre", "so-so"),
    "poor": ("poor", "bad", "disappointing"),
}
PERSPECTIVE_WORDS: dict[str, tuple[str, ...]] = {
    "first person": ("first-person",),
    "third person": ("third-person",),
    "side view": ("side-view", "side-scrolling"),
    "bird view": ("bird's-eye", "top-down"),
}
ESRB_WORDS: dict[str, tuple[str, ...]] = {
    "E": ("E", "E for Everyone"),
    "E10+": ("E10+", "E10+ for Everyone 10 and up"),
    "T": ("T", "T for Teen"),
    "M": ("M", "M for Mature"),
}

_ADJECTIVES = (
    "Crimson", "Silent", "Hollow", "Iron", "Golden", "Broken", "Frozen", "Hidden", "Last", "Wild",
    "Shattered", "Endless", "Burning", "Lost", "Velvet", "Savage", "Quiet", "Electric", "Ancient",
    "Restless", "Sunken", "Scarlet", "Neon", "Emerald", "Midnight", "Paper", "Clockwork", "Rusty",
)
_NOUNS = (
    "Harbor", "Frontier", "Lantern", "Kingdom", "Circuit", "Orchard", "Citadel", "Tide", "Engine",
    "Crown", "Signal", "Labyrinth", "Comet", "Garden", "Horizon", "Arena", "Vanguard", "Relic",
    "Voyage", "Summit", "Reactor", "Outpost", "Mirage", "Tempest", "Carnival", "Sentinel",
)
_PLACES = (
    "Varrow", "Eldmoor", "Kestrel Bay", "Norhaven", "Ashfall", "Pellmire", "Orvani", "Dunmarch",
    "Saltreach", "Quillon", "Brightwater", "Thornvale", "Myrr", "Castelune", "Ravenholt", "Ostra",
)
_SUFFIXES = (
    "Tactics", "Legends", "Chronicles", "Rising", "Odyssey", "Rally", "Online", "Saga", "Arena",
    "Rush", "Story", "Quest",
)
_PLURALS = (
    "Echoes", "Shadows", "Rivers", "Wings", "Ghosts", "Songs", "Knights", "Ruins", "Stars", "Gates",
)
_STUDIO_A = (
    "Iron", "Blue", "Silver", "Red", "Night", "Storm", "Pixel", "Moon", "Granite", "Maple",
    "Copper", "Echo", "Amber", "Frost", "Lucky", "Velvet", "Hollow", "Bright", "Tiny", "North",
)
_STUDIO_B = ("leaf", "fox", "forge", "lantern", "wolf", "works", "byte", "gate", "crow", "mill",
             "stone", "spark")
_STUDIO_C = ("Studios", "Games", "Interactive", "Entertainment", "Software", "Labs")


def game_title(rng: random.Random) -> str:
    """A made-up title of two to four words; six patterns over a few hundred words."""
    adj, noun, place = rng.choice(_ADJECTIVES), rng.choice(_NOUNS), rng.choice(_PLACES)
    patterns = (
        f"{adj} {noun}",
        f"The {adj} {noun}",
        f"{rng.choice(_PLURALS)} of {place}",
        f"{noun} {rng.choice(_SUFFIXES)}",
        f"{adj} {noun} {rng.choice(('2', '3', '4'))}",
        f"{place} {rng.choice(_SUFFIXES)}",
    )
    return rng.choice(patterns)


def developer(rng: random.Random) -> str:
    return f"{rng.choice(_STUDIO_A)}{rng.choice(_STUDIO_B)} {rng.choice(_STUDIO_C)}"


def pick_ordered(rng: random.Random, values: tuple[str, ...], k: int) -> list[str]:
    """k distinct values, in the canonical (enum) order so JSON and sentence agree on the order."""
    chosen = set(rng.sample(values, k))
    return [v for v in values if v in chosen]


def join_words(items: list[str], conj: str = "and") -> str:
    """'A', 'A and B', 'A, B and C'."""
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {conj} {items[-1]}"
