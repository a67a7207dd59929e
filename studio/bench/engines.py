"""The generation section's engines, in one run: the studio's answer path on each engine (torch, llama.cpp),
and llama.cpp itself (llama-cpp-python's own Llama and its own greedy loop, no studio code) on the same
weights: the base GGUF at f16, and at q8_0 for reference, with the same LoRA GGUF. Tokens/s, first-token
time, their ratios, and the greedy agreement of the two engines on a few prompts."""
from __future__ import annotations

import importlib.util
import multiprocessing
import statistics
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from studio import runs
from studio.chat import ChatModel, GenSettings, messages_for, prompt_ids
from studio.compare.engine import Column, Comparer, build_columns, column_ids
from studio.engine import weights
from studio.engine.choose import dtype_of
from studio.engine.llama import threads
from studio.evaluate import meters, run_eval

AGREEMENT_PROMPTS = [
    "Tell me about the weather in spring and what people like to do outside.",
    "Return JSON with a name and an age for a fictional person.",
    "Write two sentences about the sea.",
    "What is the capital of France, and why is it famous?",
    "List three fruits and their colours.",
    "Explain in one sentence what a database index is.",
]


def available() -> bool:
    return importlib.util.find_spec("llama_cpp") is not None


def one_answer(model: str, adapter: str, engine: str, tokens: int, repeats: int, prompt: str) -> dict[str, Any]:
    """The studio's Compare path on one engine: the tuned answer alone, then base + tuned side by side."""
    comparer = Comparer(model, engine=engine)
    msgs = messages_for(prompt)
    base, tuned = Column("base", "Base", None, msgs), Column("tuned", "Tuned", adapter, msgs)
    settings = GenSettings(max_new_tokens=tokens, temperature=0.0)
    timed(comparer, [base, tuned], settings, tokens)  # warm-up: GGUF files, adapter loads, allocations
    single = [timed(comparer, [tuned], settings, tokens) for _ in range(repeats)]
    both = [timed(comparer, [base, tuned], settings, tokens) for _ in range(repeats)]
    first, alone, n = (statistics.median(s[i] for s in single) for i in range(3))
    side = statistics.median(b[1] for b in both)
    return {"engine": comparer.last_engine.label if comparer.last_engine else engine,
            "first_token_s": round(first, 3),
            "tokens_per_s": round((n - 1) / max(1e-9, alone - first), 2) if n > 1 else None,
            "single_s": round(alone, 3), "side_by_side_s": round(side, 3), "ratio": round(side / alone, 3),
            "new_tokens": int(n)}


def timed(comparer: Comparer, columns: list[Column], settings: GenSettings, tokens: int) -> tuple:
    """(seconds to the first visible text, seconds in all, new tokens of the longest column)."""
    t0 = time.perf_counter()
    first = None
    for texts in comparer.stream(columns, settings, min_new_tokens=tokens):
        if first is None and any(texts):
            first = time.perf_counter() - t0
    total = time.perf_counter() - t0
    n = max((len(ids) for ids in comparer.last_token_ids), default=0)
    return (first if first is not None else total), total, n


def llama_itself(model: str, adapter: str, gguf_type: str, tokens: int, repeats: int, prompt: str) -> dict:
    """llama-cpp-python's Llama on the base GGUF with the LoRA GGUF: its own greedy loop (top_k=1), timed from
    the prompt ids in to `tokens` new tokens out, as a user of llama.cpp would run it."""
    comparer = Comparer(model, engine="torch")  # for its tokenizer and its dtype only
    ids = prompt_ids(comparer.chat.tokenizer, messages_for(prompt))
    base = weights.base_gguf(model, gguf_type)
    lora = weights.adapter_gguf(Path(adapter), model)
    # In a process of its own, as a user runs it: in this one, torch's OpenMP team (the model loaded above) would
    # sit beside llama.cpp's and slow it (measured 43 tokens/s here against 80 alone)
    spawn = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(1, mp_context=spawn) as pool:
        runs = pool.submit(_llama_alone, str(base), str(lora), ids, tokens, repeats).result()
    first, total = statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs)
    return {"weights": gguf_type, "first_token_s": round(first, 3),
            "tokens_per_s": round((tokens - 1) / max(1e-9, total - first), 2), "single_s": round(total, 3)}


def _llama_alone(base: str, lora: str, ids: list[int], tokens: int, repeats: int) -> list[tuple[float, float]]:
    from llama_cpp import Llama

    llm = Llama(model_path=base, lora_path=lora, n_ctx=1024, n_threads=threads(), n_threads_batch=threads(),
                verbose=False)
    _llama_run(llm, ids, 4)  # warm-up
    return [_llama_run(llm, ids, tokens) for _ in range(repeats)]


def _llama_run(llm: Any, ids: list[int], tokens: int) -> tuple[float, float]:
    llm.reset()
    t0 = time.perf_counter()
    first = None
    for n, _ in enumerate(llm.generate(ids, top_k=1, temp=0.0, repeat_penalty=1.0, reset=True), start=1):
        if first is None:
            first = time.perf_counter() - t0
        if n >= tokens:
            break
    return first or 0.0, time.perf_counter() - t0


