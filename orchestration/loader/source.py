"""The bytes of a landed file: hash, header, decoding, and a UTF-8 copy DuckDB can read.

DuckDB reads UTF-8 natively; the ``encodings`` extension cannot be downloaded here, so other
encodings are transcoded to a temporary UTF-8 file in large chunks (C-speed codecs, no row loops).
The same pass hashes the original bytes and proves they decode, so a bad byte fails the file with
its line number instead of surfacing as a DuckDB error deep in a query.
"""

from __future__ import annotations

import codecs
import hashlib
import os
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from .errors import LoadError

CHUNK = 4 * 1024 * 1024
SNIFF_BYTES = 256 * 1024
_DATE_IN_PATH = re.compile(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)")
WIDE_ENCODINGS = ("utf-16", "utf-32", "utf_16", "utf_32")
UTF8_NAMES = {"utf-8", "utf_8", "utf8", "utf-8-sig", "utf_8_sig", "u8"}


def codec_name(encoding: str, source_file: str) -> str:
    try:
        name = codecs.lookup(encoding).name
    except LookupError as exc:
        raise LoadError(source_file, f"unknown encoding {encoding!r} in the spec") from exc
    # utf-8-sig strips a BOM when there is one and reads plain UTF-8 otherwise.
    return "utf-8-sig" if name in UTF8_NAMES else name


def shown_encoding(encoding: str) -> str:
    """How messages name a codec: utf-8-sig is how UTF-8 (BOM or not) is read, users know it as utf-8."""
    return "utf-8" if is_utf8(encoding) else encoding


def is_utf8(encoding: str) -> bool:
    return encoding == "utf-8-sig"


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


# Longest header the loader reads looking for the header record's end: the same bound DuckDB
# puts on one line (read.MAX_LINE_SIZE), so a header it could read is never refused here.
MAX_HEADER_BYTES = 32 * 1024 * 1024
# Byte-order marks, longest first: UTF-32 LE's BOM starts with UTF-16 LE's.
BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def bom_encoding(path: Path) -> str | None:
    """The codec a byte-order mark at the start names (it decodes and drops the BOM), or None.

    A BOM is unambiguous, so it wins over the encoding a spec declares: Excel's "Unicode Text" and
    many Windows tools write UTF-16 with one, and that is text, not a binary file full of NULs.
    """
    with path.open("rb") as handle:
        head = handle.read(4)
    return next((codec for bom, codec in BOMS if head.startswith(bom)), None)


def read_header(path: Path, encoding: str, delimiter: str, source_file: str = "") -> list[str] | None:
    """The header fields as written (trimmed, BOM stripped), or None when the file has no content.

    Reads until the end of the header record, however long: CR, LF or CRLF ends it (outside
    quotes). Python's csv module is not used: it refuses fields over 131,072 characters and bare
    CR line endings. Used to recognise a file, so decoding errors are replaced here; the full
    pass is strict.
    """
    decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
    text = ""
    size = SNIFF_BYTES
    read = 0
    with path.open("rb") as handle:
        while True:
            chunk = handle.read(size)
            read += len(chunk)
            text += decoder.decode(chunk, final=not chunk)
            if not chunk:
                break
            if text.lstrip("\ufeff").strip():  # blank so far: an empty file, unless something follows
                fields = _header_fields(text.lstrip("\ufeff"), delimiter, complete=False)
                if fields is not None:
                    return fields
            elif read >= MAX_HEADER_BYTES:
                return None
            if read >= MAX_HEADER_BYTES:
                raise LoadError(
                    source_file or path.name,
                    f"the header does not end within {MAX_HEADER_BYTES // 2**20} MiB (an unclosed quote?)",
                    1,
                )
            size *= 2  # doubling keeps a very long header linear to read
    text = text.lstrip("\ufeff")
    if not text.strip():
        return None
    return _header_fields(text, delimiter, complete=True)


