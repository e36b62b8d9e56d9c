"""Benchmark: the scheduling pages at scale — p50 / p95 / queries / bytes per page (goal: p95 < 200 ms, queries
independent of the data).

    .venv/bin/python bench/scheduling_pages.py                    # fresh SQLite database in a temporary VAR_DIR
    HIRELENS_DATABASE_URL=postgres://postgres@127.0.0.1:5432/hirelens_bench .venv/bin/python bench/scheduling_pages.py

Seeds one organization (bulk paths; found again by its slug on a second run): 40 interviewers, one position with
5,000 applications, nine others with 5,000 more, 10,000 interviews over -60..+90 days (5,000 of the big position,
two interviewers each), 1,000 offered slots on the big position, 40 availability windows for one interviewer. Then
requests each page N times through the whole Django stack in this process (Django's test client, signed in; no
network) and prints one line per page; a page the code does not have (404) is shown as such. Asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
os.environ.setdefault("HIRELENS_VAR_DIR", tempfile.mkdtemp(prefix="hirelens-bench-"))

SLUG = "bench-scheduling-pages"
BIG = 5_000
OTHERS = 5_000
INTERVIEWS = 10_000
INTERVIEWERS = 40
SLOTS = 1_000
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = ["伟", "芳", "娜", "敏", "静", "磊", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "秀英", "建华", "子涵", "浩然"]


def seed():
    from django.db import connection, transaction
    from django.utils import timezone

    from hirelens.accounts.models import User
    from hirelens.candidates.models import Application, Candidate, SearchToken
    from hirelens.candidates.search import document_tokens
    from hirelens.core.models import Organization
    from hirelens.positions.models import Position, PositionAssignment
    from hirelens.scheduling.models import Availability, Interview, InterviewSlot

    org = Organization.objects.filter(slug=SLUG).first()
    if org is not None and Interview.objects.filter(organization=org).count() >= INTERVIEWS:
        print(f"database: {connection.vendor}; reusing {SLUG}")
        return org
    rng = random.Random(22)
    t0 = time.perf_counter()
    now = timezone.now()
    with transaction.atomic():
        org = Organization.objects.create(name="Scheduling bench", slug=SLUG)
        User.objects.create_user(f"admin@{SLUG}.local", "x", full_name="王敏", role="hr_admin", organization=org)
        users = [User.objects.create_user(f"i{i}@{SLUG}.local", "x", full_name=rng.choice(SURNAMES) + rng.choice(GIVEN) + f"{i}",
                                          role="interviewer", organization=org) for i in range(INTERVIEWERS)]
        big = Position.objects.create(organization=org, title="后端工程师", time_zone="Asia/Shanghai")
        others = [Position.objects.create(organization=org, title=f"销售代表 {i}", time_zone="Asia/Shanghai") for i in range(9)]
        PositionAssignment.objects.bulk_create([PositionAssignment(organization=org, position=p, user=u, role="interviewer")
                                                for p in [big, *others] for u in users])
        candidates = Candidate.objects.bulk_create([Candidate(organization=org, full_name=rng.choice(SURNAMES) + rng.choice(GIVEN))
                                                    for _ in range(BIG + OTHERS)], batch_size=1000)
        SearchToken.objects.bulk_create([SearchToken(organization_id=org.pk, candidate_id=c.pk, token=t) for c in candidates
                                         for t in document_tokens(short_texts=[c.full_name], long_texts=[])], batch_size=5000)
        apps = Application.objects.bulk_create([Application(organization=org, candidate=c, position=big if i < BIG else rng.choice(others),
                                                            stage="初试") for i, c in enumerate(candidates)], batch_size=1000)
        rows = []
        for i in range(INTERVIEWS):
            begin = now + timedelta(minutes=30 * rng.randrange(-60 * 48, 90 * 48))
            status = "completed" if begin < now and rng.random() < 0.8 else ("cancelled" if rng.random() < 0.1 else "scheduled")
            rows.append(Interview(organization=org, application=apps[i], title=f"面试 · {apps[i].position.title}", start_at=begin,
                                  end_at=begin + timedelta(hours=1), time_zone="Asia/Shanghai", status=status,
                                  uid=f"bench-{org.pk}-{i}@hirelens"))
        interviews = Interview.objects.bulk_create(rows, batch_size=2000)
        through = Interview.interviewers.through
        through.objects.bulk_create([through(interview_id=iv.pk, user_id=u.pk) for iv in interviews for u in rng.sample(users, 2)],
                                    batch_size=5000)
        slots = InterviewSlot.objects.bulk_create([
            InterviewSlot(organization=org, position=big, start_at=(b := now + timedelta(minutes=30 * rng.randrange(48, 90 * 48))),
                          end_at=b + timedelta(hours=1), time_zone="Asia/Shanghai") for _ in range(SLOTS)])
        slot_through = InterviewSlot.interviewers.through
        slot_through.objects.bulk_create([slot_through(interviewslot_id=s.pk, user_id=users[0].pk) for s in slots])
        Availability.objects.bulk_create([Availability(organization=org, user=users[0], start_at=now + timedelta(days=d, hours=1),
                                                       end_at=now + timedelta(days=d, hours=9), time_zone="Asia/Shanghai")
                                          for d in range(40)])
    print(f"database: {connection.vendor}; seeded in {time.perf_counter() - t0:.1f}s")
    return org


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=30, help="requests per page")
    parser.add_argument("--json", action="store_true", help="print one JSON object per page instead of a table")
    args = parser.parse_args()

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    call_command("migrate", verbosity=0)
    from hirelens.accounts.models import User
    from hirelens.positions.models import Position

    org = seed()
    with connection.cursor() as cursor:  # planner statistics, as a live database has them (autovacuum, PRAGMA optimize)
        cursor.execute("ANALYZE")
    admin = User.objects.get(email=f"admin@{SLUG}.local")
    interviewer = User.objects.get(email=f"i0@{SLUG}.local")
    big = Position.objects.get(organization=org, title="后端工程师")
    other = Position.objects.filter(organization=org).exclude(pk=big.pk).first()
    hr, panel = (Client(HTTP_ACCEPT_LANGUAGE="zh-hans", HTTP_HOST="localhost") for _ in range(2))
    hr.force_login(admin)
    panel.force_login(interviewer)
    name = quote(SURNAMES[0] + GIVEN[0])
    pages = [
        ("position schedule (HR)", hr, f"/scheduling/position/{big.pk}/"),
        ("position schedule, filtered (HR)", hr, f"/scheduling/position/{big.pk}/?status=scheduled&interviewer={interviewer.pk}&when=week"),
        ("position schedule, past (HR)", hr, f"/scheduling/position/{big.pk}/?when=past"),
        ("position schedule (interviewer)", panel, f"/scheduling/position/{big.pk}/"),
        ("interview list (HR)", hr, "/scheduling/interviews/"),
        ("interview list, name search (HR)", hr, f"/scheduling/interviews/?q={name}"),
        ("interview list, filters (HR)", hr, f"/scheduling/interviews/?position={other.pk}&interviewer={interviewer.pk}&when=all"),
        ("interview list, past (HR)", hr, "/scheduling/interviews/?when=past"),
        ("interview list (interviewer)", panel, "/scheduling/interviews/"),
        ("my interviews (interviewer)", panel, "/scheduling/availability/"),
        ("application picker (HR)", hr, f"/candidates/pick/applications?position={big.pk}&q={name}"),
    ]
    vendor = "PostgreSQL" if connection.vendor == "postgresql" else "SQLite"
    if not args.json:
        print(f"\n{vendor}; {BIG:,} applications on the position, {INTERVIEWS:,} interviews in the organization; {args.calls} calls each")
        print(f"{'page':<38} {'p50':>8} {'p95':>8} {'queries':>8} {'bytes':>9}")
    for label, client, url in pages:
        first = client.get(url)  # warm
        if first.status_code != 200:
            print(json.dumps({"page": label, "status": first.status_code}) if args.json else f"{label:<38} status {first.status_code}")
            continue
        timings, queries = [], set()
        for _ in range(args.calls):
            with CaptureQueriesContext(connection) as ctx:
                t = time.perf_counter()
                response = client.get(url)
                timings.append((time.perf_counter() - t) * 1000)
            queries.add(len(ctx.captured_queries))
        row = {"page": label, "db": vendor, "p50_ms": round(statistics.median(timings), 1), "p95_ms": round(percentile(timings, 0.95), 1),
               "queries": max(queries), "bytes": len(response.content)}
        if args.json:
            print(json.dumps(row, ensure_ascii=False))
        else:
            print(f"{label:<38} {row['p50_ms']:>6.1f}ms {row['p95_ms']:>6.1f}ms {row['queries']:>8} {row['bytes']:>9,}")


if __name__ == "__main__":
    main()
