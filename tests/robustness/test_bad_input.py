"""Bad input anywhere a user can give it gets a clear message and changes nothing on disk that it
should not: uploads (through the Data step's own handler), form values and configs (through the Train
step and the runner), model ids, paths and run ids (prompts and generation settings: test_bad_prompts.py).

Every case asserts both halves: the message (naming the file and line, or the field) and a snapshot
of the data home taken before and after. Malformed files as such are covered line by line in
data/test_validate.py; here they arrive the way a browser sends them."""
from __future__ import annotations

import codecs
import hashlib
import json
import math
import shutil
from pathlib import Path

import gradio as gr
import pytest

from studio import presets, runs
from studio.config import ConfigError, RunConfig
from studio.data.choice import DataChoice
from studio.data.store import MAX_UPLOAD_BYTES, datasets_dir, generated_path, import_upload
from studio.paths import UnsafePathError
from studio.train import runner
from studio.ui import data_step, model_step, runs_step, train_step
from tests.helpers.bad_input import GOOD_ROW, jsonl, message, nothing_changes, snapshot, upload


@pytest.fixture
def model(tiny_model_dir) -> str:
    return str(tiny_model_dir)


@pytest.fixture
def dataset(studio_home) -> DataChoice:
    """A dataset chosen in the Data step (it lives in the datasets folder, as uploads do)."""
    path = datasets_dir() / "greetings.jsonl"
    path.write_bytes(jsonl(*[GOOD_ROW] * 8))
    return DataChoice(path=str(path), label=path.name, rows=8)


# --- 1. uploaded files --------------------------------------------------------------------------

def _cp932_jsonl() -> bytes:
    return json.dumps({"prompt": "挨拶して", "completion": "拙者でござる"}, ensure_ascii=False).encode("cp932")


def _nested_json() -> bytes:
    return b"[" * 100_000 + b"]" * 100_000


# (upload name, bytes, line shown, field shown, words of the message). All have no usable row.
BAD_UPLOADS = {
    "blank": ("notes.jsonl", b"  \n\n\t\n", None, "file", "empty file"),
    "binary": ("photo.jsonl", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), None, "file",
               "not a text file"),
    "utf16": ("table.csv", "prompt,response\nhi,there\n".encode("utf-16"), None, "encoding", "UTF-16"),
    "utf32-bom": ("table.tsv", codecs.BOM_UTF32_LE + "a\tb\n".encode("utf-32-le"), None, "encoding",
                  "UTF-16"),
    "shift-jis": ("samurai.jsonl", _cp932_jsonl(), 1, "encoding", "Shift_JIS"),
    "latin-1": ("cafe.csv", "prompt,response\ncafé,crème\n".encode("latin-1"), 2, "encoding", "Latin-1"),
    "bad-utf8-late": ("late.jsonl", jsonl(GOOD_ROW) * 3 + b'{"prompt": "\xff"}\n', 4, "encoding", "not UTF-8"),
    "nested-json": ("deep.json", _nested_json(), None, "json", "nested too deeply"),
    "nested-jsonl": ("deep.jsonl", b'{"messages": ' + b"[" * 50_000 + b"]" * 50_000 + b"}\n", 1, "json",
                     "nested too deeply"),
    "huge-cell": ("big.csv", b"prompt,response\n" + b"x" * 200_000 + b",y\n", 2, "row", "unreadable row"),
    "lone-surrogate": ("escape.jsonl", b'{"prompt": "\\ud800 hi", "completion": "yo"}\n', 1, "prompt",
                       "surrogate"),
    "json-null": ("nothing.json", b"null", None, "json", "expected a list of records"),
    "lists-not-objects": ("lists.jsonl", b"[1, 2]\n[3]\n", 1, "record", "expected a JSON object"),
    "header-only": ("head.csv", b"prompt,response\n", None, "file", "no records"),
    "fake-parquet": ("table.parquet", b"PAR1" + b"\x00garbage" * 10 + b"PAR1", None, "parquet",
                     "unreadable parquet"),
    "unknown-keys": ("keys.jsonl", jsonl({"foo": 1, "bar": 2}), 1, "record", "unknown format"),
    "no-extension": ("README", b"hello\n", None, "file", "is not supported"),
}