def _header_fields(text: str, delimiter: str, complete: bool) -> list[str] | None:
    """The first record's fields; None when ``text`` may stop inside it (``complete``: it is the whole file).

    Quoting as DuckDB and Python's csv module read it: a quote opens a quoted field only at the
    field's start, ``""`` inside one is a literal quote, any other quote is literal.
    """
    tokens = re.compile(f'"|{re.escape(delimiter)}|\r|\n')
    fields: list[str] = []
    value: list[str] = []
    quoted = False
    fresh = True  # nothing of the current field read yet
    position = 0
    while (match := tokens.search(text, position)) is not None:
        if match.start() > position:
            value.append(text[position : match.start()])
            fresh = False
        token, position = match.group(), match.end()
        if quoted:
            if token != '"':
                value.append(token)
            elif position == len(text) and not complete:
                return None  # a closing or an escaped quote: the next chunk decides
            elif text.startswith('"', position):
                value.append('"')
                position += 1
            else:
                quoted = False
        elif token == '"':
            quoted, fresh = fresh, False
            if not quoted:
                value.append('"')
        else:
            fields.append("".join(value))
            value, fresh = [], True
            if token != delimiter:
                return _trimmed(fields)  # the end of the record
    if not complete:
        return None
    fields.append("".join(value) + text[position:])
    return _trimmed(fields)


def _trimmed(fields: list[str]) -> list[str]:
    return [field.strip().lstrip("\ufeff") for field in fields]


def undecodable_head_line(path: Path, encoding: str) -> int | None:
    """The line of the first byte near the start that is not valid ``encoding``, or None.

    Used only to explain a header that matched nothing: the file was written in another encoding.
    """
    with path.open("rb") as handle:
        head = handle.read(SNIFF_BYTES)
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    try:
        decoder.decode(head)  # not final: a character cut by the sniff window is not an error
    except UnicodeDecodeError as exc:
        return head[: max(exc.start, 0)].count(b"\n") + 1
    return None


def nul_byte_line(path: Path, encoding: str) -> int | None:
    """The line of the first NUL byte near the start, or None: NUL never occurs in a text CSV
    (outside UTF-16/32), so it marks a binary file whatever its name says."""
    if encoding.startswith(WIDE_ENCODINGS):
        return None
    with path.open("rb") as handle:
        head = handle.read(SNIFF_BYTES)
    if b"\x00" not in head:
        return None
    return head[: head.index(b"\x00")].count(b"\n") + 1


@dataclass(frozen=True)
class PreparedFile:
    file_hash: str
    csv_path: Path  # the original file when it is UTF-8, else a temporary UTF-8 copy


@contextmanager
def prepared(path: Path, encoding: str, source_file: str) -> Iterator[PreparedFile]:
    """Hash, validate and (for non-UTF-8 files) transcode in one streaming pass."""
    transcode = not is_utf8(encoding)
    checks_nul = not encoding.startswith(WIDE_ENCODINGS)
    digest = hashlib.sha256()
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    tmp = None
    try:
        if transcode:
            fd, name = tempfile.mkstemp(suffix=".csv", prefix="funnel-loader-")
            tmp = Path(name)
            out = os.fdopen(fd, "wb")
        newlines = 0
        with path.open("rb") as handle:
            for chunk in iter(lambda: handle.read(CHUNK), b""):
                digest.update(chunk)
                if checks_nul and b"\x00" in chunk:
                    line = newlines + chunk[: chunk.index(b"\x00")].count(b"\n") + 1
                    raise LoadError(source_file, "contains NUL bytes: this is a binary file, not a CSV", line)
                try:
                    text = decoder.decode(chunk)
                except UnicodeDecodeError as exc:
                    line = newlines + chunk[: max(exc.start, 0)].count(b"\n") + 1
                    raise LoadError(
                        source_file,
                        f"bytes that are not valid {encoding}: {exc.reason}; expected {shown_encoding(encoding)} text "
                        "(declare the file's encoding in a mapping file, e.g. encoding: cp1252)",
                        line,
                    ) from exc
                newlines += chunk.count(b"\n")
                if transcode:
                    out.write(text.encode("utf-8"))
            try:
                tail = decoder.decode(b"", final=True)
            except UnicodeDecodeError as exc:
                raise LoadError(source_file, f"ends inside a {encoding} character", newlines + 1) from exc
            if transcode:
                out.write(tail.encode("utf-8"))
                out.close()
        yield PreparedFile(digest.hexdigest(), tmp if transcode else path)
    finally:
        if tmp is not None:
            if not out.closed:
                out.close()
            tmp.unlink(missing_ok=True)


def exported_at(relative: str, path: Path) -> datetime:
    """The export date: a YYYY-MM-DD in the path (folders of daily snapshots), else the file's mtime."""
    for match in _DATE_IN_PATH.finditer(relative):
        try:
            return datetime(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:
            continue
    mtime = path.stat().st_mtime
    return datetime.fromtimestamp(mtime, tz=timezone.utc).replace(tzinfo=None)
