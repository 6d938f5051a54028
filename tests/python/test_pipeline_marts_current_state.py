"""Current-state-only exports (the "CRM sales opportunities" shape: sales_pipeline.csv with only the current
stage, engage / close date and close value per opportunity, sales_teams.csv with manager and regional office)
load through a mapping file and give hand-computed pipeline numbers by agent, manager and region.

Hand computation (tests/fixtures/current_state, all closed in March 2024; as-of = latest event, 2024-03-31):
- Anna: won 1000 (10 days) and 3000 (20 days), lost 1, one open Engaging deal -> win rate 2/3, size 2000,
  cycle mean = median = 15, velocity = 1 x 2/3 x 2000 / 15 = 88.89 per day.
- Ben: won 600 (21 days), lost 1; his Prospecting deal has no engage date, so it is quarantined
  (missing_required:created_at) -> no open qualified deal, velocity null.
- Cara: lost 1, one open Engaging deal -> win rate 0, no size, velocity null.
- Manager Mia (= region Central): won 3, lost 2 -> 0.6; size 4600 / 3; cycles 10, 20, 21 -> mean 17,
  median 20; open 1 -> velocity = 0.6 x 1533.33 / 17 = 54.12.
- Region East = Cara. All: won 3, lost 3, open 2 -> velocity = 2 x 0.5 x 1533.33 / 17 = 90.20.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from orchestration.pipeline import build_models, load_exports

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "current_state"
SOURCE = "crm_sales"

# segment -> (won, lost, win_rate, average_deal_size, cycle_mean, cycle_median, open_qualified, velocity)
EXPECTED = {
    ("owner", f"{SOURCE}:Anna Agent"): (2, 1, 2 / 3, 2000.0, 15.0, 15.0, 1, 1 * (2 / 3) * 2000 / 15),
    ("owner", f"{SOURCE}:Ben Agent"): (1, 1, 0.5, 600.0, 21.0, 21.0, 0, None),
    ("owner", f"{SOURCE}:Cara Agent"): (0, 1, 0.0, None, None, None, 1, None),
    ("manager", f"{SOURCE}:Mia Manager"): (3, 2, 0.6, 4600 / 3, 17.0, 20.0, 1, 0.6 * (4600 / 3) / 17),
    ("manager", f"{SOURCE}:Max Manager"): (0, 1, 0.0, None, None, None, 1, None),
    ("region", "Central"): (3, 2, 0.6, 4600 / 3, 17.0, 20.0, 1, 0.6 * (4600 / 3) / 17),
    ("region", "East"): (0, 1, 0.0, None, None, None, 1, None),
    ("all", "all"): (3, 3, 0.5, 4600 / 3, 17.0, 20.0, 2, 2 * 0.5 * (4600 / 3) / 17),
}


def _approx(value):
    return None if value is None else pytest.approx(value, abs=1e-6)


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from conftest import settings_in

    root = tmp_path_factory.mktemp("current_state")
    landing = root / "landing" / "crm_sales"
    shutil.copytree(FIXTURE, landing)
    settings = settings_in(root / "wh")
    (root / "wh").mkdir(parents=True, exist_ok=True)
    report = load_exports(settings, landing.parent, [])
    assert not report.failed, [r.message for r in report.failed]
    build_models(settings)
    return settings.warehouse


def test_prospecting_without_engage_date_is_quarantined(warehouse):
    with duckdb.connect(str(warehouse), read_only=True) as con:
        reasons = con.execute("select reason from loader.quarantine").fetchall()
    assert reasons == [("missing_required:created_at",)]


def test_velocity_inputs_by_agent_manager_and_region(warehouse):
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.execute(
            """
            select segment_type, segment_value, won_deals, lost_deals, win_rate, average_deal_size,
                sales_cycle_days_mean, sales_cycle_days_median, open_qualified_deals, pipeline_velocity
            from marts.fct_pipeline_velocity
            where source_system = ? and window_type = 'month' and window_start = date '2024-03-01'
                and segment_type in ('all', 'owner', 'manager', 'region')
            """,
            [SOURCE],
        ).fetchall()
    got = {(r[0], r[1]): r[2:] for r in rows}
    assert set(got) == set(EXPECTED)
    for key, (won, lost, rate, size, mean, median, open_qualified, velocity) in EXPECTED.items():
        g = got[key]
        assert (g[0], g[1], g[6]) == (won, lost, open_qualified), key
        assert g[2] == _approx(rate), key
        assert g[3] == _approx(size), key
        assert g[4] == _approx(mean), key
        assert g[5] == _approx(median), key
        assert g[7] == _approx(velocity), key


def test_rep_performance_rolls_up_to_manager_and_region(warehouse):
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.execute(
            """
            select level, level_value, deals_won, deals_lost, win_rate, revenue, average_deal_size,
                sales_cycle_days_mean, open_deals
            from marts.fct_rep_performance where source_system = ?
            """,
            [SOURCE],
        ).fetchall()
    got = {(r[0], r[1]): r[2:] for r in rows}
    assert got[("owner", f"{SOURCE}:Anna Agent")] == (2, 1, _approx(2 / 3), 4000, 2000, 15, 1)
    assert got[("manager", f"{SOURCE}:Mia Manager")] == (3, 2, _approx(0.6), 4600, _approx(4600 / 3), 17, 1)
    assert got[("region", "East")] == (0, 1, 0.0, 0, None, None, 1)