def agreement(model: str, adapter: str, tokens: int = 32, prompts: list[str] = AGREEMENT_PROMPTS) -> dict:
    """Greedy answers of both engines, token for token, on a few prompts (the tuned adapter)."""
    settings = GenSettings(max_new_tokens=tokens, temperature=0.0)
    ids = {}
    for engine in ("torch", "llama.cpp"):
        comparer = Comparer(model, engine=engine)
        columns = [Column(f"p{i}", "Tuned", adapter, messages_for(p)) for i, p in enumerate(prompts)]
        comparer.generate(columns, settings)
        ids[engine] = comparer.last_token_ids
    same = sum(a == b for a, b in zip(ids["torch"], ids["llama.cpp"]))
    return {"prompts": len(prompts), "same": same, "share": round(same / len(prompts), 3), "tokens": tokens}


def engines(model: str, adapter: str, tokens: int, repeats: int, prompt: str) -> dict[str, Any]:
    """Every figure of the section; without llama-cpp-python, the torch path's alone (and the reason)."""
    out: dict[str, Any] = {"torch": one_answer(model, adapter, "torch", tokens, repeats, prompt)}
    if not available():
        return {**out, "note": "llama-cpp-python is not installed: llama.cpp not measured"}
    out["llama.cpp"] = one_answer(model, adapter, "llama.cpp", tokens, repeats, prompt)
    out["llama_cpp_itself"] = {t: llama_itself(model, adapter, t, tokens, repeats, prompt) for t in ("f16", "q8_0")}
    out["agreement"] = agreement(model, adapter)
    studio, itself, torch = (out["llama.cpp"]["tokens_per_s"], out["llama_cpp_itself"]["f16"]["tokens_per_s"],
                             out["torch"]["tokens_per_s"])
    out["ratios"] = {"studio_llama_over_llama_itself_f16": round(studio / itself, 3) if itself else None,
                     "studio_llama_over_torch": round(studio / torch, 3) if torch else None,
                     "threads": threads()}
    return out


def heldout_agreement(run_id: str, limit: int = 60, batch_size: int = 16, dtype: str = "auto") -> dict[str, Any]:
    """The run's held-out prompts answered greedily by the tuned model as Evaluate answers them (its settings,
    its batches), once by each engine: the share of identical answers, the run's meter on each engine's answers,
    and for each answer that differs the first differing token with the torch path's top-2 logit gap there (a
    near-tie is a small gap). `dtype` fp32: torch in fp32 and llama.cpp on an f32 GGUF (neither rounds to 16 bits)."""
    run = runs.get(run_id)
    rows = run_eval.eval_rows(run, limit)
    kind, meter_id = run_eval.meter_for(run, rows)
    model = run.config().model.name
    chat = ChatModel(model, dtype=dtype) if dtype != "auto" else None
    ids, texts, took = {}, {}, {}
    for engine in ("torch", "llama.cpp"):
        comparer = Comparer(model, engine=engine, chat=chat)
        settings = run_eval.gen_settings(kind, [run_eval.gold(r) for r in rows], comparer.chat.tokenizer)
        t0 = time.perf_counter()
        ids[engine], texts[engine] = _answers(comparer, rows, settings, run_id, batch_size)
        took[engine] = round(time.perf_counter() - t0, 1)
    differ = [_divergence(comparer, rows[i], a, b, run_id)
              for i, (a, b) in enumerate(zip(ids["torch"], ids["llama.cpp"])) if a != b]
    same = len(rows) - len(differ)
    return {"run": run_id, "prompts": len(rows), "same": same, "share": round(same / max(1, len(rows)), 3),
            "max_new_tokens": settings.max_new_tokens, "seconds": took, "torch_dtype": dtype_of(comparer.chat.model),
            "weights": comparer.last_engine.weights if comparer.last_engine else "", "meter": meter_id,
            "scores": {e: meters.score(meter_id, texts[e], rows) for e in texts}, "differ": differ}


def _answers(comparer: Comparer, rows: list[dict], settings: GenSettings, run_id: str,
             batch_size: int) -> tuple[list[list[int]], list[str]]:

    columns = []
    for row in rows:
        prompt, history = run_eval.split_prompt(row)
        columns += build_columns(comparer.model_name, prompt, ["tuned"], run_id=run_id, history=history)
    ids: list[list[int]] = []
    texts: list[str] = []
    for start in range(0, len(columns), batch_size):
        texts += comparer.generate(columns[start:start + batch_size], settings)
        ids += comparer.last_token_ids
    return ids, texts


def _divergence(comparer: Comparer, row: dict, a: list[int], b: list[int], run_id: str) -> dict[str, Any]:
    """Where two answers part, and how close the torch path's top two were there."""
    import torch


    at = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
    prompt, history = run_eval.split_prompt(row)
    column = build_columns(comparer.model_name, prompt, ["tuned"], run_id=run_id, history=history)[0]
    chat = comparer.chat
    name = run_eval._loaded(chat, column.adapter)
    ids = torch.tensor([column_ids(chat.tokenizer, column) + a[:at]])
    with torch.inference_mode(), run_eval._active(chat, name):
        logits = chat.model(input_ids=ids).logits[0, -1].float()
    top = torch.topk(logits, 2)
    tok = chat.tokenizer.decode
    return {"token": at, "of": max(len(a), len(b)), "torch": tok(a[at:at + 1]), "llama.cpp": tok(b[at:at + 1]),
            "top2_gap": round(float(top.values[0] - top.values[1]), 4)}
