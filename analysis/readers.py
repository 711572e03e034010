"""Read articles from every supported input into one record type.

Supported inputs (``.gz`` compressed variants of the text formats work too):

========================  ==========================================================
input                     how it is read
========================  ==========================================================
folder                    every supported file in it, sorted; ``.txt`` files take
                          outlet, published, title, url and author from an optional
                          ``manifest.csv`` (column ``file`` names the .txt file)
``.txt``                  one article; the first line is the headline
``.csv``                  one article a row, header row required
``.jsonl`` / ``.ndjson``  one JSON object a line
``.parquet``              one article a row
``.html`` / ``.htm``      a saved page; trafilatura extracts text, title, date, site
``http(s)://`` URL        fetched with trafilatura, then read as a saved page
========================  ==========================================================

Tabular records use the corpus field names (``id``, ``outlet``, ``title``,
``published``, ``url``, ``text``, ``author``) and accept common synonyms
(``content``/``body`` for text, ``date`` for published, ``source``/``publisher``
for outlet, ``headline`` for title). Other fields are kept in ``meta``.

Readers never raise on bad input: they yield :class:`ReadProblem` rows that
name the file and line, so ingest can skip or abort as the user chose.
"""

from __future__ import annotations

import csv
import functools
import gzip
import io
import ipaddress
import json
import os
import re
import socket
import sys
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import charset_normalizer
from charset_normalizer.md import mess_ratio

from analysis.settings import setting

__all__ = [
    "SUPPORTED_SUFFIXES",
    "ArticleRecord",
    "ReadProblem",
    "read_inputs",
]

SUPPORTED_SUFFIXES = (".txt", ".csv", ".jsonl", ".ndjson", ".parquet", ".html", ".htm")
_MANIFEST_NAME = "manifest.csv"

_FIELD_SYNONYMS = {
    "text": ("text", "content", "body", "article", "full_text", "maintext", "content_original"),
    "title": ("title", "headline"),
    "outlet": ("outlet", "source", "publisher", "site_name", "sitename", "media", "outlet_name", "source_name"),
    "published": ("published", "date", "published_at", "publish_date", "date_publish", "pubdate", "datetime"),
    "url": ("url", "link", "source_url"),
    "author": ("author", "authors", "byline"),
    "language": ("language", "lang"),
}


@dataclass
class ArticleRecord:
    """One article as read, before cleaning.

    Attributes:
        text: the raw article text.
        source: where it came from, precise enough to find it again (``file.jsonl:12``, a URL).
        outlet, title, published, url, author, language: metadata when the input carries it.
        site_name: the page's own site name (HTML only).
        title_in_text: the first line of ``text`` is the headline (plain-text files).
        meta: every other field of the input record, kept as-is.
    """

    text: str
    source: str
    outlet: str | None = None
    title: str | None = None
    published: str | None = None
    url: str | None = None
    author: str | None = None
    language: str | None = None
    site_name: str | None = None
    title_in_text: bool = False
    meta: dict = field(default_factory=dict)


@dataclass(frozen=True)
class ReadProblem:
    """Why an input, or one record of it, could not be read.

    Attributes:
        source: the file (and line or row) or URL.
        message: a specific, human-readable reason.
        whole_input: True when nothing of the input could be read (missing file,
            unknown format, unreachable URL), False for one bad record.
    """

    source: str
    message: str
    whole_input: bool = False

    def __str__(self) -> str:
        return f"{self.source}: {self.message}"


class _InputError(Exception):
    """A whole input cannot be read; the message says why."""


