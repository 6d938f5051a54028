"""Compressed exports: the data files inside a ``.zip``, and a ``.gz`` file, loaded like plain files.

Salesforce's Data Export service delivers ``WE_<org id>_<n>.ZIP`` files holding ``Lead.csv``,
``Opportunity.csv``, ... at the root, sometimes beside attachments. Each member is named
``<archive>!/<member>`` (``salesforce/WE_00D_1.ZIP!/Lead.csv``) in the ledger and in ``_source_file``,
is recognised by its own name, and is extracted to a temporary file one at a time, streamed, never
held in memory; that copy is what gets hashed, so the same CSV plain and zipped is one content.
A ``.gz`` file is one file: ``Lead.csv.gz`` keeps its own name and is recognised as ``Lead.csv``.

Refused, with the reason in the ledger, before anything of it is read:
- the whole archive when it is corrupt or incomplete, or a zip bomb: the members to read declare
  more than ``max_total_bytes`` in all, or one declares a compression ratio over ``max_ratio``.
  Headers can lie, so both limits are enforced again on the bytes actually extracted (a ``.gz``
  declares nothing reliable: for it this is the only check);
- a member whose name leaves the archive (``../x.csv``, ``/etc/x.csv``, ``C:\\x.csv``), that is
  encrypted, or that is itself an archive (nested archives are not supported: extract the outer one).
Members that are not data (attachments, PDFs) are not read; one ``skipped`` row per archive names them.
Hidden members and macOS ``__MACOSX/`` resource forks are ignored like hidden files on disk.
"""

from __future__ import annotations

import gzip
import os
import tempfile
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from .discover import ARCHIVES, UNSUPPORTED_ARCHIVES, LandedArchive, LandedFile
from .report import REFUSED, SKIPPED

MEMBER_SEPARATOR = "!/"
CHUNK = 4 * 1024 * 1024
SKIPPED_NAMES_SHOWN = 5
NESTED = ARCHIVES + UNSUPPORTED_ARCHIVES + (".jar",)


@dataclass(frozen=True)
class ArchiveLimits:
    """Defaults match Settings (FUNNEL_ARCHIVE_MAX_GB, FUNNEL_ARCHIVE_MAX_RATIO)."""

    max_total_bytes: int = 64 * 2**30  # uncompressed bytes read from one archive, all members together
    max_ratio: float = 200.0  # real CSV exports compress 5-30x; deflate bombs ~1000x
    # The ratio is not judged below this size: a tiny, very repetitive file is harmless.
    ratio_floor_bytes: int = 1 * 2**20


@dataclass(frozen=True)
class Verdict:
    """A ledger row about an archive or a member that is not loaded."""

    source_file: str
    status: str  # REFUSED or SKIPPED
    message: str


# Given a member's ledger name and the name globs see, the LandedFile to load, or None (not data).
PlanMember = Callable[[str, str], LandedFile | None]


class Refused(Exception):
    """The archive (or member) cannot be read safely; str() is the reason."""


def member_name(archive_relative: str, member: str) -> str:
    return f"{archive_relative}{MEMBER_SEPARATOR}{member}"


def entries(
    archive: LandedArchive, plan: PlanMember, limits: ArchiveLimits = ArchiveLimits()
) -> Iterator[LandedFile | Verdict]:
    """Each data member as a LandedFile whose ``path`` is its extracted copy (deleted when the
    caller asks for the next entry), and a Verdict for what is refused or skipped."""
    name = archive.path.name.lower()
    if name.endswith(UNSUPPORTED_ARCHIVES):
        yield Verdict(
            archive.relative,
            REFUSED,
            f"{archive.relative}: {PurePosixPath(name).suffix} archives are not supported; only .zip and .gz "
            "are read (extract it into the landing folder, or compress the exports as .zip)",
        )
    elif name.endswith(".gz"):
        yield from _gzip_entries(archive, plan, limits)
    else:
        yield from _zip_entries(archive, plan, limits)


