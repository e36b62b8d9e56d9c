"""The funnel's per-day aggregates: kept in step by the services (equal to a recount from scratch after any sequence
of creates, moves, scores, decisions, withdrawals, merges and erasures), equal to the old full scans on the demo data
for any period, time zone and filter, and read with the same number of queries whatever the data."""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from io import BytesIO

import pytest
from django.db import connection
from django.db.models import Avg, Count
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.translation import gettext as _

from hirelens.analytics.models import CompletionSlot, FunnelDay, FunnelStageDay
from hirelens.analytics.selectors import Filters, funnel, time_to_hire
from hirelens.analytics.services import aggregates_rebuild, application_keys, funnel_refresh
from hirelens.candidates.models import Application, Candidate
from hirelens.candidates.services.records import application_create, application_update
from hirelens.evaluations import services as ev_services
from hirelens.workflows import services as wf
from hirelens.workflows.models import ApplicationProgress, PipelineEvent
from hirelens.workflows.tests.factories import make_position, published_process

pytestmark = pytest.mark.django_db


# --- the computations the page made before the aggregates: the reference ----------------------------------------

def scan_funnel(*, actor, filters):
    from hirelens.analytics.selectors import _position_ids

    ids = _position_ids(actor, filters)
    apps = Application.objects.filter(organization_id=actor.organization_id, position_id__in=ids,
                                      created_at__gte=filters.start, created_at__lt=filters.end)
    reached = (PipelineEvent.objects.filter(organization_id=actor.organization_id, progress__application__in=apps, to_stage__isnull=False)
               .values("to_stage__title").annotate(n=Count("progress", distinct=True), order=Avg("to_stage__order")))
    reached = sorted(reached, key=lambda r: (r["order"], r["to_stage__title"]))
    completed = (PipelineEvent.objects.filter(organization_id=actor.organization_id, progress__application__in=apps,
                                              action=PipelineEvent.Action.COMPLETE).values("progress").distinct().count())
    return ([{"stage": _("申请"), "count": apps.count()}] + [{"stage": r["to_stage__title"], "count": r["n"]} for r in reached]
            + [{"stage": _("流程完成"), "count": completed}, {"stage": _("录用"), "count": apps.filter(status="hired").count()}])


def scan_time_to_hire(*, actor, filters):
    from hirelens.analytics.selectors import _position_ids

    events = (PipelineEvent.objects.filter(organization_id=actor.organization_id, action=PipelineEvent.Action.COMPLETE,
                                           progress__application__position_id__in=_position_ids(actor, filters),
                                           created_at__gte=filters.start, created_at__lt=filters.end)
              .values_list("created_at", "progress__application__created_at"))
    months = defaultdict(list)
    for done, applied in events:
        months[timezone.localtime(done).strftime("%Y-%m")].append((done - applied).total_seconds() / 86400)
    return [{"month": m, "days": round(sum(v) / len(v), 1), "hires": len(v)} for m, v in sorted(months.items())]


def snapshot(organization_id):
    return (sorted(FunnelDay.objects.filter(organization_id=organization_id).values_list("position_id", "day", "applied", "hired", "completed")),
            sorted(FunnelStageDay.objects.filter(organization_id=organization_id)
                   .values_list("position_id", "day", "title", "reached", "events", "order_sum")),
            sorted(CompletionSlot.objects.filter(organization_id=organization_id)
                   .values_list("position_id", "cohort_day", "done_at", "completions", "duration_us")))


def assert_consistent(organization_id):
    incremental = snapshot(organization_id)
    aggregates_rebuild(organization_id=organization_id)
    assert incremental == snapshot(organization_id)


def periods(now):
    yield Filters.from_query({}, now=now)  # the default: the last 90 days up to now (neither edge on a day)
    yield Filters(start=now - timedelta(days=3, hours=5, minutes=7), end=now + timedelta(hours=1))
    yield Filters(start=now - timedelta(minutes=20), end=now + timedelta(minutes=3))  # inside a day, a quarter hour
    for start, end in (("2000-01-01", "2100-12-31"), ((now - timedelta(days=400)).date().isoformat(), now.date().isoformat()),
                       ((now - timedelta(days=30)).date().isoformat(), (now - timedelta(days=2)).date().isoformat())):
        yield Filters.from_query({"start": start, "end": end}, now=now)


def assert_figures_equal(actor, now, **extra):
    for filters in periods(now):
        for key, value in extra.items():
            setattr(filters, key, value)
        assert funnel(actor=actor, filters=filters) == scan_funnel(actor=actor, filters=filters), filters
        assert time_to_hire(actor=actor, filters=filters) == scan_time_to_hire(actor=actor, filters=filters), filters


# --- incremental == from scratch --------------------------------------------------------------------------------

REASON = "面试官一致认为沟通清楚，项目经验扎实"