def read_inputs(inputs: Iterable[str | os.PathLike]) -> Iterator[ArticleRecord | ReadProblem]:
    """Yield an :class:`ArticleRecord` or :class:`ReadProblem` for everything in ``inputs``.

    Args:
        inputs: paths of files or folders, and ``http(s)://`` URLs.
    """
    for item in inputs:
        text = os.fspath(item)
        scheme = urlsplit(text).scheme.lower()
        if scheme in {"http", "https"}:
            yield from _guarded(text, functools.partial(_read_url, text))
        elif "://" in text:
            yield ReadProblem(text, f"unsupported URL scheme {scheme!r}: only http:// and https:// URLs are fetched", True)
        else:
            yield from _guarded(text, functools.partial(_read_path, Path(text)))


def _guarded(source: str, read) -> Iterator[ArticleRecord | ReadProblem]:
    try:
        yield from read()
    except _InputError as error:
        yield ReadProblem(source, str(error), True)
    except OSError as error:
        yield ReadProblem(source, f"cannot read: {error.strerror or error}", True)


def _read_path(path: Path) -> Iterator[ArticleRecord | ReadProblem]:
    if not path.exists():
        raise _InputError("no such file or folder")
    if path.is_dir():
        yield from _read_folder(path)
        return
    yield from _read_file(path)


def _format_of(path: Path) -> tuple[str, bool]:
    """The format suffix of ``path`` and whether it is gzip-compressed."""
    suffixes = [s.lower() for s in path.suffixes]
    compressed = bool(suffixes) and suffixes[-1] == ".gz"
    if compressed:
        suffixes = suffixes[:-1]
    suffix = suffixes[-1] if suffixes else ""
    if suffix not in SUPPORTED_SUFFIXES:
        shown = suffix or "(no extension)"
        raise _InputError(
            f"unknown format {shown}: supported are {', '.join(SUPPORTED_SUFFIXES)} (optionally .gz), "
            "folders of .txt files, and http(s) URLs"
        )
    if compressed and suffix == ".parquet":
        raise _InputError("Parquet files are compressed internally; give the .parquet file itself")
    return suffix, compressed


def _check_size(path: Path) -> None:
    limit_mb = int(setting("max_file_mb"))
    size = path.stat().st_size
    if size > limit_mb * 1024 * 1024:
        raise _InputError(
            f"file is {size:,} bytes ({size / 1024 / 1024:.1f} MiB), over the {limit_mb} MiB limit "
            "(split it, or raise COVERAGE_LENS_MAX_FILE_MB)"
        )


def _read_file(path: Path, manifest_row: dict | None = None) -> Iterator[ArticleRecord | ReadProblem]:
    suffix, compressed = _format_of(path)
    _check_size(path)
    if suffix == ".parquet":
        yield from _read_parquet(path)
    elif suffix in {".jsonl", ".ndjson"}:
        yield from _read_jsonl(path, compressed)
    elif suffix == ".csv":
        yield from _read_csv(path, compressed)
    elif suffix in {".html", ".htm"}:
        yield _record_from_html(_decode(_read_bytes(path, compressed), str(path)), str(path))
    else:
        yield _read_text_file(path, compressed, manifest_row or {})


def _read_bytes(path: Path, compressed: bool) -> bytes:
    try:
        if compressed:
            with gzip.open(path, "rb") as handle:
                return handle.read()
        return path.read_bytes()
    except (gzip.BadGzipFile, EOFError, zlib.error) as error:
        raise _InputError(f"not a valid gzip file ({error})") from error