@pytest.mark.parametrize("case", BAD_UPLOADS, ids=str)
def test_a_bad_upload_is_named_at_its_line_and_never_stored(case, tmp_path, studio_home, model):
    name, data, line, field, words = BAD_UPLOADS[case]
    src = upload(tmp_path, name, data)
    with nothing_changes(studio_home), pytest.warns(UserWarning, match="no usable rows"):
        *shown, choice = data_step.load_file(src, "", model)
    frame = shown[1]
    assert choice is None  # nothing to train on: the data step keeps no choice
    hits = frame[(frame["field"] == field) & frame["problem"].str.contains(words, regex=False)]
    assert len(hits), frame.to_dict("records")
    assert hits.iloc[0]["file"] == name  # the file as the user named it
    assert hits.iloc[0]["line"] == ("" if line is None else str(line))  # a JSON list adds " (record N)"
    assert hits.iloc[0]["what to do"]  # and what to do about it


# (upload name, bytes or a size for a sparse file, words of the message)
REFUSED_UPLOADS = {
    "empty": ("empty.jsonl", b"", "empty"),
    "executable": ("setup.exe", b"MZ\x90\x00", "unsupported file type"),
    "pickle": ("rows.pkl", b"\x80\x04\x95", "unsupported file type"),
    "huge": ("huge.jsonl", MAX_UPLOAD_BYTES + 1, "limit"),
}


@pytest.mark.parametrize("case", REFUSED_UPLOADS, ids=str)
def test_an_unusable_upload_is_refused_before_reading(case, tmp_path, studio_home, model):
    name, data, words = REFUSED_UPLOADS[case]
    if isinstance(data, int):  # sparse: 200 MB on disk costs nothing
        src = upload(tmp_path, name, b"")
        with open(src, "r+b") as f:
            f.truncate(data)
    else:
        src = upload(tmp_path, name, data)
    with nothing_changes(studio_home), pytest.raises(gr.Error) as err:
        data_step.load_file(src, "", model)
    assert words in message(err.value) and name.split(".")[0] in message(err.value)


def test_an_upload_that_vanished_or_is_a_folder_is_a_clear_error(tmp_path, studio_home, model):
    with nothing_changes(studio_home):
        for path in (tmp_path / "gone.jsonl", tmp_path):
            with pytest.raises(gr.Error) as err:
                data_step.load_file(str(path), "", model)
            assert "upload it again" in message(err.value) or "not a file" in message(err.value) \
                or "unsupported" in message(err.value)


def test_a_path_in_the_upload_name_stays_in_the_datasets_folder(tmp_path, studio_home):
    src = upload(tmp_path, "data.jsonl", jsonl(GOOD_ROW))
    stored = import_upload(src, "../../../etc/cron.d/evil.jsonl")
    assert stored.parent == datasets_dir().resolve() and stored.name == "evil.jsonl"
    assert not (studio_home.parent / "etc").exists()


def test_a_bad_upload_with_a_taken_name_leaves_the_stored_dataset_alone(tmp_path, studio_home, model, dataset):
    """A run may train on datasets/greetings.jsonl: uploading another file of that name replaces nothing."""
    before = Path(dataset.path).read_bytes()
    src = upload(tmp_path, "greetings.jsonl", b"not json at all\n")
    with nothing_changes(studio_home), pytest.warns(UserWarning):
        data_step.load_file(src, "", model)
    good = upload(tmp_path, "greetings.jsonl", jsonl(GOOD_ROW, GOOD_ROW | {"meta": {"n": 2}}))
    *_, choice = data_step.load_file(good, "", model)
    assert choice.label == "greetings-2.jsonl"
    assert Path(dataset.path).read_bytes() == before


def test_a_wrong_column_mapping_names_the_columns_and_stores_nothing(tmp_path, studio_home, model):
    src = upload(tmp_path, "qa.csv", b"question,answer\nhi,there\n")
    with nothing_changes(studio_home), pytest.warns(UserWarning):
        *shown, choice = data_step.load_file(src, "prompt=q,response=a", model)
    problems = " ".join(shown[1]["problem"])
    assert choice is None and "not in the file" in problems and "question" in problems
    with nothing_changes(studio_home), pytest.raises(gr.Error, match="prompt=question"):
        data_step.load_file(src, "prompt question", model)