def _refused(source_file: str, reason: str) -> Verdict:
    return Verdict(source_file, REFUSED, f"{source_file}: {reason}; not read")


def _gzip_entries(
    archive: LandedArchive, plan: PlanMember, limits: ArchiveLimits
) -> Iterator[LandedFile | Verdict]:
    inner = archive.relative[: -len(".gz")]
    if inner.lower().endswith(NESTED):
        yield _refused(
            archive.relative, "a compressed archive inside a .gz; nested archives are not supported"
        )
        return
    landed = plan(archive.relative, inner)
    if landed is None:
        return  # not data, like the same file uncompressed
    compressed = archive.path.stat().st_size
    with tempfile.TemporaryDirectory(prefix="funnel-archive-") as scratch:
        target = Path(scratch) / PurePosixPath(inner).name
        try:
            with gzip.open(archive.path, "rb") as stream:
                _copy_limited(stream, target, compressed, limits.max_total_bytes, limits)
        except Refused as exc:
            yield _refused(archive.relative, str(exc))
            return
        except (OSError, EOFError, zlib.error) as exc:
            yield _refused(archive.relative, f"not a readable gzip file (corrupt or incomplete): {exc}")
            return
        yield _extracted(landed, target, archive.path)


def _zip_entries(
    archive: LandedArchive, plan: PlanMember, limits: ArchiveLimits
) -> Iterator[LandedFile | Verdict]:
    try:
        with zipfile.ZipFile(archive.path) as zf:
            members = sorted(zf.infolist(), key=lambda info: info.filename)
            planned: list[tuple[zipfile.ZipInfo, LandedFile]] = []
            verdicts: list[Verdict] = []
            not_data: list[str] = []
            for info in members:
                outcome = _judge(archive, info, plan)
                if isinstance(outcome, Verdict):
                    verdicts.append(outcome)
                elif isinstance(outcome, LandedFile):
                    planned.append((info, outcome))
                elif outcome:
                    not_data.append(outcome)
            bomb = _declared_bomb(planned, limits)
            if bomb is not None:
                yield _refused(archive.relative, bomb)
                return
            yield from verdicts
            if not_data:
                yield _skipped(archive.relative, not_data)
            yield from _extract_each(zf, archive, planned, limits)
    except zipfile.BadZipFile as exc:
        yield _refused(archive.relative, f"not a readable zip archive (corrupt or incomplete): {exc}")
    except (OSError, EOFError, zlib.error, NotImplementedError) as exc:
        yield _refused(archive.relative, f"the zip archive cannot be read: {exc}")


def _judge(
    archive: LandedArchive, info: zipfile.ZipInfo, plan: PlanMember
) -> Verdict | LandedFile | str | None:
    """A member's fate: a Verdict, a LandedFile to extract, its name when it is not data, None to ignore."""
    raw = info.filename
    if info.is_dir():
        return None
    shown = member_name(archive.relative, raw)
    unsafe = _unsafe_name(raw)
    if unsafe:
        return _refused(shown, unsafe)
    parts = PurePosixPath(raw).parts
    if parts[0] == "__MACOSX" or any(part.startswith(".") for part in parts):
        return None  # macOS resource forks and hidden files, as on disk
    if raw.lower().endswith(NESTED):
        return _refused(
            shown, "an archive inside an archive; nested archives are not supported (extract the outer one)"
        )
    landed = plan(shown, shown)
    if landed is None:
        return raw
    if info.flag_bits & 0x1:
        return _refused(
            shown, "an encrypted member; encrypted archives are not supported (export without a password)"
        )
    return landed


def _unsafe_name(raw: str) -> str | None:
    """Why a member name would leave the archive, or None. The loader never writes under member
    names (it extracts to its own temporary files), but such a name marks a crafted archive."""
    if "\x00" in raw:
        return "a member name with a NUL byte"
    posix = raw.replace("\\", "/")
    if posix.startswith("/") or (len(posix) > 1 and posix[1] == ":"):
        return "an absolute member path, which would leave the archive"
    if ".." in PurePosixPath(posix).parts:
        return "a member path with '..', which would leave the archive"
    return None


