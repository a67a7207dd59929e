"""Turns a video-game meaning representation (a dict) into a fluent English sentence.

Each attribute can be said before the head noun ("an excellent 2017 strategy game"), after it
("by Ironfox Studios, available on PC"), or as a sentence of its own ("It came out in 2017."), and
each dialogue act has its own frames. The realiser says every attribute of the MR once and nothing
else, so the sentence -> JSON direction is always recoverable from the text."""
from __future__ import annotations

import random
from typing import Any

from studio.data.generate._struct_games import (
    ESRB_WORDS,
    PERSPECTIVE_WORDS,
    PLATFORM_WORDS,
    RATING_WORDS,
    article,
    join_words,
)

PRE_ORDER = ("rating", "release_year", "has_multiplayer", "player_perspective", "genres")
PRE_ONLY = {"genres"}
# Acts whose frames can carry extra sentences ("It came out in 2017.") after the main one.
LOOSE_ACTS = {"inform", "suggest", "recommend", "give_opinion"}

FRAMES: dict[str, tuple[str, ...]] = {
    "inform": (
        "{name} is {np}.", "{name} is {np}.", "Let me tell you about {name}: it is {np}.",
        "There is a game called {name}. It is {np}.", "Here is one for you: {name}, {np}.",
        "Meet {name}, {np}.", "You may know {name}, {np}.",
    ),
    "give_opinion": (
        "I think {name} is {np}.", "In my opinion, {name} is {np}.", "Honestly, {name} is {np}.",
        "I would say {name} is {np}.", "I found {name} to be {np}.",
        "If you ask me, {name} is {np}.",
    ),
    "suggest": (
        "Have you ever played {name}? It is {np}.", "Have you tried {name}, {np}?",
        "How about {name}? It is {np}.", "Maybe you would like {name}, {np}.",
        "Have you heard of {name}? It is {np}.",
    ),
    "recommend": (
        "You should play {name}, {np}.", "I recommend {name}. It is {np}.",
        "If you want something new, try {name}, {np}.", "{name} is worth your time: it is {np}.",
        "Give {name} a try. It is {np}.",
    ),
    "confirm": (
        "So you mean {name}{app}?", "Are you talking about {name}{app}?",
        "Do you mean {name}{app}?",
        "Just to check, you mean {name}{app}?", "Oh, you mean {name}{app}?",
    ),
    "request": (
        "Can you tell me more about {name}{app}?", "What do you know about {name}{app}?",
        "I'm curious about {name}{app}. What can you tell me?",
        "Could you tell me about {name}{app}?",
    ),
}
VERIFY_LEADS = (
    "You said you liked {name}.", "Earlier you mentioned {name}.", "I know you played {name}.",
    "You told me {name} is one of your favorites.",
)
VERIFY_QUESTIONS = (
    "Do you usually enjoy {np}?", "Do you generally like {np}?",
    "Are you a fan of {np} in general?",
    "Do you often play {np}?",
)


def _platforms(rng: random.Random, values: list[str]) -> str:
    return join_words([rng.choice(PLATFORM_WORDS[v]) for v in values])


def _perspectives(rng: random.Random, values: list[str]) -> str:
    return join_words([rng.choice(PERSPECTIVE_WORDS[v]) for v in values])


def pre_words(key: str, value: Any, rng: random.Random) -> str:
    """The attribute as a modifier before the head noun."""
    if key == "rating":
        return rng.choice(RATING_WORDS[value])
    if key == "release_year":
        return str(value)
    if key == "has_multiplayer":
        return "multiplayer" if value else "single-player"
    if key == "player_perspective":
        return _perspectives(rng, value)
    return join_words(list(value))  # genres


