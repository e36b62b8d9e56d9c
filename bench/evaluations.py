"""Benchmark of evaluation analytics (issue 8, PRODUCT.md V4): prints figures, asserts nothing.

    python bench/evaluations.py                                    # SQLite, 1,000,000 ratings
    python bench/evaluations.py --database-url postgres://postgres@127.0.0.1:5432/hirelens_bench_eval
    python bench/evaluations.py --ratings 200000                   # smaller run

A fresh database (SQLite in a temporary directory, or the named PostgreSQL database, dropped and
re-created) holds one organization with 12 positions in 4 departments, 40 interviewers and
``--ratings`` dimension scores (4 per scorecard, so 250,000 scorecards for 1,000,000 ratings) spread over
the last two years. Figures:

* the seed's question — average 专业技能 score of the 技术部 positions over the last 3 months —
  through ``hirelens.analytics.selectors.dimension_average`` (median and p95 of 30 runs, warm);
* the same question as a cold first run;
* the analytics page (``GET /analytics/``, HR admin, default period of 90 days), rendered through
  Django's test client — median of 5 runs;
* the Excel export of the same page.

Goals (issue 8): seed question < 100 ms on PostgreSQL and < 500 ms on SQLite; analytics page < 1 s.
"""

from __future__ import annotations

import argparse
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

DIMENSIONS = ["沟通能力", "专业技能", "团队协作", "学习能力"]
DEPARTMENTS = {"技术部": ["后端工程师", "前端工程师", "数据工程师", "测试工程师"], "销售部": ["销售代表", "大客户经理", "销售助理"],
               "人力资源部": ["管培生", "HRBP"], "市场部": ["市场专员", "品牌经理", "新媒体运营"]}


