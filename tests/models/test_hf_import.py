"""transformers' first import from several threads at once (a file checked on arrival while a click loads a
tokenizer) gives every thread its classes: the studio's imports of it take turns (studio.models.hf)."""
import subprocess
import sys

CODE = """
import threading
from studio.models import hf
out, errors = [], []
def take():
    try:
        out.append(hf.classes("AutoTokenizer", "AutoModelForCausalLM", "BitsAndBytesConfig"))
    except Exception as e:
        errors.append(repr(e))
threads = [threading.Thread(target=take) for _ in range(8)]
[t.start() for t in threads]
[t.join() for t in threads]
assert not errors, errors
assert len(out) == 8 and len({tuple(c.__name__ for c in row) for row in out}) == 1, out
print(out[0][0].__name__)
"""


def test_eight_threads_importing_transformers_at_once_all_get_their_classes():
    done = subprocess.run([sys.executable, "-c", CODE], capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip().splitlines()[-1] == "AutoTokenizer"
