"""Planning per sub-region, without borders (the grouping cost), the checker, and the import rule."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest
from routing_fixtures import line_problem, van

from marketplace.delivery.routing import (
    Hub,
    Load,
    Problem,
    Stop,
    Vehicle,
    check_tours,
    grouping_cost,
    merge_problems,
    plan_tours,
    plan_without_borders,
)

ROUTING = Path(__file__).resolve().parents[3] / "marketplace" / "delivery" / "routing"


def _region(name: str, hub: tuple[float, float], places: list[tuple[float, float]]) -> Problem:
    return Problem(
        hubs=(Hub(f"hub-{name}", lat=hub[0], lon=hub[1]),),
        stops=tuple(Stop(f"{name}-{k}", lat=lat, lon=lon, demand=Load(ambient=1), fixed_service_seconds=60)
                    for k, (lat, lon) in enumerate(places)),
        vehicles=(Vehicle(f"van-{name}", Load(20, 5, 2), shift_start=7 * 3600, shift_end=17 * 3600,
                          cost_per_km_cents=35, cost_per_hour_cents=2400),),
    )


@pytest.fixture
def two_regions():
    # Eifel's hub sits in Mayen; its eastern stops lie next to Pellenz's hub in Andernach.
    eifel = _region("eifel", (50.3279, 7.2228), [(50.2998, 7.1636), (50.2847, 7.2186), (50.42, 7.40)])
    pellenz = _region("pellenz", (50.4394, 7.4017), [(50.4050, 7.3700), (50.3660, 7.3600)])
    return {"eifel": eifel, "pellenz": pellenz}


def test_plan_tours_plans_each_subregion_with_its_own_vehicles(two_regions):
    results = plan_tours(two_regions, 0.3)
    assert set(results) == {"eifel", "pellenz"}
    assert {s for r in results["eifel"].routes for s in r.stop_ids} == {"eifel-0", "eifel-1", "eifel-2"}
    assert results["pellenz"].routes[0].vehicle_id == "van-pellenz"
    assert results["eifel"].matrix_source == "geodesic"
    assert results["eifel"].cost_cents > 0 and results["eifel"].hours > 0


def test_planning_without_borders_is_never_dearer(two_regions):
    with_borders = plan_tours(two_regions, 0.3)
    without = plan_without_borders(two_regions, 0.3)
    cost = grouping_cost(with_borders, without)
    assert not without.unserved
    assert cost.km >= -1e-9, "every plan with borders is also a plan without them"
    assert cost.km > 0.5, "the Eifel stop next to Andernach is cheaper from the Pellenz hub"
    assert cost.km_with_borders == pytest.approx(cost.km_without_borders + cost.km)


def test_merge_keeps_each_vehicle_at_its_hub_unless_asked(two_regions):
    merged = merge_problems(two_regions)
    assert {merged.hub_of(v).id for v in merged.vehicles} == {"hub-eifel", "hub-pellenz"}
    assert len(merged.stops) == 5
    single = merge_problems(two_regions, single_hub=True)
    assert {single.hub_of(v).id for v in single.vehicles} == {"hub-eifel"}


def test_checker_finds_overload_lateness_duplicates_and_omissions():
    problem = line_problem({"a": 1, "b": 2}, [van("v", ambient=1, end=300)],
                           windows={"a": (0, 150)})
    report = check_tours(problem, [("v", ["b", "a", "a"])])
    text = "\n".join(report.violations)
    assert "capacity" in text
    assert "after its window ends" in text
    assert "returns at" in text
    assert "stop a appears 2 times" in text
    missing = check_tours(problem, [("v", ["a"])])
    assert "stop b is neither served nor reported unserved" in missing.violations
    ok = check_tours(problem, [("v", ["a"])], unserved=["b"])
    assert ok.is_feasible and ok.cost == pytest.approx(2000)


def test_routing_package_imports_neither_flask_nor_sqlalchemy_nor_models():
    forbidden = ("flask", "sqlalchemy", "flask_sqlalchemy", "marketplace")
    for path in ROUTING.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""] if node.level == 0 else []
            else:
                continue
            for name in names:
                assert name.split(".")[0] not in forbidden, f"{path.name} imports {name}"
