"""Typed input at the edge (issue 23 §4): the fairness pages read their POST through forms, with the lenient rules the
report's filters always had (a malformed position is the first one, a malformed date no limit), never a 500."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from hirelens.fairness.models import FairnessAudit, SelfIdentification
from hirelens.interviews.services import _hash
from hirelens.interviews.tests.factories import InterviewSessionFactory
from hirelens.workflows.tests.factories import make_application, make_position

from .factories import fairness_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(org, hr_admin):
    return fairness_world(org, hr_admin)


def test_report_with_malformed_filters_answers_the_page(client, hr_admin, world):
    client.force_login(hr_admin)
    response = client.get(reverse("fairness:report"), {"position": "abc", "start": "2026-13-45", "end": "昨天"})
    assert response.status_code == 200
    assert response.context["position"] == world["position"]


def test_audit_with_a_malformed_distribution_date_is_saved_without_one(client, hr_admin, world):
    client.force_login(hr_admin)
    response = client.post(reverse("fairness:audit_create"), {
        "position": str(world["position"].pk), "stage": world["stage"].key, "distribution_date": "三月一日",
        "data_source": "  本公司 2026 年第一季度的招聘数据 ", "start": "not-a-date"})
    assert response.status_code == 302
    audit = FairnessAudit.objects.get()
    assert (audit.distribution_date, audit.data_source, audit.period_start) == (None, "本公司 2026 年第一季度的招聘数据", None)


def test_audit_without_a_data_source_is_flashed_and_not_saved(client, hr_admin, world):
    client.force_login(hr_admin)
    response = client.post(reverse("fairness:audit_create"), {
        "position": world["position"].pk, "stage": world["stage"].key, "distribution_date": "2026-03-01"})
    assert response.status_code == 302 and "distribution_date=2026-03-01" in response["Location"]
    assert [str(m) for m in get_messages(response.wsgi_request)] == ["请写明数据来源。"]
    assert not FairnessAudit.objects.exists()


def test_self_identification_with_unknown_answers_says_so_once_and_stores_nothing(client, org):
    application = make_application(make_position(org, title="销售代表"), "高博文")
    InterviewSessionFactory(application=application, token_hash=_hash("interview-secret"))
    url = reverse("fairness:self_identify", args=["i", "interview-secret"])
    response = client.post(url, {"sex": "robot", "race": "martian"})
    assert response.status_code == 302
    assert [str(m) for m in get_messages(response.wsgi_request)] == ["请选择一个选项。"]
    assert not SelfIdentification.objects.exists()
    client.post(url, {"sex": "decline", "race": ""})
    assert SelfIdentification.objects.get().answers == '{"sex":"decline","race":""}'
