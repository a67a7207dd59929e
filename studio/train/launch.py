"""How several processes start: accelerate's own launcher with a config written into the run folder
(`accelerate.yaml`), so a run is repeated by hand with `accelerate launch --config_file RUN/accelerate.yaml
-m studio.train RUN`, on one machine or on each of several. No launcher of our own: the file is what
`accelerate config` would write, read back by accelerate's own loader in tests/train/test_fsdp.py. A GRPO run's
processes run its own worker (`-m studio.rewards.worker`), the same way."""
from __future__ import annotations

import shlex
import sys
from pathlib import Path
from typing import Any

import yaml

from studio.fsutil import atomic_write_text
from studio.runs import Run

CONFIG = "accelerate.yaml"
PORT = 29500

_FSDP_COMMON = {
    "fsdp_auto_wrap_policy": "TRANSFORMER_BASED_WRAP",  # each decoder layer a unit (peft adds each LoRA layer)
    "fsdp_cpu_ram_efficient_loading": True,  # rank 0's weights are broadcast; no GPU holds the whole model
    "fsdp_offload_params": False,
    "fsdp_state_dict_type": "SHARDED_STATE_DICT",  # checkpoints: each rank writes its shard (resume reads them)
    "fsdp_activation_checkpointing": False,  # the Trainer's gradient checkpointing setting stays the one switch
}
FSDP_QLORA = {**_FSDP_COMMON, "fsdp_version": 1, "fsdp_sharding_strategy": "FULL_SHARD",
              "fsdp_use_orig_params": False, "fsdp_sync_module_states": True,
              "fsdp_backward_prefetch": "BACKWARD_PRE", "fsdp_forward_prefetch": False}
"""The FSDP-QLoRA recipe Answer.AI, bitsandbytes and Hugging Face published (FSDP1): the 4-bit weights, stored
in the compute dtype, flattened and sharded with the rest. accelerate 1.15's FSDP2 path skips its CPU-RAM-
efficient loading for 4-bit weights (every GPU would first hold the whole 4-bit model), so QLoRA keeps FSDP1."""
FSDP_LORA = {**_FSDP_COMMON, "fsdp_version": 2, "fsdp_reshard_after_forward": True}
"""LoRA on a 16-bit base: FSDP2, accelerate's and transformers' default (FSDP1 is deprecated there); full
shard is reshard_after_forward. It is also the FSDP that runs on the CPU over gloo (the CI test)."""


def accelerate_config(strategy: str, processes: int, nodes: int = 1, qlora: bool = False,
                      port: int = PORT) -> dict[str, Any]:
    """The accelerate config of a run: `processes` per node on `nodes` machines, DDP or FSDP.
    mixed_precision stays 'no': the worker's TrainingArguments set bf16/fp16 from the run's dtype."""
    cfg: dict[str, Any] = {
        "compute_environment": "LOCAL_MACHINE", "debug": False,
        "distributed_type": "FSDP" if strategy == "fsdp" else "MULTI_GPU",
        "num_machines": nodes, "num_processes": processes * nodes, "machine_rank": 0,
        "main_process_port": port, "rdzv_backend": "static", "same_network": True,
        "mixed_precision": "no", "downcast_bf16": "no", "gpu_ids": "all",
        # false even for a CPU FSDP run: accelerate's launcher runs CPU jobs in one process; the worker's
        # TrainingArguments (use_cpu) still train on the CPU
        "use_cpu": False, "main_training_function": "main", "enable_cpu_affinity": False,
        "tpu_env": [], "tpu_use_cluster": False, "tpu_use_sudo": False,
    }
    if strategy == "fsdp":
        cfg["fsdp_config"] = dict(FSDP_QLORA if qlora else FSDP_LORA)
    return cfg


def write_config(run: Run, strategy: str, processes: int, nodes: int = 1, qlora: bool = False) -> Path:
    """The run's accelerate.yaml. One machine: port 0, accelerate's "a free port at launch" (two runs, or a test
    beside a run, must not meet on 29500); several: PORT, opened on node 0."""
    path = run.path / CONFIG
    head = (f"# Katachi Studio, run {run.id}: {strategy.upper()} on {nodes} machine(s) x {processes} process(es).\n"
            f"# Repeat it with: accelerate launch --config_file {path} -m {worker_module(run)} {run.path}\n")
    port = 0 if nodes <= 1 else PORT
    body = yaml.safe_dump(accelerate_config(strategy, processes, nodes, qlora, port), sort_keys=False)
    atomic_write_text(path, head + body)
    return path


WORKERS = {"grpo": "studio.rewards.worker"}
"""The worker module of a method that needs more than training's own layer: GRPO's rewards judge with the meters."""


def worker_module(run: Run) -> str:
    """The module a run's processes run: studio.train, or its method's own worker (WORKERS)."""
    return WORKERS.get(run.config().train.method, "studio.train")


def command(run: Run) -> list[str]:
    """The worker under accelerate's launcher, configured by the run's accelerate.yaml."""
    return [sys.executable, "-m", "accelerate.commands.launch", "--config_file", str(run.path / CONFIG),
            "-m", worker_module(run), str(run.path)]


def node_commands(run: Run, nodes: int) -> list[str]:
    """The exact command for each machine (node 0 first), from the run's accelerate.yaml. $HEAD is node 0's
    address as the other nodes reach it; the run folder must sit at the same path on every node."""
    base = ["accelerate", "launch", "--config_file", str(run.path / CONFIG)]
    worker = ["-m", worker_module(run), str(run.path)]
    if nodes <= 1:
        return [shlex.join(base + worker)]
    return [f"{shlex.join(base + ['--machine_rank', str(rank)])} --main_process_ip \"$HEAD\" {shlex.join(worker)}"
            for rank in range(nodes)]
