"""Benchmark: one position's pipeline board at scale — p50 / p95 / queries / bytes (goal: p95 < 200 ms, queries and
bytes independent of the number of applications).

    .venv/bin/python bench/board.py                          # fresh SQLite database in a temporary VAR_DIR
    .venv/bin/python bench/board.py --applications 5000 --calls 30
    HIRELENS_DATABASE_URL=postgres://postgres@127.0.0.1:5432/hl_board .venv/bin/python bench/board.py

Seeds one organization (bulk paths; found again by its slug on a second run): an HR admin, an interviewer assigned to
one position that has the "technical" process published (AI video, coding restricted to the hiring manager, live),
and N applications in that position, spread like a busy pipeline: 10 % not started, 55 % in the first stage, 15 % in
the coding stage, 10 % in the live stage, 10 % ended. Then requests, signed in through Django's test client (the whole
stack, no network), the board as HR and as the interviewer, a name search, a filter, and the next page of the largest
column (when the board has "load more"), and prints one JSON line per request kind. Asserts nothing.
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
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
os.environ.setdefault("HIRELENS_VAR_DIR", tempfile.mkdtemp(prefix="hirelens-bench-"))

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = ["伟", "芳", "娜", "敏", "静", "磊", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "秀英", "建华", "子涵", "浩然"]
SOURCES = ["website", "referral", "job_board", "campus", "wechat"]


def seed(size: int):
    from django.db import connection, transaction

    from hirelens.accounts.models import User
    from hirelens.candidates.models import Application, Candidate, SearchToken
    from hirelens.candidates.search import document_tokens
    from hirelens.core.models import Organization
    from hirelens.positions.models import Position, PositionAssignment
    from hirelens.workflows import services
    from hirelens.workflows.models import ApplicationProgress

    slug = f"bench-board-{size}"
    org = Organization.objects.filter(slug=slug).first()
    if org is not None:
        position = Position.objects.get(organization=org, title="后端工程师")
        if Application.objects.filter(position=position).count() >= size:
            print(f"database: {connection.vendor}; reusing {slug}", flush=True)
            return position
    rng = random.Random(22)
    t0 = time.perf_counter()
    org = org or Organization.objects.create(name=f"Board bench {size}", slug=slug)
    admin = User.objects.filter(email=f"admin@{slug}.local").first() or User.objects.create_user(
        f"admin@{slug}.local", "bench-password", full_name="王敏", role="hr_admin", organization=org)
    panel = User.objects.filter(email=f"interviewer@{slug}.local").first() or User.objects.create_user(
        f"interviewer@{slug}.local", "bench-password", full_name="张伟", role="interviewer", organization=org)
    position = Position.objects.filter(organization=org, title="后端工程师").first() or Position.objects.create(
        organization=org, title="后端工程师", department="技术部")
    PositionAssignment.objects.get_or_create(organization=org, position=position, user=panel, role="interviewer")
    process = position.processes.filter(is_active=True).first()
    if process is None:
        process = services.process_create(actor=admin, position=position, starter="technical")
        coding = services.process_draft(process).stages.get(module="coding")
        services.stage_update(actor=admin, stage=coding, view_roles=["hiring_manager"], score_roles=["hiring_manager"])
        services.process_publish(actor=admin, process=process)
    version = process.versions.filter(status="published").order_by("-number").first()
    stages = list(version.stages.order_by("order", "pk"))
    have = Application.objects.filter(position=position).count()
    batch = 2000
    for start in range(have, size, batch):
        rows = [Candidate(organization=org, full_name=rng.choice(SURNAMES) + rng.choice(GIVEN), phone=f"139{start + i:08d}",
                          source=rng.choice(SOURCES)) for i in range(min(batch, size - start))]
        with transaction.atomic():  # a batch is whole or absent: an interrupted seed resumes where it stopped
            made = Candidate.objects.bulk_create(rows, batch_size=1000)
            SearchToken.objects.bulk_create([SearchToken(organization_id=org.pk, candidate_id=c.pk, token=token)
                                             for c in made for token in document_tokens(short_texts=[c.full_name], long_texts=[])],
                                            batch_size=5000)
            apps = Application.objects.bulk_create([Application(organization=org, candidate=c, position=position)
                                                    for c in made], batch_size=1000)
            progresses = []
            for application in apps:
                roll = rng.random()
                if roll < 0.10:
                    continue  # not started
                if roll < 0.90:
                    stage = stages[0] if roll < 0.65 else stages[1] if roll < 0.80 else stages[2]
                    state = "on_hold" if rng.random() < 0.05 else "active"
                else:
                    stage, state = rng.choice(stages), rng.choice(["rejected", "withdrawn", "completed"])
                progresses.append(ApplicationProgress(organization=org, application=application, version=version,
                                                      stage=stage, state=state))
            ApplicationProgress.objects.bulk_create(progresses, batch_size=1000)
        print(f"  seeded {start + len(made):,} / {size:,} applications", flush=True)
    print(f"database: {connection.vendor}; seeded {size:,} applications in {time.perf_counter() - t0:.1f}s", flush=True)
    return position


def measure(client, url: str, calls: int) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)  # warm: templates, caches
    times = []
    for _ in range(calls):
        t = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - t) * 1000)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    body = response.content
    times.sort()
    return {"p50_ms": round(statistics.median(times), 1), "p95_ms": round(times[min(len(times) - 1, int(len(times) * 0.95))], 1),
            "queries": len(ctx.captured_queries), "bytes": len(body), "elements": body.count(b"<") - body.count(b"</"),
            "status": response.status_code}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--applications", type=int, default=5_000)
    parser.add_argument("--calls", type=int, default=20)
    parser.add_argument("--only", default="", help="run only the requests whose name contains this text")
    args = parser.parse_args()

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from hirelens.accounts.models import User

    call_command("migrate", verbosity=0)
    position = seed(args.applications)
    if connection.vendor == "postgresql":  # fresh statistics, as autovacuum keeps them in production after bulk loads
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    slug = position.organization.slug
    board = f"/processes/position/{position.pk}/board/"
    results = []
    for who in ("admin", "interviewer"):
        client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans", HTTP_HOST="localhost")
        client.force_login(User.objects.get(email=f"{who}@{slug}.local"))
        kinds = [(f"board ({who})", board), (f"board search 王伟 ({who})", board + "?q=%E7%8E%8B%E4%BC%9F"),
                 (f"board source=campus ({who})", board + "?source=campus")]
        page = client.get(board).content.decode()
        marker = 'data-more-url="'  # the largest column's "load more" link, when the board pages its columns
        if marker in page:
            more = page.split(marker, 1)[1].split('"', 1)[0].replace("&amp;", "&")
            kinds.append((f"load more ({who})", more))
        for kind, url in [(k, u) for k, u in kinds if args.only in k]:
            row = {"database": connection.vendor, "applications": args.applications, "request": kind,
                   **measure(client, url, args.calls)}
            results.append(row)
            print(json.dumps(row, ensure_ascii=False), flush=True)


if __name__ == "__main__":
    main()
