"""Compressed exports: a Salesforce Data Export .zip and .gz files load member by member, and
archives that are unsafe to open (bombs, traversal, encryption, nesting, corruption) are refused."""

from __future__ import annotations

import gzip
import shutil
import struct
import zipfile
from pathlib import Path

import duckdb

from orchestration.loader import load_folder

FIXTURE = Path(__file__).parents[1] / "fixtures" / "loader" / "salesforce_export"
ZIP_NAME = "WE_00D5g000004XXXXEAA_1.ZIP"
MEMBER = f"salesforce/{ZIP_NAME}!/"


def _data_export(landing: Path, extra: dict[str, bytes] | None = None) -> Path:
    """A Data Export zip as Salesforce delivers it: object CSVs at the root, attachments beside them."""
    archive = landing / "salesforce" / ZIP_NAME
    archive.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for csv in sorted(FIXTURE.glob("*.csv")):
            zf.write(csv, csv.name)
        zf.writestr("Attachments/00P5g00000Att01AAA", b"%PDF-1.4 binary attachment")
        zf.writestr("Attachments/contract.pdf", b"%PDF-1.4 another")
        zf.writestr("__MACOSX/._Account.csv", b"\x00\x05\x16\x07 resource fork")
        for name, data in (extra or {}).items():
            zf.writestr(name, data)
    return archive


def _ledger(con: duckdb.DuckDBPyConnection, run_id: str) -> dict[str, tuple]:
    rows = con.execute(
        "select source_file, status, rows_read, rows_loaded, message from loader.ledger where run_id = ?",
        [run_id],
    ).fetchall()
    return {r[0]: r[1:] for r in rows}