def _decode(data: bytes, source: str) -> str:
    """Decode bytes as text: BOMs first, then UTF-8, then charset-normalizer's best guess."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as error:
            raise _InputError(
                f"starts with a UTF-16 byte-order mark but is not UTF-16 text ({error.reason} at byte {error.start})"
            ) from error
    if b"\x00" in data[:8192]:
        raise _InputError("binary file, not text (it contains NUL bytes)")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    best = charset_normalizer.from_bytes(data).best()
    if best is None or best.chaos > 0.3:
        raise _InputError("text encoding could not be recognised (not UTF-8, and no other encoding fits)")
    # Short Western European texts are ambiguous between single-byte code pages, and the
    # detector can pick a Baltic or Central European one ("Zürich" read as "Z³rich").
    # Windows-1252 is by far the commonest legacy encoding of news text, so it wins
    # whenever it reads the bytes at least as cleanly as the detector's choice.
    western = _western_reading(data)
    if western is not None and mess_ratio(western) <= best.chaos:
        return western
    return str(best)


def _western_reading(data: bytes) -> str | None:
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        return None


def _read_folder(folder: Path) -> Iterator[ArticleRecord | ReadProblem]:
    manifest: dict[str, dict] = {}
    manifest_path = folder / _MANIFEST_NAME
    if manifest_path.is_file():
        try:
            rows = csv.DictReader(io.StringIO(_decode(manifest_path.read_bytes(), str(manifest_path))))
            manifest = {row["file"]: row for row in rows if row.get("file")}
        except (KeyError, csv.Error, _InputError) as error:
            yield ReadProblem(str(manifest_path), f"manifest ignored: {error}")
    files = sorted(p for p in folder.rglob("*") if p.is_file() and p.name != _MANIFEST_NAME and not p.name.startswith("."))
    readable = [p for p in files if _has_supported_suffix(p)]
    if not readable:
        raise _InputError(f"no readable files in folder (looked for {', '.join(SUPPORTED_SUFFIXES)})")
    for path in readable:
        manifest_row = manifest.get(path.relative_to(folder).as_posix())
        yield from _guarded(str(path), functools.partial(_read_file, path, manifest_row))


def _has_supported_suffix(path: Path) -> bool:
    try:
        _format_of(path)
        return True
    except _InputError:
        return False


def _blank_to_none(value) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _read_text_file(path: Path, compressed: bool, manifest_row: dict) -> ArticleRecord | ReadProblem:
    text = _decode(_read_bytes(path, compressed), str(path))
    known = {"file", "outlet", "published", "title", "url", "author", "language"}
    return ArticleRecord(
        text=text,
        source=str(path),
        outlet=_blank_to_none(manifest_row.get("outlet")),
        title=_blank_to_none(manifest_row.get("title")),
        published=_blank_to_none(manifest_row.get("published")),
        url=_blank_to_none(manifest_row.get("url")),
        author=_blank_to_none(manifest_row.get("author")),
        language=_blank_to_none(manifest_row.get("language")),
        title_in_text=True,
        meta={k: v for k, v in manifest_row.items() if k not in known and v not in (None, "")},
    )


def _pick(row: dict, name: str) -> tuple[str | None, str | None]:
    """The value of canonical field ``name`` in ``row`` and the key it was found under."""
    for key in _FIELD_SYNONYMS[name]:
        if key in row and row[key] not in (None, ""):
            value = row[key]
            if isinstance(value, list):
                value = ", ".join(str(v) for v in value)
            return str(value), key
    return None, None


def _record_from_mapping(row: dict, source: str) -> ArticleRecord | ReadProblem:
    """Map a tabular row onto an ArticleRecord, or say what is missing."""
    if not isinstance(row, dict):
        return ReadProblem(source, f"expected a JSON object, found {type(row).__name__}")
    text, text_key = _pick(row, "text")
    if text_key is None:
        present = [key for key in _FIELD_SYNONYMS["text"] if key in row]
        if not present:
            return ReadProblem(source, f"no text field (expected one of: {', '.join(_FIELD_SYNONYMS['text'])})")
        # A headline without a body is still an article (a brief, a first-sentence-only
        # document); ingest decides, knowing whether there is a title.
        text, text_key = "", present[0]
    used = {text_key}
    values = {}
    for name in ("title", "outlet", "published", "url", "author", "language"):
        values[name], key = _pick(row, name)
        used.add(key)
    meta = {k: v for k, v in row.items() if k not in used and v not in (None, "")}
    return ArticleRecord(text=text, source=source, meta=meta, **values)


def _read_jsonl(path: Path, compressed: bool) -> Iterator[ArticleRecord | ReadProblem]:
    opener = gzip.open if compressed else open
    try:
        with opener(path, "rb") as handle:
            for line_no, raw_line in enumerate(handle, start=1):
                if not raw_line.strip():
                    continue
                if line_no == 1 and raw_line.startswith(b"\xef\xbb\xbf"):
                    raw_line = raw_line[3:]
                source = f"{path}:{line_no}"
                try:
                    row = json.loads(_decode_line(raw_line))
                    if _SURROGATE_ESCAPE.search(raw_line):
                        row = _without_lone_surrogates(row)
                # ValueError: also a number of more than 4,300 digits; RecursionError: "[[[[..." nested too deep.
                except (ValueError, RecursionError, _InputError) as error:
                    yield ReadProblem(source, f"line is not valid JSON ({_json_reason(error)})")
                    continue
                yield _record_from_mapping(row, source)
    except (gzip.BadGzipFile, EOFError, zlib.error) as error:
        raise _InputError(f"not a valid gzip file ({error})") from error


def _json_reason(error: Exception) -> str:
    if isinstance(error, json.JSONDecodeError):
        return f"{error.msg.removesuffix(' at')} at column {error.colno}"  # "Invalid control character at"
    if isinstance(error, RecursionError):
        return "arrays or objects nested too deeply"
    if "integer string conversion" in str(error):
        return f"a number of more than {sys.get_int_max_str_digits():,} digits"
    return str(error)


# A JSON escape of a UTF-16 surrogate: "\ud83d\ude00" is one emoji, "\ud83d" alone half of one.
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def _without_lone_surrogates(value):
    """``value`` with every unpaired surrogate (a truncated emoji, say) replaced by U+FFFD.

    Such strings cannot be encoded as UTF-8, so neither hashed nor stored; the rest of the
    record is good, and bad bytes elsewhere are replaced the same way.
    """
    if isinstance(value, str):
        return _LONE_SURROGATE.sub("\ufffd", value)
    if isinstance(value, dict):
        return {_without_lone_surrogates(key): _without_lone_surrogates(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_without_lone_surrogates(item) for item in value]
    return value


def _decode_line(raw_line: bytes) -> str:
    if b"\x00" in raw_line:
        raise _InputError("it contains NUL bytes")
    try:
        return raw_line.decode("utf-8")
    except UnicodeDecodeError:
        return _decode(raw_line, "line")


def _read_csv(path: Path, compressed: bool) -> Iterator[ArticleRecord | ReadProblem]:
    text = _decode(_read_bytes(path, compressed), str(path))
    # Article bodies are longer than the csv module's default 128 KiB field limit.
    csv.field_size_limit(max(int(setting("max_article_chars")) * 4, 131072))
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise _InputError("empty CSV file (a header row is required)") from None
    except csv.Error as error:
        raise _InputError(f"header row cannot be parsed: {error}") from error
    header = [name.strip().lower() for name in header]
    if not any(name in header for name in _FIELD_SYNONYMS["text"]):
        raise _InputError(
            f"no text column in the header (found {', '.join(header) or 'none'}; "
            f"expected one of {', '.join(_FIELD_SYNONYMS['text'])})"
        )
    while True:
        start_line = reader.line_num + 1
        try:
            values = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            yield ReadProblem(f"{path}:{start_line}", f"malformed CSV row ({error})")
            continue
        source = f"{path}:{start_line}"
        if not any(v.strip() for v in values):
            continue
        if len(values) != len(header):
            yield ReadProblem(source, f"expected {len(header)} fields as in the header, found {len(values)}")
            continue
        yield _record_from_mapping(dict(zip(header, values)), source)


def _read_parquet(path: Path) -> Iterator[ArticleRecord | ReadProblem]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        parquet = pq.ParquetFile(path)
    except (pa.ArrowException, OSError) as error:
        raise _InputError(f"not a valid Parquet file ({error})") from error
    columns = [name.lower() for name in parquet.schema_arrow.names]
    if not any(name in columns for name in _FIELD_SYNONYMS["text"]):
        raise _InputError(
            f"no text column (found {', '.join(columns)}; expected one of {', '.join(_FIELD_SYNONYMS['text'])})"
        )
    row_no = 0
    try:
        for batch in parquet.iter_batches(batch_size=1000):
            for row in _parquet_rows(batch):
                row_no += 1
                if isinstance(row, str):
                    yield ReadProblem(f"{path}:row {row_no}", row)
                    continue
                normalised = {str(k).lower(): _jsonable(v) for k, v in row.items()}
                yield _record_from_mapping(normalised, f"{path}:row {row_no}")
    except pa.ArrowException as error:
        yield ReadProblem(f"{path}:row {row_no + 1}", f"Parquet data cannot be read ({error})", row_no == 0)


def _parquet_rows(batch) -> Iterator[dict | str]:
    """The batch's rows as dicts; a row whose string column holds invalid UTF-8 as the reason it cannot be read."""
    try:
        rows = batch.to_pylist()
    except UnicodeDecodeError:
        rows = None
    if rows is not None:
        yield from rows
        return
    for index in range(batch.num_rows):
        try:
            yield batch.slice(index, 1).to_pylist()[0]
        except UnicodeDecodeError as error:
            yield f"a text column is not valid UTF-8 ({error.reason} at byte {error.start})"


