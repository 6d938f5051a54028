"""What a load run reports back: one result per file, and the run's totals."""

from __future__ import annotations

from dataclasses import dataclass, field

# Ledger statuses, in the order a reader meets them.
LOADED = "loaded"
LOADED_WITH_QUARANTINE = "loaded_with_quarantine"
SKIPPED_DUPLICATE = "skipped_duplicate"
FAILED = "failed"
UNRECOGNISED = "unrecognised"
# Not read on purpose: a symlink leaving the landing folder, or an archive (member) that is a zip
# bomb, corrupt, encrypted, nested or escapes its archive. Counts as a failure: data was withheld.
REFUSED = "refused"
# Still being written (changed while read, or modified within FUNNEL_SETTLE_SECONDS): deferred to
# the next load, which retries it. Not a failure.
NOT_SETTLED = "not_settled"
# Read nothing because it holds no data: archive members such as attachments. Not a failure.
SKIPPED = "skipped"
FAILING_STATUSES = (FAILED, REFUSED)


@dataclass
class FileResult:
    source_file: str  # path relative to the landing folder, POSIX
    status: str
    source_system: str | None = None
    target_table: str | None = None
    file_hash: str | None = None
    rows_read: int = 0
    rows_loaded: int = 0
    rows_quarantined: int = 0
    message: str | None = None

    @property
    def reconciles(self) -> bool:
        return self.rows_read == self.rows_loaded + self.rows_quarantined


@dataclass
class LoadReport:
    run_id: str
    files: list[FileResult] = field(default_factory=list)

    @property
    def failed(self) -> list[FileResult]:
        return [f for f in self.files if f.status in FAILING_STATUSES]

    @property
    def not_settled(self) -> list[FileResult]:
        return [f for f in self.files if f.status == NOT_SETTLED]

    @property
    def unrecognised(self) -> list[FileResult]:
        return [f for f in self.files if f.status == UNRECOGNISED]

    @property
    def ok(self) -> bool:
        return not self.failed

    @property
    def rows_read(self) -> int:
        return sum(f.rows_read for f in self.files)

    @property
    def rows_loaded(self) -> int:
        return sum(f.rows_loaded for f in self.files)

    @property
    def rows_quarantined(self) -> int:
        return sum(f.rows_quarantined for f in self.files)

    def by_file(self) -> dict[str, FileResult]:
        return {f.source_file: f for f in self.files}