def test_100k_rows_validate_quickly_and_a_bad_row_among_them_is_named(tmp_path, studio_home, model):
    import time

    rows = [{"messages": [{"role": "user", "content": f"q{i}"}, {"role": "assistant", "content": f"a{i}"}]}
            for i in range(100_000)]
    rows[77_776]["messages"][1]["content"] = ""  # line 77777
    src = upload(tmp_path, "many.jsonl", jsonl(*rows))
    t0 = time.process_time()
    *shown, choice = data_step.load_file(src, "", model)
    assert time.process_time() - t0 < 30
    frame = shown[1]
    assert frame.to_dict("records") == [{"file": "many.jsonl", "line": "77777", "field": "messages[1].content",
                                         "problem": "empty answer", "what to do": frame.iloc[0]["what to do"]}]
    assert choice.rows == 99_999  # usable rows are kept; the bad one is left out
    assert snapshot(studio_home) == {"datasets/many.jsonl": hashlib.sha1(Path(src).read_bytes()).hexdigest()}


# --- 2. form values and configs -----------------------------------------------------------------

# (setting, value, the field the message names)
ABSURD = [
    ("learning_rate", -0.001, "train.learning_rate"), ("learning_rate", math.inf, "train.learning_rate"),
    ("learning_rate", math.nan, "train.learning_rate"), ("epochs", 0.0, "train.epochs"),
    ("epochs", 1e9, "train.epochs"), ("batch_size", 0, "train.batch_size"),
    ("batch_size", 100_000, "train.batch_size"), ("grad_accum", -1, "train.grad_accum"),
    ("max_steps", -7, "train.max_steps"), ("warmup_ratio", 1.0, "train.warmup_ratio"),
    ("lora_r", -8, "lora.r"), ("lora_alpha", 0.0, "lora.alpha"), ("lora_dropout", -0.1, "lora.dropout"),
    ("max_length", 8, "data.max_length"), ("seed", -1, "train.seed"), ("seed", 2**40, "train.seed"),
    ("quant", "int2", "train.quant"), ("dtype", "fp8", "train.dtype"),
]


@pytest.mark.parametrize("setting,value,field", ABSURD, ids=[f"{s}={v}" for s, v, _ in ABSURD])
def test_an_absurd_setting_names_its_field_and_creates_no_run(setting, value, field, model, dataset,
                                                              studio_home):
    with nothing_changes(studio_home), pytest.raises(gr.Error) as err:
        train_step.start(model, dataset, {setting: value})
    assert message(err.value).startswith(field) or f"; {field}" in message(err.value)
    assert runs.all_runs() == []


@pytest.mark.parametrize("text,words", [
    ("train: {epochs: three}", "train.epochs"),
    ("train: {bogus: 1}", "train.bogus"),
    ("lora: [1, 2]", "lora must be a mapping"),
    ("- a list", "config must be a mapping"),
], ids=["string-number", "unknown-key", "section-not-mapping", "not-mapping"])
def test_a_bad_config_file_names_the_setting(text, words, tmp_path, studio_home):
    path = tmp_path / "config.yaml"
    path.write_text(text, encoding="utf-8")
    with nothing_changes(studio_home), pytest.raises(ConfigError) as err:
        cfg = RunConfig.from_yaml(path)
        cfg.data.preset = "gozaru"
        runner.start(cfg)
    assert words in str(err.value)


# --- 3. model ids -------------------------------------------------------------------------------

@pytest.mark.parametrize("name,words", [
    ("nosuchmodel", "unknown model"), ("../../etc/passwd", "model folder"), ("org/name/extra", "unknown model"),
    ("my model", "unknown model"), ("/no/such/folder", "does not exist"), ("", "no model given"),
], ids=["unknown", "traversal", "three-parts", "space", "missing-folder", "empty"])
def test_an_unknown_model_id_is_refused_before_a_run_exists(name, words, dataset, studio_home):
    with nothing_changes(studio_home), pytest.raises(gr.Error) as err:
        train_step.start(name, dataset, {})
    assert words in message(err.value)
    assert runs.all_runs() == []


def test_a_model_folder_with_pickle_weights_only_is_refused(tiny_model_dir, tmp_path, dataset, studio_home):
    folder = tmp_path / "pickled"
    folder.mkdir()
    shutil.copy(tiny_model_dir / "config.json", folder)
    (folder / "pytorch_model.bin").write_bytes(b"\x80\x04not really")
    with nothing_changes(studio_home), pytest.raises(gr.Error, match="safetensors"):
        train_step.start(str(folder), dataset, {})
    assert "safetensors" in model_step.card_markdown(str(folder))  # the card says so too, no traceback


# --- 4. paths and run ids -----------------------------------------------------------------------

