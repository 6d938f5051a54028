"""The lifecycle core against the generator's truth, for each CRM format separately.

The demo (3,000 leads, seed 7) is exported three ways (Salesforce, HubSpot, generic mapping file) from
one simulated company, so every format must reproduce the same truth.json figures exactly:
person reach (overall, per channel, per cohort month), disqualified, entries, transitions by direction,
deal reach, won / lost / open counts and amounts (reporting currency, to the cent), lost-at-stage and
open-at-stage counts, per channel, deal type and created month.

Format limits and how they are covered (asserted anyway, because evidence makes them exact):
- Salesforce lead statuses stop at conversion: customer / repeat_customer are derived from the first /
  second won deal of the lead-person, advocate from referral touches.
- HubSpot hs_lifecyclestage_*_date / hs_date_entered_* hold first entries only: property_history covers
  re-entries; repeat_customer has no HubSpot lifecycle stage and is derived from the second won deal.
"""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

FORMATS = ["salesforce", "hubspot", "generic"]


@pytest.fixture(scope="module")
def truth(demo_exports: Path) -> dict:
    return json.loads((demo_exports / "truth.json").read_text())


@pytest.fixture(scope="module")
def con(built_demo):
    connection = duckdb.connect(str(built_demo.warehouse), read_only=True)
    yield connection
    connection.close()


def _counts(con, sql: str, params: list) -> dict:
    return {row[0]: row[1] for row in con.execute(sql, params).fetchall()}


def _nested(con, sql: str, params: list) -> dict:
    out: dict = {}
    for outer, inner, value in con.execute(sql, params).fetchall():
        out.setdefault(outer, {})[inner] = value
    return out


def _fill(got: dict, expected: dict) -> dict:
    return {key: got.get(key, 0) for key in expected}


@pytest.mark.parametrize("source", FORMATS)
def test_person_reach_matches_truth_overall_per_channel_and_cohort(con, truth, source):
    persons = truth["persons"]
    reached = _counts(
        con,
        "select stage, count(*) from intermediate.int_person_stage_reach "
        "where source_system = ? group by stage",
        [source],
    )
    assert _fill(reached, persons["overall"]["reached"]) == persons["overall"]["reached"]
    assert (
        con.execute(
            "select count(*) from intermediate.int_persons where source_system = ?", [source]
        ).fetchall()[0][0]
        == persons["overall"]["persons"]
    )

    by_channel = _nested(
        con,
        """
        select persons.channel, reach.stage, count(*)
        from intermediate.int_person_stage_reach as reach
        join intermediate.int_persons as persons using (person_key)
        where reach.source_system = ?
        group by 1, 2""",
        [source],
    )
    for channel, expected in persons["by_channel"].items():
        assert _fill(by_channel.get(channel, {}), expected["reached"]) == expected["reached"], channel

    # cohort = month (UTC, the default business time zone) of the first stage entry
    by_cohort = _nested(
        con,
        """
        select strftime(dims.cohort_month, '%Y-%m'), reach.stage, count(*)
        from intermediate.int_person_stage_reach as reach
        join marts.dim_persons as dims using (person_key)
        where reach.source_system = ?
        group by 1, 2""",
        [source],
    )
    for month, expected in persons["by_cohort_month"].items():
        assert _fill(by_cohort.get(month, {}), expected["reached"]) == expected["reached"], month


@pytest.mark.parametrize("source", FORMATS)
def test_person_entries_disqualified_and_transitions_match_truth(con, truth, source):
    entries = _counts(
        con,
        "select stage, count(*) from intermediate.int_person_stage_entries "
        "where source_system = ? group by stage",
        [source],
    )
    assert _fill(entries, truth["persons"]["entries"]) == truth["persons"]["entries"]
    disqualified = con.execute(
        "select count(*) from marts.dim_persons where source_system = ? and was_disqualified", [source]
    ).fetchall()[0][0]
    assert disqualified == truth["persons"]["overall"]["disqualified"]
    directions = _counts(
        con,
        "select direction, count(*) from intermediate.int_person_transitions "
        "where source_system = ? group by direction",
        [source],
    )
    assert directions == {k: v for k, v in truth["transitions"]["persons"].items() if v}


