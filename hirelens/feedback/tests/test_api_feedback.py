"""Feedback cases, the promise, survey results (anonymity) and rules through the real HTTP API with an API key."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from hirelens.candidates.models import Application, Candidate
from hirelens.core.models import AuditEvent
from hirelens.evaluations.tests.factories import build
from hirelens.feedback import services
from hirelens.feedback.models import MIN_GROUP, FeedbackCase, FeedbackRule, SurveyResponse, SurveyRule
from hirelens.integrations.testing import api_client, make_api_key

pytestmark = pytest.mark.django_db
BASE = "/api/v1/feedback"


@pytest.fixture
def ev(org, hr_admin, interviewer, hiring_manager):
    return build(org, hr_admin, interviewer, hiring_manager)


@pytest.fixture
def hr(hr_admin):
    return api_client(make_api_key(hr_admin)[1])


def _case(ev, *, hours_ago: float, sent_after: float | None = None, name: str = ""):
    """A case opened ``hours_ago`` (deadline 24 h); a result ``sent_after`` hours after the opening."""
    opened = timezone.now() - timedelta(hours=hours_ago)
    application = ev["application"]
    if name:
        candidate = Candidate.objects.create(organization=application.organization, full_name=name)
        application = Application.objects.create(organization=application.organization, candidate=candidate, position=ev["position"])
    case = services.feedback_case_open(application=application, stage=ev["video"], opened_at=opened)
    if sent_after is not None:
        FeedbackCase.objects.filter(pk=case.pk).update(result_sent_at=opened + timedelta(hours=sent_after),
                                                       status=FeedbackCase.Status.SENT)
    return case


def test_case_list_names_status_label_and_kept(ev, hr):
    on_time = _case(ev, hours_ago=50, sent_after=3)
    late = _case(ev, hours_ago=40, sent_after=30, name="迟到乙")
    overdue = _case(ev, hours_ago=30, name="逾期丙")
    body = hr.get(f"{BASE}/cases").json()
    assert [row["id"] for row in body["items"]] == [overdue.pk, late.pk, on_time.pk]
    rows = {row["id"]: row for row in body["items"]}
    assert (rows[on_time.pk]["candidate_name"], rows[on_time.pk]["kept"], rows[on_time.pk]["status_label"]) == ("候选人甲", True, "已发送结果")
    assert (rows[late.pk]["kept"], rows[overdue.pk]["kept"], rows[overdue.pk]["overdue"]) == (False, None, True)
    assert rows[overdue.pk]["status"] == "pending" and rows[overdue.pk]["position"] == ev["position"].title
    assert body["next"] is None
    late_only = hr.get(f"{BASE}/cases?late=true").json()["items"]
    assert {row["id"] for row in late_only} == {late.pk, overdue.pk}
    assert [r["id"] for r in hr.get(f"{BASE}/cases?status=pending").json()["items"]] == [overdue.pk]
    read = AuditEvent.objects.filter(action=AuditEvent.Action.READ).latest("pk")  # the last list: the pending case
    assert read.targets == [f"candidates.candidate:{overdue.application.candidate_id}"] and read.actor_label.endswith("API: 测试集成")


def test_case_list_cursor_pages_and_bounded_queries(ev, hr, django_assert_max_num_queries):
    for i in range(7):
        _case(ev, hours_ago=10 + i, name=f"候选人{i}")
    first = hr.get(f"{BASE}/cases?limit=3").json()
    second = hr.get(f"{BASE}/cases?limit=3&cursor={first['next']}").json()
    third = hr.get(f"{BASE}/cases?limit=3&cursor={second['next']}").json()
    ids = [r["id"] for page in (first, second, third) for r in page["items"]]
    assert len(ids) == 7 == len(set(ids)) and third["next"] is None
    with django_assert_max_num_queries(14):
        assert len(hr.get(f"{BASE}/cases?limit=7").json()["items"]) == 7
    bad = hr.get(f"{BASE}/cases?cursor=garbage")
    assert (bad.status_code, bad.json()["code"]) == (400, "invalid_cursor")


def test_case_get_etag_and_other_tenant_404(ev, hr, outsider):
    case = _case(ev, hours_ago=5)
    answer = hr.get(f"{BASE}/cases/{case.pk}")
    assert answer.status_code == 200 and answer["ETag"].startswith('"')
    assert answer.json()["due_at"].startswith((case.due_at).strftime("%Y-%m-%dT%H"))
    foreign = api_client(make_api_key(outsider)[1])
    assert foreign.get(f"{BASE}/cases/{case.pk}").status_code == 404
    assert foreign.get(f"{BASE}/cases").json()["items"] == []
    assert foreign.get(f"{BASE}/cases?position={ev['position'].pk}").status_code == 404


def test_interviewer_and_missing_scope_are_403(ev, interviewer, hr_admin):
    case = _case(ev, hours_ago=5)
    panel = api_client(make_api_key(interviewer)[1])
    denied = panel.get(f"{BASE}/cases")
    assert (denied.status_code, denied.json()["title"]) == (403, "没有权限。")
    assert panel.get(f"{BASE}/cases/{case.pk}").status_code == 404  # the same answer as a missing case (messages: idem)
    assert panel.get(f"{BASE}/surveys/results").status_code == 403
    no_scope = api_client(make_api_key(hr_admin, scopes=["candidates:read"])[1], "en").get(f"{BASE}/cases")
    assert no_scope.status_code == 403
    assert no_scope.json()["code"] == "insufficient_scope" and no_scope.json()["required_scope"] == "feedback:read"


def test_bad_query_is_400_in_english(hr_admin):
    answer = api_client(make_api_key(hr_admin)[1], "en").get(f"{BASE}/cases?days=0&status=nope")
    assert answer.status_code == 400
    assert answer.json()["title"] == "The request's parameters are not valid."
    assert {e["loc"][-1] for e in answer.json()["errors"]} == {"days", "status"}


def test_promise_figures(ev, hr):
    _case(ev, hours_ago=50, sent_after=3)
    _case(ev, hours_ago=40, sent_after=30, name="乙")
    _case(ev, hours_ago=30, name="丙")
    _case(ev, hours_ago=1, name="丁")
    assert hr.get(f"{BASE}/promise").json() == {"total": 4, "kept": 1, "late": 1, "open_overdue": 1, "pending": 1, "kept_pct": 33.3}


def _answers(org, position, n, *, too_long=0):
    period = timezone.now().date().replace(day=1)
    for i in range(n):
        SurveyResponse.objects.create(organization=org, position=position, period=period,
                                      process_length="too_long" if i < too_long else "just_right", stability="stable",
                                      professionalism=4, nps=9 if i % 2 else 5)


def test_survey_results_hide_small_groups(ev, org, hr, hr_admin):
    _answers(org, ev["position"], MIN_GROUP - 1)
    small = hr.get(f"{BASE}/surveys/results").json()
    assert small == {"total": MIN_GROUP - 1, "too_few": True, "min_group": MIN_GROUP, "process_length": [], "stability": [],
                     "professionalism_mean": None, "nps": None}
    _answers(org, ev["position"], 2, too_long=2)
    full = api_client(make_api_key(hr_admin)[1], "en").get(f"{BASE}/surveys/results?position={ev['position'].pk}").json()
    assert full["too_few"] is False and full["total"] == MIN_GROUP + 1
    assert full["process_length"] == [{"value": "too_short", "label": "Too short", "count": 0},
                                      {"value": "just_right", "label": "Just right", "count": MIN_GROUP - 1},
                                      {"value": "too_long", "label": "Too long", "count": 2}]
    assert full["professionalism_mean"] == 4.0


def test_survey_suggestions(ev, org, hr):
    _answers(org, ev["position"], 10, too_long=6)  # 60 % too long: over the seeded 50 % per-position rule
    [suggestion] = hr.get(f"{BASE}/surveys/suggestions").json()
    assert (suggestion["metric"], suggestion["share_pct"], suggestion["responses"], suggestion["position_id"]) == (
        "too_long", 60.0, 10, ev["position"].pk)
    assert "50%" in suggestion["suggestion"]


def test_rules_save_idempotent_and_validated(ev, hr, recruiter):
    body = {"position_id": ev["position"].pk, "stage_key": "", "deadline_hours": 48, "update_before_hours": 4}
    created = hr.post(f"{BASE}/rules", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k1")
    assert created.status_code == 201 and created.json()["deadline_hours"] == 48
    again = hr.post(f"{BASE}/rules", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k1")
    assert (again.status_code, again.json()) == (201, created.json())
    replaced = hr.post(f"{BASE}/rules", {**body, "deadline_hours": 36}, content_type="application/json")
    assert replaced.status_code == 200 and FeedbackRule.objects.get().deadline_hours == 36
    refused = hr.post(f"{BASE}/rules", {**body, "deadline_hours": 1000}, content_type="application/json")
    assert refused.status_code == 422 and FeedbackRule.objects.get().deadline_hours == 36
    listed = hr.get(f"{BASE}/rules").json()
    assert [r["deadline_hours"] for r in listed["feedback_rules"]] == [36]
    assert {r["metric"] for r in listed["survey_rules"]} == {"too_long", "unstable"}
    denied = api_client(make_api_key(recruiter)[1]).post(f"{BASE}/rules", body, content_type="application/json")
    assert denied.status_code == 403 and FeedbackRule.objects.get().deadline_hours == 36


def test_survey_rule_create(hr, hr_admin, outsider):
    body = {"metric": "detractors", "threshold_pct": 40, "suggestion": "检查面试官培训。"}
    created = hr.post(f"{BASE}/survey-rules", body, content_type="application/json")
    assert created.status_code == 201 and created.json()["metric_label"] == "贬损者（推荐意愿 0–6）的比例"
    assert SurveyRule.objects.filter(organization=hr_admin.organization, metric="detractors").count() == 1
    bad = hr.post(f"{BASE}/survey-rules", {**body, "metric": "nope"}, content_type="application/json")
    assert bad.status_code == 422 and "metric" in bad.json()["fields"]
    assert hr.post(f"{BASE}/survey-rules", "[]", content_type="application/json").status_code == 400
    api_client(make_api_key(outsider)[1]).post(f"{BASE}/survey-rules", body, content_type="application/json")
    assert SurveyRule.objects.filter(organization=hr_admin.organization, metric="detractors").count() == 1
