"""Benchmark: the conflict check when booking among 10,000 scheduled interviews (goal: under 50 ms).

    python bench/scheduling.py                      # fresh SQLite database in a temporary VAR_DIR
    HIRELENS_DATABASE_URL=postgres://postgres@127.0.0.1:5432/hirelens_bench python bench/scheduling.py

Creates one organization with 40 interviewers and 10,000 scheduled interviews spread over 90 days
(two interviewers each), then times ``interview_conflicts`` for 300 random one-hour windows and the
full ``interview_schedule`` service (conflict check, availability, insert, audit entry) 50 times.
Prints figures; asserts nothing.
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
os.environ.setdefault("HIRELENS_VAR_DIR", tempfile.mkdtemp(prefix="hirelens-bench-"))

INTERVIEWS = 10_000
INTERVIEWERS = 40


def main() -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    call_command("migrate", verbosity=0)
    from hirelens.accounts.models import User
    from hirelens.candidates.models import Application, Candidate
    from hirelens.core.models import Organization
    from hirelens.positions.models import Position
    from hirelens.scheduling.models import Interview
    from hirelens.scheduling.services import interview_conflicts, interview_schedule

    rng = random.Random(7)
    org = Organization.objects.create(name="Bench", slug=f"bench-{rng.randrange(10**9)}")
    admin = User.objects.create_user(f"admin-{org.slug}@bench.local", "x", full_name="Admin", role="hr_admin", organization=org)
    users = [User.objects.create_user(f"i{i}-{org.slug}@bench.local", "x", full_name=f"I{i}", role="interviewer", organization=org)
             for i in range(INTERVIEWERS)]
    position = Position.objects.create(organization=org, title="Bench")
    candidates = Candidate.objects.bulk_create([Candidate(organization=org, full_name=f"C{i}") for i in range(INTERVIEWS + 60)])
    applications = Application.objects.bulk_create([Application(organization=org, candidate=c, position=position) for c in candidates])
    start = timezone.now() + timedelta(days=1)
    t0 = time.perf_counter()
    rows = []
    for i in range(INTERVIEWS):
        begin = start + timedelta(minutes=30 * rng.randrange(90 * 48))
        rows.append(Interview(organization=org, application=applications[i], title=f"#{i}", start_at=begin,
                              end_at=begin + timedelta(hours=1), time_zone="Asia/Shanghai", uid=f"bench-{org.pk}-{i}@hirelens"))
    interviews = Interview.objects.bulk_create(rows, batch_size=2000)
    through = Interview.interviewers.through
    through.objects.bulk_create([through(interview_id=iv.pk, user_id=u.pk) for iv in interviews
                                 for u in rng.sample(users, 2)], batch_size=5000)
    print(f"database: {connection.vendor}; seeded {INTERVIEWS} interviews in {time.perf_counter() - t0:.1f}s")

    timings, hits = [], 0
    for _ in range(300):
        begin = start + timedelta(minutes=30 * rng.randrange(90 * 48))
        who = [u.pk for u in rng.sample(users, 2)]
        t = time.perf_counter()
        found = interview_conflicts(organization_id=org.pk, start_at=begin, end_at=begin + timedelta(hours=1), user_ids=who,
                                    application_id=applications[-1].pk)
        timings.append((time.perf_counter() - t) * 1000)
        hits += bool(found)
    timings.sort()
    print(f"interview_conflicts: median {statistics.median(timings):.2f} ms, p95 {timings[int(len(timings) * 0.95)]:.2f} ms, "
          f"max {timings[-1]:.2f} ms ({hits}/300 windows had a conflict) — goal < 50 ms")

    booked, refused, timings = 0, 0, []
    from django.core.exceptions import ValidationError

    tz = "Asia/Shanghai"
    for i in range(50):
        begin = (start + timedelta(minutes=30 * rng.randrange(90 * 48))).astimezone(__import__("zoneinfo").ZoneInfo(tz))
        t = time.perf_counter()
        try:
            interview_schedule(actor=admin, application=applications[INTERVIEWS + i], start=begin,
                               end=begin + timedelta(hours=1), time_zone=tz,
                               interviewers=rng.sample(users, 2))
            booked += 1
        except ValidationError:
            refused += 1
        timings.append((time.perf_counter() - t) * 1000)
    timings.sort()
    print(f"interview_schedule (whole booking): median {statistics.median(timings):.2f} ms, p95 {timings[int(len(timings) * 0.95)]:.2f} ms "
          f"({booked} booked, {refused} refused for a conflict)")


if __name__ == "__main__":
    main()
