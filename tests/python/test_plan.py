"""`funnel plan`: the reverse funnel from a revenue target, through the analysis that ships."""

from __future__ import annotations

import pytest

from orchestration.pipeline import plan_leads
from orchestration.settings import Settings


def test_plan_divides_the_target_down_the_funnel_and_agrees_across_formats(built_demo: Settings) -> None:
    answer = plan_leads(built_demo, 500_000).set_index("source_system")
    assert set(answer.index) == {"salesforce", "hubspot", "generic"}
    for _, row in answer.iterrows():
        # semantics, reverse funnel plan: each step divides by the measured rate below it
        assert row.deals_needed == pytest.approx(500_000 / row.average_deal_size)
        assert row.deals_needed_at_top_stage == pytest.approx(
            row.deals_needed / row.top_stage_win_probability
        )
        assert row.leads_needed == pytest.approx(row.deals_needed_at_top_stage / row.deals_per_lead)
    # the same company exported three ways plans the same
    assert answer["leads_needed"].nunique() == 1