def test_a_data_path_outside_the_data_home_is_refused(tmp_path, model, studio_home):
    outside = tmp_path / "private.jsonl"
    outside.write_bytes(jsonl(GOOD_ROW))
    for path in (str(outside), "/etc/hostname", str(datasets_dir() / ".." / "config.yaml")):
        with nothing_changes(studio_home), pytest.raises(gr.Error) as err:
            train_step.start(model, DataChoice(path=path, rows=1), {})
        assert "outside the studio's datasets folder" in message(err.value)
        assert "outside" in train_step.plan(model, DataChoice(path=path, rows=1), {})
    assert runs.all_runs() == []


def test_a_dataset_deleted_since_it_was_chosen_is_named(model, dataset, studio_home):
    Path(dataset.path).unlink()
    with nothing_changes(studio_home), pytest.raises(gr.Error, match="greetings.jsonl is gone"):
        train_step.start(model, dataset, {})


@pytest.mark.parametrize("args,words", [
    (["--data", "/no/such/train.jsonl"], "does not exist"),
    (["--data", "{good}", "--eval-data", "/no/such/eval.jsonl"], "data.eval_path"),
    (["--data", "{notes}"], "is not one of"),
    (["--preset", "../runs"], "not allowed"),
    (["--preset", "nosuchpreset"], "no preset"),
], ids=["missing-train", "missing-eval", "wrong-type", "preset-traversal", "unknown-preset"])
def test_cli_train_refuses_bad_data_before_making_a_run(args, words, tmp_path, model, studio_home, capsys):
    from studio.cli import main

    good, notes = tmp_path / "good.jsonl", tmp_path / "notes.docx"
    good.write_bytes(jsonl(GOOD_ROW))
    notes.write_text("hello")
    args = [a.format(good=good, notes=notes) for a in args]
    with nothing_changes(studio_home):
        code = main(["train", *args, "--model", model, "--detach"])
    err = capsys.readouterr().err
    assert code == 2 and words in err and "Traceback" not in err
    assert runs.all_runs() == []


@pytest.fixture
def done_run(tiny_model_dir, studio_home) -> runs.Run:
    cfg = RunConfig()
    cfg.model.name, cfg.data.preset = str(tiny_model_dir), "gozaru"
    run = runs.create(cfg)
    run.write_status(state="done")
    return run


@pytest.mark.parametrize("run_id", ["../runs", "../../etc", "/tmp", "..", ".", "", "a/b", "x" * 200],
                         ids=["parent", "grandparent", "absolute", "dotdot", "dot", "empty", "slash", "long"])
def test_a_run_id_with_a_path_in_it_touches_nothing(run_id, done_run, studio_home):
    with nothing_changes(studio_home):
        for action in (runs.get, runs.delete, runner.stop, runner.resume):
            with pytest.raises(UnsafePathError, match="run id"):
                action(run_id)
        with pytest.raises(gr.Error, match="not allowed" if run_id else "pick a run first"):
            runs_step.delete(run_id, None)
        if run_id:  # an empty pick is no run at all in the UI
            assert "not allowed" in runs_step.detail(run_id)[1]
            assert "is gone" in train_step.poll(run_id)[0]
    assert done_run.path.is_dir()


@pytest.mark.parametrize("name", ["../../escape", "/abs/olute", "a;rm -rf ~", "$(reboot)", "`id`", "..\\..\\x"])
def test_a_run_name_with_a_path_or_shell_in_it_stays_in_the_run_store(name, tiny_model_dir, studio_home):
    cfg = RunConfig(name=name)
    cfg.model.name, cfg.data.preset = str(tiny_model_dir), "gozaru"
    run = runs.create(cfg)
    assert run.path.parent == (studio_home / "runs").resolve()
    assert runs.get(run.id).path == run.path  # the id passes the same gate every user-given id does
    assert sorted(p.name for p in studio_home.iterdir()) == ["runs"]


@pytest.mark.parametrize("bad", ["../secrets", "/etc", "..", "nosuch"])
def test_a_preset_name_with_a_path_is_refused(bad):
    with pytest.raises((UnsafePathError, KeyError)) as err:
        presets.load(bad)
    assert "not allowed" in str(err.value) or "no preset" in str(err.value)


def test_a_generated_file_name_cannot_leave_the_datasets_folder(studio_home):
    with nothing_changes(studio_home), pytest.raises(UnsafePathError):
        generated_path("../../escape", 10, 0)
