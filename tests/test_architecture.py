"""The house rules of docs/architecture.md, checked on the source: where modules live, what they may
import and where. Each rule fails naming the file and line that breaks it."""
from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
STUDIO = ROOT / "studio"

# Heavy libraries: importing one costs seconds and memory, so outside studio/ui/ they are imported inside
# the function that needs them and `studio models` or the app's first page never pay for them.
HEAVY = {"torch", "transformers", "peft", "trl", "datasets", "bitsandbytes", "accelerate", "liger_kernel",
         "gguf", "gradio", "sentence_transformers", "llama_cpp"}
# Modules that must import a heavy library at the top (they subclass its classes, or only the training
# worker runs them). Everyone else imports these inside functions.
HEAVY_MODULES = {"studio.train.callbacks", "studio.train.engine", "studio.train.speed", "studio.models.inference",
                 "studio.ui.app"}  # the app imports gradio: `studio app` imports it only once it starts
# The layers, lowest first. A unit (a package, or a module at the studio/ root) imports only units of
# lower layers, or of its own layer listed before it: the picture has no cycles.
LAYERS = [
    ["text", "paths", "fsutil", "redact", "config", "gate"],
    ["models", "runs", "presets", "charts", "endpoints", "prompting"],
    ["engine", "chat", "data"],
    ["train", "compare"],
    ["evaluate", "facts", "bench", "export", "serve", "rewards"],
    ["ui", "cli", "__main__"],
]
RANK = {unit: (layer, i) for layer, units in enumerate(LAYERS) for i, unit in enumerate(units)}


def _modules() -> list[tuple[str, Path, ast.Module]]:
    out = []
    for path in sorted(STUDIO.rglob("*.py")):
        name = ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
        out.append((name, path, ast.parse(path.read_text(encoding="utf-8"))))
    return out


MODULES = _modules()


def _imports(tree: ast.Module):
    """(node, imported module names, at the top of the file?) for every import statement."""
    top = set(map(id, tree.body))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield node, [a.name for a in node.names], id(node) in top
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            yield node, [f"{node.module}.{a.name}" for a in node.names], id(node) in top


def _unit(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "studio"


def _where(path: Path, node: ast.AST) -> str:
    return f"{path.relative_to(ROOT)}:{node.lineno}"


def test_no_flat_modules_acting_as_a_package():
    stems = [p.stem for p in STUDIO.glob("*.py")]
    prefixes = {s.split("_")[0] for s in stems if "_" in s and not s.startswith("_")}
    flat = [s for s in stems if "_" in s and not s.startswith("_") and s.split("_")[0] in prefixes
            and sum(t.split("_")[0] == s.split("_")[0] for t in stems) > 1]
    assert not [s for s in stems if re.match(r"(compare|export|bench)_", s)]
    assert not flat, f"modules sharing a prefix belong in a package: {flat}"


def test_every_unit_has_a_layer():
    units = {_unit(name) for name, _, _ in MODULES} - {"studio"}
    assert units <= set(RANK), f"add to LAYERS in this file and in docs/architecture.md: {units - set(RANK)}"


def test_imports_point_down_the_layers():
    wrong = []
    for name, path, tree in MODULES:
        here = _unit(name)
        for node, targets, _ in _imports(tree):
            for target in targets:
                there = _unit(target) if target.startswith("studio.") else None
                if there and there != here and there in RANK and not RANK[there] < RANK[here]:
                    wrong.append(f"{_where(path, node)} ({here} imports {there})")
    assert not wrong, "imports against the layers:\n" + "\n".join(wrong)


def _private_module(target: str) -> str | None:
    """The package a private module (`_name.py`) of `target` belongs to, or None: `studio.data.generate` for
    `studio.data.generate._style_rows.Pair`; a private name in a public module is not a private module."""
    parts = target.split(".")
    for i, part in enumerate(parts):
        if part.startswith("_") and not part.startswith("__"):
            module = ROOT.joinpath(*parts[:i + 1]).with_suffix(".py")
            return ".".join(parts[:i]) if module.is_file() else None
    return None


def test_private_modules_are_imported_only_in_their_package():
    """A `_name.py` module is its package's own: from outside, code uses what the package makes public (so
    no script or other package reaches into studio/data/generate/_style_rows.py)."""
    wrong = [f"{_where(path, node)} ({target})" for name, path, tree in MODULES for node, targets, _ in _imports(tree)
             for target in targets if target.startswith("studio.")
             and (home := _private_module(target)) and not (name == home or name.startswith(home + "."))]
    assert not wrong, "private modules imported from outside their package:\n" + "\n".join(wrong)


def test_gradio_only_in_the_ui():
    leaks = [_where(path, node) for name, path, tree in MODULES if not name.startswith("studio.ui")
             for node, targets, _ in _imports(tree) if any(t.split(".")[0] == "gradio" for t in targets)]
    assert not leaks, f"gradio imported outside studio/ui/: {leaks}"


def test_heavy_libraries_are_imported_inside_functions():
    wrong = [_where(path, node) for name, path, tree in MODULES
             if not name.startswith("studio.ui") and name not in HEAVY_MODULES
             for node, targets, top in _imports(tree) if top and any(t.split(".")[0] in HEAVY for t in targets)]
    assert not wrong, f"heavy library imported at the top of the file: {wrong}"


def test_studio_modules_are_imported_at_the_top():
    """Except the heavy modules above, which are imported where they are needed."""
    wrong = []
    for name, path, tree in MODULES:
        for node, targets, top in _imports(tree):
            studio = [t for t in targets if t.split(".")[0] == "studio"]
            heavy = [t for t in studio if t in HEAVY_MODULES or t.rsplit(".", 1)[0] in HEAVY_MODULES]
            if studio and not top and not heavy:
                wrong.append(_where(path, node))
            if heavy and top and name not in HEAVY_MODULES:
                wrong.append(f"{_where(path, node)} (a heavy module, import it inside the function)")
    assert not wrong, "studio imports inside function bodies:\n" + "\n".join(wrong)


def test_every_package_registers_its_own_commands():
    from studio import cli

    # every capability, the UI too (`studio app`); not the text catalogue (words, no commands)
    packages = sorted(p.parent.name for p in STUDIO.glob("*/__init__.py") if p.parent.name != "text")
    registered = {m.__name__ for m in cli.PACKAGE_CLIS}
    for package in packages:
        module = STUDIO / package / "cli.py"
        assert module.is_file(), f"studio/{package}/ has no cli.py"
        assert "def register(" in module.read_text(encoding="utf-8"), f"studio/{package}/cli.py: no register()"
        assert f"studio.{package}.cli" in registered, f"studio/cli.py does not register studio.{package}.cli"


def test_one_set_of_jsonl_and_number_helpers():
    home = {"read_jsonl": "studio.fsutil", "write_jsonl": "studio.fsutil", "append_jsonl": "studio.fsutil",
            "append_line": None, "_jsonl": None, "_whole": "studio.data.generate", "_answer_loss": None,
            "_on_gpu": None,
            "is_number": "studio.config", "is_whole": "studio.config", "_num": None, "_int": None}
    helpers = set(home)
    copies = [f"{_where(path, node)} {node.name}" for name, path, tree in MODULES for node in ast.walk(tree)
              if isinstance(node, ast.FunctionDef) and node.name in helpers and home[node.name] != name]
    assert not copies, f"a second copy of a shared helper: {copies}"


# A declaration and the one module allowed to hold it: each is said once, and read from there.
SAID_ONCE = {
    '"base", "tuned", "parent", "prompt", "fewshot", "rag"': "studio.compare.columns",  # Compare's columns
    "if m else -100": "studio.models.loss",  # the held-out answer loss's labels
    "chat._CACHE": None,  # the chat model cache is studio.chat's own: others ask chat (held_on, release_device)
}


@pytest.mark.parametrize("text", SAID_ONCE, ids=str)
def test_each_declaration_is_said_once(text):
    found = [name for name, path, _ in MODULES if text in path.read_text(encoding="utf-8")]
    assert found == ([SAID_ONCE[text]] if SAID_ONCE[text] else []), f"{text!r} stands in {found}"


def _writes_a_json_line(node: ast.AST) -> bool:
    """json.dumps(...) + "\n": a JSONL line made by hand."""
    return (isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add) and isinstance(node.right, ast.Constant)
            and node.right.value == "\n" and isinstance(node.left, ast.Call)
            and isinstance(node.left.func, ast.Attribute) and node.left.func.attr == "dumps")


