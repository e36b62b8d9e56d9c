"""Analytics figures on known data, the seed's question, roles, tenants and the Excel export."""

from datetime import UTC, datetime, timedelta
from io import BytesIO

import pytest
from django.urls import reverse
from django.utils import timezone

from hirelens.analytics.selectors import Filters, calibration, dimension_average, dimension_scores, funnel
from hirelens.evaluations import services as ev_services
from hirelens.evaluations.tests.factories import build, ratings
from hirelens.workflows import services as wf

pytestmark = pytest.mark.django_db


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
    return ev, sales, now


def _filters(**kw):
    now = timezone.now()
    return Filters(start=now - timedelta(days=30), end=now + timedelta(days=1), **kw)


def test_seed_question_average_skill_of_technical_positions(data, org):
    _ev, _sales, now = data
    assert dimension_average(organization_id=org.pk, dimension="专业技能", departments=["技术部"], since=now - timedelta(days=90)) == (6.0, 3)
    assert dimension_average(organization_id=org.pk, dimension="专业技能", departments=["技术部"], since=now + timedelta(seconds=1)) == (None, 0)


def test_dimension_mean_tile(data, recruiter, client):
    from hirelens.analytics.selectors import dimension_mean

    assert dimension_mean(actor=recruiter, filters=_filters(department="技术部"), dimension="专业技能") == {
        "dimension": "专业技能", "avg": 6.0, "n": 3}
    client.force_login(recruiter)
    page = client.get(reverse("analytics:index") + "?department=技术部&dimension=专业技能").content.decode()
    assert "“专业技能”平均分" in page and "<strong>6.0</strong>" in page


def test_dimension_scores_and_filters(data, recruiter):
    ev, _sales, _now = data
    rows = dimension_scores(actor=recruiter, filters=_filters(department="技术部"))
    by = {r["dimension"]: r for r in rows}
    assert {r["position"] for r in rows} == {"后端工程师"}
    assert (by["沟通能力"]["avg"], by["沟通能力"]["n"], by["专业技能"]["avg"]) == (7.0, 3, 6.0)
    assert {r["position"] for r in dimension_scores(actor=recruiter, filters=_filters())} == {"后端工程师", "销售代表"}


def test_calibration(data, recruiter, interviewer, hiring_manager):
    cal = calibration(actor=recruiter, filters=_filters(department="技术部"))
    by = {r["interviewer"]: r for r in cal["interviewers"]}
    me = by[interviewer.full_name]
    # own scores 8,7,6,9 against the others' means 6.5,5.5,6,7.5 → +1.5,+1.5,0,+1.5
    assert (me["n"], me["mean"], me["bias"]) == (4, 7.5, 1.12)
    assert cal["items"] == 4  # one application and stage × 4 dimensions, three raters each
    # ranges: 沟通 8,6,7 → 2; 专业 7,7,4 → 3; 团队 6,6,6 → 0; 学习 9,7,8 → 2: one item within 1 point
    assert (cal["agreement_within_1"], cal["mean_range"]) == (25.0, 1.75)
    assert (me["spread"], by[hiring_manager.full_name]["bias"]) == (1.12, -0.75)


def test_funnel(data, recruiter):
    rows = funnel(actor=recruiter, filters=_filters(department="技术部"))
    assert rows[0] == {"stage": "申请", "count": 1}
    assert {"stage": "AI视频面试", "count": 1} in rows and {"stage": "在线编程", "count": 1} in rows


def test_page_export_roles_and_tenants(data, recruiter, interviewer, outsider, hiring_manager, client):
    client.force_login(interviewer)
    assert client.get(reverse("analytics:index")).status_code == 403
    assert client.get(reverse("analytics:export")).status_code == 403
    assert client.get(reverse("analytics:export_pdf")).status_code == 403
    client.force_login(recruiter)
    page = client.get(reverse("analytics:index")).content.decode()
    assert 'id="chart-dims"' in page and "后端工程师" in page
    response = client.get(reverse("analytics:export") + "?department=技术部")
    from openpyxl import load_workbook

    book = load_workbook(BytesIO(response.content))
    assert book.sheetnames == ["招聘漏斗", "招聘周期", "维度平均分", "面试官校准", "反馈及时率", "满意度调查"]
    assert [c.value for c in book["维度平均分"][2]][2:5] == ["专业技能", 6.0, 3] or any(
        row[2] == "专业技能" and row[3] == 6.0 for row in book["维度平均分"].iter_rows(values_only=True))
    response = client.get(reverse("analytics:export_pdf") + "?department=技术部")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    from pypdf import PdfReader

    text = "".join(page.extract_text() for page in PdfReader(BytesIO(response.content)).pages)
    assert "维度平均分" in text and "后端工程师" in text and "专业技能" in text and "6.0" in text  # short cells are plain strings
    # another organization's HR admin sees no figure of ours
    assert dimension_scores(actor=outsider, filters=_filters()) == []
    assert calibration(actor=outsider, filters=_filters())["items"] == 0
    assert funnel(actor=outsider, filters=_filters())[0]["count"] == 0
    client.force_login(outsider)
    assert "后端工程师" not in client.get(reverse("analytics:index")).content.decode()


def test_hiring_manager_sees_only_assigned_positions(data, org, hr_admin, hiring_manager):
    from hirelens.accounts.tests.factories import UserFactory

    other_manager = UserFactory(organization=org, role="hiring_manager", email="m2@example.com")
    assert dimension_scores(actor=other_manager, filters=_filters()) == []
    assert {r["position"] for r in dimension_scores(actor=hiring_manager, filters=_filters())} == {"后端工程师", "销售代表"}


def test_filters_from_query():
    now = datetime(2026, 5, 10, 12, tzinfo=UTC)
    f = Filters.from_query({"start": "2026-01-01", "end": "2026-01-31", "position": "x", "department": " 技术部 "}, now=now)
    assert (f.start.date().isoformat(), f.end.date().isoformat(), f.position_id, f.department) == ("2026-01-01", "2026-02-01", None, "技术部")
    f = Filters.from_query({}, now=now)
    assert (f.end, f.start) == (now + timedelta(minutes=15), now - timedelta(days=90))  # whole quarter hours
    f = Filters.from_query({}, now=now + timedelta(minutes=7, seconds=3))
    assert (f.end, f.start) == (now + timedelta(minutes=15), now - timedelta(days=90))


def test_survey_results_are_anonymous_groups_of_at_least_five(data, org, recruiter):
    """Survey answers keep only position, stage and month (issue 20): the analytics page shows a position's figures
    from five answers on, and never a smaller group."""
    from hirelens.analytics.selectors import survey_results
    from hirelens.feedback.models import MIN_GROUP, SurveyResponse

    ev, sales, _now = data
    month = timezone.localdate().replace(day=1)

    def answer(position, length="too_long"):
        SurveyResponse.objects.create(organization=org, position=position, period=month, process_length=length,
                                      stability="stable", professionalism=4, nps=8)

    backend, sales_position = ev["application"].position, sales["application"].position
    for i in range(MIN_GROUP):
        answer(backend, "too_long" if i < 2 else "just_right")
    for _ in range(MIN_GROUP - 1):
        answer(sales_position)
    rows = survey_results(actor=recruiter, filters=_filters())
    assert [(r["position"], r["n"], r["too_long_pct"]) for r in rows] == [(backend.title, MIN_GROUP, 40.0)]
    # an earlier month outside the period is not counted
    assert survey_results(actor=recruiter, filters=Filters(start=timezone.now() - timedelta(days=400),
                                                           end=timezone.now() - timedelta(days=100))) == []
