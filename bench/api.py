"""Benchmark: the open API with an API key, p95 per operation family (goal: under 200 ms on 100,000 candidates).

    .venv/bin/python bench/api.py                                # 20,000 candidates, fresh SQLite in a temporary VAR_DIR
    .venv/bin/python bench/api.py --candidates 100000 --calls 200
    HIRELENS_DATABASE_URL=postgres://postgres@127.0.0.1:5432/hirelens_bench .venv/bin/python bench/api.py --candidates 100000

Seeds one organization (bulk_create: candidates with their name search tokens, one application each over 40 positions; the organization's name
says its size, so a second run on the same database reuses it), makes an API key of its HR admin with every scope and
no practical rate limit, and calls each operation family N times through the whole Django stack in this process
(middleware, key check, audit entries, serialisation; Django's test client, no network): list and search candidates,
a deep cursor page, get a candidate, its applications and timeline, list and get applications, list and get
positions, AI interviews, live interviews, decisions, messages, the analytics figures. A family whose operation the
schema does not have is skipped. Prints median, p95 and max per family and the status codes seen; asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
os.environ.setdefault("HIRELENS_VAR_DIR", tempfile.mkdtemp(prefix="hirelens-bench-"))

GOAL_MS = 200
POSITIONS = 40
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = ["伟", "芳", "娜", "敏", "静", "磊", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "秀英", "建华", "子涵", "浩然"]


def seed(size: int):
    """The bench organization with ``size`` candidates: found again by its slug, else created."""
    from _seed import candidates_bulk
    from django.db import connection, transaction

    from hirelens.accounts.models import User
    from hirelens.candidates.models import Application, Candidate
    from hirelens.core.models import Organization
    from hirelens.positions.models import Position

    slug = f"bench-api-{size}"
    org = Organization.objects.filter(slug=slug).first()
    if org is not None and Candidate.objects.filter(organization=org).count() >= size:
        admin = User.objects.get(organization=org, email=f"admin@{slug}.local")
        print(f"database: {connection.vendor}; reusing {size:,} candidates of {slug}")
        return org, admin
    rng = random.Random(21)
    t0 = time.perf_counter()
    org = org or Organization.objects.create(name=f"API bench {size}", slug=slug)
    admin = User.objects.filter(email=f"admin@{slug}.local").first() or User.objects.create_user(
        f"admin@{slug}.local", "bench-password", full_name="王敏", role="hr_admin", organization=org)
    positions = list(Position.objects.filter(organization=org)) or [
        Position.objects.create(organization=org, title=f"销售代表 {i}", department=rng.choice(["销售部", "技术部", "市场部"]))
        for i in range(POSITIONS)]
    have = Candidate.objects.filter(organization=org).count()
    batch = 5000
    for start in range(have, size, batch):
        rows = [Candidate(organization=org, full_name=rng.choice(SURNAMES) + rng.choice(GIVEN),
                          email=f"c{start + i}@bench.example.com", phone=f"139{start + i:08d}", source="api")
                for i in range(min(batch, size - start))]
        with transaction.atomic():  # a batch is whole or absent: an interrupted seed resumes where it stopped
            made = candidates_bulk(rows)  # with their search tokens, as a save() would
            Application.objects.bulk_create([Application(organization=org, candidate=c, position=rng.choice(positions),
                                                         stage="初筛") for c in made], batch_size=1000)
        print(f"  seeded {start + len(made):,} / {size:,} candidates", flush=True)
    print(f"database: {connection.vendor}; seeded {size:,} candidates in {time.perf_counter() - t0:.1f}s")
    return org, admin


def families(org, paths: set[str]) -> list[tuple[str, str, object]]:
    """(family, schema path, a function giving the URL of one call) for each family the API has."""
    from hirelens.candidates.models import Application, Candidate
    from hirelens.positions.models import Position

    rng = random.Random(5)
    candidate_ids = list(Candidate.objects.filter(organization=org).order_by("?").values_list("pk", flat=True)[:500])
    application_ids = list(Application.objects.filter(organization=org).order_by("?").values_list("pk", flat=True)[:500])
    position_ids = list(Position.objects.filter(organization=org).values_list("pk", flat=True))
    pick = rng.choice
    table = [
        ("list candidates", "/api/v1/candidates/", lambda: "/api/v1/candidates/?limit=20"),
        ("search candidates", "/api/v1/candidates/", lambda: "/api/v1/candidates/?limit=20&q=" + quote(pick(SURNAMES) + pick(GIVEN))),
        ("filter candidates by position", "/api/v1/candidates/", lambda: f"/api/v1/candidates/?limit=20&position={pick(position_ids)}"),
        ("get candidate", "/api/v1/candidates/{candidate_id}", lambda: f"/api/v1/candidates/{pick(candidate_ids)}"),
        ("candidate's applications", "/api/v1/candidates/{candidate_id}/applications",
         lambda: f"/api/v1/candidates/{pick(candidate_ids)}/applications"),
        ("candidate's timeline", "/api/v1/candidates/{candidate_id}/timeline",
         lambda: f"/api/v1/candidates/{pick(candidate_ids)}/timeline"),
        ("list applications", "/api/v1/applications/", lambda: "/api/v1/applications/?limit=20"),
        ("filter applications by position", "/api/v1/applications/",
         lambda: f"/api/v1/applications/?limit=20&position={pick(position_ids)}"),
        ("get application", "/api/v1/applications/{application_id}", lambda: f"/api/v1/applications/{pick(application_ids)}"),
        ("list positions", "/api/v1/positions/", lambda: "/api/v1/positions/?limit=20"),
        ("get position", "/api/v1/positions/{position_id}", lambda: f"/api/v1/positions/{pick(position_ids)}"),
        ("list AI interviews", "/api/v1/interviews/sessions", lambda: "/api/v1/interviews/sessions?limit=20"),
        ("list live interviews", "/api/v1/scheduling/interviews", lambda: "/api/v1/scheduling/interviews?limit=20"),
        ("list decisions", "/api/v1/evaluations/decisions", lambda: "/api/v1/evaluations/decisions?limit=20"),
        ("list messages", "/api/v1/messaging/messages", lambda: "/api/v1/messaging/messages?limit=20"),
        ("analytics figures", "/api/v1/analytics/dashboard", lambda: "/api/v1/analytics/dashboard"),
    ]
    return [(name, path, url) for name, path, url in table if path in paths]


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--candidates", type=int, default=20_000, help="candidates in the bench organization (goal: 100000)")
    parser.add_argument("--calls", type=int, default=100, help="calls per operation family")
    parser.add_argument("--deep", type=int, default=20, help="pages followed by next for the deep-cursor family")
    args = parser.parse_args()

    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client

    call_command("migrate", verbosity=0)
    from config.api import api
    from hirelens.integrations.testing import make_api_key

    org, admin = seed(args.candidates)
    _key, token = make_api_key(admin, rate_limit=10**9, name="bench")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}", HTTP_ACCEPT_LANGUAGE="zh-hans", HTTP_HOST="localhost")
    paths = set(api.get_openapi_schema(path_prefix="/api/v1/")["paths"])

    rows = []
    for name, _path, url in families(org, paths):
        client.get(url())  # warm: imports, caches, the first query plans
        timings, codes, found = [], {}, []
        for _ in range(args.calls):
            t = time.perf_counter()
            response = client.get(url())
            timings.append((time.perf_counter() - t) * 1000)
            codes[response.status_code] = codes.get(response.status_code, 0) + 1
            if response.status_code == 200 and response["Content-Type"].startswith("application/json"):
                items = response.json().get("items") if isinstance(response.json(), dict) else None
                if items is not None:
                    found.append(len(items))
        rows.append((name + (f" (~{statistics.mean(found):.0f} rows)" if found else ""), timings, codes))

    if "/api/v1/candidates/" in paths:  # the cost of a page must not grow with its depth
        timings, codes, url = [], {}, "/api/v1/candidates/?limit=100"
        for _ in range(args.deep):
            t = time.perf_counter()
            response = client.get(url)
            timings.append((time.perf_counter() - t) * 1000)
            codes[response.status_code] = codes.get(response.status_code, 0) + 1
            following = response.json().get("next") if response.status_code == 200 else None
            if not following:
                break
            url = f"/api/v1/candidates/?limit=100&cursor={following}"
        rows.append((f"candidates, {len(timings)} pages of 100 by cursor", timings, codes))

    print(f"\n{args.candidates:,} candidates, {args.calls} calls per family, API key of an HR admin "
          f"({os.environ.get('HIRELENS_DATABASE_URL') and 'PostgreSQL' or 'SQLite'})")
    print(f"{'family':<44} {'median':>8} {'p95':>8} {'max':>8}  status codes")
    slow = []
    for name, timings, codes in rows:
        p95 = percentile(timings, 0.95)
        if p95 >= GOAL_MS:
            slow.append(name)
        print(f"{name:<44} {statistics.median(timings):>6.1f}ms {p95:>6.1f}ms {max(timings):>6.1f}ms  "
              + ", ".join(f"{code}×{count}" for code, count in sorted(codes.items())))
    print(f"\ngoal p95 < {GOAL_MS} ms: " + ("met by every family" if not slow else "NOT met by " + "; ".join(slow)))


if __name__ == "__main__":
    main()
