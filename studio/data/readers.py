"""Reading dataset files: bytes -> text -> records, each with the line it came from; and a hub dataset's
records, through `datasets`.

Every problem goes to the `say(line, field, what, **words)` callback (a Report's `say`: the catalogue's
`e_<what>` message and hint, in any language);
records that could not be read are yielded as `BAD` so that row counts stay honest.
"""
from __future__ import annotations

import ast
import bisect
import codecs
import csv
import io
import json
import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from studio.data.json_why import json_why
from studio.data.turns import type_name
from studio.text import Said

SUPPORTED = (".jsonl", ".json", ".csv", ".tsv", ".parquet", ".txt", ".md")
TEXT_FILES = (".txt", ".md")
BAD = object()  # a record already reported as unreadable
_KANA = re.compile(r"[\u3041-\u30ff]")  # hiragana/katakana: the surest sign of Japanese text
_CONTROL = set(range(32)) - {9, 10, 12, 13}
ErrorSink = Callable[..., None]  # (line, field, what, **words): Report.say


class HubError(Said, RuntimeError):
    """A hub dataset could not be loaded (offline, unknown id, no such split)."""


@dataclass
class Source:
    items: Iterator[tuple[Any, Any]]  # (key, record or BAD); the key is the line unless `place` says
    columns: list[str] | None = None  # a table's header: one header decides every row's format
    header_line: int | None = None
    place: Callable[[Any], tuple[int | None, int | None]] | None = None  # key -> (line, record number)


def open_source(path: Path, error: ErrorSink, max_bytes: int) -> Source | None:
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED:
        error(None, "file", "extension", ext=repr(suffix or "(none)"), allowed=", ".join(SUPPORTED))
        return None
    if not path.is_file():
        error(None, "file", "not_found")
        return None
    size = path.stat().st_size
    if size > max_bytes:
        error(None, "file", "too_large", size=_size(size), limit=_size(max_bytes))
        return None
    if suffix == ".parquet":
        return _read_parquet(path, error)
    content = _read_text(path, error)
    if content is None:
        return None
    if suffix in TEXT_FILES:  # one document, continued pretraining cuts it into passages
        return Source(iter([(1, {"text": content})]))
    if suffix == ".jsonl":
        return _read_jsonl(content, error)
    if suffix == ".json":
        return _read_json(content, error)
    return _read_table(content, error, "\t" if suffix == ".tsv" else ",")


def _size(n: int) -> str:
    for unit in ("bytes", "KiB", "MiB"):
        if n < 1024 or unit == "MiB":
            return f"{n:.0f} {unit}" if unit == "bytes" else f"{n:.1f} {unit}"
        n /= 1024
    raise AssertionError  # unreachable: the loop returns at MiB


def _read_text(path: Path, error: ErrorSink) -> str | None:
    data = path.read_bytes()
    data = data.removeprefix(codecs.BOM_UTF8)  # Excel and Notepad write a BOM: harmless, dropped
    if not data.strip():
        error(None, "file", "empty_file")
        return None
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        error(None, "encoding", "utf16")
        return None
    if _looks_binary(data):
        error(None, "file", "binary")
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        error(line, "encoding", "not_utf8", byte=f"{data[exc.start]:02x}", guess=_guess_encoding(data))
        return None


def _looks_binary(data: bytes) -> bool:
    head = data[:8192]
    return b"\x00" in head or sum(b in _CONTROL for b in head) > len(head) // 20


def _guess_encoding(data: bytes) -> str:
    """The legacy encodings people actually send: Japanese first, then Western."""
    for codec, label in (("cp932", "Shift_JIS (cp932)"), ("euc_jp", "EUC-JP")):
        try:
            if _KANA.search(data.decode(codec)):
                return label
        except UnicodeDecodeError:
            continue
    try:
        data.decode("cp1252")
        return "Windows-1252 (Latin-1)"
    except UnicodeDecodeError:
        return "Latin-1 or another 8-bit encoding"


def _parse_json(text: str, error: ErrorSink, line: int | None) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        if line is None:  # a whole .json document: its own line and column are the place
            error(exc.lineno, "json", "bad_json_doc", lineno=exc.lineno, col=exc.colno, why=json_why(exc))
        else:
            error(line, "json", "bad_json_line", col=exc.colno, why=json_why(exc))
    except RecursionError:
        error(line, "json", "too_deep")
    except ValueError as exc:  # e.g. an integer with more than 4300 digits
        error(line, "json", "bad_value", why=str(exc))
    return BAD


def _read_jsonl(content: str, error: ErrorSink) -> Source | None:
    if content.lstrip()[:1] in ("[", "{") and _is_one_document(content):
        error(None, "json", "one_document")
        return None
    return Source(_jsonl_items(content, error))


def _is_one_document(content: str) -> bool:
    """A pretty-printed .json saved as .jsonl: say so once instead of once per line."""
    if "\n" not in content.strip():
        return False  # one line is a valid JSONL file of one record
    try:
        json.loads(content)
    except (ValueError, RecursionError):
        return False
    return True


def _jsonl_items(content: str, error: ErrorSink) -> Iterator[tuple[int, Any]]:
    # split on "\n" only: str.splitlines would also split on U+2028 inside JSON strings
    for number, line in enumerate(content.split("\n"), 1):
        if not line.strip():
            continue
        if _is_python_literal(line):
            error(number, "json", "python_literal")
            yield number, BAD
            continue
        yield number, _parse_json(line, error, number)


