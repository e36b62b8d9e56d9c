"""Benchmark of the evaluations index and the analytics page at scale (issue 22): prints figures, asserts nothing.

    python bench/analytics_pages.py                                   # SQLite in a temporary directory
    python bench/analytics_pages.py --database-url postgres://postgres@127.0.0.1:5432/hl_bench_analytics
    python bench/analytics_pages.py --applications 20000 --events 67000   # smaller run

A fresh database holds one organization with 40 positions (one with 5,000 applications), ``--applications``
candidates (encrypted names and a ~2 KB encrypted resume text each; names, keyed search tokens and seeded
timestamps through ``bench/_seed.py``, the benches' shared seeding) and applications created over the last year,
90 % of them in a five-stage pipeline, and ``--events`` pipeline events (start, advances, completions, rejections),
all bulk-inserted with their own timestamps; then ``manage.py analytics_rebuild``'s function counts the funnel (when
this version has it). It prints one JSON line per page or operation: ``{"page", "p50_ms", "p95_ms", "queries",
"bytes", "status"}`` over ``--runs`` warm requests through Django's test client, plus the rebuild time and the cost of
one pipeline move (which refreshes its funnel day). Run from another checkout (``git archive``) to measure a
version before the aggregates; the script uses only what that version has.
"""

from __future__ import annotations

import argparse
import contextlib
import json
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
sys.path.insert(0, str(ROOT / "bench"))

from _seed import analyze, candidates_bulk, chinese_name, seeded_timestamps  # noqa: E402  (the benches' shared seeding)

STAGES = ["简历筛选", "AI视频面试", "在线编程", "直播面试", "终面"]
DEPARTMENTS = ["技术部", "销售部", "市场部", "人力资源部"]