def _jsonable(value):
    """Parquet values as JSON-friendly Python values (dates as ISO text)."""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def _record_from_html(html: str, source: str, url: str | None = None) -> ArticleRecord | ReadProblem:
    import trafilatura

    document = trafilatura.bare_extraction(
        html, url=url, with_metadata=True, include_comments=False, include_tables=False
    )
    if document is None or not (document.text or "").strip():
        return ReadProblem(source, "no article text found in the HTML page")
    return ArticleRecord(
        text=document.text,
        source=source,
        title=_blank_to_none(document.title),
        published=_blank_to_none(document.date),
        url=url or _blank_to_none(document.url),
        author=_blank_to_none(document.author),
        language=_blank_to_none(document.language),
        site_name=_blank_to_none(document.sitename),
    )


def _read_url(url: str) -> Iterator[ArticleRecord | ReadProblem]:
    from trafilatura.downloads import fetch_response
    from trafilatura.settings import use_config

    allow_private = bool(setting("allow_private_urls"))
    if not allow_private:
        _refuse_private_host(url)
    config = use_config()
    config.set("DEFAULT", "DOWNLOAD_TIMEOUT", str(setting("url_timeout_s")))
    config.set("DEFAULT", "MAX_REDIRECTS", "5")
    # trafilatura's own guard re-checks every connection, redirects included.
    config.set("DEFAULT", "SSRF_PROTECTION", "off" if allow_private else "on")
    response = fetch_response(url, decode=False, config=config)
    if response is None or response.status == 0:
        raise _InputError("URL unreachable (no answer from the server, or a redirect to a refused address)")
    if response.status >= 400:
        raise _InputError(f"URL answered HTTP {response.status}")
    if not response.data:
        raise _InputError(f"URL answered HTTP {response.status} with an empty page")
    yield _record_from_html(_decode(response.data, url), url, url=response.url or url)


def _refuse_private_host(url: str) -> None:
    """Refuse URLs whose host is, or resolves to, a non-public address."""
    host = urlsplit(url).hostname or ""
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(host, None)}
    except (socket.gaierror, UnicodeError) as error:
        raise _InputError(f"URL unreachable: host {host!r} not found") from error
    for address in sorted(addresses):
        if not ipaddress.ip_address(address.split("%")[0]).is_global:
            raise _InputError(
                f"URL refused: {host} is a loopback, private or link-local address ({address}); "
                "set COVERAGE_LENS_ALLOW_PRIVATE_URLS=true to fetch from your own network"
            )
