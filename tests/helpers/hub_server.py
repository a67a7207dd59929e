"""A local stand-in for the Hugging Face hub's HTTP API, so push tests run the real `huggingface_hub`
client down to the socket: create a repo, validate the card's YAML, pre-upload, commit (every file
"regular", i.e. base64 in the commit's NDJSON). It keeps what arrived, for the tests to read."""
from __future__ import annotations

import base64
import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Self


@dataclass
class HubRepo:
    private: bool
    files: dict[str, bytes] = field(default_factory=dict)
    commits: list[str] = field(default_factory=list)


@dataclass
class HubState:
    repos: dict[str, HubRepo] = field(default_factory=dict)
    tokens: list[str] = field(default_factory=list)
    """The Authorization headers seen (each should be "Bearer <token>")."""
    refuse_with: int | None = None
    """When set, every commit is answered with this HTTP status (401, 500...)."""


def _handler(state: HubState) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self._reply({"error": "not here"}, 404)

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length") or 0))
            if self.headers.get("authorization"):
                state.tokens.append(self.headers["authorization"])
            path = self.path.split("?")[0]
            if path == "/api/repos/create":
                self._create(json.loads(body))
            elif path == "/api/validate-yaml":
                self._reply({"errors": [], "warnings": []})
            elif "/preupload/" in path:
                files = json.loads(body)["files"]
                self._reply({"files": [{"path": f["path"], "uploadMode": "regular", "shouldIgnore": False}
                                       for f in files]})
            elif "/commit/" in path:
                self._commit(path.split("/api/models/")[1].split("/commit/")[0], body)
            else:
                self._reply({"error": "not here"}, 404)

        def _create(self, req: dict) -> None:
            repo_id = f"{req.get('organization')}/{req['name']}"
            private = req.get("visibility", "private" if req.get("private") else "public") == "private"
            state.repos.setdefault(repo_id, HubRepo(private))
            self._reply({"url": f"http://{self.headers['host']}/{repo_id}", "name": req["name"]})

        def _commit(self, repo_id: str, body: bytes) -> None:
            if state.refuse_with:
                self._reply({"error": "Invalid credentials in Authorization header"}, state.refuse_with)
                return
            repo = state.repos[repo_id]
            for line in body.decode().splitlines():
                item = json.loads(line)
                if item["key"] == "header":
                    repo.commits.append(item["value"]["summary"])
                elif item["key"] == "file":
                    repo.files[item["value"]["path"]] = base64.b64decode(item["value"]["content"])
            self._reply({"commitUrl": f"http://{self.headers['host']}/{repo_id}/commit/{'a' * 40}",
                         "commitOid": "a" * 40, "success": True})

        def _reply(self, obj: dict, code: int = 200) -> None:
            data = json.dumps(obj).encode()
            self.send_response(code)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args) -> None:
            pass

    return Handler


class LocalHub:
    """`with LocalHub() as hub:` serves on 127.0.0.1 at hub.endpoint until the block ends."""

    def __init__(self) -> None:
        self.state = HubState()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self.state))
        self.endpoint = f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self) -> Self:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
