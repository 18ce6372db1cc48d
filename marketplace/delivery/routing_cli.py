"""`flask routing solve FILE`: solves one benchmark instance and prints one JSON line."""
from __future__ import annotations

import json

import click
from flask.cli import AppGroup

from .routing import ParseError, check_result, read_instance, solve

routing_cli = AppGroup("routing", help="Vehicle routing: solve benchmark instances with the tour planner.")


def _positive(ctx: click.Context, param: click.Parameter, value: float) -> float:
    if value is None or not value > 0:
        raise click.BadParameter(f"must be a positive number of seconds, got {value:g}")
    return value


@routing_cli.command("solve", with_appcontext=False)
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--seconds", type=float, required=True, callback=_positive, help="Time limit in seconds (> 0).")
@click.option("--seed", type=int, default=None, help="Seed of the first search; the others follow it.")
def solve_command(file: str, seconds: float, seed: int | None) -> None:
    """Solve FILE (VRPLIB .vrp or Solomon .txt); print {"cost": …, "routes": [[client numbers…], …]}.

    The cost is the sum of Euclidean distances in double precision, in the instance's units.
    """
    try:
        problem = read_instance(file)
    except ParseError as exc:
        raise click.ClickException(str(exc)) from None
    seeds = None if seed is None else [seed, seed + 1]
    result = solve(problem, seconds, seeds=seeds)
    report = check_result(problem, result)
    if result.unserved or not report.is_feasible:
        problems = [f"{u.stop_id}: {u.reason}" for u in result.unserved] + report.violations
        raise click.ClickException("no feasible solution found: " + "; ".join(problems[:5]))
    routes = [[int(s) if s.isdigit() else s for s in route.stop_ids] for route in result.routes]
    click.echo(json.dumps({"cost": round(report.cost, 6), "routes": routes}))