def test_jsonl_is_written_through_fsutil():
    """Every JSONL the studio writes goes through fsutil (atomic files, whole appended lines under a lock)."""
    by_hand = [_where(path, node) for name, path, tree in MODULES if name != "studio.fsutil"
               for node in ast.walk(tree) if _writes_a_json_line(node)]
    assert not by_hand, f"JSONL written by hand: {by_hand}"


def _picture() -> str:
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    return text.split("## The picture", 1)[1].split("```", 2)[1]


def test_the_architecture_picture_names_every_module():
    """docs/architecture.md's picture is the map of the house: every package lists each of its modules, every
    root module stands in it, and its list of heavy modules is HEAVY_MODULES."""
    picture = _picture()
    blocks = re.split(r"\n\d?\s+(?=\w+/\s)", picture)
    by_package = {b.split("/", 1)[0].strip(): b for b in blocks if re.match(r"\s*\w+/\s", b)}
    missing = []
    for package in sorted(p.parent.name for p in STUDIO.glob("*/__init__.py")):
        words = set(re.findall(r"[\w]+", by_package.get(package, "")))
        modules = {p.stem for p in (STUDIO / package).glob("*.py") if p.stem != "__init__"}
        modules |= {p.parent.name for p in (STUDIO / package).glob("*/__init__.py")}
        missing += [f"{package}/{m}" for m in sorted(modules - words)]
    missing += [p.name for p in STUDIO.glob("*.py") if p.stem != "__init__" and p.name not in picture]
    assert not missing, f"docs/architecture.md's picture lacks {missing}"
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    listed = re.search(r"<!-- heavy -->(.*?)<!-- /heavy -->", text, re.DOTALL).group(1)
    named = {"studio." + m.replace("/", ".").removesuffix(".py") for m in re.findall(r"`([\w/]+\.py)`", listed)}
    assert named == HEAVY_MODULES


def test_comments_give_reasons_not_issue_numbers():
    """'(issue 15)' is history, not a reason: the comment says why, the commit log says when."""
    tagged = [f"{path.relative_to(ROOT)}:{i}" for _, path, _ in MODULES
              for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
              if re.search(r"\bissue \d+", line)]
    assert not tagged, f"issue numbers in the source: {tagged}"


def test_the_command_line_starts_without_heavy_libraries():
    code = ("import sys; import studio.cli; "
            f"print(sorted(m for m in {sorted(HEAVY)!r} if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == "[]", out.stdout


@pytest.mark.parametrize("tool", ["ruff"])
def test_lint_is_clean(tool):
    """ruff with the rules and line length of pyproject.toml."""
    out = subprocess.run([sys.executable, "-m", tool, "check", "studio", "tests", "app.py"],
                         check=False, capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 0, out.stdout[-3000:]
