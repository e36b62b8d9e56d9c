"""The analytics figures and exports through the real HTTP API with an API key."""

from __future__ import annotations

import csv
import io
from io import BytesIO

import pytest
from django.utils import timezone

from hirelens.core.models import AuditEvent
from hirelens.evaluations import services as ev_services
from hirelens.evaluations.tests.factories import build, ratings
from hirelens.integrations.testing import api_client, make_api_key
from hirelens.workflows import services as wf
from hirelens.workflows.tests.factories import make_application

pytestmark = pytest.mark.django_db
BASE = "/api/v1/analytics"


@pytest.fixture
def data(org, hr_admin, interviewer, hiring_manager):
    ev = build(org, hr_admin, interviewer, hiring_manager)
    now = timezone.now()
    ev_services.scorecard_submit(actor=interviewer, application=ev["application"], stage=ev["video"], ratings=ratings(8, 7, 6, 9), now=now)
    ev_services.scorecard_submit(actor=ev["second"], application=ev["application"], stage=ev["video"], ratings=ratings(6, 7, 6, 7), now=now)
    ev_services.scorecard_submit(actor=hiring_manager, application=ev["application"], stage=ev["video"], ratings=ratings(7, 4, 6, 8), now=now)
    wf.pipeline_advance(actor=hr_admin, progress=ev["progress"], reason="通过")
    sales = build(org, hr_admin, interviewer, hiring_manager, title="销售代表", department="销售部", name="乙")
    ev_services.scorecard_submit(actor=interviewer, application=sales["application"], stage=sales["video"], ratings=ratings(9, 9, 9, 9),
                                 now=now)
    return ev, sales


@pytest.fixture
def hr(recruiter):
    return api_client(make_api_key(recruiter)[1])


def test_dashboard_figures_and_filters(data, hr, interviewer, django_assert_max_num_queries):
    ev, sales = data
    with django_assert_max_num_queries(35):  # a fixed number of aggregates, whatever the data
        body = hr.get(f"{BASE}/dashboard?department=技术部&dimension=专业技能").json()
    assert body["funnel"][0] == {"stage": "申请", "count": 1}
    assert {"stage": "AI视频面试", "count": 1} in body["funnel"]
    assert body["question"] == {"dimension": "专业技能", "avg": 6.0, "n": 3}
    assert {r["position"] for r in body["dimension_scores"]} == {"后端工程师"}
    me = next(r for r in body["calibration"]["interviewers"] if r["interviewer"] == interviewer.full_name)
    assert (me["n"], me["mean"], me["bias"]) == (4, 7.5, 1.12)
    assert (body["calibration"]["items"], body["calibration"]["agreement_within_1"]) == (4, 25.0)
    assert body["unevaluated"] == {"total": 0, "count": 0, "rows": []}
    by_position = hr.get(f"{BASE}/dashboard?position={sales['position'].pk}").json()
    assert {r["position"] for r in by_position["dimension_scores"]} == {"销售代表"}
    assert by_position["question"] is None
    future = hr.get(f"{BASE}/dashboard?start=2099-01-01").json()
    assert future["funnel"][0]["count"] == 0 and future["start"].startswith("2099-01-01")


def test_dashboard_roles_tenants_and_bad_input(data, outsider, interviewer, hiring_manager, recruiter):
    ev, _sales = data
    assert api_client(make_api_key(interviewer)[1]).get(f"{BASE}/dashboard").status_code == 403
    assert api_client(make_api_key(hiring_manager)[1]).get(f"{BASE}/dashboard").status_code == 200
    foreign = api_client(make_api_key(outsider)[1])
    assert foreign.get(f"{BASE}/dashboard?position={ev['position'].pk}").status_code == 404
    assert foreign.get(f"{BASE}/dashboard").json()["dimension_scores"] == []
    bad = api_client(make_api_key(recruiter)[1], "en").get(f"{BASE}/dashboard?start=yesterday&position=0")
    assert bad.status_code == 400 and bad.json()["title"] == "The request's parameters are not valid."
    assert {e["loc"][-1] for e in bad.json()["errors"]} == {"start", "position"}
    no_scope = api_client(make_api_key(recruiter, scopes=["candidates:read"])[1]).get(f"{BASE}/dashboard")
    assert no_scope.status_code == 403 and no_scope.json()["required_scope"] == "analytics:read"


