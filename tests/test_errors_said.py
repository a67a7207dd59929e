"""Errors raised below the UI (a model, a path, an export, an import) are Said (issue 15): str(e) is the
exact English the command line, logs and run folders read; said(lang, e) is the catalogue's text in the
UI's language. Real calls, no mocks."""
from __future__ import annotations

import ast
import pickle
import re
import string
import zipfile
from pathlib import Path

import pytest

from studio import runs
from studio.config import ModelSpec, RunConfig
from studio.data.turns import RecordError, fail
from studio.export import ExportError, ExportMissing
from studio.export.bundle import export_adapter_zip
from studio.export.importer import import_adapter
from studio.models import ModelError, resolve
from studio.paths import UnsafePathError
from studio.text import TEXT, Said, en, errors_en, errors_ja, ja, said, t

ROOT = Path(__file__).resolve().parent.parent
JAPANESE = re.compile(r"[\u3041-\u30ff\u4e00-\u9fff]")


def _fields(text: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(text) if f}


def test_every_error_key_is_in_both_languages_with_the_same_fields():
    assert set(errors_en.ERRORS) == set(errors_ja.ERRORS)
    for key, english in errors_en.ERRORS.items():
        japanese = errors_ja.ERRORS[key]
        assert key.startswith("err_"), key
        assert TEXT["en"][key] == english and TEXT["ja"][key] == japanese, f"{key} is not merged into TEXT"
        assert _fields(english) == _fields(japanese), key
        assert JAPANESE.search(japanese) and japanese != english, f"{key} has no Japanese"


def test_the_error_catalogue_overrides_nothing_of_the_ui_catalogue():
    assert not set(errors_en.ERRORS) & set(en.TEXT)
    assert not set(errors_ja.ERRORS) & set(ja.TEXT)


def test_every_error_key_the_code_raises_is_in_the_catalogue():
    used = set()
    for path in (ROOT / "studio").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) \
                    and re.fullmatch(r"err_[a-z_]*[a-z]", node.value):
                used.add((node.value, f"{path.relative_to(ROOT)}:{node.lineno}"))
    assert len(used) > 40
    missing = [where for key, where in used if key not in TEXT["en"]]
    assert not missing, f"error keys not in studio/text/errors_en.py: {missing}"


def _both(error: BaseException, english: str, *names: str) -> str:
    """str(error) is exactly english; said() gives it back in English and says it in Japanese, naming names."""
    assert isinstance(error, Said) and isinstance(error, ValueError)
    assert str(error) == english and said("en", error) == english
    japanese = said("ja", error)
    assert JAPANESE.search(japanese) and japanese != english, japanese
    for name in names:
        assert name in japanese, (name, japanese)
    return japanese


def test_an_unknown_model_name():
    with pytest.raises(ModelError) as err:
        resolve("no-such-model")
    _both(err.value, "unknown model 'no-such-model': not a studio model, a hub id (org/name) or a folder",
          "no-such-model")


def test_a_model_folder_without_config_json(tmp_path):
    folder = tmp_path / "weights-only"
    folder.mkdir()
    (folder / "model.safetensors").write_bytes(b"")
    with pytest.raises(ModelError) as err:
        resolve(str(folder))
    japanese = _both(err.value, f"model folder {str(folder)!r} holds no config.json: not a Hugging Face model "
                                "folder", str(folder))
    assert "config.json" in japanese


def test_a_run_id_with_dot_dot():
    with pytest.raises(UnsafePathError) as err:
        runs.get("a..b")
    japanese = _both(err.value, "run id 'a..b' is not allowed: use letters, digits, '.', '_' or '-' (at most 80).",
                     "a..b")
    assert "実行 ID" in japanese and "run id" not in japanese  # the Term is said in Japanese too


def test_an_adapter_zip_with_an_absolute_member(tmp_path):
    archive = tmp_path / "evil.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("/abs/evil.txt", b"x")
    with pytest.raises(UnsafePathError) as err:
        import_adapter(archive)
    _both(err.value, "the zip member '/abs/evil.txt' has an absolute path: refused", "/abs/evil.txt")
    assert runs.all_runs() == []


