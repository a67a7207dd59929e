"""The app and the training worker share one GPU.

The app keeps the models it answers with (chat, Compare) in memory between questions (studio.chat's cache).
On a GPU that memory is gone for the worker, a process of its own that loads the model again to train it:
a 7B model held in bf16 for chat (~15 GB) can push the run into out-of-memory. So before a run starts on
the GPU the app lets go of the models it holds there and hands their memory back to the driver; they load
again at the next chat or Compare. The worker's memory is its own process's: the driver takes it back when
the worker ends, stopped, failed or done."""
from __future__ import annotations

import gc
import sys

from studio import chat
from studio.config import RunConfig
from studio.models import compute


def trains_on_gpu(cfg: RunConfig) -> bool:
    """The run will train on a GPU of this machine. Without torch imported this process holds no GPU model,
    so there is nothing to free and nothing is imported to find out."""
    torch = sys.modules.get("torch")
    return cfg.train.device != "cpu" and torch is not None and torch.cuda.is_available()


def held_on_gpu() -> list[str]:
    """The names of the app's models that sit on a GPU."""
    return chat.held_on("cuda")


def _release() -> list[str]:
    import torch

    names = chat.release_device("cuda")
    if names:
        gc.collect()  # the ChatModels and their weights go now, not at some later collection
        torch.cuda.empty_cache()  # and the allocator's cached blocks go back to the driver, for the worker
    return names


def release(cfg: RunConfig) -> list[str]:
    """Before a run starts on the GPU: unload the app's models from it. Runs on the compute thread, after
    any answer being generated (whose frame still holds the model) has finished. Returns their names."""
    if not trains_on_gpu(cfg):
        return []
    return compute.run(_release)
