"""Chat with a model: one loaded base model (kept in a small cache), optional LoRA adapters toggled
on it, answers generated whole or streamed token by token."""
from __future__ import annotations

import queue
import threading
from collections import OrderedDict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from studio.engine import choose as engine_choose
from studio.engine.choose import Choice
from studio.engine.llama import Job
from studio.models import compute, hf, load_model, load_tokenizer
from studio.models.loader import dtype_name, load_configs, resolve_device
from studio.prompting import (
    MAX_NEW_TOKENS,
    MAX_PROMPT_CHARS,
    GenSettings,
    PromptError,
    check_fits,
    check_prompt,
    clean,
    context_size,
    messages_for,
    prompt_ids,
    render,
)
from studio.text import Said

__all__ = [  # the prompt rules (studio.prompting) are chat's words too: callers import them from here
    "MAX_NEW_TOKENS", "MAX_PROMPT_CHARS", "ChatModel", "GenSettings", "NoAdapter", "PromptError", "check_fits",
    "check_prompt", "clean", "context_size", "eos_ids", "get_chat_model", "held_on", "is_loaded", "messages_for",
    "prompt_ids", "release_device", "render",
]


class NoAdapter(Said, KeyError):
    """An adapter name the chat model has not loaded: a KeyError, as a missing key of its adapters."""


