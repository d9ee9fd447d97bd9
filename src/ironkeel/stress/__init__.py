"""Historical-crash stress tests: the current portfolio of strategies replayed through shock
paths per asset class (docs/stress.md)."""

from ironkeel.stress.apply import apply_recommendations
from ironkeel.stress.bars import stressed_bars
from ironkeel.stress.recommend import recommend
from ironkeel.stress.replay import StressError, StressOptions, run_scenario
from ironkeel.stress.run import load_target, run_stress, write_report
from ironkeel.stress.scenario import (
    Scenario,
    Source,
    load_scenario,
    shipped_scenario,
    shipped_scenarios,
)
from ironkeel.stress.series import series_path
from ironkeel.stress.shock import ScenarioError, ShockPath

__all__ = [
    "Scenario",
    "ScenarioError",
    "ShockPath",
    "Source",
    "StressError",
    "StressOptions",
    "apply_recommendations",
    "load_scenario",
    "load_target",
    "recommend",
    "run_scenario",
    "run_stress",
    "series_path",
    "shipped_scenario",
    "shipped_scenarios",
    "stressed_bars",
    "write_report",
]