def setup_django(database_url: str | None, reuse: str = "") -> None:
    var = Path(reuse) if reuse and not database_url else Path(tempfile.mkdtemp(prefix="hirelens-bench-analytics-"))
    os.environ["HIRELENS_VAR_DIR"] = str(var)
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.local"
    os.environ["HIRELENS_DEBUG"] = "false"
    if database_url and reuse:
        os.environ["HIRELENS_DATABASE_URL"] = database_url
    elif database_url:
        import psycopg

        base, name = database_url.rsplit("/", 1)
        with psycopg.connect(base + "/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
        os.environ["HIRELENS_DATABASE_URL"] = database_url
    else:
        os.environ["HIRELENS_DATABASE_URL"] = ""
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def seed(applications: int, events: int):
    from django.db import connection, transaction
    from django.utils import timezone

    from hirelens.accounts.models import User
    from hirelens.candidates.models import Application, Candidate
    from hirelens.core.models import Organization
    from hirelens.positions.models import Position, PositionAssignment
    from hirelens.workflows.models import ApplicationProgress, PipelineEvent, Process, ProcessVersion, Stage

    rng = random.Random(22)
    now = timezone.now()
    org = Organization.objects.create(name="Bench", slug="bench-analytics")
    admin = User.objects.create_user(email="admin@bench.example", password="x", full_name="王敏", organization=org, role="hr_admin")
    interviewer = User.objects.create_user(email="iv@bench.example", password="x", full_name="张伟", organization=org, role="interviewer")
    positions, stages = [], {}
    for i in range(40):
        position = Position.objects.create(organization=org, title=f"职位{i:02d}", department=DEPARTMENTS[i % 4])
        process = Process.objects.create(organization=org, position=position, name="流程", is_active=True)
        version = ProcessVersion.objects.create(organization=org, process=process, number=1, status="published", published_at=now)
        stages[position.pk] = (version, [Stage.objects.create(organization=org, version=version, module="ai_video", title=t, order=j)
                                         for j, t in enumerate(STAGES)])
        positions.append(position)
    PositionAssignment.objects.create(organization=org, position=positions[0], user=interviewer, role="interviewer")
    resume = "工作经历：" + "负责后端服务的设计与开发，参与性能优化与数据迁移。" * 40
    started = time.perf_counter()
    per_event = events / (applications * 0.9)  # events per application in a pipeline
    made_events = 0
    batch = 5000
    with seeded_timestamps(Candidate, Application, ApplicationProgress, PipelineEvent):
        for offset in range(0, applications, batch):
            n = min(batch, applications - offset)
            with transaction.atomic():
                created = [now - timedelta(seconds=rng.randint(0, 365 * 86400)) for _ in range(n)]
                people = candidates_bulk([
                    Candidate(organization=org, full_name=chinese_name(rng), resume_text=resume, resume_status="parsed",
                              created_at=c, updated_at=c) for c in created])
                chosen = [positions[0] if (offset + i) % 20 == 0 else rng.choice(positions[1:]) for i in range(n)]
                apps = Application.objects.bulk_create([
                    Application(organization=org, candidate=p, position=pos, created_at=c,
                                updated_at=c + timedelta(seconds=rng.randint(0, 30 * 86400)))
                    for p, pos, c in zip(people, chosen, created, strict=True)])
                progresses, plan = [], []
                for app in apps:
                    if rng.random() >= 0.9:
                        continue
                    version, st = stages[app.position_id]
                    k = max(1, min(len(st) + 1, int(rng.expovariate(1 / max(per_event - 1, 0.1))) + 1))
                    outcome = rng.random()
                    reached = min(k, len(st))
                    progresses.append(ApplicationProgress(organization=org, application=app, version=version, stage=st[reached - 1],
                                                          state="completed" if k > len(st) else ("rejected" if outcome < 0.3 else "active"),
                                                          created_at=app.created_at, updated_at=app.created_at))
                    plan.append((app, st, k, outcome))
                progresses = ApplicationProgress.objects.bulk_create(progresses)
                rows, hired = [], []
                for progress, (app, st, k, outcome) in zip(progresses, plan, strict=True):
                    at = app.created_at
                    for j in range(min(k, len(st))):
                        at = at + timedelta(hours=rng.randint(2, 96))
                        rows.append(PipelineEvent(organization=org, progress=progress, action="start" if j == 0 else "advance",
                                                  from_stage=st[j - 1] if j else None, to_stage=st[j], actor=admin, reason="通过",
                                                  created_at=at, updated_at=at))
                    if k > len(st):
                        at = at + timedelta(hours=rng.randint(2, 96))
                        rows.append(PipelineEvent(organization=org, progress=progress, action="complete", from_stage=st[-1],
                                                  to_stage=st[-1], actor=admin, reason="录用", created_at=at, updated_at=at))
                        if outcome < 0.7:
                            hired.append(app.pk)
                    elif outcome < 0.3:
                        at = at + timedelta(hours=rng.randint(2, 96))
                        rows.append(PipelineEvent(organization=org, progress=progress, action="reject", from_stage=st[k - 1],
                                                  to_stage=st[k - 1], actor=admin, reason="不通过", created_at=at, updated_at=at))
                PipelineEvent.objects.bulk_create(rows, batch_size=5000)
                made_events += len(rows)
                Application.objects.filter(pk__in=hired).update(status="hired")
    analyze()
    print(json.dumps({"seeded": {"applications": Application.objects.count(), "pipeline_events": made_events,
                                 "in_pipeline": ApplicationProgress.objects.count(), "seconds": round(time.perf_counter() - started, 1),
                                 "database": connection.vendor}}, ensure_ascii=False), flush=True)
    return org, admin, interviewer, positions


def measure(client, label: str, path: str, runs: int, **headers) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(path, **headers)  # warm
    times, response, queries = [], None, 0
    for i in range(runs):
        with CaptureQueriesContext(connection) as ctx:
            started = time.perf_counter()
            response = client.get(path, **headers)
            times.append((time.perf_counter() - started) * 1000)
        if i == 0:
            queries = len(ctx.captured_queries)
    times.sort()
    if os.environ.get("BENCH_SLOWEST"):  # the three slowest statements of the last run
        for q in sorted(ctx.captured_queries, key=lambda q: -float(q["time"]))[:3]:
            print(f"    {float(q['time']) * 1000:7.1f} ms  {q['sql'][:300]}", flush=True)
    row = {"page": label, "p50_ms": round(statistics.median(times), 1),
           "p95_ms": round(times[min(len(times) - 1, round(0.95 * (len(times) - 1)))], 1), "queries": queries,
           "bytes": len(response.content), "status": response.status_code}
    print(json.dumps(row, ensure_ascii=False), flush=True)
    return row


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--applications", type=int, default=100_000)
    parser.add_argument("--events", type=int, default=335_000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--reuse", default="", help="Measure an earlier run's data again (its VAR_DIR for SQLite, "
                        "any value with --database-url) after migrating it; no seeding, no rebuild.")
    args = parser.parse_args()
    setup_django(args.database_url or None, args.reuse)
    from django.test import Client

    if args.reuse:
        from hirelens.accounts.models import User
        from hirelens.positions.models import Position

        admin = User.objects.get(email="admin@bench.example")
        interviewer = User.objects.get(email="iv@bench.example")
        org = admin.organization
        positions = list(Position.objects.filter(organization=org).order_by("pk"))
    else:
        org, admin, interviewer, positions = seed(args.applications, args.events)
    try:
        from hirelens.analytics.services import aggregates_rebuild
    except ImportError:
        aggregates_rebuild = None
    if aggregates_rebuild is not None and not args.reuse:
        started = time.perf_counter()
        counts = aggregates_rebuild(organization_id=org.pk)
        print(json.dumps({"rebuild": counts, "seconds": round(time.perf_counter() - started, 1)}), flush=True)

    client = Client(HTTP_HOST="localhost")
    client.force_login(admin)
    measure(client, "evaluations index (HR)", "/evaluations/", args.runs)
    import html
    import re

    link = "/evaluations/"
    for _ in range(21):  # 21 pages deep, following the page's own next link
        found = re.search(r'href="\?([^"]*)" rel="next"', client.get(link).content.decode())
        if not found:
            break
        link = "/evaluations/?" + html.unescape(found.group(1))
    if link != "/evaluations/":
        measure(client, "evaluations index, page 22 (HR)", link, args.runs)
    measure(client, "evaluations index, name search (HR)", "/evaluations/?q=王伟", args.runs)
    measure(client, "analytics (HR, last 90 days)", "/analytics/", args.runs)
    measure(client, "analytics (HR, 技术部)", "/analytics/?department=技术部", args.runs)
    measure(client, "analytics (HR, largest position, a year)", f"/analytics/?position={positions[0].pk}&start=2000-01-01", args.runs)
    measure(client, "analytics Excel export", "/analytics/export.xlsx", max(3, args.runs // 4))
    with contextlib.suppress(Exception):
        from hirelens.integrations.testing import make_api_key

        _key, secret = make_api_key(admin, scopes=["analytics:read"])
        api = Client(HTTP_HOST="localhost")
        measure(api, "API GET /analytics/dashboard", "/api/v1/analytics/dashboard", args.runs, HTTP_AUTHORIZATION=f"Bearer {secret}")
    client.force_login(interviewer)
    measure(client, "evaluations index (interviewer, 5,000-application position)", "/evaluations/", args.runs)

    # the write side: one pipeline move, which now also recounts its application's funnel day
    from hirelens.workflows import services as wf
    from hirelens.workflows.models import ApplicationProgress

    moves = list(ApplicationProgress.objects.filter(organization=org, state="active").select_related("application")[:args.runs])
    times = []
    for progress in moves:
        started = time.perf_counter()
        wf.pipeline_hold(actor=admin, progress=progress, reason="等待名额")
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    print(json.dumps({"page": "service: pipeline_hold (one move)", "p50_ms": round(statistics.median(times), 1),
                      "p95_ms": round(times[min(len(times) - 1, round(0.95 * (len(times) - 1)))], 1)}, ensure_ascii=False), flush=True)


if __name__ == "__main__":
    main()