class ChatModel:
    """A base model and its tokenizer; adapters are loaded by name and switched per call."""

    def __init__(self, name: str, *, trust_remote_code: bool = False, dtype: str = "auto"):
        self.name, self.trust_remote_code = name, trust_remote_code
        self.tokenizer = load_tokenizer(name, trust_remote_code=trust_remote_code)
        self.config, self.generation_config = load_configs(name, trust_remote_code=trust_remote_code)
        self.device = resolve_device("auto")
        self.dtype = dtype_name(dtype, self.device)
        """The torch model's device and dtype, known before it is loaded (the engine chooser reads them)."""
        self._model: Any = None
        self.adapters: dict[str, str] = {}
        """Adapter name -> folder; on the torch model once it is loaded."""
        self.lock = threading.Lock()  # one generate at a time on the shared weights
        self.stop_strings = ["\nQ:"] if "'Q: '" in (self.tokenizer.chat_template or "") else []
        self.last_engine: Choice | None = None
        """The engine that wrote the last answer (Try it shows it under the answer)."""

    @property
    def model(self) -> Any:
        """The torch model, loaded on first use: where llama.cpp writes every answer it is never loaded, and the
        base is in memory once (as the engine's GGUF), not twice. Loaded, and later run, on the compute thread
        only (see studio.models.compute), which also keeps two first uses from loading it twice."""
        if self._model is None:
            compute.run(self._load_once)
        return self._model

    @model.setter
    def model(self, value: Any) -> None:
        self._model = value

    @property
    def loaded(self) -> bool:
        """The torch model is in memory."""
        return self._model is not None

    @property
    def packed(self) -> int:
        """Linear layers packed for oneDNN (0 until the torch model is loaded)."""
        return getattr(self._model, "_studio_packed", 0)

    def placement(self) -> tuple[str, str]:
        """(device type, dtype) of the torch model, loaded or not."""
        if self._model is None:
            return self.device, self.dtype
        return getattr(getattr(self._model, "device", None), "type", "cpu"), engine_choose.dtype_of(self._model)

    def _load_once(self) -> None:
        if self._model is not None:
            return
        model = _load(self.name, self.dtype, self.trust_remote_code)
        for adapter_name, path in self.adapters.items():  # added before the torch model was needed
            model = _with_adapter(model, adapter_name, path)
        self._model = model

    def add_adapter(self, adapter_name: str, path: str) -> None:
        """Load an adapter under a name (on the compute thread, under the model's lock)."""
        compute.run(self._add_locked, adapter_name, path)

    def _add_locked(self, adapter_name: str, path: str) -> None:
        with self.lock:
            self._add(adapter_name, path)

    def _add(self, adapter_name: str, path: str) -> None:
        if adapter_name in self.adapters:
            return
        if not (Path(path) / "adapter_model.safetensors").is_file():
            # peft would fall back to adapter_model.bin, a pickle: unpickling can run code
            raise PromptError("err_chat_adapter_pickle", path=path)
        if self._model is not None:
            self._model = _with_adapter(self._model, adapter_name, path)
        self.adapters[adapter_name] = path

    def _inputs(self, messages: list[dict]):
        import torch

        ids = prompt_ids(self.tokenizer, messages)
        t = torch.tensor([ids], device=self.model.device)
        return {"input_ids": t, "attention_mask": torch.ones_like(t)}

    def _gen_kwargs(self, settings: GenSettings) -> dict[str, Any]:
        kw = settings.kwargs()
        kw["pad_token_id"] = self.tokenizer.pad_token_id
        if self.stop_strings:
            kw.update(stop_strings=self.stop_strings, tokenizer=self.tokenizer)
        return kw

    def stream(self, messages: list[dict], settings: GenSettings | None = None,
               adapter: str | None = None, new_tokens: list[int] | None = None,
               engine: str | None = None) -> Iterator[str]:
        """Yield the answer so far, growing, until it is complete; `new_tokens` (a list) gets how many
        tokens were generated, so a caller can tell an answer cut at the limit from a finished one. `engine`:
        auto, torch or llama.cpp (studio.engine.choose); `last_engine` then says which one answered."""
        (TextIteratorStreamer,) = hf.classes("TextIteratorStreamer")

        settings = settings or GenSettings()
        choice = self.last_engine = self._choose(adapter, engine)
        if choice.engine == "llama.cpp":
            yield from self._stream_llama(messages, settings, adapter, new_tokens, choice)
            return
        inputs = self._inputs(messages)
        check_fits(self.model, inputs["input_ids"].shape[1], settings)
        streamer = TextIteratorStreamer(self.tokenizer, skip_prompt=True, skip_special_tokens=True)
        kw = {**inputs, **self._gen_kwargs(settings), "streamer": streamer}
        errors: list[BaseException] = []
        done = compute.submit_beside(self._run, kw, settings.seed, adapter, errors, new_tokens)
        text = ""
        for piece in streamer:
            text += piece
            yield clean(text, self.stop_strings)
        done.result()
        if errors:
            raise errors[0]

    def _choose(self, adapter: str | None, engine: str | None) -> Choice:
        if adapter and adapter not in self.adapters:
            raise NoAdapter("err_chat_adapter_not_loaded", adapter=adapter)
        device, dtype = self.placement()
        return engine_choose.choose(self.name, [self.adapters.get(adapter) if adapter else None], asked=engine,
                                    device=device, dtype=dtype)

    def _stream_llama(self, messages: list[dict], settings: GenSettings, adapter: str | None,
                      new_tokens: list[int] | None, choice: Choice) -> Iterator[str]:
        """The answer by llama.cpp from the same prompt ids, stopping at an eos id, a stop string or the limit."""
        ids = prompt_ids(self.tokenizer, messages)
        check_fits(self, len(ids), settings)
        answer = _Answer(self.tokenizer, self.stop_strings, eos_ids(self))
        job = Job([ids], [self.adapters.get(adapter) if adapter else None], settings, answer.ends,
                  on_step=answer.step, finished=lambda row: answer.stopped)
        done = compute.submit_beside(answer.run, self.name, choice, job)  # torch's thread: see compare.stream
        try:
            yield from answer.texts()
        finally:
            job.cancel.set()
            done.result()
        if answer.error:
            raise answer.error
        if new_tokens is not None:
            new_tokens.append(answer.steps)

    def _run(self, kw: dict, seed: int, adapter: str | None, errors: list, new_tokens: list[int] | None = None) -> None:
        import torch

        try:
            with self.lock, torch.inference_mode(), self._adapter(adapter):
                torch.manual_seed(seed)
                out = self.model.generate(**kw)
            if new_tokens is not None:
                new_tokens.append(int(out.shape[1] - kw["input_ids"].shape[1]))
        except BaseException as e:  # noqa: BLE001 - surfaced by stream() in the caller's thread
            errors.append(e)
            kw["streamer"].end()

    def generate(self, messages: list[dict], settings: GenSettings | None = None,
                 adapter: str | None = None) -> str:
        text = ""
        for text in self.stream(messages, settings, adapter):
            pass
        return text

    def _adapter(self, adapter: str | None):
        """Context: the named adapter active, or none (base) when adapter is None."""
        import contextlib

        if not self.adapters:
            if adapter:
                raise NoAdapter("err_chat_adapter_not_loaded", adapter=adapter)
            return contextlib.nullcontext()
        if adapter is None:
            return self.model.disable_adapter()
        self.model.set_adapter(adapter)
        return contextlib.nullcontext()


