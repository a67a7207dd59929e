"""One reader per source format: every module of studio/data/formats/ has the same small interface, registers
itself, and detection names exactly one reader for a record of each format (a new module that forgets its
registration, or its sample here, fails)."""
from __future__ import annotations

import importlib
import pkgutil

import pytest

from studio.data import formats
from studio.data.formats import READERS, Reader, RecordError, detect_format, normalise

# A record of each format, in the shape its own tool writes.
SAMPLES = {
    "messages": {"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello"}]},
    "sharegpt": {"conversations": [{"from": "human", "value": "Hi"}, {"from": "gpt", "value": "Hello"}],
                 "system": "Be kind."},
    "alpaca": {"instruction": "Greet", "input": "", "output": "Hail!", "history": [["Who?", "A friend."]]},
    "prompt_completion": {"prompt": "Say hi", "completion": "Hi!"},
    "query_response": {"query": "Say hi", "response": "Hi!", "system": "Be brief."},
    "columns": {"question": "2+2?", "answer": "4"},
    "text": {"text": "Once upon a time."},
    "preference": {"prompt": "Greet me", "chosen": "Good morrow!", "rejected": "Go away."},
    "kto": {"prompt": "Greet me", "completion": "Good morrow!", "label": True},
    "stepwise": {"prompt": "2+2?", "completions": ["2+2 is 4."], "labels": [True]},
}
MODULES = sorted(m.name for m in pkgutil.iter_modules(formats.__path__) if not m.name.startswith("_"))


def test_the_registry_lists_every_module_once():
    names = [r.name for r in READERS]
    assert sorted(names) == MODULES, "a module of studio/data/formats/ is not in formats.READERS (or the reverse)"
    assert len(set(names)) == len(names)
    assert set(SAMPLES) == set(names), "give each format a sample record here"


@pytest.mark.parametrize("name", MODULES)
def test_each_module_exposes_the_same_interface(name):
    module = importlib.import_module(f"studio.data.formats.{name}")
    reader = module.READER
    assert isinstance(reader, Reader) and reader is formats.reader(name)
    assert reader.name == name and reader.label == formats.FORMAT_NAMES[name]
    assert callable(reader.detect) and isinstance(reader.reads, frozenset)
    assert module.__doc__ and all(f.__doc__ for f in (reader.detect, reader.to_row, reader.shape) if f)
    if reader.refused:  # named in the file's verdict; DPO/KTO rows where the format gives them
        assert callable(reader.shape) and name in formats.REFUSED
    else:
        assert callable(reader.to_row) and name in formats.FORMATS and reader.shape is None


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_detection_picks_exactly_one_reader(name):
    """Several readers may claim a record (a KTO row is also a prompt/completion row): the precedence of
    READERS makes one of them the record's, and that one is the sample's own."""
    record = SAMPLES[name]
    claims = [r.name for r in READERS if r.detect(record)]
    assert claims[0] == name and detect_format(record) == name


@pytest.mark.parametrize(("record", "name"), [({"instruction": "a"}, "alpaca"), ({"prompt": "a"}, "prompt_completion")])
def test_an_incomplete_record_is_told_as_its_format(record, name):
    assert not any(r.detect(record) for r in READERS)
    assert detect_format(record) == name
    with pytest.raises(RecordError):
        normalise(record, name)


@pytest.mark.parametrize("name", formats.FORMATS)
def test_each_trained_format_makes_a_row_of_its_sample(name):
    record = SAMPLES[name]
    row = normalise(record, name, formats.guess_mapping(record) if name == "columns" else None)
    if name == "text":
        assert row == {"text": record["text"]}
    else:
        assert formats.row_problem(row) is None


@pytest.mark.parametrize("name", formats.REFUSED)
def test_each_refused_format_is_named_and_never_an_sft_row(name):
    reader = formats.reader(name)
    assert reader.shape(SAMPLES[name])
    with pytest.raises(RecordError) as caught:
        normalise(SAMPLES[name], name)
    assert caught.value.key == "e_refused_row" and caught.value.words == {"fmt": reader.label}
    if reader.kto_rows:
        assert all(isinstance(row["label"], bool) for row in reader.kto_rows(SAMPLES[name]))
    if reader.dpo_row:
        assert set(reader.dpo_row(SAMPLES[name])) == {"prompt", "chosen", "rejected"}
