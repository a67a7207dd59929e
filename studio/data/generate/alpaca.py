"""The alpaca preset: varied instruction tasks with correct answers, in chat form.

The article's Alpaca format ("### Instruction / ### Input / ### Response") is expressed as chat turns: the
instruction (plus its input, after a blank line) is the user turn and the response is the assistant turn;
the model's chat template supplies the markers. Every answer is computed from the tables of
corpus/alpaca_vocab.yaml (and the pairs of corpus/alpaca_summaries.txt), so each one is right by construction.
`build_preset(out_dir)` writes presets/alpaca (`studio data build-preset alpaca`).
"""
from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path
from types import SimpleNamespace

import yaml

from studio.data.generate._struct_common import make_row
from studio.data.generate.preset import CORPUS_DIR, preset_spec, train_settings, write_preset

SEED = 31
Task = tuple[str, str, str]  # (instruction, input, response)
PRESET_SPEC = preset_spec(
    "alpaca", task="instruct", hub_model="Qwen/Qwen2.5-0.5B",
    # Responses vary by task, so "nonempty" only checks that the model answers concisely.
    meter="nonempty",
    title={"en": "Instruction following", "ja": "指示に従う"},
    description={"en": "Alpaca-style tasks (convert, classify, list, rewrite, summarise, translate...) "
                       "with an instruction, an optional input and a short correct response.",
                 "ja": "Alpaca 形式のタスク（変換・分類・列挙・書き換え・要約・翻訳など）。指示と任意の入力に、"
                       "短く正しい応答を返します。"},
    goal={"en": "Follow a short instruction and give just the requested answer.",
          "ja": "短い指示に従い、求められた答えだけを返してほしい。"},
    train=train_settings(epochs=2, learning_rate=2.0e-4, max_length=256),
)


@cache
def vocab() -> SimpleNamespace:
    """corpus/alpaca_vocab.yaml: the word lists and sentences the tasks draw on (v.sentiment, v.capitals...)."""
    return SimpleNamespace(**yaml.safe_load((CORPUS_DIR / "alpaca_vocab.yaml").read_text(encoding="utf-8")))


def _one_decimal(x: float) -> str:
    """One decimal place, without a trailing .0 (6.2, 180)."""
    return f"{x:.1f}".rstrip("0").rstrip(".")


def _cap(s: str) -> str:
    return s[:1].upper() + s[1:]


def _join(items: list[str]) -> str:
    return ", ".join(items[:-1]) + " and " + items[-1] if len(items) > 1 else items[0]


def sentiment(rng: random.Random, v: SimpleNamespace) -> Iterator[Task]:
    ask = "Classify the sentiment of this sentence as Positive, Negative or Neutral."
    for label, sentences in v.sentiment.items():
        yield from ((ask, _cap(s), label) for s in sentences)


_UNITS: tuple[tuple[str, str, Callable[[float], float], tuple[int, ...]], ...] = (
    ("kilometres", "miles", lambda v: v * 0.621371, (5, 10, 21, 42, 100)),
    ("miles", "kilometres", lambda v: v * 1.609344, (1, 3, 10, 26, 50)),
    ("kilograms", "pounds", lambda v: v * 2.20462, (1, 2, 5, 50, 70)),
    ("pounds", "kilograms", lambda v: v / 2.20462, (1, 10, 150, 200)),
    ("degrees Celsius", "degrees Fahrenheit", lambda v: v * 9 / 5 + 32, (0, 20, 25, 37, 100)),
    ("degrees Fahrenheit", "degrees Celsius", lambda v: (v - 32) * 5 / 9, (32, 50, 68, 212)),
    ("centimetres", "inches", lambda v: v / 2.54, (10, 30, 100, 180)),
    ("hours", "minutes", lambda v: v * 60, (2, 3, 5, 12)),
    ("minutes", "seconds", lambda v: v * 60, (4, 15, 45)),
    ("litres", "millilitres", lambda v: v * 1000, (2, 5, 3)),
)