def test_services_keep_the_aggregates_equal_to_a_recount(org, hr_admin, recruiter, settings):
    rng = random.Random(22)
    positions = []
    for title in ("后端工程师", "销售代表"):
        position = make_position(org, title=title, department="技术部" if title == "后端工程师" else "销售部")
        _process, version = published_process(hr_admin, position, "technical")
        positions.append((position, list(version.stages.order_by("order", "pk"))))
    people = []
    now = timezone.now()
    for i in range(14):
        candidate = Candidate.objects.create(organization=org, full_name=f"漏斗{i}")
        position, _stages = positions[i % 2]
        application = application_create(actor=hr_admin, candidate=candidate, position=position)
        if i % 3 == 0:  # applied on an earlier day (as an import with a date does), then the days recounted
            before = application_keys([application])
            Application.objects.filter(pk=application.pk).update(created_at=now - timedelta(days=i, hours=i))
            funnel_refresh(keys=before | application_keys(Application.objects.filter(pk=application.pk)))
        people.append(application)
        wf.pipeline_start(actor=hr_admin, application=application)
    assert_consistent(org.pk)
    for step in range(60):
        application = rng.choice(people)
        progress = ApplicationProgress.objects.get(application=application)
        stages = dict(positions)[application.position]
        action = rng.choice(["advance", "advance", "move", "score", "hold", "withdraw", "reject", "hire", "status"])
        try:
            if action == "advance":
                wf.pipeline_advance(actor=hr_admin, progress=progress, reason="通过本环节")
            elif action == "move":
                wf.pipeline_move(actor=hr_admin, progress=progress, to_stage=rng.choice(stages), reason="调回复核")
            elif action == "score":
                from hirelens.workflows.access import stage_can_score

                stage = rng.choice([s for s in stages if stage_can_score(actor=hr_admin, stage=s)])
                wf.stage_result_record(actor=hr_admin, progress=progress, stage=stage, score=rng.randint(40, 100))
            elif action == "hold":
                wf.pipeline_hold(actor=hr_admin, progress=progress, reason="等待名额")
                wf.pipeline_resume(actor=hr_admin, progress=ApplicationProgress.objects.get(pk=progress.pk), reason="名额已批")
            elif action == "withdraw":
                wf.pipeline_withdraw(actor=hr_admin, progress=progress, reason="候选人撤回申请")
            elif action in ("reject", "hire"):
                ev_services.decision_record(actor=hr_admin, application=application, outcome=action, rationale=REASON,
                                            without_evaluation=True, without_evaluation_reason="候选人时间紧，经理当面确认")
            else:
                application_update(actor=hr_admin, application=Application.objects.get(pk=application.pk), status="active")
        except Exception as exc:  # a move the state does not allow: refused, nothing written
            from django.core.exceptions import ValidationError

            assert isinstance(exc, ValidationError), exc
        if step % 15 == 14:
            assert_consistent(org.pk)
    assert_consistent(org.pk)
    assert FunnelDay.objects.filter(organization=org).count() > 1 and CompletionSlot.objects.filter(organization=org).exists()
    assert_figures_equal(hr_admin, timezone.now())
    settings.TIME_ZONE = "Europe/London"
    with timezone.override("Europe/London"):
        assert_figures_equal(hr_admin, timezone.now())

    # a merge hands one application's pipeline over to the kept record's application to the same position
    from hirelens.candidates.services.merge import candidate_merge, candidate_merge_undo

    kept = Candidate.objects.create(organization=org, full_name="合并甲")
    application_create(actor=hr_admin, candidate=kept, position=positions[0][0])
    duplicate = Application.objects.filter(position=positions[0][0]).exclude(candidate=kept).first().candidate
    merge = candidate_merge(actor=hr_admin, primary=kept, duplicate=duplicate)
    assert_consistent(org.pk)
    candidate_merge_undo(actor=hr_admin, merge=merge)
    assert_consistent(org.pk)

    # erasure recounts the person's days without them, in the same transaction
    from hirelens.core.erasure import erase_candidate

    gone = people[0]
    applied = funnel(actor=hr_admin, filters=Filters.from_query({"start": "2000-01-01"}))[0]["count"]
    erase_candidate(candidate=gone.candidate, actor=hr_admin, reason="request")
    assert_consistent(org.pk)
    assert funnel(actor=hr_admin, filters=Filters.from_query({"start": "2000-01-01"}))[0]["count"] == applied - 1
    assert_figures_equal(hr_admin, timezone.now())


def test_an_import_with_application_dates_counts_on_those_days(org, hr_admin):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from hirelens.imports import services as imports

    position = make_position(org, title="数据分析师")
    csv = "姓名,手机号,职位,申请日期\n导入甲,13800001111,数据分析师,2026-01-05\n导入乙,13800002222,数据分析师,\n".encode()
    batch = imports.import_batch_upload(actor=hr_admin, upload=SimpleUploadedFile("people.csv", csv))
    batch = imports.import_batch_validate(actor=hr_admin, batch=batch, mapping=batch.mapping)
    imports.import_batch_commit(actor=hr_admin, batch=batch)
    assert Application.objects.filter(position=position).count() == 2
    assert_consistent(org.pk)
    assert FunnelDay.objects.filter(organization=org, position=position).count() == 2