def post_words(key: str, value: Any, rng: random.Random) -> str:
    """The attribute as a phrase after the head noun."""
    if key == "developer":
        return rng.choice(("by {v}", "from {v}", "developed by {v}", "made by {v}")).format(v=value)
    if key == "platforms":
        pick = rng.choice(("for {v}", "on {v}", "available on {v}", "released for {v}"))
        return pick.format(v=_platforms(rng, value))
    if key == "release_year":
        return rng.choice(("released in {v}", "from {v}", "that came out in {v}")).format(v=value)
    if key == "esrb":
        pick = rng.choice(("rated {v}", "with an ESRB rating of {v}"))
        return pick.format(v=rng.choice(ESRB_WORDS[value]))
    if key == "rating":
        return f"with {rng.choice(RATING_WORDS[value])} reviews"
    if key == "has_multiplayer":
        yes = ("with multiplayer", "with an online multiplayer mode")
        return rng.choice(yes if value else ("with no multiplayer", "without any multiplayer mode"))
    words = _perspectives(rng, value)
    if len(value) == 1:
        return f"with {_with_article(words)} perspective"
    return f"with {words} perspectives"


def own_sentence(key: str, value: Any, rng: random.Random) -> str:
    """The attribute as a sentence of its own, following the main one."""
    if key == "release_year":
        return rng.choice(("It came out in {v}.", "It was released in {v}.")).format(v=value)
    if key == "developer":
        pick = ("It was developed by {v}.", "{v} made it.", "The developer is {v}.")
        return rng.choice(pick).format(v=value)
    if key == "platforms":
        pick = ("You can play it on {v}.", "It is available on {v}.", "It runs on {v}.")
        return rng.choice(pick).format(v=_platforms(rng, value))
    if key == "esrb":
        pick = ("It is rated {v} by the ESRB.", "The ESRB rated it {v}.")
        return rng.choice(pick).format(v=rng.choice(ESRB_WORDS[value]))
    if key == "has_multiplayer":
        yes = ("It has a multiplayer mode.", "You can play it with friends online.")
        no = ("It is single-player only.", "There is no multiplayer.")
        return rng.choice(yes if value else no)
    if key == "player_perspective":
        return f"You play it from a {_perspectives(rng, value)} perspective."
    if key == "rating":
        pick = ("Players rate it as {v}.", "Most reviews call it {v}.")
        return rng.choice(pick).format(v=rng.choice(RATING_WORDS[value]))
    return f"It is {_with_article(join_words(list(value)) + ' game')}."  # genres


def _with_article(phrase: str) -> str:
    return f"{article(phrase)} {phrase}"


def noun_phrase(attrs: dict[str, Any], rng: random.Random, det: str | None) -> str:
    """'an excellent 2017 strategy game by X, available on PC' (det 'a'), 'the ...', or a plural
    without article (det None)."""
    pre_keys = [k for k in PRE_ORDER if k in attrs and (k in PRE_ONLY or rng.random() < 0.6)]
    post_keys = [k for k in sorted(attrs) if k not in pre_keys]
    rng.shuffle(post_keys)
    pre = [pre_words(k, attrs[k], rng) for k in pre_keys]
    post = [post_words(k, attrs[k], rng) for k in post_keys]
    head = rng.choice(("game", "video game", "title"))
    core = " ".join([*pre, head if det else head + "s"])
    text = core + (" " + ", ".join(post) if post else "")
    if det == "a":
        return _with_article(text)
    return f"the {text}" if det == "the" else text


def realise(mr: dict[str, Any], rng: random.Random) -> str:
    """One sentence (sometimes followed by short ones) saying exactly the attributes of the MR."""
    act, name = mr["dialogue_act"], mr["name"]
    attrs = {k: v for k, v in mr.items() if k not in ("dialogue_act", "name")}
    if act == "verify_attribute":
        lead = rng.choice(VERIFY_LEADS).format(name=name)
        return f"{lead} {rng.choice(VERIFY_QUESTIONS).format(np=noun_phrase(attrs, rng, None))}"
    alone: dict[str, Any] = {}
    if act in LOOSE_ACTS:
        keep = {"rating"} if act == "give_opinion" else set()
        alone = {k: v for k, v in attrs.items() if k not in keep and rng.random() < 0.3}
    inline = {k: v for k, v in attrs.items() if k not in alone}
    det = "the" if act in ("confirm", "request") else "a"
    np = noun_phrase(inline, rng, det)
    app = f", {np}" if inline else ""
    main = rng.choice(FRAMES[act]).format(name=name, np=np, app=app)
    extra = [own_sentence(k, alone[k], rng) for k in rng.sample(sorted(alone), len(alone))]
    return " ".join([main, *extra])
