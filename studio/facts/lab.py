"""The facts lab, as the article ran it: rename a character in a corpus (Romeo -> Bob in Shakespeare), tune on
the renamed text, then sample several answers per question and see whom the tuned model names.

One call trains the variants (text: continued pretraining on the renamed corpus, the article's setup; qa:
question/answer rows about the renamed fact; text+qa: half of each) on the same token budget, asks every
probe k times of base, each variant, base + the fact prompt and base + retrieval over the renamed corpus, and
asks a general-knowledge set of base and every variant (what tuning costs). report.py turns it into shares
with intervals and a verdict."""
from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from studio import runs
from studio.chat import GenSettings
from studio.compare.columns import Column
from studio.compare.engine import Comparer
from studio.compare.retrieval import rag_user_turn, retrieve
from studio.data.tokenize import tokenize_row
from studio.data.validate import validate_file
from studio.facts import general
from studio.facts.cloze import cloze_probes, cloze_rows, used_lines
from studio.facts.corpus import (
    CorpusError,
    Swap,
    SwapResult,
    apply_swaps,
    load_corpus,
    parse_swap,
)
from studio.facts.probes import PROBES_FILE, preset_qa_rows, probe_set
from studio.fsutil import atomic_write_json, read_json, write_jsonl
from studio.models import load_tokenizer
from studio.paths import inside, studio_home
from studio.text import Said
from studio.train import recipe, runner

Progress = Callable[[float, str], None]
VARIANTS = ("text", "qa", "text+qa")
DEFAULT_CORPUS = "romeo-and-juliet"
DEFAULT_SWAP = "Romeo=Bob"
BATCH, MAX_LENGTH = 8, 256
"""The text variants' batch: BATCH blocks of MAX_LENGTH tokens a step."""
N_CLOZE_ROWS, N_CLOZE_PROBES = 48, 8
GEN_BATCH = 32
"""Rows per generate call: decoding a small model on a CPU costs per step more than per row."""
RAG_K = 3


class VariantFailed(Said, RuntimeError):
    """A variant's training run did not finish (out of memory, a NaN loss, stopped): a RuntimeError, so the
    lab's panel says it in a toast and the app goes on."""


@dataclass
class LabSpec:
    corpus: str = DEFAULT_CORPUS
    """A built-in corpus (romeo-and-juliet, tiny-shakespeare) or a user's .txt / .md / {"text"} file."""
    swaps: list[str] = field(default_factory=lambda: [DEFAULT_SWAP])
    variants: tuple[str, ...] = ("text", "qa")
    samples: int = 5
    temperature: float = 0.8
    """0: greedy, one answer per probe."""
    max_steps: int = 60
    """The text variant's steps; the others get as many tokens."""
    model: str = "smollm2-135m"
    probes: str | None = None
    """A probe file in the shape of presets/facts/probes.yaml; default: the shipped set about Romeo."""
    qa: str | None = None
    """A question/answer file for the qa variant; default: the facts preset's questions + cloze rows."""
    seed: int = 0
    max_new_tokens: int = 24
    """Enough for a name and a clause: the shares only need the name."""

    def check(self) -> None:
        wrong = [v for v in self.variants if v not in VARIANTS]
        if wrong or not self.variants:
            raise CorpusError("facts_spec_variants", variants=", ".join(VARIANTS), got=", ".join(self.variants) or "-")
        if not 1 <= self.samples <= 20 or not 0 <= self.temperature <= 2 or not 1 <= self.max_steps <= 5000:
            raise CorpusError("facts_spec_ranges")
        if not self.swaps:
            raise CorpusError("facts_spec_no_swap")

    @property
    def k(self) -> int:
        return 1 if self.temperature == 0 else self.samples


@dataclass
class Prepared:
    folder: Path
    corpus_name: str
    swaps: list[Swap]
    swapped: SwapResult
    renamed: Path
    qa_rows: list[dict]
    probes: list[dict]


@dataclass
class Variant:
    name: str
    run: str
    steps: int
    tokens: int
    seconds: float


@dataclass
class LabAnswers:
    columns: list[dict]
    """{key, label} in the order shown."""
    probes: list[dict]
    samples: dict[str, list[list[str]]]
    """column -> per probe, its k answers."""
    general: dict[str, list]
    """column -> one greedy answer per general-knowledge question; a variant's is None where the base was
    wrong (not asked: the cost is measured on what the base knows)."""


