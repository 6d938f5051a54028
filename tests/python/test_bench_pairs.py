"""The before/after pairs script reads each bench run's figures: build is the dbt build stage, end
to end is load + build + checks + publish (generate, prepare and parse are not the pipeline's)."""

from __future__ import annotations

import pytest

from orchestration.bench.pairs import Run, means, stage_seconds


def _figures(**seconds: float) -> dict:
    stages = {name: {"stage": name, "seconds": value} for name, value in seconds.items()}
    return {"sizes": {"1000": {"leads": 1000, "stages": stages}}}


def test_build_and_end_to_end_come_from_the_stages() -> None:
    figures = _figures(generate=9.0, prepare=1.0, load=5.5, parse=6.0, build=20.25, checks=6.0, publish=3.0)
    assert stage_seconds(figures, 1000) == (20.25, 34.75)


def test_a_run_without_a_stage_is_refused() -> None:
    with pytest.raises(ValueError, match="publish"):
        stage_seconds(_figures(load=1.0, build=2.0, checks=3.0), 1000)


def test_means_are_per_side() -> None:
    runs = [Run("before", 1, 24.0, 40.0), Run("after", 1, 25.0, 41.0), Run("before", 2, 26.0, 42.0)]
    assert means(runs, "before") == (25.0, 41.0)
    assert means(runs, "after") == (25.0, 41.0)
    with pytest.raises(ValueError):
        means([], "after")
