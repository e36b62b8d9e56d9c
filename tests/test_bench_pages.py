"""bench/dataset.py and bench/pages.py at a tiny size, in the test database: the dataset has its shape, the bench
prints one JSON line per page and role, and the bound check flags a page whose queries grow with the data."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))

import dataset  # noqa: E402
import pages  # noqa: E402


def test_the_checker_flags_only_pages_whose_queries_grow_with_the_data():
    full = {"board": 5066, "candidates": 12, "analytics": 40, "only here": 3, "fewer": 9}
    small = {"board": 14, "candidates": 12, "analytics": 41, "fewer": 10}
    assert pages.unbounded(full, small) == [("board", 5066, 14)]
    assert pages.unbounded(small, small) == []


def test_only_the_candidates_export_may_grow_and_only_by_its_pieces():
    assert set(pages.GROWS_BY_DESIGN) == {"imports:export"}
    allowed = pages.allowed_growth(["imports:export (hr_admin)", "workflows:board (hr_admin)"], 20_000, 200)
    assert allowed == {"imports:export (hr_admin)": 57}  # 20 pieces of 1,000 against 1, three queries each
    assert pages.unbounded({"imports:export (hr_admin)": 69}, {"imports:export (hr_admin)": 12}, allowed) == []
    # one query more than its pieces (a query per row would be thousands more) is flagged like any page
    assert pages.unbounded({"imports:export (hr_admin)": 70, "workflows:board (hr_admin)": 15},
                           {"imports:export (hr_admin)": 12, "workflows:board (hr_admin)": 14}, allowed) == [
        ("imports:export (hr_admin)", 70, 12), ("workflows:board (hr_admin)", 15, 14)]


@pytest.mark.django_db
def test_dataset_and_pages_at_a_tiny_size(capsys):
    argv = ["--candidates", "300", "--small-org-size", "100", "--positions", "5"]
    parser = pages.argparse.ArgumentParser()
    dataset.add_shape_arguments(parser)
    shape, small = dataset.shapes_from(parser.parse_args(argv))
    org, _spent = dataset.ensure(shape, quiet=True)
    figures = dataset.counts(org)
    assert (figures["candidates"], figures["applications"], figures["board applications"], figures["positions"]) == (300, 300, 15, 5)
    assert figures["AI interview sessions"] == 18 and figures["live interviews"] == 12
    assert figures["search tokens"] > 300 and figures["timeline events"] > figures["pipeline events"] > 300
    assert 0 < figures["scorecards"] <= 9 and figures["ratings"] == 4 * figures["scorecards"]
    small_org, _spent = dataset.ensure(small, quiet=True)
    assert dataset.counts(small_org)["candidates"] == 100
    assert dataset.ensure(shape, quiet=True) == (org, 0.0)  # a second run reuses the complete organization

    sys_argv = sys.argv
    sys.argv = ["pages.py", *argv, "--runs", "1", "--only", r"^candidates:(index|detail)$|^GET /api/v1/candidates/$|^imports:export$",
                "--no-migrate"]
    try:
        pages.main()
        code = 0
    except SystemExit as stop:
        code = stop.code
    finally:
        sys.argv = sys_argv
    out = capsys.readouterr().out
    lines = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    keys = {"page", "role", "p50_ms", "p95_ms", "queries", "small_queries", "bytes", "status"}
    assert lines and all(keys <= set(line) for line in lines)
    seen = {(line["page"], line["role"]) for line in lines}
    assert {("candidates:index", "hr_admin"), ("candidates:detail", "interviewer"), ("GET /api/v1/candidates/", "api")} <= seen
    by_page = {(line["page"], line["role"]): line for line in lines}
    assert by_page[("candidates:detail", "hr_admin")]["status"] == 200 and by_page[("candidates:detail", "hr_admin")]["queries"] > 0
    assert all(line["small_queries"] is not None for line in lines)
    export = by_page[("imports:export", "hr_admin")]  # a streamed file: when its first bytes left, too
    assert export["status"] == 200 and 0 < export["first_byte_p95_ms"] <= export["p95_ms"]
    assert "first_byte_p95_ms" not in by_page[("candidates:index", "hr_admin")]
    assert "streamed: imports:export (hr_admin) first byte p95" in out
    assert ("queries grow with the data" in out) == (code == 1)
