"""The app's first page does not wait for torch (issue 21: launch within gradio's own import + 1.5 s):
building every tab imports no heavy library on a machine without a GPU driver."""
import os
import subprocess
import sys

import pytest

from studio.models.device import GPU_DRIVER_FILES, detect


@pytest.mark.skipif(any(map(os.path.exists, GPU_DRIVER_FILES)), reason="a GPU driver: the card asks torch")
def test_building_the_ui_imports_no_torch():
    code = ("import sys; from studio.ui.app import build_ui; build_ui(); "
            "print(sorted(m for m in ('torch', 'transformers', 'peft', 'trl', 'datasets') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, check=False,
                         env={**os.environ, "GRADIO_ANALYTICS_ENABLED": "False"})
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip().splitlines()[-1] == "[]"


def test_the_cpu_card_without_torch_says_what_torch_says():
    """The torch-free detection (from /proc/cpuinfo) agrees with torch's own on this machine."""
    import torch

    from studio.models.device import cpu_has_bf16

    info = detect()
    if info.kind == "cpu":
        assert info.bf16 == cpu_has_bf16()
        assert info.cpu_threads >= torch.get_num_threads() >= 1
