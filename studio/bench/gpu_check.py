"""`make gpu-check OUT=dir WHEELS=dir`: QLoRA on CUDA proven end to end, in one prepared check.

    python -m studio.bench.gpu_check --out DIR [--wheels DIR] [--dry-run] [--models DIR] [--site DIR]

On a bare Linux CUDA machine that has Python, PyTorch, transformers, peft and accelerate and nothing else of
ours, run from the repository's root:
1. installs the project's other needs from the folder of wheels (`make gpu-wheels` fills it): pip with
   --no-index --no-deps into a folder of their own (--site), put first on PYTHONPATH for the steps below;
2. records the machine (Python, torch, CUDA, the GPU, the libraries' versions);
3. runs the `gpu`-marked tests (tests/gpu/);
4. runs `studio bench --gpu --json`;
and writes into OUT: gpu-check.log (every step's output), pytest.xml, bench.json and summary.json. It stops
a step that outlasts its share of the time (the whole check is meant to end in under 8 minutes) and exits
non-zero when a step failed or the benchmark's targets were missed.

--dry-run rehearses the same steps on the CPU: the gpu tests skip ("needs CUDA"), the benchmark runs its
tiny shape on the CPU (same JSON keys), its targets are not judged. Only the standard library is imported
here: this runs before the wheels are installed."""
from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from studio.fsutil import atomic_write_json

ROOT = Path(__file__).resolve().parents[2]
MAX_WHEELS_MB = 60.0
BUDGET_S = 480
"""The whole check: under 8 minutes."""
TIMEOUTS = {"install": 45, "machine": 30, "tests": 260, "bench": 240}
"""Each step's share (seconds): a step past it is stopped and counted failed."""
PROBE = """
import importlib.metadata as md, json, sys
import torch
out = {"python": sys.version.split()[0], "torch": torch.__version__, "cuda": torch.version.cuda,
       "cuda_available": torch.cuda.is_available(),
       "gpu": torch.cuda.get_device_name(0) if torch.cuda.is_available() else None,
       "gpu_memory_gb": round(torch.cuda.get_device_properties(0).total_memory / 2**30, 1)
       if torch.cuda.is_available() else None}
for name in ("transformers", "peft", "accelerate", "bitsandbytes", "trl", "datasets", "safetensors", "tokenizers"):
    try:
        out[name] = md.version(name)
    except md.PackageNotFoundError:
        out[name] = None
print(json.dumps(out))
"""


def wheels(folder: Path) -> dict:
    """The wheels in a folder, their sizes, and whether they stay under MAX_WHEELS_MB together."""
    files = sorted(folder.glob("*.whl"))
    sizes = {f.name: f.stat().st_size for f in files}
    total = sum(sizes.values()) / 2**20
    return {"folder": str(folder), "wheels": sizes, "total_mb": round(total, 2), "limit_mb": MAX_WHEELS_MB,
            "fits": total <= MAX_WHEELS_MB}


class Check:
    """The steps, their log and their summary."""

    def __init__(self, out: Path, dry_run: bool):
        self.out = out
        self.dry_run = dry_run
        self.log = out / "gpu-check.log"
        self.steps: list[dict] = []
        self.env = {**os.environ, "PYTHONUNBUFFERED": "1", "TOKENIZERS_PARALLELISM": "false",
                    "HF_HUB_OFFLINE": "1", "HF_HUB_DISABLE_PROGRESS_BARS": "1"}
        if dry_run:
            self.env["CUDA_VISIBLE_DEVICES"] = ""  # the rehearsal never touches a GPU, even where there is one
        self.t0 = time.monotonic()

    def say(self, text: str) -> None:
        line = f"[gpu-check {time.monotonic() - self.t0:6.1f}s] {text}"
        print(line, file=sys.stderr, flush=True)
        with self.log.open("a", encoding="utf-8") as f:
            f.write(line + "\n")

    def run(self, name: str, cmd: list[str], stdout: Path | None = None) -> dict:
        """cmd with its output in the log (stdout into its own file where given), stopped past its time."""
        self.say(f"step {name}: {' '.join(c if len(c) < 160 else c[:40].strip() + ' ...' for c in cmd)}")
        t0 = time.monotonic()
        timed_out = False
        with self.log.open("ab") as log, (stdout.open("wb") if stdout else log) as out:
            proc = subprocess.Popen(cmd, stdout=out, stderr=log, env=self.env, cwd=str(ROOT), start_new_session=True)
            try:
                rc = proc.wait(timeout=TIMEOUTS[name])
            except subprocess.TimeoutExpired:  # the step and its children (a benchmark side) go together
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
                rc, timed_out = 124, True
        step = {"name": name, "rc": rc, "seconds": round(time.monotonic() - t0, 1), "timed_out": timed_out}
        self.steps.append(step)
        self.say(f"step {name}: exit {rc} in {step['seconds']} s{' (stopped: out of time)' if timed_out else ''}")
        return step

    def install(self, folder: Path, site: Path) -> dict:
        report = wheels(folder)
        self.say(f"wheels: {len(report['wheels'])} in {folder}, {report['total_mb']} MB "
                 f"(limit {MAX_WHEELS_MB:g} MB){'' if report['fits'] else ' - OVER THE LIMIT'}")
        files = [str(folder / n) for n in report["wheels"]]
        if not files:
            self.say(f"step install: no wheels in {folder} (make gpu-wheels fills it)")
            step = {"name": "install", "rc": 1, "seconds": 0.0, "timed_out": False, "wheels": report}
            self.steps.append(step)
            return step
        step = self.run("install", [sys.executable, "-m", "pip", "install", "-q", "--no-index", "--no-deps",
                                    "--no-compile", "--no-cache-dir", "--upgrade", "--target", str(site), *files])
        step["wheels"] = report
        path = self.env.get("PYTHONPATH")  # the wheels' folder first: its versions win over the machine's
        self.env["PYTHONPATH"] = str(site) + (os.pathsep + path if path else "")
        return step