# --- the demo data: the same figures as the old scans -------------------------------------------------------------

@pytest.mark.timeout(900)  # a hang guard: the whole demo loads
def test_demo_figures_equal_the_old_scans_and_the_exports_show_them(client):
    from django.core.management import call_command

    from hirelens.accounts.models import User

    call_command("load_demo", verbosity=0)
    admin = User.objects.get(email="admin@demo.hirelens.local")
    now = timezone.now()
    assert PipelineEvent.objects.filter(organization_id=admin.organization_id, action="complete").exists()
    assert_figures_equal(admin, now)
    assert_figures_equal(admin, now, department="技术部")
    position = Application.objects.filter(organization_id=admin.organization_id).values_list("position_id", flat=True).first()
    assert_figures_equal(admin, now, position_id=position)
    with timezone.override("Europe/London"):
        assert_figures_equal(admin, now)
    with timezone.override("Asia/Kolkata"):  # half an hour off: midnights on a quarter hour
        assert_figures_equal(admin, now)
    assert_consistent(admin.organization_id)

    client.force_login(admin)
    filters = Filters.from_query({"start": "2000-01-01"})
    expected = scan_funnel(actor=admin, filters=filters)
    from openpyxl import load_workbook

    book = load_workbook(BytesIO(client.get("/analytics/export.xlsx?start=2000-01-01").content))
    assert [list(r) for r in book["招聘漏斗"].iter_rows(min_row=2, values_only=True)] == [[r["stage"], r["count"]] for r in expected]
    tth = scan_time_to_hire(actor=admin, filters=filters)
    assert [list(r) for r in book["招聘周期"].iter_rows(min_row=2, values_only=True)] == [[r["month"], r["days"], r["hires"]] for r in tth]
    pdf = client.get("/analytics/export.pdf?start=2000-01-01")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


# --- cost: the same queries with little or much data ---------------------------------------------------------------

def _bulk(org, position, stages, n, rng):
    """n applications spread over the last 120 days with a few events each, written directly, then recounted."""
    from hirelens.accounts.models import User

    actor = User.objects.filter(organization=org).first()
    now = timezone.now()
    version = stages[0].version
    for i in range(n):
        candidate = Candidate.objects.create(organization=org, full_name=f"批量{i}")
        application = Application.objects.create(organization=org, candidate=candidate, position=position)
        created = now - timedelta(days=rng.randint(0, 120), minutes=rng.randint(0, 1440))
        Application.objects.filter(pk=application.pk).update(created_at=created)
        progress = ApplicationProgress.objects.create(organization=org, application=application, version=version, stage=stages[0])
        reached = rng.randint(1, len(stages))
        for j, stage in enumerate(stages[:reached]):
            event = PipelineEvent.objects.create(organization=org, progress=progress, action="start" if j == 0 else "advance",
                                                 to_stage=stage, actor=actor, reason="x")
            PipelineEvent.objects.filter(pk=event.pk).update(created_at=created + timedelta(days=j))
        if reached == len(stages):
            event = PipelineEvent.objects.create(organization=org, progress=progress, action="complete", to_stage=stages[-1], actor=actor)
            PipelineEvent.objects.filter(pk=event.pk).update(created_at=created + timedelta(days=reached))
    aggregates_rebuild(organization_id=org.pk)


@pytest.mark.parametrize("path", ["/analytics/", "/analytics/?department=技术部", "/api/v1/analytics/dashboard"])
def test_page_and_api_queries_do_not_grow_with_the_data(org, hr_admin, client, path):
    from hirelens.integrations.testing import make_api_key

    position = make_position(org, title="后端工程师", department="技术部")
    _process, version = published_process(hr_admin, position, "technical")
    stages = list(version.stages.order_by("order", "pk"))
    rng = random.Random(5)
    client.force_login(hr_admin)
    headers = {}
    if path.startswith("/api/"):
        _key, secret = make_api_key(hr_admin, scopes=["analytics:read"])
        headers = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
        client.logout()
    counts = []
    for n in (4, 60):
        _bulk(org, position, stages, n, rng)
        client.get(path, **headers)  # once before: a key's first use is recorded once, a session is touched once
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(path, **headers)
        assert response.status_code == 200
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1], counts
    assert Application.objects.filter(organization=org).count() == 64


def test_quarter_hours_and_days_are_utc():
    from hirelens.analytics.services import day_of, slot_of

    moment = datetime(2026, 3, 1, 15, 59, 59, 999, tzinfo=UTC)
    assert (slot_of(moment), day_of(moment)) == (datetime(2026, 3, 1, 15, 45, tzinfo=UTC), moment.date())
    local = timezone.make_aware(datetime(2026, 3, 2, 0, 30), timezone=__import__("zoneinfo").ZoneInfo("Asia/Shanghai"))
    assert day_of(local) == datetime(2026, 3, 1).date() and slot_of(local) == local