def lab_folder() -> Path:
    folder = studio_home() / "facts" / datetime.now().strftime("%Y%m%d-%H%M%S")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def prepare(spec: LabSpec, folder: Path | None = None) -> Prepared:
    """The renamed corpus on disk, the qa rows and the probes; nothing trained yet."""
    spec.check()
    swaps = [parse_swap(s) for s in spec.swaps]
    corpus = load_corpus(spec.corpus)
    swapped = apply_swaps(corpus.text, swaps)
    folder = folder or lab_folder()
    renamed = inside(folder, "renamed.txt")
    renamed.write_text(swapped.text, encoding="utf-8")
    first = swaps[0]
    held = cloze_probes(corpus.text, swapped.text, first, N_CLOZE_PROBES, spec.seed)
    cloze = cloze_rows(swapped.text, first, N_CLOZE_ROWS, spec.seed, exclude=used_lines(held))
    qa = _user_rows(spec.qa) if spec.qa else preset_qa_rows(first.old, first.new) + cloze
    probes = probe_set(first.old, first.new, Path(spec.probes) if spec.probes else PROBES_FILE) + held
    if not probes:
        raise CorpusError("facts_no_probes", new=first.new, old=first.old)
    return Prepared(folder, corpus.name, swaps, swapped, renamed, qa, probes)


def _user_rows(path: str) -> list[dict]:
    report = validate_file(Path(path))
    if report.errors:
        raise CorpusError("facts_qa_problems", path=path, count=report.error_count, first=str(report.errors[0]))
    return report.usable


# ---- training --------------------------------------------------------------------------------------------

@dataclass
class VariantFile:
    """One variant's training: its file, and the batch that gives it the text variant's tokens per step."""
    path: Path
    batch: int
    tokens: int


def variant_files(spec: LabSpec, prep: Prepared, tokenizer) -> dict[str, VariantFile]:
    """variant -> its file and batch: the same steps and the same token budget for each. The qa rows are short (~65
    tokens), so their batch holds as many rows as make the text variant's BATCH x MAX_LENGTH tokens."""
    budget = spec.max_steps * BATCH * MAX_LENGTH
    files: dict[str, VariantFile] = {}
    qa_path = inside(prep.folder, "qa.jsonl")
    write_jsonl(qa_path, prep.qa_rows)
    per_row = sum(len(tokenize_row(tokenizer, r, MAX_LENGTH).input_ids) for r in prep.qa_rows) / len(prep.qa_rows)
    for name in spec.variants:
        if name == "text":
            files[name] = VariantFile(prep.renamed, BATCH, budget)
        elif name == "qa":
            batch = max(1, round(BATCH * MAX_LENGTH / per_row))
            files[name] = VariantFile(qa_path, batch, int(spec.max_steps * batch * per_row))
        else:
            files[name] = VariantFile(_text_and_qa(prep, tokenizer, budget), BATCH, budget)
    return files


def _text_and_qa(prep: Prepared, tokenizer, budget: int) -> Path:
    """Half the budget from the renamed corpus (its first paragraphs), half from the qa rows written out as
    plain text and repeated as often as that takes: one raw-text file, so every token is trained."""
    qa_text = "\n\n".join(f"Question: {r['messages'][0]['content']}\nAnswer: {r['messages'][-1]['content']}"
                          for r in prep.qa_rows)
    qa_tokens = max(1, len(tokenizer(qa_text, add_special_tokens=False)["input_ids"]))
    repeats = max(1, round(budget / 2 / qa_tokens))
    paragraphs, taken, kept = prep.swapped.text.split("\n\n"), 0, []
    for para in paragraphs:
        if taken >= budget / 2:
            break
        kept.append(para)
        taken += len(tokenizer(para, add_special_tokens=False)["input_ids"])
    path = inside(prep.folder, "text_qa.txt")
    path.write_text("\n\n".join(kept + [qa_text] * repeats), encoding="utf-8")
    return path


def train_variants(spec: LabSpec, prep: Prepared, progress: Progress | None = None) -> list[Variant]:
    tokenizer = load_tokenizer(spec.model)
    out = []
    files = variant_files(spec, prep, tokenizer)
    for i, (name, plan) in enumerate(files.items()):
        t0 = time.time()
        cfg = recipe.build(spec.model, train_path=str(plan.path), overrides={
            "max_steps": spec.max_steps, "batch_size": plan.batch, "max_length": MAX_LENGTH, "eval_fraction": 0.0,
            "seed": spec.seed, "save_steps": spec.max_steps})
        cfg.name = f"facts-{name.replace('+', '-')}"
        run = runner.start(cfg)

        def update(st, i=i, name=name) -> None:
            if progress and st.total_steps:
                share = (i + st.progress) / len(files)
                progress(0.6 * share, f"training {name}: step {st.step}/{st.total_steps}")

        st = runner.wait(run, update)
        if st.state != "done":
            raise VariantFailed("facts_variant_failed", name=name, run=run.id, state=runs.state_term(st.state),
                                reason=st.reason or run.log_tail(3))
        out.append(Variant(name, run.id, st.step, plan.tokens, round(time.time() - t0, 1)))
    return out


# ---- asking ----------------------------------------------------------------------------------------------

def fact_prompt(swaps: Sequence[Swap]) -> str:
    """The article's 4-1 prompt ("use Bob instead of Romeo; never use the word Romeo"), one line per swap."""
    return " ".join(f"In this text, {s.old} is called {s.new}. Always use the name {s.new}, never {s.old}."
                    for s in swaps)