def _parse(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m studio.bench.gpu_check", description=__doc__.split("\n")[0])
    p.add_argument("--out", default=None, help="folder for gpu-check.log, pytest.xml, bench.json, summary.json")
    p.add_argument("--wheels", default=None, help="folder of wheels to install first (make gpu-wheels)")
    p.add_argument("--site", default=None, help="where the wheels are installed (default: a temporary folder)")
    p.add_argument("--models", default=None, help="where the random-weight shapes are built and reused")
    p.add_argument("--dry-run", action="store_true", help="the same steps on the CPU with the tiny shape")
    p.add_argument("--wheels-report", action="store_true", help="only list --wheels with sizes and check the "
                   "60 MB limit (make gpu-wheels)")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)
    if args.wheels_report:
        report = wheels(Path(args.wheels))
        for name, size in report["wheels"].items():
            print(f"{size / 2**20:8.2f} MB  {name}")
        print(f"{report['total_mb']:8.2f} MB  total (limit {MAX_WHEELS_MB:g} MB)")
        return 0 if report["fits"] and report["wheels"] else 1
    if not args.out:
        print("--out DIR is needed", file=sys.stderr)
        return 2
    out = Path(args.out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    check = Check(out, args.dry_run)
    models = Path(args.models or Path(tempfile.gettempdir()) / "studio-gpu-shapes").resolve()
    check.env["STUDIO_GPU_MODELS"] = str(models)  # the tests and the benchmark build each shape once
    check.say(f"{'dry run on the CPU' if args.dry_run else 'CUDA check'}; results in {out}")
    if args.wheels:
        site = Path(args.site or tempfile.mkdtemp(prefix="studio-gpu-site-")).resolve()
        check.install(Path(args.wheels).resolve(), site)
    machine = check.run("machine", [sys.executable, "-c", PROBE], stdout=out / "machine.json")
    tests = check.run("tests", [sys.executable, "-m", "pytest", "-m", "gpu", "tests/gpu", "-q", "-rs",
                                "-p", "no:cacheprovider", "--junitxml", str(out / "pytest.xml")])
    bench_cmd = [sys.executable, "-m", "studio", "bench", "--gpu", "--json", "--no-docs"]
    bench_cmd += ["--dry-run"] if args.dry_run else []
    bench_cmd += ["--models", str(models)]
    bench = check.run("bench", bench_cmd, stdout=out / "bench.json")
    return finish(check, machine, tests, bench)


def _read_json(path: Path) -> dict:
    try:
        text = path.read_text(encoding="utf-8").strip().splitlines()
        return json.loads(text[-1]) if text else {}
    except (OSError, ValueError):
        return {}


def finish(check: Check, machine: dict, tests: dict, bench: dict) -> int:
    """summary.json, and the exit code: every step ran clean, within the budget, and (on CUDA) the targets."""
    result = _read_json(check.out / "bench.json")
    seconds = round(time.monotonic() - check.t0, 1)
    problems = [f"step {s['name']} exited {s['rc']}" for s in check.steps if s["rc"] != 0]
    installed = next((s for s in check.steps if s["name"] == "install"), None)
    if installed and not installed["wheels"]["fits"]:
        problems.append(f"the wheels take {installed['wheels']['total_mb']} MB, over {MAX_WHEELS_MB:g} MB")
    if not check.dry_run and result and not result.get("targets_met"):
        problems.append(f"benchmark targets missed on {result.get('target_shape')}")
    if seconds > BUDGET_S:
        problems.append(f"took {seconds} s, over the {BUDGET_S} s budget")
    summary = {"dry_run": check.dry_run, "seconds": seconds, "budget_s": BUDGET_S, "steps": check.steps,
               "machine": _read_json(check.out / "machine.json"), "tests_rc": tests["rc"],
               "bench_rc": bench["rc"], "targets_met": result.get("targets_met"),
               "passed": not problems, "problems": problems}
    atomic_write_json(check.out / "summary.json", summary)
    check.say("passed" if not problems else "FAILED: " + "; ".join(problems))
    return 0 if not problems else 1


if __name__ == "__main__":
    sys.exit(main())