class _Answer:
    """One llama.cpp answer as text: each step's token decoded with the rest (a byte-level token may end
    mid-character), cut at a stop string, published to a queue the reader drains."""

    def __init__(self, tokenizer, stop_strings: list[str], ends: set[int]):
        self.tokenizer, self.stop_strings, self.ends = tokenizer, stop_strings, ends
        self.ids: list[int] = []
        self.steps = 0
        self.stopped = False
        self.error: BaseException | None = None
        self.queue: queue.Queue = queue.Queue()

    def step(self, tokens: list[int]) -> None:
        self.steps += 1
        if tokens[0] in self.ends:
            return
        self.ids.append(tokens[0])
        text = self.tokenizer.decode(self.ids, skip_special_tokens=True)
        self.stopped = any(stop in text for stop in self.stop_strings)
        self.queue.put(clean(text, self.stop_strings).rstrip("\ufffd"))

    def run(self, model_name: str, choice: Choice, job: Job) -> None:
        try:
            engine_choose.decode(model_name, choice, job)
        except BaseException as e:  # noqa: BLE001 - re-raised in the reader's thread
            self.error = e
        finally:
            self.queue.put(None)

    def texts(self) -> Iterator[str]:
        while (text := self.queue.get()) is not None:
            while not self.queue.empty():  # the reader is slower than the model: show the newest
                newer = self.queue.get_nowait()
                if newer is None:
                    yield text
                    return
                text = newer
            yield text


def eos_ids(chat: ChatModel) -> set[int]:
    """The ids that end an answer: the generation config's and the tokenizer's end of sequence."""
    found = chat.generation_config.eos_token_id
    ids = set(found if isinstance(found, list) else [found] if found is not None else [])
    if chat.tokenizer.eos_token_id is not None:
        ids.add(chat.tokenizer.eos_token_id)
    return ids


def _load(name: str, dtype: str, trust_remote_code: bool) -> Any:
    """The model for answers; on the CPU in bf16 its weights packed for oneDNN (same answers, faster;
    see studio.models.inference), the count kept as `_studio_packed`."""
    model = load_model(name, dtype=dtype, trust_remote_code=trust_remote_code)
    model.eval()
    weight = next(model.parameters(), None)
    packed = 0
    if weight is not None and weight.device.type == "cpu" and str(weight.dtype) == "torch.bfloat16":
        from studio.models.inference import pack_linears

        packed = pack_linears(model)
    model._studio_packed = packed
    return model


def _with_adapter(model: Any, adapter_name: str, path: str) -> Any:
    """The model with one more LoRA adapter by name (a PeftModel from the first one on)."""
    from peft import PeftModel

    if not hasattr(model, "peft_config"):
        model = PeftModel.from_pretrained(model, path, adapter_name=adapter_name)
    else:
        model.load_adapter(path, adapter_name=adapter_name)
    model.eval()
    _lean(model)
    return model


def _lean(model: Any) -> int:
    """peft's LoRA layers with a lean forward for answers (same sums; see studio.models.inference)."""
    from studio.models.inference import lean_lora

    return lean_lora(model)


_CACHE: OrderedDict[tuple, ChatModel] = OrderedDict()
_CACHE_LOCK = threading.Lock()


def is_loaded(name: str, trust_remote_code: bool = False) -> bool:
    """The model is in memory already (answers start at once)."""
    with _CACHE_LOCK:
        return (name, trust_remote_code) in _CACHE


def _on(model: Any, device_type: str) -> bool:
    weight = next(iter(model.parameters()), None) if hasattr(model, "parameters") else None
    return weight is not None and weight.device.type == device_type


def held_on(device_type: str = "cuda") -> list[str]:
    """The names of the cached models whose weights sit on that kind of device."""
    with _CACHE_LOCK:
        return [key[0] for key, held in _CACHE.items() if _on(held.model, device_type)]


def release_device(device_type: str = "cuda") -> list[str]:
    """Drop the cached models held on that kind of device (they load again at the next answer); their names.
    The memory is freed once nothing else holds them: call on the compute thread, after any answer."""
    with _CACHE_LOCK:
        keys = [key for key, held in _CACHE.items() if _on(held.model, device_type)]
        for key in keys:
            del _CACHE[key]
    return [key[0] for key in keys]


def get_chat_model(name: str, trust_remote_code: bool = False, keep: int = 2) -> ChatModel:
    """Loaded models are reused; at most `keep` stay in memory (the least recently used goes)."""
    key = (name, trust_remote_code)
    with _CACHE_LOCK:
        if key in _CACHE:
            _CACHE.move_to_end(key)
            return _CACHE[key]
        model = ChatModel(name, trust_remote_code=trust_remote_code)
        _CACHE[key] = model
        while len(_CACHE) > keep:
            _CACHE.popitem(last=False)
        return model
