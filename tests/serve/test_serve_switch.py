"""The Export tab's Serve switch, as the browser calls it: on, the server answers the official client at the
URL it shows, with snippets for the picked run in the UI's language; off, the port is free again; a refusal
leaves the switch off. And the whole app still builds with the panel in it."""
from __future__ import annotations

import socket
import subprocess
import sys

import openai
import pytest

from studio.ui import serve_panel
from tests.helpers import ROOT
from tests.helpers.server import free_port
from tests.serve.conftest import KEY, serving

pytestmark = pytest.mark.usefixtures("one_thread")


@pytest.fixture(autouse=True)
def switched_off():
    yield
    serve_panel.stop()


def _port_free(port: int) -> bool:
    """Nothing listens there (connections closed a moment ago may linger, as for any restarted server)."""
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def test_the_switch_starts_and_stops_the_server_and_shows_how_to_call_it(tiny_model_dir, model, loras, monkeypatch):
    with serving(tiny_model_dir, model, loras, monkeypatch) as other:  # the fixture's runs and tiny model
        other.server.stop()
        run = other.runs[1]
        port = free_port()
        on, status, curl, python = serve_panel.toggle(True, port, "", run.id, "ja")
        url = f"http://127.0.0.1:{port}/v1"
        assert on is True and url in status and "提供中" in status and run.id in status
        assert curl["visible"] and url in curl["value"] and run.id in curl["value"]
        assert f'base_url="{url}"' in python["value"] and 'api_key="not-needed"' in python["value"]
        client = openai.OpenAI(base_url=url, api_key="x", max_retries=0, timeout=120)
        assert run.id in {m.id for m in client.models.list()}
        answer = client.chat.completions.create(model=run.id, messages=[{"role": "user", "content": "hi"}],
                                                max_tokens=4, temperature=0)
        assert answer.choices[0].finish_reason in ("stop", "length")
        assert other.runs[2].id in serve_panel.shown(other.runs[2].id, "en")[0]  # the snippets follow the pick
        assert serve_panel.restore("en")[0] is True  # a reloaded page shows the switch on
        off = serve_panel.toggle(False, port, "", run.id, "en")
        assert off[0] is False and off[1] == "Not serving." and not off[2]["visible"]
        assert serve_panel.running() is None and _port_free(port)


def test_a_key_set_with_the_switch_is_required_and_never_shown(tiny_model_dir, model, loras, monkeypatch):
    with serving(tiny_model_dir, model, loras, monkeypatch) as other:
        other.server.stop()
        port = free_port()
        on, status, curl, python = serve_panel.toggle(True, port, KEY, None, "en")
        assert on and "key required" in status
        assert KEY not in status + curl["value"] + python["value"] and "$STUDIO_API_KEY" in curl["value"]
        with pytest.raises(openai.AuthenticationError):
            openai.OpenAI(base_url=f"http://127.0.0.1:{port}/v1", api_key="wrong-key", max_retries=0).models.list()


def test_a_refused_start_leaves_the_switch_off():
    with pytest.warns(UserWarning, match="at least 8 characters"):
        on, status, *_ = serve_panel.toggle(True, free_port(), "short", None, "en")
    assert on is False and status == "Not serving." and serve_panel.running() is None


def test_the_app_builds_with_the_serve_panel():
    code = ("from studio.ui.app import build_ui; demo = build_ui(); "
            "ids = {getattr(b, 'elem_id', None) for b in demo.blocks.values()}; "
            "print({'serve-switch', 'serve-curl', 'serve-python'} <= ids)")
    out = subprocess.run([sys.executable, "-c", code], check=False, capture_output=True, text=True, cwd=ROOT,
                         timeout=300)
    assert out.stdout.strip().endswith("True"), out.stderr[-2000:]
