"""Push an exported adapter or merged model to the Hugging Face Hub with the real client.
The token comes from an environment variable and never reaches a message, a log or the console."""
from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from studio.export import ExportError, ExportMissing, PushError
from studio.export.bundle import exportable, stage_adapter
from studio.paths import studio_home
from studio.redact import redact

DEFAULT_TOKEN_ENV = "HF_TOKEN"


@dataclass
class PushResult:
    repo_id: str
    url: str
    files: int


def readiness(token_env: str = DEFAULT_TOKEN_ENV) -> str:
    """"offline" (HF_HUB_OFFLINE=1), "no_token" or "ready": what a push would meet, before trying one."""
    if os.environ.get("HF_HUB_OFFLINE") == "1":
        return "offline"
    return "ready" if os.environ.get(token_env or DEFAULT_TOKEN_ENV, "").strip() else "no_token"


def hub_token(token_env: str = DEFAULT_TOKEN_ENV) -> str:
    token = os.environ.get(token_env or DEFAULT_TOKEN_ENV, "").strip()
    if not token:
        raise ExportError("err_hub_no_token", env=token_env)
    return token


def check_repo_id(repo_id: str) -> str:
    from huggingface_hub.utils import validate_repo_id

    if not isinstance(repo_id, str) or repo_id.count("/") != 1:
        raise ExportError("err_hub_repo", repo=repo_id)
    validate_repo_id(repo_id)  # raises HFValidationError (a ValueError) with the rule it broke
    return repo_id


def push_folder(folder: str | Path, repo_id: str, *, token_env: str = DEFAULT_TOKEN_ENV,
                private: bool = True, message: str = "Upload from Katachi Studio") -> PushResult:
    """create_repo (kept if it exists) + upload_folder. Private by default: publishing is the user's call."""
    from huggingface_hub import HfApi

    folder = Path(folder)
    if not folder.is_dir():
        raise ExportMissing("err_hub_nothing", folder=folder)
    check_repo_id(repo_id)
    if readiness(token_env) == "offline":
        raise ExportError("err_hub_offline")
    token = hub_token(token_env)
    api = HfApi(token=token)
    try:
        repo = api.create_repo(repo_id, private=private, exist_ok=True)
        api.upload_folder(repo_id=repo_id, folder_path=str(folder), commit_message=message)
    # The client raises HTTP, transport, auth and validation errors of many classes (httpx's are not
    # OSError): the user gets one clean line without the token, whatever it was.
    except Exception as e:  # noqa: BLE001
        raise PushError("err_hub_push_failed", repo=repo_id, why=_scrub(e, token)) from None
    files = sum(1 for f in folder.rglob("*") if f.is_file())
    return PushResult(repo_id, str(getattr(repo, "url", repo)), files)


def _scrub(err: Exception, token: str) -> str:
    text = (str(err).strip().splitlines() or [type(err).__name__])[0]
    return redact(text, token)[:300]


def push_adapter(run_id: str, repo_id: str, *, token_env: str = DEFAULT_TOKEN_ENV,
                 private: bool = True) -> PushResult:
    """The run's adapter as the zip would hold it (PEFT files + card), uploaded as a folder."""
    run = exportable(run_id)
    hub_token(token_env)  # fail before staging anything
    with tempfile.TemporaryDirectory(prefix=".push-", dir=studio_home()) as tmp:
        folder = stage_adapter(run, Path(tmp) / "adapter")
        return push_folder(folder, repo_id, token_env=token_env, private=private,
                           message=f"Adapter from Katachi Studio run {run.id}")