def _is_python_literal(line: str) -> bool:
    """A dict written with str() or print(): {'role': 'user', ...} or True/None values."""
    head = line.lstrip()[:2]
    if head not in ("{'", "[{", "['") and "': " not in line[:200]:
        return False
    try:
        json.loads(line)
        return False
    except ValueError:
        pass
    try:
        return isinstance(ast.literal_eval(line.strip()), (dict, list))
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        return False


def _read_json(content: str, error: ErrorSink) -> Source | None:
    doc = _parse_json(content, error, None)
    if doc is BAD:
        return None
    wrapped = isinstance(doc, dict) and isinstance(doc.get("data"), list)
    if wrapped:
        doc = doc["data"]
    if not isinstance(doc, list):
        error(None, "json", "not_a_list", got=type_name(doc))
        return None
    lines = _record_lines(content, wrapped)
    return Source(iter(enumerate(doc)), place=lambda i: (lines[i] if i < len(lines) else None, i + 1))


def _record_lines(content: str, wrapped: bool) -> list[int]:
    """The line where each record of a JSON list starts (the list at the top, or under "data")."""
    decoder = json.JSONDecoder()
    newlines = [i for i, c in enumerate(content) if c == "\n"]
    pos = _skip(content, 0)
    if wrapped:
        pos = _find_key(content, pos, "data", decoder)
    starts, pos = [], _skip(content, pos + 1)  # past the "["
    while pos < len(content) and content[pos] != "]":
        starts.append(bisect.bisect_left(newlines, pos) + 1)
        _, end = decoder.raw_decode(content, pos)
        pos = _skip(content, end)
        pos = _skip(content, pos + 1) if content[pos:pos + 1] == "," else pos
    return starts


def _skip(content: str, pos: int) -> int:
    while pos < len(content) and content[pos] in " \t\r\n":
        pos += 1
    return pos


def _find_key(content: str, pos: int, wanted: str, decoder: json.JSONDecoder) -> int:
    """The position of `wanted`'s value in the object that starts at pos (the document parsed already)."""
    pos = _skip(content, pos + 1)
    while True:
        key, pos = decoder.raw_decode(content, pos)
        pos = _skip(content, _skip(content, pos) + 1)  # past the ":"
        if key == wanted:
            return pos
        _, pos = decoder.raw_decode(content, pos)
        pos = _skip(content, _skip(content, pos) + 1)  # past the ","


def _read_table(content: str, error: ErrorSink, delimiter: str) -> Source | None:
    reader = csv.reader(io.StringIO(content, newline=""), delimiter=delimiter)
    try:
        header = [h.strip() for h in next(reader)]
    except (csv.Error, StopIteration) as exc:
        error(1, "header", "bad_header", why=str(exc))
        return None
    duplicated = sorted(h for h, n in Counter(header).items() if n > 1)
    if duplicated or "" in header:
        error(1, "header", "header_names", names=duplicated or [""])
        return None
    return Source(_table_rows(reader, header, error), header, 1)


def _table_rows(reader: Iterator[list[str]], header: list[str],
                error: ErrorSink) -> Iterator[tuple[int, Any]]:
    number = 1
    while True:
        number += 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:  # e.g. a field over the csv module's size limit: stop here
            error(number, "row", "bad_row", why=str(exc))
            return
        if not any(c.strip() for c in cells):
            continue
        if len(cells) != len(header):
            error(number, "row", "ragged", n=len(cells), header=len(header))
            yield number, BAD
        else:
            yield number, dict(zip(header, cells))


def _read_parquet(path: Path, error: ErrorSink) -> Source | None:
    try:
        import pyarrow.parquet as pq

        parquet = pq.ParquetFile(path)
    except Exception as exc:  # noqa: BLE001 — pyarrow raises ArrowInvalid, OSError, ...
        error(None, "parquet", "bad_parquet", why=str(exc))
        return None
    return Source(_parquet_rows(parquet, error), list(parquet.schema_arrow.names), None,
                  place=lambda i: (None, i + 1))


def _parquet_rows(parquet: Any, error: ErrorSink) -> Iterator[tuple[int, Any]]:
    index = 0
    try:
        for batch in parquet.iter_batches(batch_size=4096):
            for record in batch.to_pylist():
                yield index, record
                index += 1
    except Exception as exc:  # noqa: BLE001
        error(index, "parquet", "parquet_rows", why=str(exc))


def load_hub(dataset_id: str, split: str = "train", max_rows: int | None = None) -> list[dict]:
    """Records of a hub dataset through `datasets`. Raises HubError with a readable reason."""
    try:
        from datasets import load_dataset

        dataset = load_dataset(dataset_id, split=split)
        if max_rows is not None and len(dataset) > max_rows + 1:
            dataset = dataset.select(range(max_rows + 1))  # one extra row tells 'too many'
        return [dict(r) for r in dataset]
    except Exception as exc:  # datasets raises many types (ConnectionError, FileNotFoundError...)
        raise HubError("err_hub_dataset", dataset=dataset_id, split=split, kind=type(exc).__name__,
                       why=str(exc)) from exc
