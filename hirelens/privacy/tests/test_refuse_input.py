"""Typed input at the edge (issue 23 §4): refusing a request reads the reason through ``RefuseForm``; a blank or
over-long reason is the service's own message and the request stays open."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages

from hirelens.privacy import services
from hirelens.privacy.models import PrivacyRequest
from hirelens.privacy.services import MAX_DETAILS

from .factories import candidate_in

pytestmark = pytest.mark.django_db


def _flashed(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.mark.parametrize("reason, message", [
    ("   ", "拒绝请求必须说明理由。"),
    ("理" * (MAX_DETAILS + 1), f"说明最多 {MAX_DETAILS} 个字。"),
])
def test_a_refusal_without_a_proper_reason_changes_nothing(client, org, hr_admin, reason, message):
    pr = services.privacy_request_create(candidate=candidate_in(org), kind="access", actor=hr_admin)
    client.force_login(hr_admin)
    response = client.post(f"/privacy/requests/{pr.pk}/refuse/", {"reason": reason})
    assert response.status_code == 302 and _flashed(response) == [message]
    assert PrivacyRequest.objects.get(pk=pr.pk).status == "open"


def test_a_refusal_with_a_reason_is_recorded(client, org, hr_admin):
    pr = services.privacy_request_create(candidate=candidate_in(org), kind="access", actor=hr_admin)
    client.force_login(hr_admin)
    response = client.post(f"/privacy/requests/{pr.pk}/refuse/", {"reason": " 法律要求保留 "})
    assert _flashed(response) == ["已拒绝该请求，已向候选人说明理由。"]
    pr.refresh_from_db()
    assert (pr.status, pr.refusal_reason) == ("refused", "法律要求保留")
