"""The training worker: `python -m studio.train RUN_DIR` (or under `accelerate launch`).
It reads config.yaml, waits for the device, trains with trl's SFTTrainer + peft (+ bitsandbytes),
and leaves status.json telling the truth however it ends."""
from __future__ import annotations

import os
import signal
import sys
import time
import traceback
from pathlib import Path

from studio.models.loader import resolve_device
from studio.redact import redact
from studio.runs import Run
from studio.train import fsdp
from studio.train.locks import device_lock


def _rank() -> tuple[int, int, int]:
    env = os.environ
    return int(env.get("RANK", 0)), int(env.get("LOCAL_RANK", 0)), int(env.get("WORLD_SIZE", 1))


def main(run_dir: str) -> int:
    path = Path(run_dir).resolve()
    run = Run(path.name, path)
    rank, local_rank, world = _rank()
    main_proc = rank == 0
    cfg = run.config()
    device = _device_name(cfg.train.device)
    print(f"worker rank {rank}/{world} (local {local_rank}) pid {os.getpid()} on {device}"
          f"{' (FSDP)' if fsdp.enabled() else ''}", flush=True)
    if device == "cpu" and fsdp.enabled():
        fsdp.allow_on_cpu()  # accelerate gates FSDP to GPUs; torch's FSDP2 shards over gloo as well
    if main_proc:
        run.write_status(state="queued", pid=os.getpid(), reason="", device=device)
    with device_lock(device, enabled=main_proc and local_rank == 0):
        if main_proc:
            run.write_status(state="running", pid=os.getpid(), started_at=time.time())
        return _train_and_record(run, cfg, main_proc, local_rank, world)


def _device_name(device: str) -> str:
    return resolve_device(device)


def _train_and_record(run: Run, cfg, main_proc: bool, local_rank: int, world: int) -> int:
    from studio.train.callbacks import RunFailed, StudioCallback

    callback = StudioCallback(run, main_proc)
    signal.signal(signal.SIGTERM, lambda *_: setattr(callback, "stop_reason", callback.stop_reason or "stop"))
    try:
        from studio.train.engine import train

        train(run, cfg, callback, local_rank, world)
    except RunFailed as e:
        return _end(run, main_proc, "failed", str(e))
    except Exception as e:  # noqa: BLE001 - every failure ends the run with a readable reason

        print(redact(traceback.format_exc()), end="", file=sys.stderr, flush=True)  # train.log
        return _end(run, main_proc, "failed", explain(e))
    if callback.stop_reason and callback.stop_reason != "stop":
        return _end(run, main_proc, "failed", callback.stop_reason)
    return _end(run, main_proc, "stopped" if callback.stop_reason == "stop" else "done", "")


def _end(run: Run, main_proc: bool, state: str, reason: str) -> int:
    if main_proc:
        (run.path / "STOP").unlink(missing_ok=True)
        run.write_status(state=state, reason=reason, pid=None, eta_s=0)
    print(f"run {run.id}: {state}{' — ' + reason if reason else ''}", flush=True)
    return 0 if state in ("done", "stopped") else 1


def explain(e: BaseException) -> str:
    """A reason a person can act on, from the exception the library raised (hub tokens masked: the
    reason is stored in status.json and shown in the UI)."""
    name = type(e).__name__
    text = redact(str(e)).strip().splitlines()[0][:300] if str(e).strip() else name
    if "OutOfMemory" in name or "out of memory" in text.lower():
        return ("out of memory: lower the batch size or max length, use 4-bit (QLoRA), or turn on "
                f"gradient checkpointing ({text[:120]})")
    if isinstance(e, (ValueError, KeyError)) and "data" in type(e).__module__ + text.lower():
        return f"bad data: {text}"
    return f"{name}: {text}"


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
