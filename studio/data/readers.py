"""Reading dataset files: bytes -> text -> records, each with the line it came from.

Every problem goes to the `error(line, field, message, hint)` callback (a Report's `error`);
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

from studio.data.turns import type_name
from studio.text import t

SUPPORTED = (".jsonl", ".json", ".csv", ".tsv", ".parquet", ".txt", ".md")
TEXT_FILES = (".txt", ".md")
BAD = object()  # a record already reported as unreadable
_KANA = re.compile(r"[\u3041-\u30ff]")  # hiragana/katakana: the surest sign of Japanese text
_CONTROL = set(range(32)) - {9, 10, 12, 13}
ErrorSink = Callable[..., None]  # (line, field, message, hint, **catalogued words)


@dataclass
class Source:
    items: Iterator[tuple[Any, Any]]  # (key, record or BAD); the key is the line unless `place` says
    columns: list[str] | None = None  # a table's header: one header decides every row's format
    header_line: int | None = None
    place: Callable[[Any], tuple[int | None, int | None]] | None = None  # key -> (line, record number)


def open_source(path: Path, error: ErrorSink, max_bytes: int) -> Source | None:
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED:
        error(None, "file", f"extension {suffix or '(none)'!r} is not supported",
              f"save the data as one of {', '.join(SUPPORTED)}")
        return None
    if not path.is_file():
        error(None, "file", "not found (or not a file)", "check the path")
        return None
    size = path.stat().st_size
    if size > max_bytes:
        error(None, "file", f"too large: {_size(size)}, the limit is {_size(max_bytes)}",
              "split the file or keep fewer rows")
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
        error(None, "file", "empty file", "add at least one record")
        return None
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        error(None, "encoding", "the file is UTF-16 (or UTF-32), not UTF-8", "re-save it as UTF-8")
        return None
    if _looks_binary(data):
        error(None, "file", "not a text file (it contains NUL or control bytes)",
              "export the data as UTF-8 JSONL, JSON, CSV or TSV, or as parquet")
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        error(line, "encoding", f"not UTF-8 (byte 0x{data[exc.start]:02x}); "
              f"it looks like {_guess_encoding(data)}", "re-save the file as UTF-8")
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


def _parse_json(text: str, error: ErrorSink, line: int | None, hint: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        if line is None:  # a whole .json document: its own line and column are the place
            error(exc.lineno, "json",
                  f"bad JSON at line {exc.lineno} column {exc.colno}: {exc.msg}", hint)
        else:
            error(line, "json", f"bad JSON at column {exc.colno}: {exc.msg}", hint)
    except RecursionError:
        error(line, "json", "JSON nested too deeply to read",
              "flatten the record: a row is a flat list of {role, content} turns")
    except ValueError as exc:  # e.g. an integer with more than 4300 digits
        error(line, "json", f"unreadable JSON value: {exc}", "write numbers and text plainly")
    return BAD


def _read_jsonl(content: str, error: ErrorSink) -> Source | None:
    if content.lstrip()[:1] in ("[", "{") and _is_one_document(content):
        error(None, "json", "the file is one JSON document, not JSON Lines (one object per line)",
              "rename it to .json, or write one record per line")
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
            error(number, "json", t("en", "data_python"), t("en", "data_python_hint"), text_key="data_python")
            yield number, BAD
            continue
        yield number, _parse_json(line, error, number, "one complete JSON object per line; "
                                  "check quotes, commas and brackets")


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
    doc = _parse_json(content, error, None, "if it holds one object per line, save it as .jsonl")
    if doc is BAD:
        return None
    wrapped = isinstance(doc, dict) and isinstance(doc.get("data"), list)
    if wrapped:
        doc = doc["data"]
    if not isinstance(doc, list):
        error(None, "json",
              f"expected a list of records or {{\"data\": [...]}}, got {type_name(doc)}",
                     "wrap the records in [ ... ]")
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
        error(1, "header", f"unreadable header: {exc}", "the first row names the columns")
        return None
    duplicated = sorted(h for h, n in Counter(header).items() if n > 1)
    if duplicated or "" in header:
        error(1, "header", f"empty or repeated column names: {duplicated or ['']}",
              "give every column a distinct name")
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
            error(number, "row", f"unreadable row: {exc}", "check the quoting of this row")
            return
        if not any(c.strip() for c in cells):
            continue
        if len(cells) != len(header):
            error(number, "row", f"has {len(cells)} fields but the header has {len(header)}",
                  "quote fields that contain the delimiter, quotes or newlines")
            yield number, BAD
        else:
            yield number, dict(zip(header, cells))


def _read_parquet(path: Path, error: ErrorSink) -> Source | None:
    try:
        import pyarrow.parquet as pq

        parquet = pq.ParquetFile(path)
    except Exception as exc:  # noqa: BLE001 — pyarrow raises ArrowInvalid, OSError, ...
        error(None, "parquet", f"unreadable parquet file: {exc}",
              "re-export it (pandas: df.to_parquet(path)) or use JSONL")
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
        error(index, "parquet", f"unreadable rows from here on: {exc}", "re-export the file")