def _declared_bomb(planned: list[tuple[zipfile.ZipInfo, LandedFile]], limits: ArchiveLimits) -> str | None:
    total = sum(info.file_size for info, _ in planned)
    if total > limits.max_total_bytes:
        return (
            f"its data members declare {total:,} bytes uncompressed, over the limit of "
            f"{limits.max_total_bytes:,} (a zip bomb, or an export too big for one archive)"
        )
    for info, _ in planned:
        ratio = _ratio(info.file_size, info.compress_size, limits)
        if ratio is not None:
            return (
                f"member {info.filename} declares a compression ratio of {ratio:,.0f}:1, over the limit of "
                f"{limits.max_ratio:g}:1 (a zip bomb)"
            )
    return None


def _ratio(uncompressed: int, compressed: int, limits: ArchiveLimits) -> float | None:
    """The ratio when it is over the limit (and the size over the floor), else None."""
    if uncompressed <= limits.ratio_floor_bytes:
        return None
    ratio = uncompressed / max(compressed, 1)
    return ratio if ratio > limits.max_ratio else None


def _extract_each(
    zf: zipfile.ZipFile,
    archive: LandedArchive,
    planned: list[tuple[zipfile.ZipInfo, LandedFile]],
    limits: ArchiveLimits,
) -> Iterator[LandedFile | Verdict]:
    budget = limits.max_total_bytes
    with tempfile.TemporaryDirectory(prefix="funnel-archive-") as scratch:
        for number, (info, landed) in enumerate(planned):
            target = Path(scratch) / f"{number}_{PurePosixPath(info.filename).name}"
            try:
                with zf.open(info) as stream:
                    budget -= _copy_limited(stream, target, info.compress_size, budget, limits)
            except Refused as exc:
                target.unlink(missing_ok=True)
                yield _refused(landed.relative, f"{exc}; the rest of the archive is not read either")
                return
            except (zipfile.BadZipFile, OSError, EOFError, zlib.error) as exc:
                target.unlink(missing_ok=True)
                yield _refused(landed.relative, f"a corrupt member: {exc}")
                continue
            try:
                yield _extracted(landed, target, archive.path)
            finally:
                target.unlink(missing_ok=True)


def _copy_limited(stream: object, target: Path, compressed: int, budget: int, limits: ArchiveLimits) -> int:
    """Stream to ``target``; Refused as soon as the bytes written break a limit, whatever was declared."""
    written = 0
    with target.open("wb") as out:
        while chunk := stream.read(CHUNK):  # type: ignore[attr-defined]
            written += len(chunk)
            if written > budget:
                raise Refused(
                    f"extracting it passed the limit of {limits.max_total_bytes:,} uncompressed bytes "
                    "(its header understated its size: a zip bomb)"
                )
            ratio = _ratio(written, compressed, limits)
            if ratio is not None:
                raise Refused(
                    f"extracting it passed a compression ratio of {ratio:,.0f}:1, over the limit of "
                    f"{limits.max_ratio:g}:1 (a zip bomb)"
                )
            out.write(chunk)
    return written


def _extracted(landed: LandedFile, target: Path, archive_path: Path) -> LandedFile:
    """The member as a file to load: read from its extracted copy, settled by the archive. The copy
    gets the archive's mtime, which becomes ``_exported_at`` when the path holds no date, as for a
    plain file downloaded at the same time."""
    stat = archive_path.stat()
    os.utime(target, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    landed.path = target
    landed.origin = archive_path
    return landed


def _skipped(archive_relative: str, names: list[str]) -> Verdict:
    shown = ", ".join(names[:SKIPPED_NAMES_SHOWN]) + (", ..." if len(names) > SKIPPED_NAMES_SHOWN else "")
    return Verdict(
        archive_relative,
        SKIPPED,
        f"{archive_relative}: {len(names)} member(s) are not data files and were not read "
        f"(the loader reads .csv, and .tsv/.txt a mapping names): {shown}",
    )
