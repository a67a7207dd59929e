"""Only the studio's own pages can drive it: a foreign Host (DNS rebinding) or a foreign Origin (another
site's page posting) gets 403 before any route runs, no event is a published API endpoint, a password
guesser is slowed down, and the hub token appears in no response. First the Gate on a tiny app, then the
real app.py served on a free port."""
from __future__ import annotations

import http.client
import json
import socket
import urllib.parse

import pytest
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from studio import gate
from tests.helpers.server import app_server

TOKEN = "hf_GateTestTokenNeverShown0123456789"


# --- the Gate on a tiny app -------------------------------------------------------------------------

def _tiny(allowed: gate.Allowed) -> TestClient:
    async def ok(request):
        return PlainTextResponse("ok")

    async def login(request):
        form = await request.form()
        good = form.get("password") == "right"
        return PlainTextResponse("in" if good else "Incorrect credentials.", status_code=200 if good else 400)

    app = Starlette(routes=[Route("/", ok, methods=["GET", "POST"]), Route("/login", login, methods=["POST"])],
                    middleware=[Middleware(gate.Gate, allowed=allowed)])
    return TestClient(app, base_url="http://127.0.0.1:7860")


@pytest.mark.parametrize("value,name", [("127.0.0.1:7860", "127.0.0.1"), ("LOCALHOST", "localhost"),
                                        ("[::1]:7860", "::1"), ("::1", "::1"), ("evil.example:80", "evil.example"),
                                        ("", "")])
def test_host_names_are_read_without_port_and_case(value, name):
    assert gate.host_name(value) == name


def test_the_allowed_hosts_are_the_local_names_the_bind_address_and_those_given():
    local = gate.allowed_hosts("127.0.0.1")
    assert {"127.0.0.1", "localhost", "::1"} <= local.names and "evil.example" not in local
    assert "" not in local and "x.gradio.live" not in local
    proxied = gate.allowed_hosts("127.0.0.1", ["Studio.Example.org:443"])
    assert "studio.example.org" in proxied
    shared = gate.allowed_hosts("127.0.0.1", share=True)
    assert "abc123.gradio.live" in shared and "gradio.live.evil.example" not in shared
    lan = gate.allowed_hosts("0.0.0.0")
    assert socket.gethostname().lower() in lan and "evil.example" not in lan


@pytest.mark.parametrize("method,headers,status", [
    ("GET", {}, 200),
    ("GET", {"host": "evil.example:7860"}, 403),
    ("POST", {"host": "evil.example"}, 403),
    ("GET", {"host": "localhost:7860"}, 200),
    ("POST", {"origin": "http://127.0.0.1:7860"}, 200),
    ("POST", {"origin": "https://evil.example"}, 403),
    ("POST", {"origin": "null"}, 403),
    ("GET", {"origin": "https://evil.example"}, 200),  # reading is stopped by Host and the browser's CORS
    ("GET", {"host": "proxy.example"}, 200),
    ("POST", {"host": "proxy.example", "origin": "https://proxy.example"}, 200),
])
def test_the_gate_refuses_foreign_hosts_and_foreign_origins_on_changes(method, headers, status):
    client = _tiny(gate.allowed_hosts("127.0.0.1", ["proxy.example"]))
    r = client.request(method, "/", headers=headers)
    assert r.status_code == status
    assert (r.text == "ok") == (status == 200)


def test_a_password_guesser_is_stopped_after_a_few_failures_and_the_answers_do_not_differ():
    client = _tiny(gate.allowed_hosts("127.0.0.1"))
    answers = [client.post("/login", data={"username": "x", "password": f"guess{i}"})
               for i in range(gate.MAX_FAILED_LOGINS)]
    assert all(a.status_code == 400 for a in answers)
    blocked = client.post("/login", data={"username": "x", "password": "right"})
    assert blocked.status_code == 429 and int(blocked.headers["retry-after"]) > 0
    assert client.get("/").status_code == 200  # only logins wait


def test_a_wrong_user_and_a_wrong_password_get_the_same_check():
    check = gate.password_check("me", "a-long-password")
    assert check("me", "a-long-password")
    assert not check("you", "a-long-password") and not check("me", "a-long-passwore") and not check("", "")


