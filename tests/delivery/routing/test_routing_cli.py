"""`flask routing solve`: one JSON line for a benchmark file, clear errors for bad input."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask import Flask

from marketplace.delivery.routing import check_tours, read_instance
from marketplace.delivery.routing_cli import routing_cli

BENCH = Path(__file__).resolve().parents[3].parent / "shared" / "benchmarks" / "vrp"


@pytest.fixture
def runner():
    app = Flask(__name__)
    app.cli.add_command(routing_cli)
    return app.test_cli_runner()


@pytest.mark.skipif(not BENCH.exists(), reason="shared benchmark instances not present")
def test_solve_prints_feasible_routes_and_their_double_cost(runner):
    path = BENCH / "solomon" / "RC101.txt"
    out = runner.invoke(args=["routing", "solve", str(path), "--seconds", "1", "--seed", "3"])
    assert out.exit_code == 0, out.output
    lines = out.output.strip().splitlines()
    assert len(lines) == 1
    answer = json.loads(lines[0])
    problem = read_instance(path)
    report = check_tours(problem, [(None, [str(c) for c in route]) for route in answer["routes"]])
    assert report.is_feasible, report.violations
    assert sorted(c for route in answer["routes"] for c in route) == list(range(1, 101))
    assert answer["cost"] == pytest.approx(report.cost, abs=1e-5)
    assert answer["cost"] < 1643.41 * 1.03  # within 3 % of the best known after one second


@pytest.mark.parametrize("seconds", ["0", "-2"])
def test_non_positive_time_limit_is_a_usage_error(runner, tmp_path, seconds):
    out = CliRunner().invoke(routing_cli, ["solve", str(tmp_path / "x.txt"), "--seconds", seconds])
    assert out.exit_code == 2
    assert "must be a positive number of seconds" in out.output


def test_malformed_file_names_the_line_without_a_traceback(runner, tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_text("BAD\n\nVEHICLE\nNUMBER CAPACITY\n 2 10\n\nCUSTOMER\nCUST NO.\n 0 0 0 0 0 100\n")
    out = runner.invoke(args=["routing", "solve", str(bad), "--seconds", "1"])
    assert out.exit_code == 1
    assert "bad.txt line 9: expected 7 numbers" in out.output
    assert "Traceback" not in out.output