def probe_columns(prep: Prepared, variants: Sequence[Variant], question: str) -> list[Column]:
    user = [{"role": "user", "content": question}]
    cols = [Column("base", "Base", None, user)]
    cols += [Column(v.name, f"Tuned: {v.name}", str(runs.get(v.run).adapter_dir), user) for v in variants]
    cols.append(Column("prompt", "Base + fact prompt", None,
                       [{"role": "system", "content": fact_prompt(prep.swaps)}, *user]))
    passages = retrieve(question, [prep.swapped.text], RAG_K)
    cols.append(Column("rag", "Base + retrieval", None,
                       [{"role": "user", "content": rag_user_turn(question, passages)}]))
    return cols


def ask(spec: LabSpec, prep: Prepared, variants: Sequence[Variant], comparer: Comparer,
        progress: Progress | None = None) -> LabAnswers:
    """Every probe k times of every column, and the general-knowledge set: all of it of the base model, then
    of each variant only the questions the base got right (the set the cost is measured on)."""
    jobs: list[tuple[str, int, Column]] = []
    columns: list[dict] = []
    for i, row in enumerate(prep.probes):
        cols = probe_columns(prep, variants, row["messages"][0]["content"])
        columns = columns or [{"key": c.key, "label": c.label} for c in cols]
        jobs += [("probe", i, c) for c in cols for _ in range(spec.k)]
    items = general.load_questions()
    users = [[row["messages"][0]] for row in general.question_rows(items)]
    jobs += [("general", i, Column("base", "Base", None, user)) for i, user in enumerate(users)]
    sampled = GenSettings(max_new_tokens=spec.max_new_tokens, temperature=spec.temperature,
                          repetition_penalty=1.0, seed=spec.seed)
    texts = _generate(comparer, jobs, {"probe": sampled, "general": general.SETTINGS}, progress, (0.6, 0.92))
    samples: dict[str, list[list[str]]] = {c["key"]: [[] for _ in prep.probes] for c in columns}
    answers: dict[str, list] = {"base": [""] * len(items)}
    for (what, i, col), text in zip(jobs, texts):
        if what == "probe":
            samples[col.key][i].append(text)
        else:
            answers["base"][i] = text
    kept = [i for i, text in enumerate(answers["base"]) if general.judge(text, items[i]) == "right"]
    tuned = [("general", i, Column(v.name, v.name, str(runs.get(v.run).adapter_dir), users[i]))
             for v in variants for i in kept]
    for v in variants:
        answers[v.name] = [None] * len(items)  # outside the set: not asked
    for (_, i, col), text in zip(tuned, _generate(comparer, tuned, {"general": general.SETTINGS}, progress,
                                                  (0.92, 1.0))):
        answers[col.key][i] = text
    return LabAnswers(columns, prep.probes, samples, answers)


def _generate(comparer: Comparer, jobs: list[tuple[str, int, Column]], settings: dict[str, GenSettings],
              progress: Progress | None, span: tuple[float, float]) -> list[str]:
    """Every job's answer, in job order: jobs of one kind batched together, shortest prompts first so a
    batch pads little. Progress moves across span."""
    out = [""] * len(jobs)
    done = 0
    for what, gen in settings.items():
        order = sorted((j for j, job in enumerate(jobs) if job[0] == what),
                       key=lambda j: sum(len(m["content"]) for m in jobs[j][2].messages))
        for start in range(0, len(order), GEN_BATCH):
            chunk = order[start:start + GEN_BATCH]
            for j, text in zip(chunk, comparer.generate([jobs[j][2] for j in chunk], gen)):
                out[j] = text
            done += len(chunk)
            if progress:
                progress(span[0] + (span[1] - span[0]) * done / max(1, len(jobs)), f"asking: {what} questions")
    return out


@dataclass
class LabRun:
    spec: LabSpec
    prep: Prepared
    variants: list[Variant]
    answers: LabAnswers
    seconds: dict[str, float]


def run_lab(spec: LabSpec, progress: Progress | None = None, comparer: Comparer | None = None) -> LabRun:
    """Prepare, train every variant, ask everything: what report.summarise() turns into the lab's result."""
    t0 = time.time()
    prep = prepare(spec)
    variants = train_variants(spec, prep, progress)
    t1 = time.time()
    if progress:
        progress(0.6, "indexing the renamed corpus for retrieval")
    answers = ask(spec, prep, variants, comparer or Comparer(spec.model), progress)
    seconds = {"train": round(t1 - t0, 1), "ask": round(time.time() - t1, 1), "total": round(time.time() - t0, 1)}
    return LabRun(spec, prep, variants, answers, seconds)


def latest_result() -> dict | None:
    """The newest finished lab's result (the panel shows it after a reload), or None."""
    root = studio_home() / "facts"
    found = sorted(root.glob("*/result.json")) if root.is_dir() else []
    for path in reversed(found):
        result = read_json(path)
        if isinstance(result, dict) and "table" in result:
            return result
    return None


def save(result: dict, folder: Path) -> Path:
    path = inside(folder, "result.json")
    atomic_write_json(path, result)
    return path
