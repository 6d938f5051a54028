"""mappings/fxiaoke.yml: a 纷享销客 (Fxiaoke) opportunity export (Chinese headers and stage labels,
GB18030, CRLF, "YYYY-MM-DD HH:MM" in Shanghai time, "120,000.00" amounts) loads, the same export
saved as UTF-8 with a BOM loads identically, and one dbt build of it gives the funnel figures
counted by hand from the nine rows of the fixture."""

from __future__ import annotations

import json
import shutil
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
from conftest import load_and_build, query, settings_in

from orchestration.loader import load_folder
from orchestration.settings import Settings

ROOT = Path(__file__).parents[2]
FIXTURE = ROOT / "tests" / "fixtures" / "mappings" / "fxiaoke"
MAPPING = ROOT / "mappings" / "fxiaoke.yml"
FILE = "商机_2024-04-01.csv"
AS_OF = "2024-04-01 00:00:00"  # the export's day: open deals are counted as of it
# every canonical field the mapping fills, and the columns it leaves in _extra
COLUMNS = (
    "deal_id, deal_name, account_id, pipeline, stage, amount, currency, owner_id, lead_source, "
    "cast(created_at as varchar), cast(closed_at as varchar), cast(expected_close_date as varchar), "
    "cast(updated_at as varchar), cast(_exported_at as varchar), _extra"
)


def _load(database_dir: Path, folder: Path = FIXTURE) -> tuple[duckdb.DuckDBPyConnection, dict]:
    database_dir.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(database_dir / "wh.duckdb"))
    report = load_folder(con, folder, mappings=[MAPPING])
    return con, report.by_file()


def test_fixture_really_is_gb18030_with_crlf() -> None:
    data = (FIXTURE / FILE).read_bytes()
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    # 𠮷 (U+20BB7) is outside GBK: GB18030 writes it as four bytes, which a GBK reader rejects
    assert "𠮷".encode("gb18030") in data
    with pytest.raises(UnicodeDecodeError):
        data.decode("gbk")
    assert data.count(b"\r\n") == 10 and data.count(b"\n") == 10


def test_fxiaoke_deals_parse_shanghai_times_and_amounts(tmp_path: Path) -> None:
    con, results = _load(tmp_path)
    assert (results[FILE].status, results[FILE].rows_read, results[FILE].rows_loaded) == (
        "loaded_with_quarantine",
        9,
        8,
    )
    rows = con.execute(
        "select deal_id, deal_name, account_id, pipeline, stage, amount, currency, owner_id, "
        "cast(created_at as varchar), cast(closed_at as varchar), cast(expected_close_date as varchar) "
        "from raw.generic__deals where deal_id in ('SJ20240112001', 'SJ20240301001', 'SJ20240315001') "
        "order by deal_id"
    ).fetchall()
    assert rows == [
        # "56,800.00"; created "2024-01-12 14:00" in Shanghai (UTC+8) -> 06:00 UTC; the close *date*
        # 2024-03-18 is midnight in Shanghai -> 2024-03-17 16:00 UTC
        (
            "SJ20240112001",
            "深圳门店POS系统",
            "深圳市万家乐零售有限公司",
            "标准销售流程",
            "赢单",
            56800.0,
            "CNY",
            "李娜",
            "2024-01-12 06:00:00",
            "2024-03-17 16:00:00",
            "2024-03-31",
        ),
        # "2024-03-01 09:30" -> 01:30 UTC; an empty amount is null
        (
            "SJ20240301001",
            "广州云服务续费",
            "广州云启网络科技有限公司",
            "标准销售流程",
            "初步接洽",
            None,
            "CNY",
            "张伟",
            "2024-03-01 01:30:00",
            None,
            "2024-04-30",
        ),
        # "2024-03-15 07:20" is the day before in UTC; the non-GBK character survives
        (
            "SJ20240315001",
            "𠮷祥餐饮收银系统",
            "𠮷祥餐饮管理有限公司",
            "标准销售流程",
            "初步接洽",
            3000.0,
            "CNY",
            "李娜",
            "2024-03-14 23:20:00",
            None,
            "2024-04-30",
        ),
    ]
    (extra,) = con.execute("select _extra from raw.generic__deals where deal_id = 'SJ20240120001'").fetchone()
    assert json.loads(extra) == {
        "所属部门": "华东销售部",
        "输单原因": "价格过高",
        "阶段变更时间": "2024-02-27 17:45",
        "生命状态": "正常",
    }


def test_win_rate_percentages_are_probabilities(tmp_path: Path) -> None:
    """赢率 is written with its percent sign: "80%" is stored as 80 (raw probabilities are 0-100)."""
    con, _ = _load(tmp_path)
    rows = con.execute("select deal_id, probability from raw.generic__deals order by deal_id").fetchall()
    assert rows == [
        ("SJ20240105001", 80.0),
        ("SJ20240112001", 100.0),
        ("SJ20240120001", 0.0),
        ("SJ20240202001", 50.0),
        ("SJ20240220001", 30.0),
        ("SJ20240226001", 100.0),
        ("SJ20240301001", 10.0),
        ("SJ20240315001", 10.0),
    ]


