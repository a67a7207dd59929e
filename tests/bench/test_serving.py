"""`studio bench --serve` on the tiny model: Compare's one answer and `studio serve`'s streams through the official
openai client, the four streams sent at once answered in one engine call, and the section it writes beside the
others in docs/benchmarks.md. No timing is asserted: the figures live in docs/benchmarks.md."""
from __future__ import annotations

import pytest

from studio.bench import docs as bench_docs
from studio.bench import serving
from studio.compare.engine import Comparer
from tests.serve.conftest import loras, model, served  # noqa: F401 - the served tiny model

pytestmark = pytest.mark.usefixtures("one_thread")


def test_one_stream_matches_compare_s_tokens_and_four_at_once_share_an_engine_call(request, tiny_model_dir, tmp_path):
    live = request.getfixturevalue("served")  # studio serve with the tiny model, on 127.0.0.1
    comparer = Comparer(str(tiny_model_dir), chat=request.getfixturevalue("model"))
    with live.client() as client:
        rounds = serving._rounds(comparer, client, live.base, tokens=8, repeats=2)
    assert [t.tokens for t in rounds["one"]] == [t.tokens for t in rounds["compare"]]  # the same greedy answer
    assert all(len(timed) == len(serving.PROMPTS) and wall >= max(t.total_s for t in timed)
               for wall, timed in rounds["four"])
    assert 4 in live.server.batcher.sizes  # four requests sent together, one engine call
    assert all(len(n) == len(serving.PROMPTS) and wall > 0 for wall, n in rounds["compare_four"])
    result = {**serving.figures(rounds), "engine_calls": live.server.batcher.sizes, "model": "tiny",
              "max_tokens": 8, "repeats": 2, "machine": {"name": "test"}, "date": "today", "load_avg": [1, 2],
              "engine": "torch"}
    assert result["batch_gain"] == pytest.approx(result["four_rate"] / result["one_rate"], rel=0.01)
    assert result["engine_gain"] == pytest.approx(result["compare_four_rate"] / result["compare_rate"], rel=0.01)
    path = tmp_path / "benchmarks.md"
    path.write_text(f"{bench_docs.HEADER}\n<!-- bench:notes -->\nnotes\n<!-- /bench:notes -->\n{bench_docs.METHOD}")
    serving.write(path, result)
    serving.write(path, {**result, "date": "tomorrow"})  # replaced in place, not added twice
    text = path.read_text()
    assert text.count("## Serving (`studio bench --serve`)") == 1 and "Measured tomorrow" in text
    assert text.index("bench:serve") < text.index("bench:notes") and "four streams at once" in text
    assert "four answers at once (in process)" in text and f"**{result['engine_gain']:.2f}×**" in text
    assert "serve" in bench_docs.KEPT  # a later `studio bench` keeps the section