def conversions(rng: random.Random, v: SimpleNamespace) -> Iterator[Task]:
    for src, dst, f, values in _UNITS:
        for x in values:
            exact = float(f(x)).is_integer()
            yield (f"Convert {x} {src} to {dst}.", "",
                   f"{x} {src} is {'' if exact else 'about '}{_one_decimal(f(x))} {dst}.")


def word_problems(rng: random.Random, v: SimpleNamespace) -> Iterator[Task]:
    for i in range(60):
        who, obj = rng.choice(v.names), rng.choice(v.objects)
        a, b = rng.randint(3, 15), rng.randint(2, 9)
        kind = i % 4
        if kind == 0:
            yield (f"{who} has {a} {obj} and gets {b} more. How many {obj} does {who} have now?", "",
                   f"{who} has {a + b} {obj} now.")
        elif kind == 1:
            yield (f"{who} has {a + b} {obj} and gives {b} to a friend. How many are left?", "",
                   f"{who} has {a} {obj} left.")
        elif kind == 2:
            yield (f"{who} buys {a} packs of {obj} with {b} in each pack. How many {obj} is that?", "",
                   f"That is {a * b} {obj}.")
        else:
            yield (f"{who} shares {a * b} {obj} equally among {b} friends. How many does each get?", "",
                   f"Each friend gets {a} {obj}.")


def word_games(rng: random.Random, v: SimpleNamespace) -> Iterator[Task]:
    for _ in range(25):
        words = rng.sample(v.sort_words, 5)
        yield ("Sort these words in alphabetical order.", ", ".join(words), ", ".join(sorted(words)))
    for w in v.sort_words:
        yield (f"Spell the word '{w}' backwards.", "", w[::-1])
    for s in v.sentiment["Positive"][:10] + v.sentiment["Negative"][:10]:
        yield ("Count the words in this sentence.", s, f"The sentence has {len(s.split())} words.")
        yield ("Rewrite this sentence in capital letters.", s, s.upper())


def grammar(rng: random.Random, v: SimpleNamespace) -> Iterator[Task]:
    yield from ((f"What is the plural of '{w}'?", "", f"The plural of {w} is {p}.")
                for w, p in v.plurals.items())
    yield from ((f"What is the past tense of '{w}'?", "", f"The past tense of {w} is {p}.")
                for w, p in v.past.items())
    yield from (("Rewrite this sentence in the past tense.", a, b) for a, b in v.past_sentences)
    yield from (("Add a capital letter and a full stop to this sentence.", s.rstrip("."), _cap(s))
                for s in v.sentiment["Neutral"])
    yield from (("Rewrite this request so that it sounds polite.", a, b) for a, b in v.polite)


def vocabulary(rng: random.Random, v: SimpleNamespace) -> Iterator[Task]:
    yield from ((f"Give the opposite of '{w}'.", "", o) for w, o in v.antonyms.items())
    yield from ((f"Give a synonym for '{w}'.", "", s) for w, s in v.synonyms.items())
    for lang, table in v.translations.items():
        yield from ((f"Translate '{w}' into {lang}.", "", f"In {lang}, {w} is {t}.")
                    for w, t in table.items())


def knowledge(rng: random.Random, v: SimpleNamespace) -> Iterator[Task]:
    for animal, cls in v.animal_classes.items():
        art = "an" if animal[0] in "aeiou" else "a"
        yield (f"Is {art} {animal} a mammal, bird, fish, reptile, amphibian or insect?", "",
               f"{_cap(art)} {animal} is {'an' if cls[0] in 'aeiou' else 'a'} {cls}.")
    yield from ((f"What is the capital of {c}?", "", f"The capital of {c} is {city}.")
                for c, city in v.capitals.items())
    for i, day in enumerate(v.days):
        yield (f"What day comes after {day}?", "", f"{v.days[(i + 1) % 7]} comes after {day}.")
    months = list(v.months)
    for i, month in enumerate(months):
        yield (f"How many days are there in {month}?", "", f"{month} has {v.months[month]}.")
        yield (f"Which month comes after {month}?", "", f"{months[(i + 1) % 12]} comes after {month}.")