def test_amount_with_a_currency_sign_is_quarantined_with_the_canonical_field_name(tmp_path: Path) -> None:
    con, _ = _load(tmp_path)
    rows = con.execute("select row_number, line_number, reason from loader.quarantine").fetchall()
    assert rows == [(9, 10, "unparseable_number:amount")]  # "¥5,000.00"


def test_chinese_stage_labels_land(tmp_path: Path) -> None:
    con, _ = _load(tmp_path)
    labels = con.execute(
        "select raw_label, stage from raw.generic__stage_labels where _source_system = 'fxiaoke' order by _row_number"
    ).fetchall()
    assert labels == [
        ("初步接洽", "qualification"),
        ("需求确认", "meeting"),
        ("方案报价", "proposal"),
        ("商务谈判", "negotiation"),
        ("赢单", "closed_won"),
        ("输单", "closed_lost"),
        ("无效", "closed_lost"),
    ]


def test_the_same_export_saved_as_utf8_with_bom_loads_identically(tmp_path: Path) -> None:
    """Excel's "CSV UTF-8" writes a BOM; the BOM wins over the mapping's `encoding: gb18030`."""
    folder = tmp_path / "landing"
    folder.mkdir()
    text = (FIXTURE / FILE).read_bytes().decode("gb18030")
    (folder / FILE).write_bytes(text.encode("utf-8-sig"))
    assert (folder / FILE).read_bytes().startswith(b"\xef\xbb\xbf")
    gb_con, gb_results = _load(tmp_path / "gb18030")
    utf_con, utf_results = _load(tmp_path / "utf8", folder)
    counts = [(r[FILE].rows_read, r[FILE].rows_loaded) for r in (gb_results, utf_results)]
    assert counts == [(9, 8), (9, 8)]
    query = f"select {COLUMNS} from raw.generic__deals order by deal_id"
    assert utf_con.execute(query).fetchall() == gb_con.execute(query).fetchall()
    quarantine = "select row_number, line_number, reason from loader.quarantine"
    assert utf_con.execute(quarantine).fetchall() == gb_con.execute(quarantine).fetchall()


# ---- round trip: one load and one dbt build of the fixture ----
#
# The eight loaded deals (stage label -> canonical stage; created and closed in UTC; owner; CNY):
#   SJ20240105001 商务谈判 negotiation  2024-01-05            张伟  120,000  expected close 2024-04-20
#   SJ20240112001 赢单     closed_won   closed 2024-03-17 16:00  李娜   56,800
#   SJ20240120001 输单     closed_lost  closed 2024-02-26 16:00  张伟   30,000
#   SJ20240202001 方案报价 proposal     2024-02-02            王芳   45,000  expected close 2024-05-10
#   SJ20240220001 需求确认 meeting      2024-02-20            李娜    8,500  expected close 2024-06-30
#   SJ20240226001 赢单     closed_won   closed 2024-03-28 16:00  王芳  210,000
#   SJ20240301001 初步接洽 qualification 2024-03-01           张伟     null  expected close 2024-04-30
#   SJ20240315001 初步接洽 qualification 2024-03-14           李娜    3,000  expected close 2024-04-30
# A one-export deal in an open stage enters it when created; one whose label is 赢单 / 输单 shows
# only its close (the export does not say which stage it left), at the close date. Reaching a stage
# means entering it or a later one, and a loss reaches nothing, so the lost deal is in no cohort
# (deals named by the MMDD of their id SJ2024MMDD001):
#   qualification 7 (all but 0120), meeting 5 (0105 0112 0202 0220 0226), proposal 4 (0105 0112
#   0202 0226), negotiation 3 (0105 0112 0226), closed_won 2 (0112 0226); open at qualification 2
#   (0301 0315), at meeting (0220), proposal (0202) and negotiation (0105) 1 each; lost at a stage 0.
#   monthly cohorts (month of funnel entry): January 0105 = 1, February 0202 0220 = 2, March 0112
#   and 0226 (won: they enter at their close) 0301 0315 = 4.
# Amounts in USD at the seed's monthly CNY rate of the close date, else the expected close date
# (seeds/fx_rates.csv: 2024-03-01 0.133877, 2024-04-01 0.134032, 2024-05-01 0.134346,
# 2024-06-01 0.134805), rounded to cents per deal:
#   won: 56,800 x 0.133877 = 7604.2136 -> 7604.21 (李娜), 210,000 x 0.133877 = 28114.17 (王芳)
#   open: 120,000 x 0.134032 = 16083.84 (张伟), 45,000 x 0.134346 = 6045.57 (王芳),
#         8,500 x 0.134805 = 1145.8425 -> 1145.84 (李娜), 3,000 x 0.134032 = 402.096 -> 402.10 (李娜),
#         null (张伟); together 23677.35
FUNNEL = {
    # stage: (reached, lost at stage, open at stage)
    "qualification": (7, 0, 2),
    "meeting": (5, 0, 1),
    "proposal": (4, 0, 1),
    "negotiation": (3, 0, 1),
    "closed_won": (2, 0, 0),
}
OPEN_USD = Decimal("23677.35")  # decimal(38, 2) in the marts: money is summed in cents


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    root = tmp_path_factory.mktemp("fxiaoke")
    shutil.copytree(FIXTURE, root / "landing")
    settings = settings_in(root, FUNNEL_AS_OF=AS_OF)
    load_and_build(settings, root / "landing", [MAPPING])
    return settings