# --- the real app --------------------------------------------------------------------------------------

def _request(port: int, method: str, path: str, *, host: str | None = None, body: bytes | None = None,
             headers: dict | None = None) -> tuple[int, dict, str]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    sent = {"Host": host or f"127.0.0.1:{port}", **(headers or {})}
    conn.request(method, path, body=body, headers=sent)
    r = conn.getresponse()
    text = r.read().decode("utf-8", "replace")
    conn.close()
    return r.status, {k.lower(): v for k, v in r.getheaders()}, text


@pytest.fixture(scope="module")
def studio(tmp_path_factory):
    """app.py with a password, a proxy name allowed, and a hub token in its environment."""
    with app_server("--auth", "me:a-long-password", "--allowed-hosts", "proxy.example", env={"HF_TOKEN": TOKEN},
                    home=tmp_path_factory.mktemp("gate-home")) as port:
        yield port


def _login(port: int, user: str, password: str, **kw) -> tuple[int, dict, str]:
    body = urllib.parse.urlencode({"username": user, "password": password}).encode()
    return _request(port, "POST", "/login", body=body,
                    headers={"Content-Type": "application/x-www-form-urlencoded", **kw.pop("headers", {})}, **kw)


ROUTES = [("GET", "/"), ("GET", "/config"), ("GET", "/gradio_api/info"), ("POST", "/gradio_api/queue/join"),
          ("POST", "/gradio_api/upload"), ("GET", "/gradio_api/file=README.md"), ("POST", "/login")]


@pytest.mark.parametrize("method,path", ROUTES)
def test_a_foreign_host_is_refused_on_every_route(studio, method, path):
    status, _, text = _request(studio, method, path, host="evil.example:7860", body=b"{}" if method == "POST" else None)
    assert status == 403 and "own address" in text


def test_the_real_host_and_a_named_proxy_still_work_and_a_foreign_origin_cannot_log_in(studio):
    assert _request(studio, "GET", "/")[0] == 200
    assert _request(studio, "GET", "/", host="proxy.example")[0] == 200
    status, _, text = _login(studio, "me", "a-long-password", headers={"Origin": "https://evil.example"})
    assert status == 403 and "other sites" in text


def test_the_published_api_is_empty_and_no_response_holds_the_hub_token(studio):
    status, headers, _ = _login(studio, "me", "a-long-password", headers={"Origin": f"http://127.0.0.1:{studio}"})
    assert status == 200
    cookie = "; ".join(c.split(";")[0] for c in headers.get("set-cookie", "").split(", ") if "=" in c)
    info_status, _, info = _request(studio, "GET", "/gradio_api/info", headers={"Cookie": cookie})
    assert info_status == 200 and json.loads(info) == {"named_endpoints": {}, "unnamed_endpoints": {}}
    for path in ("/", "/config", "/gradio_api/info"):
        page_status, _, page = _request(studio, "GET", path, headers={"Cookie": cookie})
        assert page_status == 200 and TOKEN not in page and TOKEN[3:15] not in page


def test_a_login_brute_force_is_blocked_and_wrong_user_or_password_answer_alike(studio):
    wrong_user = _login(studio, "admin", "a-long-password")
    wrong_password = _login(studio, "me", "not-the-password")
    assert wrong_user[0] == wrong_password[0] == 400 and wrong_user[2] == wrong_password[2]
    codes = [_login(studio, "me", f"guess-{i}")[0] for i in range(gate.MAX_FAILED_LOGINS)]
    assert codes[-1] == 429 and set(codes[:gate.MAX_FAILED_LOGINS - 2]) == {400}
    assert _login(studio, "me", "a-long-password")[0] == 429  # even the right password waits out the window


def test_the_hub_status_line_never_shows_the_token(monkeypatch):
    from studio.ui.export_step import hub_status

    monkeypatch.setenv("HF_TOKEN", TOKEN)
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    for lang in ("en", "ja"):
        assert TOKEN not in hub_status(lang) and TOKEN[3:15] not in hub_status(lang)