def test_exporting_a_run_that_is_still_running(tmp_path):
    run = runs.create(RunConfig(model=ModelSpec(name="smollm2-135m")))
    run.write_status(state="running", pid=None)
    with pytest.raises(ExportError) as err:
        export_adapter_zip(run.id, tmp_path / "a.zip")
    japanese = _both(err.value, f"run {run.id} is running: wait until it ends (or stop it) before exporting",
                     run.id)
    assert t("ja", "state_running") in japanese and "running" not in japanese
    assert not (tmp_path / "a.zip").exists()


def test_a_missing_import_is_still_a_file_not_found_error(tmp_path):
    with pytest.raises(FileNotFoundError) as err:
        import_adapter(tmp_path / "nowhere")
    assert isinstance(err.value, ExportMissing) and str(err.value) == f"{tmp_path / 'nowhere'} does not exist"
    assert str(tmp_path / "nowhere") in said("ja", err.value) and said("ja", err.value) != str(err.value)


def test_a_said_error_survives_pickling_with_its_key():
    error = pickle.loads(pickle.dumps(ModelError("err_model_unknown", name="x")))
    assert type(error) is ModelError and str(error) == said("en", error)
    assert said("ja", error) == t("ja", "err_model_unknown", name="x")


def test_a_data_check_error_is_said_from_its_catalogue_key_and_other_errors_as_they_are():
    with pytest.raises(RecordError) as err:
        fail("messages[0]", "not_object", got="list")
    assert said("en", err.value) == str(err.value)
    assert said("ja", err.value) == f"messages[0]: {t('ja', 'e_not_object', got='list')}" != str(err.value)
    assert said("ja", KeyError("no run 'x'")) == str(KeyError("no run 'x'"))
    assert said("ja", ValueError("plain")) == "plain"


def test_a_config_error_is_said_in_the_ui_language():
    """A setting out of range, a start-from problem and a missing file, each in English and Japanese."""
    import pytest

    from studio.config import ConfigError
    from studio.text import said
    from studio.train import recipe, runner

    cfg = recipe.build("smollm2-135m", train_path="/nowhere/rows.jsonl", n_rows=10,
                       overrides={"batch_size": 0, "gradient_checkpointing": None, "start_from": "no-such-run"})
    with pytest.raises(ConfigError) as err:
        runner.start(cfg)
    english, japanese = said("en", err.value), said("ja", err.value)
    assert english == str(err.value) == ("train.batch_size: 1..1024; data.train_path: /nowhere/rows.jsonl does not "
                                         "exist (or is not a file); train.start_from: no run 'no-such-run' (see "
                                         "`studio runs`)")
    assert japanese.startswith("設定を直してください: train.batch_size: 1〜1024 の整数にしてください")
    assert "存在しないか" in japanese and "続ける実行が使えません" in japanese


def _english_raises() -> dict[str, int]:
    """Per module, how many `raise X("an English sentence …")` it holds (a message a user may see that the
    catalogue cannot say in Japanese)."""
    import ast

    counts: dict[str, int] = {}
    for path in sorted((ROOT / "studio").rglob("*.py")):
        if path.parent.name == "text":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call) and node.exc.args):
                continue
            first = node.exc.args[0]
            words = first.value if isinstance(first, ast.Constant) else "".join(
                v.value for v in getattr(first, "values", []) if isinstance(v, ast.Constant))
            if isinstance(words, str) and " " in words.strip():
                name = str(path.relative_to(ROOT))
                counts[name] = counts.get(name, 0) + 1
    return counts


def test_no_english_error_sentence_is_raised():
    """Every message a user can meet comes from the catalogue, so the Japanese UI can say it."""
    assert not _english_raises(), "raise a Said with a catalogue key (studio/text/errors_*.py) instead"