def test_decisions_without_evaluation_are_listed_by_name_and_audited(data, recruiter, hr):
    ev, _sales = data
    application = make_application(ev["position"], "丙")  # no scorecard: a decision without an evaluation
    ev_services.decision_record(actor=recruiter, application=application, outcome="reject", rationale="候选人已接受其他公司录用",
                                without_evaluation=True, without_evaluation_reason="候选人主动放弃")
    rows = hr.get(f"{BASE}/dashboard").json()["unevaluated"]
    assert (rows["total"], rows["count"]) == (1, 1)
    assert (rows["rows"][0]["candidate_name"], rows["rows"][0]["outcome_label"], rows["rows"][0]["reason"]) == (
        "丙", "不通过", "候选人主动放弃")
    read = AuditEvent.objects.filter(action=AuditEvent.Action.READ).latest("pk")
    assert read.targets == [f"candidates.candidate:{application.candidate_id}"] and read.actor_label.endswith("API: 测试集成")


def test_exports_xlsx_pdf_csv(data, hr, recruiter):
    from openpyxl import load_workbook

    xlsx = hr.get(f"{BASE}/export.xlsx?department=技术部")
    assert xlsx.status_code == 200 and xlsx["Content-Disposition"].endswith('hirelens-analytics.xlsx"')
    book = load_workbook(BytesIO(xlsx.content))
    assert book.sheetnames[0] == "招聘漏斗" and book["招聘漏斗"]["A2"].value == "申请"
    pdf = hr.get(f"{BASE}/export.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    answer = api_client(make_api_key(recruiter)[1], "en").get(f"{BASE}/export.csv?table=funnel&department=技术部")
    assert answer.status_code == 200 and answer["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig"))))
    assert rows[0] == ["Stage", "Count"] and rows[1] == ["Applied", "1"]  # the funnel step (context 漏斗)
    exports = AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT, object_type="analytics")
    assert sorted(exports.values_list("object_id", flat=True)) == ["csv:funnel", "pdf", "xlsx"]
    assert hr.get(f"{BASE}/export.csv?table=people").status_code == 400


def test_exports_refused_for_interviewer_and_foreign_position(data, interviewer, outsider):
    ev, _sales = data
    assert api_client(make_api_key(interviewer)[1]).get(f"{BASE}/export.xlsx").status_code == 403
    assert api_client(make_api_key(interviewer)[1]).get(f"{BASE}/export.csv?table=funnel").status_code == 403
    assert api_client(make_api_key(outsider)[1]).get(f"{BASE}/export.pdf?position={ev['position'].pk}").status_code == 404
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).exists()


def test_dashboard_says_when_figures_are_being_recounted(data, hr, org, other_org):
    """The page's notice over the API: one EXISTS on the caller's organization's stale buckets (``recounting``),
    the same query count with and without one; another organization's stale bucket is not theirs."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from hirelens.analytics import services as analytics
    from hirelens.analytics.models import StaleBucket
    from hirelens.analytics.services import application_keys
    from hirelens.candidates.models import Application, Candidate
    from hirelens.workflows.tests.factories import make_position

    ev, _sales = data
    hr.get(f"{BASE}/dashboard")  # once before: the key's last use is written once
    foreign = make_position(other_org, title="别家")
    foreign_app = Application.objects.create(organization=other_org, position=foreign,
                                             candidate=Candidate.objects.create(organization=other_org, full_name="别家人"))
    analytics.stale_buckets_mark(keys=application_keys([foreign_app]))
    counts = []
    for stale in (False, True):
        if stale:
            analytics.stale_buckets_mark(keys=application_keys([ev["application"]]))
            assert StaleBucket.objects.filter(organization=org).exists()
        with CaptureQueriesContext(connection) as ctx:
            answer = hr.get(f"{BASE}/dashboard")
        assert answer.status_code == 200 and answer.json()["recounting"] is stale
        touching = [q["sql"] for q in ctx.captured_queries if "analytics_stalebucket" in q["sql"]]
        assert len(touching) == 1 and "LIMIT 1" in touching[0], touching
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1], counts
    StaleBucket.objects.filter(organization=org).delete()
    assert hr.get(f"{BASE}/dashboard").json()["recounting"] is False