@pytest.mark.parametrize("source", FORMATS)
def test_deal_reach_entries_and_transitions_match_truth(con, truth, source):
    deals = truth["deals"]
    reached = _counts(
        con,
        "select stage, count(*) from intermediate.int_deal_stage_reach "
        "where source_system = ? group by stage",
        [source],
    )
    assert _fill(reached, deals["overall"]["reached"]) == deals["overall"]["reached"]
    assert set(reached) <= set(deals["overall"]["reached"])  # closed_lost never counts as reached
    entries = _counts(
        con,
        "select stage, count(*) from intermediate.int_deal_stage_entries "
        "where source_system = ? group by stage",
        [source],
    )
    assert _fill(entries, deals["entries"]) == deals["entries"]
    directions = _counts(
        con,
        "select direction, count(*) from intermediate.int_deal_transitions "
        "where source_system = ? group by direction",
        [source],
    )
    assert directions == {k: v for k, v in truth["transitions"]["deals"].items() if v}


_MONEY_SQL = """
    select {dim},
        count(*),
        count(*) filter (where is_won),
        coalesce(sum(cast(round(amount_reporting * 100) as bigint)) filter (where is_won), 0),
        count(*) filter (where is_lost),
        coalesce(sum(cast(round(amount_reporting * 100) as bigint)) filter (where is_lost), 0),
        count(*) filter (where not is_closed),
        coalesce(sum(cast(round(amount_reporting * 100) as bigint)) filter (where not is_closed), 0)
    from intermediate.int_deals
    where source_system = ?
    group by 1
"""


def _cents(amount: float) -> int:
    return round(amount * 100)


@pytest.mark.parametrize("source", FORMATS)
@pytest.mark.parametrize(
    "dimension,expression",
    [
        ("overall", "'all'"),
        ("by_channel", "channel"),
        ("by_deal_type", "deal_type"),
        ("by_created_month", "strftime(created_at, '%Y-%m')"),
    ],
)
def test_deal_outcomes_and_amounts_match_truth_to_the_cent(con, truth, source, dimension, expression):
    rows = {r[0]: r[1:] for r in con.execute(_MONEY_SQL.format(dim=expression), [source]).fetchall()}
    expected_groups = (
        {"all": truth["deals"]["overall"]} if dimension == "overall" else truth["deals"][dimension]
    )
    for group, exp in expected_groups.items():
        got = rows.get(group, (0, 0, 0, 0, 0, 0, 0))
        assert got == (
            exp["deals"],
            exp["won_count"],
            _cents(exp["won_amount"]),
            exp["lost_count"],
            _cents(exp["lost_amount"]),
            exp["open_count"],
            _cents(exp["open_amount"]),
        ), (dimension, group)


@pytest.mark.parametrize("source", FORMATS)
def test_lost_at_stage_and_open_at_stage_match_truth(con, truth, source):
    overall = truth["deals"]["overall"]
    lost_at = _counts(
        con,
        "select lost_at_stage, count(*) from intermediate.int_deals "
        "where source_system = ? and is_lost group by 1",
        [source],
    )
    assert lost_at == {k: v for k, v in overall["lost_at_stage"].items() if v}
    open_at = _counts(
        con,
        "select current_stage, count(*) from intermediate.int_deals "
        "where source_system = ? and not is_closed group by 1",
        [source],
    )
    assert open_at == {k: v for k, v in overall["open_at_stage"].items() if v}
    for channel, exp in truth["deals"]["by_channel"].items():
        got = _counts(
            con,
            "select lost_at_stage, count(*) from intermediate.int_deals "
            "where source_system = ? and is_lost and channel = ? group by 1",
            [source, channel],
        )
        assert _fill(got, exp["lost_at_stage"]) == exp["lost_at_stage"], channel