def setup_django(database_url: str | None) -> None:
    var = Path(tempfile.mkdtemp(prefix="hirelens-bench-eval-"))
    os.environ["HIRELENS_VAR_DIR"] = str(var)
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.local"
    os.environ["HIRELENS_DEBUG"] = "false"
    if database_url:
        import psycopg

        base, name = database_url.rsplit("/", 1)
        with psycopg.connect(base + "/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
        os.environ["HIRELENS_DATABASE_URL"] = database_url
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def seed(total_ratings: int):
    from django.db import connection, transaction
    from django.utils import timezone

    from hirelens.accounts.models import User
    from hirelens.candidates.models import Application, Candidate
    from hirelens.core.models import Organization
    from hirelens.evaluations.models import Scorecard, ScorecardRating
    from hirelens.evaluations.services import rating_month
    from hirelens.positions.models import Position
    from hirelens.workflows.models import Process, ProcessVersion, Stage

    rng = random.Random(8)
    now = timezone.now()
    org = Organization.objects.create(name="Bench", slug="bench-eval")
    admin = User.objects.create_user(email="admin@bench.example", password="x", full_name="Admin", organization=org, role="hr_admin")
    interviewers = [User.objects.create_user(email=f"iv{i}@bench.example", password="x", full_name=f"面试官{i}", organization=org,
                                             role="interviewer") for i in range(40)]
    positions, stages = [], {}
    for department, titles in DEPARTMENTS.items():
        for title in titles:
            position = Position.objects.create(organization=org, title=title, department=department)
            process = Process.objects.create(organization=org, position=position, name="流程", is_active=True)
            version = ProcessVersion.objects.create(organization=org, process=process, number=1, status="published", published_at=now)
            stages[position.pk] = Stage.objects.create(organization=org, version=version, module="ai_video", title="AI视频面试")
            positions.append(position)
    cards_total = total_ratings // len(DIMENSIONS)
    applications_total = max(1, cards_total // 2)
    started = time.perf_counter()
    app_rows = []  # (application id, position)
    for start in range(0, applications_total, 5000):
        n = min(5000, applications_total - start)
        candidates = Candidate.objects.bulk_create([Candidate(organization=org, full_name=f"候选人{start + i}") for i in range(n)])
        chosen = [rng.choice(positions) for _ in range(n)]
        apps = Application.objects.bulk_create([Application(organization=org, candidate=c, position=p) for c, p in zip(candidates, chosen, strict=True)])
        app_rows += [(a.pk, p) for a, p in zip(apps, chosen, strict=True)]
    print(f"seeded {applications_total:,} candidates and applications in {time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    rating_table = ScorecardRating._meta.db_table
    columns = ["organization_id", "created_at", "updated_at", "scorecard_id", "dimension", "score", "reason", "position_id",
               "department", "interviewer_id", "submitted_at", "scale_max", "month", "application_id", "stage_id",
               "item_n", "item_sum", "item_min", "item_max"]
    bias = {u.pk: rng.choice([-1, 0, 0, 1]) for u in interviewers}
    made = 0
    while made < cards_total:
        n = min(10000, cards_total - made)
        with transaction.atomic():
            cards = []
            for i in range(n):
                app_id, position = app_rows[(made + i) // 2]
                submitted = now - timedelta(seconds=rng.randint(0, 730 * 86400))
                interviewer = interviewers[(made + i) % len(interviewers)] if (made + i) % 2 == 0 else interviewers[(made + i + 7) % len(interviewers)]
                cards.append(Scorecard(organization=org, application_id=app_id, stage=stages[position.pk], position=position,
                                       interviewer=interviewer, status="submitted", submitted_at=submitted))
            cards = Scorecard.objects.bulk_create(cards, batch_size=2000)
            rows, items = [], {}
            for card in cards:
                position = card.position
                for dim in DIMENSIONS:
                    score = max(1, min(10, rng.randint(4, 9) + bias[card.interviewer_id]))
                    items.setdefault((card.application_id, dim), []).append(score)
                    rows.append([org.pk, card.submitted_at, card.submitted_at, card.pk, dim, score, "理由", position.pk, position.department,
                                 card.interviewer_id, card.submitted_at, 10, rating_month(card.submitted_at), card.application_id,
                                 card.stage_id])
            for row in rows:  # the panel's figures per item, as item_stats_refresh keeps them
                scores = items[(row[13], row[4])]
                row += [len(scores), sum(scores), min(scores), max(scores)]
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor, cursor.cursor.copy(
                        f"COPY {rating_table} ({', '.join(columns)}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                placeholders = ", ".join(["%s"] * len(columns))
                with connection.cursor() as cursor:
                    cursor.executemany(f"INSERT INTO {rating_table} ({', '.join(columns)}) VALUES ({placeholders})", rows)
        made += n
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    ratings = ScorecardRating.objects.count()
    print(f"seeded {cards_total:,} scorecards and {ratings:,} ratings in {time.perf_counter() - started:.1f} s ({connection.vendor})")
    return org, admin


def timed(fn, runs: int) -> tuple[float, float, float, object]:
    result, times = None, []
    for _ in range(runs):
        started = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return statistics.median(times), times[min(len(times) - 1, int(round(0.95 * (len(times) - 1))))], times[0], result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--ratings", type=int, default=1_000_000)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    setup_django(args.database_url or None)

    from django.db import connection, reset_queries
    from django.test import Client
    from django.utils import timezone

    from hirelens.analytics.selectors import dimension_average

    org, admin = seed(args.ratings)
    since = timezone.now() - timedelta(days=90)

    def question():
        return dimension_average(organization_id=org.pk, dimension="专业技能", departments=["技术部"], since=since)

    started = time.perf_counter()
    first = question()
    cold = (time.perf_counter() - started) * 1000
    median, p95, best, (mean, count) = timed(question, 30)
    print(f"\nseed question: average 专业技能 of 技术部 positions, last 3 months = {mean} over {count:,} ratings")
    print(f"  {connection.vendor}: first run {cold:.1f} ms; warm median {median:.1f} ms, p95 {p95:.1f} ms, best {best:.1f} ms")
    assert first == (mean, count)
    with connection.cursor() as cursor:
        from hirelens.evaluations.models import ScorecardRating

        sql, params = (ScorecardRating.objects.filter(organization_id=org.pk, dimension="专业技能", department__in=["技术部"],
                                                      submitted_at__gte=since).order_by().values("score").query.sql_with_params())
        cursor.execute(("EXPLAIN " if connection.vendor == "postgresql" else "EXPLAIN QUERY PLAN ") + sql, params)
        plan = " | ".join(str(row[-1]) for row in cursor.fetchall())
    print(f"  plan: {plan[:300]}")

    client = Client(HTTP_HOST="localhost")
    client.force_login(admin)
    reset_queries()
    median, p95, best, response = timed(lambda: client.get("/analytics/"), 5)
    print(f"\nanalytics page (GET /analytics/, last 90 days, all positions): status {response.status_code}, "
          f"median {median:.0f} ms, p95 {p95:.0f} ms, best {best:.0f} ms")
    median, p95, best, response = timed(lambda: client.get("/analytics/?department=技术部"), 5)
    print(f"analytics page filtered to 技术部: median {median:.0f} ms, best {best:.0f} ms")
    median, p95, best, response = timed(lambda: client.get("/analytics/export.xlsx"), 3)
    print(f"Excel export: status {response.status_code}, {len(response.content):,} bytes, median {median:.0f} ms")


if __name__ == "__main__":
    main()
