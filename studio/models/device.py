"""What this machine offers for training: CUDA GPUs or the CPU, memory, and bf16 support."""
from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from functools import lru_cache

from studio.text import t


@dataclass(frozen=True)
class DeviceInfo:
    kind: str  # "cuda" or "cpu"
    name: str
    memory_mb: int
    """GPU memory of one device, or the machine's RAM."""
    count: int
    bf16: bool
    cpu_threads: int

    def describe(self, lang: str = "en") -> str:
        gb = f"{self.memory_mb / 1024:.0f}"
        if self.kind == "cuda":
            return t(lang, "dev_gpu", count=self.count, name=self.name, gb=gb)
        return t(lang, "dev_cpu", threads=self.cpu_threads, gb=gb, bf16=t(lang, "yes" if self.bf16 else "no"))


def ram_mb() -> int:
    try:
        return int(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**20)
    except (ValueError, OSError):
        return 8192


GPU_DRIVER_FILES = ("/proc/driver/nvidia/version", "/dev/nvidia0", "/dev/kfd", "/dev/dxg")
"""NVIDIA's driver, ROCm's, WSL's GPU bridge: without any of them torch cannot see a GPU either."""


def cpu_flag_set() -> set[str] | None:
    """The CPU's instruction-set flags from /proc/cpuinfo (None where it cannot be read)."""
    try:
        with open("/proc/cpuinfo", encoding="ascii", errors="replace") as f:
            for line in f:
                if line.startswith("flags"):
                    return set(line.split(":", 1)[1].split())
    except OSError:
        return None
    return None


@lru_cache(maxsize=1)
def detect() -> DeviceInfo:
    flags = cpu_flag_set()
    if flags is not None and "torch" not in sys.modules and not any(map(os.path.exists, GPU_DRIVER_FILES)):
        # no GPU driver: the CPU's own flags say what torch would (importing torch for it took 1.2 s of the
        # app's 3.8 s start on a 2-core CPU, before the first page)
        threads = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
        return DeviceInfo("cpu", "CPU", ram_mb(), 1, bool(flags & {"avx512_bf16", "amx_bf16"}), threads)
    import torch

    threads = torch.get_num_threads()
    if torch.cuda.is_available():
        props = torch.cuda.get_device_properties(0)
        return DeviceInfo("cuda", props.name, int(props.total_memory / 2**20),
                          torch.cuda.device_count(), torch.cuda.is_bf16_supported(), threads)
    return DeviceInfo("cpu", "CPU", ram_mb(), 1, cpu_has_bf16(), threads)


def cpu_has_bf16() -> bool:
    """bf16 matmuls are ~4x faster than fp32 on CPUs with AVX-512 BF16 or AMX; slow elsewhere."""
    import torch

    check = getattr(torch.backends.cpu, "get_cpu_capability", None)
    cap = check() if check else ""
    fn = getattr(torch.cpu, "_is_avx512_bf16_supported", None)
    amx = getattr(torch.cpu, "_is_amx_tile_supported", None)
    return bool((fn and fn()) or (amx and amx()) or "AMX" in str(cap))