def test_a_salesforce_data_export_zip_loads_every_object_member(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    _data_export(landing)
    con = duckdb.connect(str(tmp_path / "wh.duckdb"))
    report = load_folder(con, landing, run_id="first")
    assert report.ok
    ledger = _ledger(con, "first")
    assert {k: v[:3] for k, v in ledger.items()} == {
        MEMBER + "Account.csv": ("loaded", 2, 2),
        MEMBER + "Opportunity.csv": ("loaded", 5, 5),  # the fixture's 5 rows, close-before-create ones too
        MEMBER + "OpportunityHistory.csv": ("loaded", 3, 3),
        MEMBER + "User.csv": ("loaded", 2, 2),
        f"salesforce/{ZIP_NAME}": ("skipped", 0, 0),
    }
    skipped = ledger[f"salesforce/{ZIP_NAME}"][3]
    assert "2 member(s) are not data files" in skipped and "Attachments/contract.pdf" in skipped
    # Lineage names the member inside the archive.
    lineage = con.execute(
        "select distinct _source_file, _file_hash from raw.salesforce__opportunity"
    ).fetchall()
    plain_hash = __import__("hashlib").sha256((FIXTURE / "Opportunity.csv").read_bytes()).hexdigest()
    assert lineage == [(MEMBER + "Opportunity.csv", plain_hash)]
    amount = con.execute(
        "select amount from raw.salesforce__opportunity where id = '0065g00000AbCdEAAV'"
    ).fetchone()
    assert amount == (12500.5,)


def test_the_same_zip_loaded_twice_loads_nothing_new(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    _data_export(landing)
    con = duckdb.connect(str(tmp_path / "wh.duckdb"))
    load_folder(con, landing, run_id="first")
    second = load_folder(con, landing, run_id="second")
    assert second.ok
    statuses = {f.source_file: f.status for f in second.files}
    assert statuses[MEMBER + "Opportunity.csv"] == "skipped_duplicate"
    assert con.execute("select count(*) from raw.salesforce__opportunity").fetchone() == (
        5,
    )  # the fixture's 5 rows, once
    assert sum(f.rows_loaded for f in second.files) == 0


def test_the_same_csv_plain_and_zipped_is_one_content(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    _data_export(landing)
    shutil.copy(FIXTURE / "Account.csv", landing / "salesforce" / "Account.csv")
    con = duckdb.connect(str(tmp_path / "wh.duckdb"))
    report = load_folder(con, landing, run_id="first")
    statuses = {f.source_file: f.status for f in report.files}
    # Plain files sort before the archive's members here: the zipped copy is the duplicate.
    assert statuses["salesforce/Account.csv"] == "loaded"
    assert statuses[MEMBER + "Account.csv"] == "skipped_duplicate"
    assert con.execute("select count(*) from raw.salesforce__account").fetchone() == (2,)


def test_a_csv_gz_is_one_file_recognised_by_its_inner_name(tmp_path: Path) -> None:
    landing = tmp_path / "landing" / "salesforce"
    landing.mkdir(parents=True)
    with gzip.open(landing / "Opportunity.csv.gz", "wb") as out:
        out.write((FIXTURE / "Opportunity.csv").read_bytes())
    (landing / "notes.pdf.gz").write_bytes(gzip.compress(b"%PDF"))  # not data, like notes.pdf
    con = duckdb.connect(str(tmp_path / "wh.duckdb"))
    report = load_folder(con, landing.parent, run_id="first")
    assert [(f.source_file, f.status, f.rows_loaded) for f in report.files] == [
        ("salesforce/Opportunity.csv.gz", "loaded", 5)
    ]
    assert con.execute("select distinct _source_file from raw.salesforce__opportunity").fetchall() == [
        ("salesforce/Opportunity.csv.gz",)
    ]


def _refused_only(report: object, source_file: str) -> str:
    by_file = report.by_file()  # type: ignore[attr-defined]
    assert by_file[source_file].status == "refused", by_file
    assert not report.ok  # type: ignore[attr-defined]
    return by_file[source_file].message


def test_a_zip_bomb_is_refused_from_its_declared_ratio_before_extracting(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    # 20 MiB of zeros deflate to ~20 KiB: a ratio near 1000:1, five times the 200:1 limit.
    archive = _data_export(landing, {"Lead.csv": b"0" * (20 * 2**20)})
    con = duckdb.connect(str(tmp_path / "wh.duckdb"))
    report = load_folder(con, landing, run_id="first")
    message = _refused_only(report, f"salesforce/{ZIP_NAME}")
    assert "compression ratio" in message and "zip bomb" in message and "Lead.csv" in message
    # Nothing of the archive was read, not even its good members.
    assert len(report.files) == 1
    assert con.execute("select count(*) from raw.salesforce__opportunity").fetchone() == (0,)
    assert archive.exists()


def test_an_archive_over_the_total_size_limit_is_refused(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    _data_export(landing)
    con = duckdb.connect(str(tmp_path / "wh.duckdb"))
    from orchestration.loader.archives import ArchiveLimits

    total = sum(p.stat().st_size for p in FIXTURE.glob("*.csv"))
    report = load_folder(con, landing, archive_limits=ArchiveLimits(max_total_bytes=total - 1))
    message = _refused_only(report, f"salesforce/{ZIP_NAME}")
    assert f"declare {total:,} bytes uncompressed" in message


def _lie_about_size(archive: Path, member: str, declared: int) -> None:
    """Rewrite the uncompressed size a member's central directory and local header declare."""
    data = bytearray(archive.read_bytes())
    name = member.encode()
    central = data.find(b"PK\x01\x02")  # the first central directory header
    while central != -1:
        name_len = struct.unpack_from("<H", data, central + 28)[0]
        if bytes(data[central + 46 : central + 46 + name_len]) == name:
            struct.pack_into("<I", data, central + 24, declared)
            local = struct.unpack_from("<I", data, central + 42)[0]
            struct.pack_into("<I", data, local + 22, declared)
        central = data.find(b"PK\x01\x02", central + 4)
    archive.write_bytes(bytes(data))


def test_a_member_whose_header_understates_its_size_is_refused(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    archive = _data_export(landing)
    _lie_about_size(archive, "Opportunity.csv", 10)  # passes the declared-size checks
    con = duckdb.connect(str(tmp_path / "wh.duckdb"))
    report = load_folder(con, landing)
    message = _refused_only(report, MEMBER + "Opportunity.csv")
    assert "corrupt" in message
    assert con.execute("select count(*) from raw.salesforce__opportunity").fetchone() == (0,)
    assert report.by_file()[MEMBER + "Account.csv"].status == "loaded"


def test_a_gz_bomb_is_refused_while_extracting(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    landing.mkdir()
    (landing / "Lead.csv.gz").write_bytes(gzip.compress(b"0" * (20 * 2**20)))
    con = duckdb.connect(str(tmp_path / "wh.duckdb"))
    report = load_folder(con, landing)
    message = _refused_only(report, "Lead.csv.gz")
    assert "extracting it passed a compression ratio" in message


def test_a_gz_over_the_size_limit_is_refused_while_extracting(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    landing.mkdir()
    from orchestration.loader.archives import ArchiveLimits

    csv = (FIXTURE / "Opportunity.csv").read_bytes()
    (landing / "Opportunity.csv.gz").write_bytes(gzip.compress(csv))
    con = duckdb.connect(str(tmp_path / "wh.duckdb"))
    report = load_folder(con, landing, archive_limits=ArchiveLimits(max_total_bytes=len(csv) - 1))
    assert "limit of" in _refused_only(report, "Opportunity.csv.gz")


def test_traversal_encrypted_and_nested_members_are_refused_and_the_rest_loads(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    inner = tmp_path / "inner.zip"
    with zipfile.ZipFile(inner, "w") as zf:
        zf.writestr("Lead.csv", b"Id\n1\n")
    archive = _data_export(
        landing,
        {
            "../Lead.csv": (FIXTURE / "Account.csv").read_bytes(),
            "/etc/Campaign.csv": b"Id\n",
            "more/WE_00D5g000004XXXXEAA_2.ZIP": inner.read_bytes(),
            "Contact.csv": b'"Id","LastName","CreatedDate"\n"0035g00000Con01AAA","Doe","2024-01-01 00:00:00"\n',
        },
    )
    _set_encrypted(archive, "Contact.csv")
    con = duckdb.connect(str(tmp_path / "wh.duckdb"))
    report = load_folder(con, landing)
    assert not report.ok
    by_file = report.by_file()
    assert "'..'" in by_file[MEMBER + "../Lead.csv"].message
    assert "absolute" in by_file[MEMBER + "/etc/Campaign.csv"].message
    assert "encrypted" in by_file[MEMBER + "Contact.csv"].message
    assert "nested archives are not supported" in by_file[MEMBER + "more/WE_00D5g000004XXXXEAA_2.ZIP"].message
    assert {f.source_file for f in report.failed} == {
        MEMBER + "../Lead.csv",
        MEMBER + "/etc/Campaign.csv",
        MEMBER + "Contact.csv",
        MEMBER + "more/WE_00D5g000004XXXXEAA_2.ZIP",
    }
    assert by_file[MEMBER + "Opportunity.csv"].status == "loaded"
    assert con.execute("select count(*) from raw.salesforce__contact").fetchone() == (0,)
    assert con.execute("select count(*) from raw.salesforce__account").fetchone() == (2,)


def _set_encrypted(archive: Path, member: str) -> None:
    """Set the 'encrypted' flag of a member (zipfile cannot write encrypted archives)."""
    data = bytearray(archive.read_bytes())
    central = data.find(b"PK\x01\x02")
    while central != -1:
        name_len = struct.unpack_from("<H", data, central + 28)[0]
        if bytes(data[central + 46 : central + 46 + name_len]) == member.encode():
            data[central + 8] |= 0x1
            local = struct.unpack_from("<I", data, central + 42)[0]
            data[local + 6] |= 0x1
        central = data.find(b"PK\x01\x02", central + 4)
    archive.write_bytes(bytes(data))


def test_corrupt_and_unsupported_archives_are_refused_by_name(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    archive = _data_export(landing)
    (landing / "salesforce" / "WE_00D5g000004XXXXEAA_2.ZIP").write_bytes(archive.read_bytes()[:300])
    (landing / "Lead.csv.gz").write_bytes(gzip.compress(b"Id\n1\n")[:-12])
    (landing / "exports.tar.gz").write_bytes(gzip.compress(b"tar"))
    (landing / "exports.7z").write_bytes(b"7z\xbc\xaf")
    con = duckdb.connect(str(tmp_path / "wh.duckdb"))
    report = load_folder(con, landing)
    by_file = report.by_file()
    assert "not a readable zip archive" in by_file["salesforce/WE_00D5g000004XXXXEAA_2.ZIP"].message
    assert "not a readable gzip file" in by_file["Lead.csv.gz"].message
    assert "nested archives are not supported" in by_file["exports.tar.gz"].message
    assert ".7z archives are not supported" in by_file["exports.7z"].message
    assert {f.source_file for f in report.failed} == {
        "salesforce/WE_00D5g000004XXXXEAA_2.ZIP",
        "Lead.csv.gz",
        "exports.tar.gz",
        "exports.7z",
    }
    # The good archive beside them still loads, and every refusal is in the ledger.
    assert by_file[MEMBER + "Account.csv"].status == "loaded"
    refused = con.execute("select count(*) from loader.ledger where status = 'refused'").fetchone()
    assert refused == (4,)


def test_a_folder_mapping_applies_to_archive_members_and_a_zipped_mapping_is_not_read(tmp_path: Path) -> None:
    landing = tmp_path / "landing" / "amocrm"
    landing.mkdir(parents=True)
    shutil.copy(Path(__file__).parents[2] / "mappings" / "amocrm.yml", landing / "mapping.yml")
    fixture = Path(__file__).parents[1] / "fixtures" / "mappings" / "amocrm" / "amocrm_export_2024-02-01.csv"
    with zipfile.ZipFile(landing / "export.zip", "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.write(fixture, fixture.name)
        zf.writestr("mapping.yml", "source_system: [not, valid")  # would raise SpecError if read
    with gzip.open(landing / "amocrm_export_2024-03-01.csv.gz", "wb") as out:
        out.write(fixture.read_bytes().replace(b"\r\n", b"\n"))  # other bytes (LF), same rows
    con = duckdb.connect(str(tmp_path / "wh.duckdb"))
    by_file = load_folder(con, landing.parent).by_file()
    member = by_file[f"amocrm/export.zip!/{fixture.name}"]
    gz = by_file["amocrm/amocrm_export_2024-03-01.csv.gz"]
    assert (member.source_system, member.target_table) == ("amocrm", "raw.generic__deals")
    assert member.status.startswith("loaded") and gz.status.startswith("loaded")
    assert gz.rows_read == member.rows_read > 0
    assert "mapping.yml" in by_file["amocrm/export.zip"].message  # skipped: not data
    # The export date comes from the member's or the .gz's own path.
    dates = con.execute(
        "select _source_file, min(cast(_exported_at as date)) from raw.generic__deals group by 1 order by 1"
    ).fetchall()
    assert [(f, str(d)) for f, d in dates] == [
        ("amocrm/amocrm_export_2024-03-01.csv.gz", "2024-03-01"),
        (f"amocrm/export.zip!/{fixture.name}", "2024-02-01"),
    ]
