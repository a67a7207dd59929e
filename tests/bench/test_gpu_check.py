"""`make gpu-check` rehearsed on the CPU (issue 16): the dry run installs a folder of wheels, records the
machine, runs the `gpu` tests (which skip, saying they need CUDA) and `studio bench --gpu --dry-run` on the tiny
shape, and writes its log, pytest.xml, bench.json and summary.json; and the wheel list stays small and in step
with the versions the CPU suite runs."""
from __future__ import annotations

import json
import math
import subprocess
import sys
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import pytest

from studio.bench import gpu, gpu_check
from tests.helpers import ROOT

TOP_KEYS = {"kind", "dry_run", "device", "gpu", "cuda", "versions", "python", "matmul_tflops", "matmul_dtype",
            "settings", "targets", "target_shape", "shapes", "targets_met", "seconds"}
SHAPE_KEYS = {"parameters", "shape", "lora_params", "base_loss", "baseline", "studio", "speedup", "memory_ratio",
              "loss_gap", "met"}
SIDE_KEYS = {"real_tokens_per_s", "padded_tokens_per_s", "padding_share", "peak_mb", "final_loss", "mfu",
             "achieved_tflops", "train_s", "timed_steps", "steps", "optimizer", "gradient_checkpointing", "padding",
             "four_bit_layers"}


def _wheel(folder: Path) -> Path:
    """A minimal pure-Python wheel (the install step's stand-in for bitsandbytes and the rest)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "studio_probe-0.1-py3-none-any.whl"
    dist = "studio_probe-0.1.dist-info"
    files = {"studio_probe/__init__.py": "VALUE = 42\n",
             f"{dist}/METADATA": "Metadata-Version: 2.1\nName: studio-probe\nVersion: 0.1\n",
             f"{dist}/WHEEL": "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n"}
    record = "".join(f"{name},,\n" for name in files) + f"{dist}/RECORD,,\n"
    with zipfile.ZipFile(path, "w") as zf:
        for name, text in {**files, f"{dist}/RECORD": record}.items():
            zf.writestr(name, text)
    return path


@pytest.fixture(scope="module")
def dry(tmp_path_factory):
    """One dry run end to end, in a process of its own as `make gpu-check-dry` runs it."""
    tmp = tmp_path_factory.mktemp("gpu-check")
    _wheel(tmp / "wheels")
    cmd = [sys.executable, "-m", "studio.bench.gpu_check", "--out", str(tmp / "out"), "--dry-run",
           "--wheels", str(tmp / "wheels"), "--site", str(tmp / "site"), "--models", str(tmp / "models")]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=600, check=False)
    return tmp, proc


def test_the_dry_run_passes_every_step_and_writes_its_files(dry):
    tmp, proc = dry
    assert proc.returncode == 0, proc.stderr[-4000:]
    out = tmp / "out"
    summary = json.loads((out / "summary.json").read_text())
    assert summary["passed"] and summary["dry_run"] and not summary["problems"]
    assert [s["name"] for s in summary["steps"]] == ["install", "machine", "tests", "bench"]
    assert all(s["rc"] == 0 and not s["timed_out"] for s in summary["steps"])
    assert summary["machine"]["cuda_available"] is False and summary["machine"]["torch"]
    assert (tmp / "site" / "studio_probe" / "__init__.py").is_file()  # the wheels went into their own folder
    log = (out / "gpu-check.log").read_text()
    assert all(f"step {name}: exit 0" in log for name in ("install", "machine", "tests", "bench"))


def test_the_gpu_tests_are_collected_and_skip_saying_they_need_cuda(dry):
    tmp, _ = dry
    cases = ElementTree.parse(tmp / "out" / "pytest.xml").getroot().iter("testcase")
    skipped = [c.find("skipped") for c in cases]
    assert len(skipped) >= 8 and all(s is not None and "needs CUDA" in s.get("message", "") for s in skipped)


def test_the_dry_bench_json_has_the_keys_of_the_gpu_one(dry):
    tmp, _ = dry
    result = json.loads((tmp / "out" / "bench.json").read_text())
    assert TOP_KEYS <= set(result) and result["dry_run"] and result["device"] == "cpu"
    assert result["settings"]["shapes"] == ["tiny"] and result["target_shape"] == "tiny"
    shape = result["shapes"]["tiny"]
    assert SHAPE_KEYS <= set(shape) and set(shape["met"]) == {"speedup", "memory", "loss"}
    for side in ("baseline", "studio"):
        s = shape[side]
        assert SIDE_KEYS <= set(s), side
        assert all(math.isfinite(s[k]) and s[k] > 0 for k in ("real_tokens_per_s", "peak_mb", "final_loss", "mfu"))
        assert s["timed_steps"] == gpu.DRY.steps - gpu.DRY.warm and s["steps"] == gpu.DRY.steps
    # the baseline pads each batch to its longest row (lengths vary); the studio packs rows without padding
    assert shape["baseline"]["padding_share"] > 0 and shape["studio"]["padding_share"] == 0
    assert shape["baseline"]["gradient_checkpointing"] is True
    # both sides train on the same 4-bit base: every linear layer of the tiny model's 2 blocks
    assert shape["baseline"]["four_bit_layers"] == shape["studio"]["four_bit_layers"] == 2 * 7
    assert shape["speedup"] == pytest.approx(shape["studio"]["real_tokens_per_s"]
                                             / shape["baseline"]["real_tokens_per_s"], rel=1e-2)


def test_the_wheels_report_holds_them_to_60_mb(tmp_path, capsys):
    small = tmp_path / "small"
    _wheel(small)
    assert gpu_check.main(["--wheels", str(small), "--wheels-report"]) == 0
    assert "studio_probe-0.1-py3-none-any.whl" in capsys.readouterr().out
    big = tmp_path / "big"
    big.mkdir()
    with (big / "huge-1.0-py3-none-any.whl").open("wb") as f:
        f.truncate(61 * 2**20)  # sparse: 61 MB on paper
    report = gpu_check.wheels(big)
    assert report["total_mb"] == 61.0 and not report["fits"]
    assert gpu_check.main(["--wheels", str(big), "--wheels-report"]) == 1
    assert gpu_check.main(["--wheels", str(tmp_path / "none"), "--wheels-report"]) == 1  # an empty folder


def test_bench_gpu_without_cuda_says_so_and_points_to_the_dry_run(capsys):
    from studio.cli import main

    assert main(["bench", "--gpu", "--json"]) == 2
    assert "needs CUDA" in capsys.readouterr().err and "--dry-run" in gpu.__doc__


def test_a_step_past_its_time_is_stopped_with_its_children(tmp_path, monkeypatch):
    import time

    monkeypatch.setitem(gpu_check.TIMEOUTS, "tests", 1)
    check = gpu_check.Check(tmp_path, dry_run=True)
    child = ("import subprocess, sys, time; "
             "p = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)']); "
             "print(p.pid, flush=True); time.sleep(60)")
    t0 = time.monotonic()
    step = check.run("tests", [sys.executable, "-c", child], stdout=tmp_path / "out.txt")
    assert step["rc"] == 124 and step["timed_out"] and time.monotonic() - t0 < 10
    assert "(stopped: out of time)" in (tmp_path / "gpu-check.log").read_text()
    grandchild = Path(f"/proc/{int((tmp_path / 'out.txt').read_text())}/status")
    time.sleep(0.2)
    try:
        assert "State:\tZ" in grandchild.read_text()  # dead: a zombie waiting for its reaper
    except FileNotFoundError:
        pass  # dead and reaped
