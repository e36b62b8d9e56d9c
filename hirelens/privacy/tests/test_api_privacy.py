"""Candidates' rights requests through the real HTTP API with an API key (scope candidates)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from hirelens.candidates.models import Candidate
from hirelens.core.models import AuditEvent
from hirelens.integrations.testing import api_client, make_api_key
from hirelens.privacy import services
from hirelens.privacy.models import PrivacyExport, PrivacyRequest

from .factories import candidate_in

pytestmark = pytest.mark.django_db
BASE = "/api/v1/privacy/requests"


@pytest.fixture
def hr(hr_admin):
    return api_client(make_api_key(hr_admin)[1])


def _request(org, actor, name="陈静", kind="access", **kwargs):
    return services.privacy_request_create(candidate=candidate_in(org, full_name=name), kind=kind, actor=actor, **kwargs)


def test_create_on_behalf_with_deadline_idempotent(org, hr, hr_admin):
    candidate = candidate_in(org, full_name="陈静")
    body = {"candidate_id": candidate.pk, "kind": "export", "details": "候选人来电要求导出个人信息"}
    created = hr.post(BASE, body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="p1")
    assert created.status_code == 201
    data = created.json()
    pr = PrivacyRequest.objects.get()
    assert (data["id"], data["candidate_name"], data["status"], data["status_label"], data["kind_label"]) == (
        pr.pk, "陈静", "open", "待处理", "导出个人信息")
    assert (pr.by_candidate, pr.created_by_id, pr.details) == (False, hr_admin.pk, "候选人来电要求导出个人信息")
    assert abs(pr.due_at - (pr.received_at + timedelta(days=15))) < timedelta(seconds=1)  # PIPL default
    assert data["events"][0]["kind"] == "created" and data["events"][0]["actor_name"] == hr_admin.full_name
    again = hr.post(BASE, body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="p1")
    assert (again.status_code, again.json()["id"]) == (201, pr.pk) and PrivacyRequest.objects.count() == 1


def test_create_refused_and_invalid(org, hr):
    candidate = candidate_in(org)
    missing = hr.post(BASE, {"candidate_id": candidate.pk, "kind": "withdraw_consent"}, content_type="application/json")
    assert missing.status_code == 422 and "consent_kind" in missing.json()["fields"]
    bad = api_client(hr.defaults["HTTP_AUTHORIZATION"].split()[1], "en").post(
        BASE, {"candidate_id": candidate.pk, "kind": "forget_me"}, content_type="application/json")
    assert bad.status_code == 400 and bad.json()["title"] == "The request's parameters are not valid."
    assert not PrivacyRequest.objects.exists()


def test_create_other_tenant_and_role(org, outsider, interviewer, hr_admin):
    candidate = candidate_in(org)
    body = {"candidate_id": candidate.pk, "kind": "delete"}
    assert api_client(make_api_key(outsider)[1]).post(BASE, body, content_type="application/json").status_code == 404
    assert api_client(make_api_key(interviewer)[1]).post(BASE, body, content_type="application/json").status_code == 404
    read_only = api_client(make_api_key(hr_admin, scopes=["candidates:read"])[1], "en").post(BASE, body, content_type="application/json")
    assert (read_only.status_code, read_only.json()["required_scope"]) == (403, "candidates:write")
    assert not PrivacyRequest.objects.exists()


def test_list_filters_cursor_audit_and_queries(org, hr, hr_admin, django_assert_max_num_queries):
    soon = _request(org, hr_admin, "甲", received_at=timezone.now() - timedelta(days=13))
    later = _request(org, hr_admin, "乙", kind="delete")
    done = _request(org, hr_admin, "丙", kind="correct", received_at=timezone.now() - timedelta(days=20))
    services.privacy_request_complete(actor=hr_admin, privacy_request=done, note="已更正")
    body = hr.get(BASE).json()
    assert [r["id"] for r in body["items"]] == [done.pk, soon.pk, later.pk]
    assert body["items"][0]["status_label"] == "已完成" and body["items"][0]["overdue"] is False
    assert [r["id"] for r in hr.get(f"{BASE}?status=due").json()["items"]] == [soon.pk]
    assert [r["id"] for r in hr.get(f"{BASE}?kind=delete").json()["items"]] == [later.pk]
    assert [r["id"] for r in hr.get(f"{BASE}?q=乙").json()["items"]] == [later.pk]
    read = AuditEvent.objects.filter(action=AuditEvent.Action.READ).latest("pk")
    assert read.targets == [f"candidates.candidate:{later.candidate_id}"]
    first = hr.get(f"{BASE}?limit=2").json()
    rest = hr.get(f"{BASE}?limit=2&cursor={first['next']}").json()
    assert [r["id"] for r in first["items"] + rest["items"]] == [done.pk, soon.pk, later.pk] and rest["next"] is None
    for i in range(5):
        _request(org, hr_admin, f"候选人{i}")
    with django_assert_max_num_queries(12):
        assert len(hr.get(f"{BASE}?limit=8").json()["items"]) == 8
    assert hr.get(f"{BASE}?status=lost").status_code == 400


def test_get_etag_other_tenant_and_role(org, hr, hr_admin, outsider, interviewer):
    pr = _request(org, hr_admin, details="电话提出")
    answer = hr.get(f"{BASE}/{pr.pk}")
    assert answer.status_code == 200 and answer["ETag"] and answer.json()["details"] == "电话提出"
    read = AuditEvent.objects.filter(action=AuditEvent.Action.READ).latest("pk")
    assert read.fields == ["full_name", "privacy_request"] and read.targets == [f"candidates.candidate:{pr.candidate_id}"]
    assert api_client(make_api_key(outsider)[1]).get(f"{BASE}/{pr.pk}").status_code == 404
    assert api_client(make_api_key(interviewer)[1]).get(f"{BASE}/{pr.pk}").status_code == 404
    assert api_client(make_api_key(interviewer)[1]).get(BASE).status_code == 403


def test_start_refuse_with_if_match(org, hr, hr_admin):
    pr = _request(org, hr_admin)
    etag = hr.get(f"{BASE}/{pr.pk}")["ETag"]
    started = hr.post(f"{BASE}/{pr.pk}/start", HTTP_IF_MATCH=etag)
    assert started.status_code == 200 and (started.json()["status"], started.json()["assigned_to"]) == ("in_progress", hr_admin.full_name)
    stale = hr.post(f"{BASE}/{pr.pk}/refuse", {"reason": "法律要求保留"}, content_type="application/json", HTTP_IF_MATCH=etag)
    assert stale.status_code == 412
    assert hr.post(f"{BASE}/{pr.pk}/refuse", {"reason": "  "}, content_type="application/json").status_code == 422
    pr.refresh_from_db()
    assert pr.status == PrivacyRequest.Status.IN_PROGRESS
    refused = hr.post(f"{BASE}/{pr.pk}/refuse", {"reason": "法律要求保留"}, content_type="application/json",
                      HTTP_IF_MATCH=started["ETag"])
    assert refused.status_code == 200 and refused.json()["refusal_reason"] == "法律要求保留"
    assert refused.json()["status_label"] == "已拒绝"
    assert hr.post(f"{BASE}/{pr.pk}/start").status_code == 422


def test_export_then_complete_and_delete_erases(org, hr, hr_admin, outsider):
    export_case = _request(org, hr_admin, kind="export")
    assert hr.post(f"{BASE}/{export_case.pk}/complete", {"note": ""}, content_type="application/json").status_code == 422
    queued = hr.post(f"{BASE}/{export_case.pk}/export")
    assert queued.status_code == 200 and queued.json()["exports"][0]["status"] == "queued"
    assert PrivacyExport.objects.filter(request=export_case).count() == 1
    assert api_client(make_api_key(outsider)[1]).post(f"{BASE}/{export_case.pk}/export").status_code == 404
    delete_case = _request(org, hr_admin, "删我", kind="delete")
    candidate_id = delete_case.candidate_id
    done = hr.post(f"{BASE}/{delete_case.pk}/complete", {"note": "已删除"}, content_type="application/json")
    assert done.status_code == 200
    assert (done.json()["status"], done.json()["candidate_id"], done.json()["candidate_name"]) == ("done", None, "")
    assert done.json()["pseudonym"] and not Candidate.objects.filter(pk=candidate_id).exists()