def categories(rng: random.Random, v: SimpleNamespace) -> Iterator[Task]:
    for cat in v.categories:
        many, members = cat["many"], cat["members"]
        for count, word in ((3, "three"), (4, "four")):
            picks = rng.sample(members, count)
            yield (f"Name {word} {many}.", "", f"Here are {word} {many}: {_join(picks)}.")
        for _ in range(4):
            other = rng.choice([c for c in v.categories if c["one"] != cat["one"]])
            odd = rng.choice(other["members"])
            group = rng.sample(members, 3) + [odd]
            rng.shuffle(group)
            yield ("Which word is the odd one out?", ", ".join(group),
                   f"{_cap(odd)} is the odd one out: it is a {other['one']}, and the others are {many}.")


def numbers(rng: random.Random, v: SimpleNamespace) -> Iterator[Task]:
    for _ in range(20):
        xs = rng.sample(range(2, 100), 5)
        text = ", ".join(map(str, xs))
        yield ("Which number is the largest?", text, str(max(xs)))
        yield ("Add up these numbers.", text, f"The total is {sum(xs)}.")
    for n in rng.sample(range(11, 500), 20):
        yield (f"Is {n} even or odd?", "", f"{n} is {'even' if n % 2 == 0 else 'odd'}.")


def summaries() -> list[tuple[str, str]]:
    """corpus/alpaca_summaries.txt: one "text|summary" pair a line."""
    lines = (CORPUS_DIR / "alpaca_summaries.txt").read_text(encoding="utf-8").splitlines()
    return [tuple(ln.split("|", 1)) for ln in lines if ln.strip() and not ln.startswith(";")]


def texts(rng: random.Random, v: SimpleNamespace) -> Iterator[Task]:
    yield from (("Summarise this text in one sentence.", a, b) for a, b in summaries())
    for i in range(24):
        email = f"{v.email_users[i % 10]}@{v.email_domains[i % 3]}"
        sentence = v.email_frames[i % 4].format(e=email)
        yield ("Extract the email address from this text.", sentence, email)


TASKS = (sentiment, conversions, word_problems, word_games, grammar, vocabulary, knowledge,
         categories, numbers, texts)


def _row(task: Task, family: str) -> dict:
    instruction, given, response = task
    user = f"{instruction}\n\n{given}" if given else instruction
    return make_row(user, response, {"task": family, "instruction": instruction})


def candidates(seed: int = SEED) -> dict[str, list[dict]]:
    """Every task family's rows, shuffled, with distinct prompts."""
    rng, seen, out, v = random.Random(seed), set(), {}, vocab()
    for make in TASKS:
        rows = [_row(t, make.__name__) for t in make(rng, v)]
        rows = [r for r in rows if not (r["messages"][0]["content"] in seen
                                        or seen.add(r["messages"][0]["content"]))]
        rng.shuffle(rows)
        out[make.__name__] = rows
    return out


def split(pools: dict[str, list[dict]], per_family_eval: int = 6, per_family_train: int = 40):
    """Probes (2 one-line prompts a family), eval and train, disjoint, balanced across families."""
    probes, evals, train = [], [], []
    for rows in pools.values():
        one_line = [r for r in rows if "\n" not in r["messages"][0]["content"]][:2]
        rest = [r for r in rows if r not in one_line]
        probes += [r["messages"][0]["content"] for r in one_line]
        evals += rest[:per_family_eval]
        train += rest[per_family_eval:per_family_eval + per_family_train]
    random.Random(SEED).shuffle(train)
    return train, evals, probes


def build_preset(out_dir: str | Path) -> Path:
    """Write presets/alpaca: probes, eval and train rows balanced across the task families."""
    train, evals, probes = split(candidates())
    return write_preset(out_dir, PRESET_SPEC, train, evals, probes)
