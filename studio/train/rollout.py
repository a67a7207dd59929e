"""GRPO's answers written by llama.cpp on the CPU, as every other answer of the studio is (studio.engine).

trl samples a GRPO step's K answers per prompt with the torch model's `generate`; on a 2-core CPU that took ~50 s a
step for 4 answers of 48 tokens, most of a step. Here the policy being trained is handed to llama.cpp before each
step's sampling: its LoRA weights saved as the run's live adapter, written again as a LoRA GGUF (a few MB for the
embedded models, under a second), loaded beside the base GGUF that stays in memory. trl then scores and trains on
those token ids exactly as on its own: the loss pass is torch's, so the gradient is the same; only who sampled the
tokens changed. Where llama.cpp cannot answer (a GPU, a 4-bit base, an architecture or adapter it lacks), torch
samples, and the train log says which engine sampled and why."""
from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from studio.engine import EngineError, llama, weights
from studio.engine.choose import Choice, choose
from studio.engine.llama import Job

LIVE = "policy"
"""The run's engine folder keeps the live adapter here (engine/policy), next to its LoRA GGUF."""


@dataclass
class Sampling:
    """GenSettings' shape (studio.engine.sampling reads these fields), from trl's own generation settings."""

    max_new_tokens: int
    temperature: float
    top_p: float
    repetition_penalty: float
    seed: int


class Rollout:
    """The policy's answers through llama.cpp: one base GGUF for the run, the adapter refreshed once per step."""

    def __init__(self, model_name: str, choice: Choice, folder: Path):
        self.model_name, self.choice, self.folder = model_name, choice, folder
        self.step = -1
        self.gguf: Path | None = None
        self.seconds = {"refresh": 0.0, "sample": 0.0}
        self.calls = 0
        """Samplings so far: each draws from its own seed (a step may sample more than once)."""

    def refresh(self, model: Any, step: int) -> Path:
        """The policy's adapter as a LoRA GGUF, written again when the step moved on (the weights changed)."""
        if self.gguf is not None and step == self.step:
            return self.gguf
        began = time.monotonic()
        model.save_pretrained(self.folder, safe_serialization=True, selected_adapters=["default"])
        found = weights.adapter_gguf(self.folder, self.model_name)
        if self.gguf is not None and self.gguf != found:
            llama.forget_adapter(self._base(), self.gguf)  # a GGUF a step: the old one would stay in memory
        self.gguf, self.step = found, step
        self.seconds["refresh"] += time.monotonic() - began
        return found

    def _base(self) -> Path:
        return weights.base_gguf(self.model_name, self.choice.weights or "f16", self.choice.through)

    def sample(self, prompt_ids: list[list[int]], settings: Sampling, eos_ids: set[int], top_k: int = 0
               ) -> list[list[int]]:
        """Each prompt's answer ids, ending with the end-of-sequence token it sampled (as trl's own completions
        do), or cut at max_new_tokens."""
        began = time.monotonic()
        ended: list[int | None] = [None] * len(prompt_ids)

        def on_step(tokens: list[int]) -> None:
            for row, token in enumerate(tokens):
                if ended[row] is None and token in eos_ids:
                    ended[row] = token

        job = Job(rows=[list(map(int, p)) for p in prompt_ids], adapters=[self.gguf] * len(prompt_ids),
                  settings=settings, eos_ids=eos_ids, on_step=on_step, top_k=top_k,
                  logits_bf16=self.choice.through == "bf16")
        self.calls += 1
        out = llama.generate(self._base(), job)
        self.seconds["sample"] += time.monotonic() - began
        return [ids + ([ended[row]] if ended[row] is not None else []) for row, ids in enumerate(out)]


QUANTIZED = "a 4-bit base is trained: llama.cpp's 16-bit GGUF would sample another policy"
SEVERAL = "several processes train it"


def sampler(model_name: str, asked: str, device: str, dtype_name: str = "", *, quantized: bool = False,
            processes: int = 1) -> tuple[Choice | None, str]:
    """Who samples a GRPO run's answers, the one rule the plan and the worker share: (llama.cpp's choice, "")
    where it can, else (None, why torch samples). llama.cpp samples the policy only on one process training
    a 16-bit base on the CPU, and where the engine chooser allows it (architecture, engine setting)."""
    if quantized:
        return None, QUANTIZED
    if processes > 1:
        return None, SEVERAL
    try:
        choice = choose(model_name, [], asked=asked, device=device, dtype=dtype_name)
    except EngineError as e:
        return None, str(e)
    return (choice, "") if choice.engine == "llama.cpp" else (None, choice.why)


def plan(model_name: str, asked: str, device: str, dtype_name: str, run_path: Path, *, quantized: bool = False,
         processes: int = 1) -> tuple[Rollout | None, str]:
    """(the rollout, or None where torch samples; the train log's line saying which engine samples and why)."""
    choice, why = sampler(model_name, asked, device, dtype_name, quantized=quantized, processes=processes)
    if choice is None:
        return None, "GRPO answers sampled by torch" + (f" ({why})" if why else "")
    rollout = Rollout(model_name, choice, run_path / "engine" / LIVE)
    return rollout, f"GRPO answers sampled by {choice.label}, the policy's adapter written for it before every step"


def trainer_class():
    """trl's GRPOTrainer with its single-turn sampling handed to a Rollout when it has one (trl's own otherwise)."""
    from trl import GRPOTrainer

    class StudioGRPOTrainer(GRPOTrainer):
        rollout: Rollout | None = None

        def _generate_single_turn(self, prompt_ids, images, multimodal_fields, num_generations,
                                  has_tool_images=False):
            if self.rollout is None or images or multimodal_fields or self.min_p:
                return super()._generate_single_turn(prompt_ids, images, multimodal_fields, num_generations,
                                                     has_tool_images)
            try:
                self.rollout.refresh(self.model, self.state.global_step)
            except EngineError as e:  # e.g. an adapter kind llama.cpp's LoRA cannot reproduce
                print(f"GRPO answers sampled by torch from now on: {e}", flush=True)
                self.rollout = None
                return self._generate_single_turn(prompt_ids, images, multimodal_fields, num_generations)
            settings = Sampling(max_new_tokens=int(self.max_completion_length), temperature=float(self.temperature),
                                top_p=float(self.top_p if self.top_p is not None else 1.0),
                                repetition_penalty=float(self.repetition_penalty or 1.0),
                                seed=int(self.args.seed) * 1_000_003 + self.rollout.calls * 1009)
            began = time.monotonic()
            ids = self.rollout.sample(prompt_ids, settings, set(self.eos_token_ids), int(self.top_k or 0))
            self._metrics["train"]["sampling_s"].append(time.monotonic() - began)  # beside trl's own step time
            return ids, None

    return StudioGRPOTrainer