def _cents(value: float) -> object:
    """A money figure read as a double: equal to the cent (7604.21, not 7604.2136)."""
    return pytest.approx(value, abs=0.001)


@pytest.mark.slow
def test_cohort_funnel_counts_reach_and_open_deals(built: Settings) -> None:
    rows = query(
        built,
        "select stage, sum(entities_reached), sum(entities_lost_at_stage), sum(entities_open_at_stage) "
        "from marts.fct_funnel_cohort where source_system = 'fxiaoke' and entity_type = 'deal' "
        "and pipeline = '标准销售流程' and period_grain = 'month' and segment_type = 'all' group by stage",
    )
    assert {stage: tuple(counts) for stage, *counts in rows} == FUNNEL


@pytest.mark.slow
def test_cohorts_are_the_months_deals_entered_the_funnel(built: Settings) -> None:
    rows = query(
        built,
        "select cast(period_start as varchar), max(entities_in_cohort) from marts.fct_funnel_cohort "
        "where source_system = 'fxiaoke' and period_grain = 'month' and segment_type = 'all' "
        "group by period_start order by period_start",
    )
    assert rows == [("2024-01-01", 1), ("2024-02-01", 2), ("2024-03-01", 4)]


@pytest.mark.slow
def test_win_rate_and_revenue_per_owner(built: Settings) -> None:
    # 张伟 lost one; 李娜 and 王芳 won one each: 2 won, 1 lost over the source -> win rate 2 / 3
    rows = query(
        built,
        "select level_value, deals_won, deals_lost, win_rate, revenue, open_deals, open_pipeline_amount "
        "from marts.fct_rep_performance where level = 'owner' and source_system = 'fxiaoke' order by level_value",
    )
    assert rows == [
        ("fxiaoke:张伟", 0, 1, 0.0, 0.0, 2, _cents(16083.84)),
        ("fxiaoke:李娜", 1, 0, 1.0, _cents(7604.21), 2, _cents(1145.84 + 402.10)),
        ("fxiaoke:王芳", 1, 0, 1.0, _cents(28114.17), 1, _cents(6045.57)),
    ]
    totals = query(
        built,
        "select sum(deals_won), sum(deals_lost) from marts.fct_rep_performance "
        "where level = 'owner' and source_system = 'fxiaoke'",
    )
    assert totals == [(2, 1)]


@pytest.mark.slow
def test_open_pipeline_and_stage_board(built: Settings) -> None:
    # 赢率 ("80%") is the probability: open amounts in USD x 80%, 50%, 30% and 10% (the other
    # qualification deal has no amount, so it weighs nothing but has a probability)
    weighted = query(
        built,
        "select open_deals, open_amount, weighted_amount, deals_without_probability "
        "from marts.fct_forecast_weighted where source_system = 'fxiaoke' and segment_type = 'all'",
    )
    assert weighted == [
        (5, OPEN_USD, pytest.approx(16083.84 * 0.8 + 6045.57 * 0.5 + 1145.84 * 0.3 + 402.10 * 0.1), 0)
    ]
    board = query(
        built,
        "select stage, open_deals, total_amount, average_amount from marts.fct_stage_board "
        "where source_system = 'fxiaoke' and segment_type = 'all' order by stage_order",
    )
    assert board == [
        ("qualification", 2, Decimal("402.10"), _cents(402.10)),  # one amount is null
        ("meeting", 1, Decimal("1145.84"), _cents(1145.84)),
        ("proposal", 1, Decimal("6045.57"), _cents(6045.57)),
        ("negotiation", 1, Decimal("16083.84"), _cents(16083.84)),
    ]


@pytest.mark.slow
def test_chinese_lead_sources_map_to_channels(built: Settings) -> None:
    """商机来源 through the mapping's channel_labels: 展会 events (0105, 0226), 老客户介绍 referral
    (0112, 0301), 官网 organic_search (0120, 0202, 0315), 电话营销 outbound (0220)."""
    rows = query(
        built,
        "select channel, count(*) from intermediate.int_deals where source_system = 'fxiaoke' "
        "group by channel order by channel",
    )
    assert rows == [("events", 2), ("organic_search", 3), ("outbound", 1), ("referral", 2)]
    cut = query(
        built,
        "select segment_value, sum(entities_reached) from marts.fct_funnel_cohort "
        "where source_system = 'fxiaoke' and entity_type = 'deal' and period_grain = 'month' "
        "and segment_type = 'channel' and stage = 'closed_won' group by segment_value order by 1",
    )
    # won: 0112 (referral) and 0226 (events)
    assert dict(cut) == {"events": 1, "organic_search": 0, "outbound": 0, "referral": 1}
