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
from studio.runs import STOP_FILE, Run, said_entry
from studio.text import Said
from studio.train import fsdp, plain_log, queue
from studio.train.evidence import flat_loss, judge
from studio.train.locks import device_lock


def _rank() -> tuple[int, int, int]:
    env = os.environ
    return int(env.get("RANK", 0)), int(env.get("LOCAL_RANK", 0)), int(env.get("WORLD_SIZE", 1))


def main(run_dir: str) -> int:
    path = Path(run_dir).resolve()
    run = Run(path.name, path)
    plain_log.install(path)  # before bitsandbytes is imported: it logs while it loads
    rank, local_rank, world = _rank()
    main_proc = rank == 0
    cfg = run.config()
    device = resolve_device(cfg.train.device)
    print(f"worker rank {rank}/{world} (local {local_rank}) pid {os.getpid()} on {device}"
          f"{' (FSDP)' if fsdp.enabled() else ''}", flush=True)
    if device == "cpu" and fsdp.enabled():
        fsdp.allow_on_cpu()  # accelerate gates FSDP to GPUs; torch's FSDP2 shards over gloo as well
    if main_proc:
        run.write_status(state="queued", pid=os.getpid(), reason="", said=None, warning=None, device=device)
    with device_lock(device, enabled=main_proc and local_rank == 0, my_turn=lambda: queue.my_turn(run)):
        if main_proc:
            run.write_status(state="running", pid=os.getpid(), started_at=time.time())
        return _train_and_record(run, cfg, main_proc, local_rank, world)


def _train_and_record(run: Run, cfg, main_proc: bool, local_rank: int, world: int) -> int:
    from studio.train.callbacks import StudioCallback

    callback = StudioCallback(run, main_proc)
    signal.signal(signal.SIGTERM, lambda *_: setattr(callback, "stop_reason", callback.stop_reason or "stop"))
    try:
        from studio.train.engine import train

        result = train(run, cfg, callback, local_rank, world)
    except Said as e:  # the data, a model, a failed run: a reason with its key, said in the UI's language
        return _end(run, main_proc, "failed", e)
    except Exception as e:  # noqa: BLE001 - every failure ends the run with a readable reason

        print(redact(traceback.format_exc()), end="", file=sys.stderr, flush=True)  # train.log
        return _end(run, main_proc, "failed", explain(e))
    if callback.failure or (callback.stop_reason and callback.stop_reason != "stop"):
        return _end(run, main_proc, "failed", callback.failure or callback.stop_reason)
    if result is None:  # another rank of a sharded run: rank 0 judges and writes the status
        return _end(run, main_proc, "stopped" if callback.stop_reason == "stop" else "done", "")
    state, why = judge(result)
    return _end(run, main_proc, state, why, flat_loss(result) if state == "done" else None)


def _end(run: Run, main_proc: bool, state: str, reason: str | Said | None, warning: Said | None = None) -> int:
    """Write how the run ended: the reason in English (logs, the CLI) and by key (the UI's language)."""
    text = str(reason or "")
    if main_proc:
        (run.path / STOP_FILE).unlink(missing_ok=True)
        run.write_status(state=state, reason=text, said=said_entry(reason) if isinstance(reason, Said) else None,
                         warning=said_entry(warning) if warning else None, pid=None, eta_s=0)
    print(f"run {run.id}: {state}{' — ' + text if text else ''}", flush=True)
    if warning:
        print(f"warning: {warning}", flush=True)
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