def test_a_prompt_and_a_compare_column_are_refused_in_the_ui_language():
    import pytest

    from studio.chat import check_prompt
    from studio.compare.columns import parse_kinds
    from studio.text import said

    for call, english in ((lambda: check_prompt("   "), "the prompt is empty: type a question first"),
                          (lambda: parse_kinds(["base", "nonsense"]), "unknown column 'nonsense'")):
        with pytest.raises(ValueError) as err:
            call()
        assert said("en", err.value).startswith(english) and JAPANESE.search(said("ja", err.value))


def test_a_missing_prompts_file_for_compare(tmp_path):
    from studio.compare import CompareError
    from studio.compare.cli import read_prompts

    missing = tmp_path / "prompts.txt"
    with pytest.raises(CompareError) as err:
        read_prompts(str(missing))
    japanese = _both(err.value, f"prompts file {missing} does not exist", str(missing))
    assert "プロンプトのファイル" in japanese and "prompts file" not in japanese  # the Term is said in Japanese


def test_a_general_knowledge_file_with_duplicate_ids(tmp_path):
    from studio.facts.corpus import CorpusError
    from studio.facts.general import load_questions

    path = tmp_path / "questions.jsonl"
    path.write_text('{"id": "q1", "q": "Capital of France?", "answers": ["Paris"]}\n' * 2, encoding="utf-8")
    with pytest.raises(CorpusError) as err:
        load_questions(path)
    _both(err.value, f"{path}: duplicate ids ['q1']", str(path), "q1")


def test_a_timeline_of_a_run_without_checkpoints():
    from studio.evaluate import EvalError
    from studio.evaluate.timeline import checkpoint_timeline

    run = runs.create(RunConfig(model=ModelSpec(name="smollm2-135m")))
    with pytest.raises(EvalError) as err:
        checkpoint_timeline(run.id)
    _both(err.value, f"run {run.id} has no saved checkpoint yet: wait for the first save", run.id)


def test_benchmark_rows_from_no_pairs():
    from studio.bench import BenchError
    from studio.bench.data import build_rows

    with pytest.raises(BenchError) as err:
        build_rows([], 10, seed=0)
    _both(err.value, "no question/answer pairs to build benchmark rows from")


def test_the_app_refuses_a_share_link_without_a_password():
    """A SystemExit whose code is the Said: the process prints the English and ends with status 1."""
    from studio.ui.cli import check_exposure, parse

    with pytest.raises(SystemExit) as err:
        check_exposure(parse(["--share"]))
    assert str(err.value) == str(err.value.code)
    japanese = _both(err.value.code, "refusing to serve on a share link without --auth USER:PASS: anyone who "
                                     "reaches it could train and read your data", "--auth USER:PASS")
    assert "共有リンク" in japanese and "share link" not in japanese
    with pytest.raises(SystemExit) as err:
        check_exposure(parse(["--port", "70000"]))
    _both(err.value.code, "--port 70000 is not a valid port", "70000")


def test_a_teacher_without_seed_rows():
    from studio.data.generate import GeneratorError
    from studio.data.generate.teacher import teach

    with pytest.raises(GeneratorError) as err:
        teach("smollm2-135m", [], "answer politely", n=4)
    _both(err.value, "the teacher needs at least one seed row")


def test_an_adapter_for_another_base_says_its_problem_in_the_ui_language():
    """The whole message keeps the command line's advice; `problem` (what the UI shows with its own advice) is
    said in Japanese too."""
    from studio.export.base_check import WrongBaseError, choose_base

    with pytest.raises(WrongBaseError) as err:
        choose_base("google/gemma-3-270m", "smollm2-135m")
    problem = ("wrong base model: this adapter was made for 'google/gemma-3-270m' (google/gemma-3-270m), not for "
               "'smollm2-135m' (HuggingFaceTB/SmolLM2-135M-Instruct)")
    _both(err.value, f"{problem}; import it without --model or with --model gemma3-270m", "--model gemma3-270m")
    assert err.value.problem == problem and err.value.made_for == "gemma3-270m"
    japanese = err.value.problem.said("ja")
    assert "ベースモデルが違います" in japanese and "google/gemma-3-270m" in japanese and "--model" not in japanese
