"""Rebuild presets/alpaca/: varied instruction tasks with correct answers, in chat form.

Run `python presets/alpaca/build.py`. The article's Alpaca format ("### Instruction / ### Input /
### Response") is expressed as chat turns: the instruction (plus its input, after a blank line) is the
user turn and the response is the assistant turn; the model's chat template supplies the markers.
Every answer is computed from the tables in vocab.py, so each one is right by construction.
"""
from __future__ import annotations

import importlib.util
import random
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))

from studio.data.generate._struct_common import write_preset


def _load_vocab():
    """vocab.py sits beside this script; load it by path so no generic module name is claimed."""
    spec = importlib.util.spec_from_file_location("katachi_alpaca_vocab", HERE / "vocab.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


V = _load_vocab()

SEED = 31
Task = tuple[str, str, str]  # (instruction, input, response)
SPEC = {
    "name": "alpaca",
    "title": {"en": "Instruction following", "ja": "指示に従う"},
    "description": {
        "en": "Alpaca-style tasks (convert, classify, list, rewrite, summarise, translate...) "
              "with an instruction, an optional input and a short correct response.",
        "ja": "Alpaca 形式のタスク（変換・分類・列挙・書き換え・要約・翻訳など）。指示と任意の入力に、"
              "短く正しい応答を返します。",
    },
    "language": "en",
    "task": "instruct",
    # Responses vary by task, so "nonempty" only checks that the model answers concisely.
    "meter": "nonempty",
    "model": "smollm2-135m",
    "hub_model": "Qwen/Qwen2.5-0.5B",
    "system": None,
    "goal": {
        "en": "Follow a short instruction and give just the requested answer.",
        "ja": "短い指示に従い、求められた答えだけを返してほしい。",
    },
    "train": {"epochs": 2, "learning_rate": 2.0e-4, "max_length": 256, "lora_r": 16, "batch_size": 8},
}


def _num(x: float) -> str:
    """One decimal place, without a trailing .0 (6.2, 180)."""
    return f"{x:.1f}".rstrip("0").rstrip(".")


def _cap(s: str) -> str:
    return s[:1].upper() + s[1:]


def _join(items: list[str]) -> str:
    return ", ".join(items[:-1]) + " and " + items[-1] if len(items) > 1 else items[0]


def sentiment(rng: random.Random) -> Iterator[Task]:
    ask = "Classify the sentiment of this sentence as Positive, Negative or Neutral."
    for label, sentences in V.SENTIMENT.items():
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


def conversions(rng: random.Random) -> Iterator[Task]:
    for src, dst, f, values in _UNITS:
        for v in values:
            exact = float(f(v)).is_integer()
            yield (f"Convert {v} {src} to {dst}.", "",
                   f"{v} {src} is {'' if exact else 'about '}{_num(f(v))} {dst}.")


def word_problems(rng: random.Random) -> Iterator[Task]:
    for i in range(60):
        who, obj = rng.choice(V.NAMES), rng.choice(V.OBJECTS)
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


def word_games(rng: random.Random) -> Iterator[Task]:
    for _ in range(25):
        words = rng.sample(V.SORT_WORDS, 5)
        yield ("Sort these words in alphabetical order.", ", ".join(words), ", ".join(sorted(words)))
    for w in V.SORT_WORDS:
        yield (f"Spell the word '{w}' backwards.", "", w[::-1])
    for s in V.SENTIMENT["Positive"][:10] + V.SENTIMENT["Negative"][:10]:
        yield ("Count the words in this sentence.", s, f"The sentence has {len(s.split())} words.")
        yield ("Rewrite this sentence in capital letters.", s, s.upper())


def grammar(rng: random.Random) -> Iterator[Task]:
    yield from ((f"What is the plural of '{w}'?", "", f"The plural of {w} is {p}.")
                for w, p in V.PLURALS.items())
    yield from ((f"What is the past tense of '{w}'?", "", f"The past tense of {w} is {p}.")
                for w, p in V.PAST.items())
    yield from (("Rewrite this sentence in the past tense.", a, b) for a, b in V.PAST_SENTENCES)
    yield from (("Add a capital letter and a full stop to this sentence.", s.rstrip("."), _cap(s))
                for s in V.SENTIMENT["Neutral"])
    yield from (("Rewrite this request so that it sounds polite.", a, b) for a, b in V.POLITE)


def vocabulary(rng: random.Random) -> Iterator[Task]:
    yield from ((f"Give the opposite of '{w}'.", "", o) for w, o in V.ANTONYMS.items())
    yield from ((f"Give a synonym for '{w}'.", "", s) for w, s in V.SYNONYMS.items())
    for lang, table in V.TRANSLATIONS.items():
        yield from ((f"Translate '{w}' into {lang}.", "", f"In {lang}, {w} is {t}.")
                    for w, t in table.items())


def knowledge(rng: random.Random) -> Iterator[Task]:
    for animal, cls in V.ANIMAL_CLASSES.items():
        art = "an" if animal[0] in "aeiou" else "a"
        yield (f"Is {art} {animal} a mammal, bird, fish, reptile, amphibian or insect?", "",
               f"{_cap(art)} {animal} is {'an' if cls[0] in 'aeiou' else 'a'} {cls}.")
    yield from ((f"What is the capital of {c}?", "", f"The capital of {c} is {city}.")
                for c, city in V.CAPITALS.items())
    for i, day in enumerate(V.DAYS):
        yield (f"What day comes after {day}?", "", f"{V.DAYS[(i + 1) % 7]} comes after {day}.")
    months = list(V.MONTHS)
    for i, month in enumerate(months):
        days = V.MONTHS[month] if "days" in V.MONTHS[month] else f"{V.MONTHS[month]} days"
        yield (f"How many days are there in {month}?", "", f"{month} has {days}.")
        yield (f"Which month comes after {month}?", "", f"{months[(i + 1) % 12]} comes after {month}.")


def categories(rng: random.Random) -> Iterator[Task]:
    names = list(V.CATEGORIES)
    for (one, many), members in V.CATEGORIES.items():
        for count, word in ((3, "three"), (4, "four")):
            picks = rng.sample(members, count)
            yield (f"Name {word} {many}.", "", f"Here are {word} {many}: {_join(picks)}.")
        for _ in range(4):
            other = rng.choice([n for n in names if n[0] != one])
            odd = rng.choice(V.CATEGORIES[other])
            group = rng.sample(members, 3) + [odd]
            rng.shuffle(group)
            yield ("Which word is the odd one out?", ", ".join(group),
                   f"{_cap(odd)} is the odd one out: it is a {other[0]}, and the others are {many}.")


def numbers(rng: random.Random) -> Iterator[Task]:
    for _ in range(20):
        xs = rng.sample(range(2, 100), 5)
        text = ", ".join(map(str, xs))
        yield ("Which number is the largest?", text, str(max(xs)))
        yield ("Add up these numbers.", text, f"The total is {sum(xs)}.")
    for n in rng.sample(range(11, 500), 20):
        yield (f"Is {n} even or odd?", "", f"{n} is {'even' if n % 2 == 0 else 'odd'}.")


def summaries() -> list[tuple[str, str]]:
    """summaries.txt: one "text|summary" pair a line."""
    lines = (HERE / "summaries.txt").read_text(encoding="utf-8").splitlines()
    return [tuple(ln.split("|", 1)) for ln in lines if ln.strip() and not ln.startswith(";")]


def texts(rng: random.Random) -> Iterator[Task]:
    yield from (("Summarise this text in one sentence.", a, b) for a, b in summaries())
    for i in range(24):
        email = f"{V.EMAIL_USERS[i % 10]}@{V.EMAIL_DOMAINS[i % 3]}"
        sentence = V.EMAIL_FRAMES[i % 4].format(e=email)
        yield ("Extract the email address from this text.", sentence, email)


TASKS = (sentiment, conversions, word_problems, word_games, grammar, vocabulary, knowledge,
         categories, numbers, texts)


def _row(task: Task, family: str) -> dict:
    instruction, given, response = task
    user = f"{instruction}\n\n{given}" if given else instruction
    return {"messages": [{"role": "user", "content": user}, {"role": "assistant", "content": response}],
            "meta": {"task": family, "instruction": instruction}}


def candidates(seed: int = SEED) -> dict[str, list[dict]]:
    """Every task family's rows, shuffled, with distinct prompts."""
    rng, seen, out = random.Random(seed), set(), {}
    for make in TASKS:
        rows = [_row(t, make.__name__) for t in make(rng)]
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


def build(out_dir: Path = HERE) -> Path:
    train, evals, probes = split(candidates())
    return write_preset(out_dir, SPEC, train, evals, probes)


if __name__ == "__main__":
    print(f"wrote {build()}")
