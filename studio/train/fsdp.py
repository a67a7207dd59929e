"""The worker's side of a sharded (FSDP) run. accelerate's launcher turns the run's accelerate.yaml into
ACCELERATE_USE_FSDP / FSDP_* variables; accelerate and the Trainer build FSDP from them. The studio only
loads the model where FSDP expects it (engine._load), gathers the shards for the final adapter, and lets
FSDP run on the CPU for the CI test."""
from __future__ import annotations

import os


def enabled() -> bool:
    """Is this worker one rank of an FSDP run (launched with an FSDP accelerate config)?"""
    return os.environ.get("ACCELERATE_USE_FSDP", "false").lower() == "true"


def allow_on_cpu() -> None:
    """Let accelerate's FSDP run on CPU processes (gloo), the same code path as on GPUs.

    accelerate 1.15 turns FSDP on only for accelerator devices: AcceleratorState keeps a multi-process CPU
    state (MULTI_CPU) as plain data parallelism even when ACCELERATE_USE_FSDP is set, so a CPU "FSDP" run
    would silently be DDP. torch's FSDP2 itself shards over gloo on the CPU; after the CPU process group is
    up, the state is reported as a multi-device one, which is the only thing that gate reads. FSDP1 cannot
    run this way (its sync_module_states needs a device), so only FSDP2 configs train on the CPU."""
    from accelerate.state import PartialState
    from accelerate.utils import DistributedType

    if getattr(PartialState.__init__, "_studio", False):
        return
    original = PartialState.__init__

    def init(self, cpu: bool = False, **kwargs):
        original(self, cpu, **kwargs)
        if self.distributed_type == DistributedType.MULTI_CPU and enabled():
            self.distributed_type = DistributedType.MULTI_GPU

    init._studio = True  # type: ignore[attr-defined]
    PartialState.__init__ = init


def gather(trainer) -> dict:
    """The trained model's full weights, gathered from every rank's shard: call it on every rank (it is a
    collective); rank 0 gets the tensors (on the CPU), the others may get nothing. The adapter saved from it
    is one standard PEFT adapter."""
    return trainer.accelerator.get_state_dict(trainer.model_wrapped)
