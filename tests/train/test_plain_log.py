"""bitsandbytes' "Failed to load CPU gemm_4bit_forward from kernels-community ... offline mode" read as an error
in the train log: the log now says one plain line in the user's language, the library's words go to debug.log."""
from __future__ import annotations

import io
import logging
import subprocess
import sys

from studio import runs
from studio.text import t
from studio.train import plain_log
from tests.helpers import ROOT

TRUST = ("Skipping publisher trust check for 'kernels-community/quantization-bitsandbytes' because Hugging Face "
         "Hub is in offline mode.")
RAW = ("Failed to load CPU gemm_4bit_forward from kernels-community: Version 1 of 'kernels-community/quantization-"
       "bitsandbytes' is not available in the local cache and Hugging Face Hub is in offline mode.. Please make sure "
       "you already `pip install kernels` and the kernels >= 0.11.1")
"""What this machine's train.log held, offline: the kernels package's line, then bitsandbytes'."""


def test_the_known_lines_go_plain_into_the_log_once_and_whole_into_the_debug_log(tmp_path):
    kernels, bnb = (logging.getLogger(name) for name in reversed(plain_log.LOGGERS))
    out = io.StringIO()
    handler = logging.StreamHandler(out)  # as train.log shows it: the message alone
    for logger in (kernels, bnb):
        logger.addHandler(handler)
    try:
        plain_log.install(tmp_path)
        kernels.warning(TRUST)
        bnb.warning("Failed to load CPU gemm_4bit_forward from kernels-community: %s. Please make sure you already "
                    "`pip install kernels` and the kernels >= 0.11.1", RAW.split(": ", 1)[1].split(". Please")[0])
        bnb.warning("something else")
    finally:
        for logger in (kernels, bnb):
            logger.removeHandler(handler)
            logger.filters.clear()
    assert out.getvalue().splitlines() == [t("en", "log_kernel_offline"), "something else"]
    debug = (tmp_path / plain_log.DEBUG_LOG).read_text().splitlines()
    assert debug == [f"WARNING {kernels.name}: {TRUST}", f"WARNING {bnb.name}: {RAW}"]


def test_the_log_the_user_reads_says_it_in_their_language(tmp_path):
    from studio.ui.train_step import log_lines

    run = runs.Run("r", tmp_path)
    (tmp_path / "train.log").write_text(f"worker rank 0/1\n{TRUST}\n{RAW}\nstep 1\n")  # a run from before
    ja = log_lines(run, lang="ja").splitlines()
    assert ja == ["worker rank 0/1", t("ja", "log_kernel_offline"), "step 1"]
    assert "training is unaffected" in log_lines(run) and "Failed to load" not in log_lines(run)
    assert "学習には影響しません" in ja[1]


def test_the_worker_installs_it_before_anything_imports_bitsandbytes():
    code = "import sys, studio.train.worker; print('bitsandbytes' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_the_app_and_the_commands_say_it_plainly_too_and_a_worker_s_install_takes_over(tmp_path):
    bnb = logging.getLogger(plain_log.LOGGERS[0])
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    bnb.addHandler(handler)
    try:
        plain_log.install(None)  # studio's command line, before any command runs
        bnb.warning(RAW)
        plain_log.install(tmp_path)  # a worker started through it: its run's debug.log keeps the words
        bnb.warning(RAW)
    finally:
        bnb.removeHandler(handler)
        bnb.filters.clear()
    assert out.getvalue().splitlines() == [t("en", "log_kernel_offline_here"), t("en", "log_kernel_offline")]
    assert "trust_remote_code" not in out.getvalue() and len(bnb.filters) == 0
    assert (tmp_path / plain_log.DEBUG_LOG).read_text().splitlines() == [f"WARNING {bnb.name}: {RAW}"]


def test_the_command_line_installs_it():
    code = ("import logging, sys; from studio import cli; from studio.train import plain_log\n"
            "try: cli.main(['models'])\nexcept SystemExit: pass\n"
            "print(any(isinstance(f, plain_log.PlainLines) for f in logging.getLogger(plain_log.LOGGERS[0]).filters))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120,
                         check=False)
    assert out.stdout.strip().splitlines()[-1] == "True", out.stderr[-500:]
