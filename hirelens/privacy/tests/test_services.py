"""Deadlines per jurisdiction, state transitions, refusal needs a reason, history and audit."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from hirelens.core.jurisdictions import Jurisdiction
from hirelens.core.models import AuditEvent
from hirelens.privacy import services
from hirelens.privacy.models import PrivacyRequest, PrivacyRequestEvent

from .factories import candidate_in

pytestmark = pytest.mark.django_db

RECEIVED = timezone.make_aware(timezone.datetime(2026, 3, 2, 10, 0))


@pytest.mark.parametrize(("jurisdiction", "kind", "days"), [
    (Jurisdiction.CN, "access", 15), (Jurisdiction.CN, "delete", 15),
    (Jurisdiction.EU, "export", 30), (Jurisdiction.EU, "delete", 30),
    (Jurisdiction.US_IL, "delete", 30), (Jurisdiction.US_NYC, "access", 30), (Jurisdiction.OTHER, "correct", 30),
])
def test_deadline_follows_the_jurisdiction(org, hr_admin, jurisdiction, kind, days):
    services.privacy_settings_update(actor=hr_admin, jurisdiction=jurisdiction)
    pr = services.privacy_request_create(candidate=candidate_in(org), kind=kind, actor=hr_admin, received_at=RECEIVED)
    assert pr.due_at == RECEIVED + timedelta(days=days)


def test_settings_are_created_on_demand_with_pipl_defaults(org):
    obj = services.privacy_settings_for(org.pk)
    assert (obj.jurisdiction, obj.days_access, obj.days_delete, obj.export_link_days) == ("cn", 15, 15, 7)


def test_edited_days_override_the_defaults_kind_by_kind(org, hr_admin):
    services.privacy_settings_update(actor=hr_admin, jurisdiction=Jurisdiction.EU, days={"delete": 20}, export_link_days=3)
    obj = services.privacy_settings_for(org.pk)
    assert (obj.days_delete, obj.days_export, obj.export_link_days) == (20, 30, 3)
    with pytest.raises(ValidationError):
        services.privacy_settings_update(actor=hr_admin, jurisdiction=Jurisdiction.EU, days={"delete": 400})


def test_only_the_list_of_jurisdictions_is_accepted(org, hr_admin):
    with pytest.raises(ValidationError):  # the law code of issue 20, before the list became one
        services.privacy_settings_update(actor=hr_admin, jurisdiction="eu_gdpr")
    assert services.privacy_settings_for(org.pk).jurisdiction == "cn"


def test_only_hr_admins_change_the_settings(org, recruiter):
    with pytest.raises(PermissionDenied):
        services.privacy_settings_update(actor=recruiter, jurisdiction=Jurisdiction.EU)
    assert services.privacy_settings_for(org.pk).jurisdiction == "cn"


def test_state_transitions_and_history(org, hr_admin, portal_actor):
    candidate = candidate_in(org, full_name="王芳")
    actor = portal_actor(candidate)
    with pytest.raises(PermissionDenied):  # the portal's actor files for its own candidate only
        services.privacy_request_create(actor=actor, candidate=candidate_in(org, full_name="李四"), kind="delete")
    pr = services.privacy_request_create(actor=actor, candidate=candidate, kind="correct", details="手机号写错了")
    assert pr.status == "open" and pr.by_candidate and pr.created_by is None and pr.events.get().by_candidate
    pr = services.privacy_request_start(actor=hr_admin, privacy_request=pr)
    assert (pr.status, pr.assigned_to) == ("in_progress", hr_admin)
    with pytest.raises(ValidationError):
        services.privacy_request_start(actor=hr_admin, privacy_request=pr)
    pr = services.privacy_request_complete(actor=hr_admin, privacy_request=pr, note="已更正手机号")
    pr.refresh_from_db()
    assert pr.status == "done" and pr.done_at is not None and pr.outcome == "已更正手机号"
    assert pr.receipt_sent_at is not None
    assert [e.kind for e in pr.events.all()] == ["created", "started", "done", "receipt_sent"]
    with pytest.raises(ValidationError):
        services.privacy_request_refuse(actor=hr_admin, privacy_request=pr, reason="太晚了")
    kinds = list(AuditEvent.objects.filter(object_type="privacy.privacyrequest", object_id=str(pr.pk)).values_list("action", flat=True))
    assert sorted(kinds) == ["create", "update", "update"]


def test_refusal_needs_a_reason(org, hr_admin):
    pr = services.privacy_request_create(candidate=candidate_in(org), kind="delete", actor=hr_admin)
    with pytest.raises(ValidationError) as error:
        services.privacy_request_refuse(actor=hr_admin, privacy_request=pr, reason="   ")
    assert error.value.message_dict == {"reason": ["拒绝请求必须说明理由。"]}
    pr.refresh_from_db()
    assert pr.status == "open"
    pr = services.privacy_request_refuse(actor=hr_admin, privacy_request=pr, reason="法律要求保存至诉讼结束")
    assert pr.status == "refused" and pr.refusal_reason == "法律要求保存至诉讼结束"
    assert pr.events.filter(kind=PrivacyRequestEvent.Kind.REFUSED).get().note == "法律要求保存至诉讼结束"


def test_withdraw_consent_needs_which_consent(org, hr_admin):
    with pytest.raises(ValidationError):
        services.privacy_request_create(candidate=candidate_in(org), kind="withdraw_consent", actor=hr_admin)
    pr = services.privacy_request_create(candidate=candidate_in(org), kind="withdraw_consent", consent_kind="biometric", actor=hr_admin)
    assert pr.kind_label == "撤回同意 · 面部/生物特征分析"


def test_export_request_cannot_complete_without_an_archive(org, hr_admin):
    pr = services.privacy_request_create(candidate=candidate_in(org), kind="export", actor=hr_admin)
    with pytest.raises(ValidationError):
        services.privacy_request_complete(actor=hr_admin, privacy_request=pr)
    assert PrivacyRequest.objects.get(pk=pr.pk).status == "open"


def test_the_panel_cannot_record_or_handle_requests(org, interviewer, hr_admin):
    candidate = candidate_in(org)
    with pytest.raises(PermissionDenied):
        services.privacy_request_create(candidate=candidate, kind="access", actor=interviewer)
    pr = services.privacy_request_create(candidate=candidate, kind="access", actor=hr_admin)
    with pytest.raises(PermissionDenied):
        services.privacy_request_start(actor=interviewer, privacy_request=pr)
    assert PrivacyRequest.objects.get(pk=pr.pk).status == "open"
