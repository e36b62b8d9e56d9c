"""Completing a delete request runs the erasure and leaves the case without personal data; the receipt went first.
Completing a consent withdrawal runs the derived-data erasure and the record stays."""

from __future__ import annotations

import pytest

from hirelens.candidates.models import Candidate
from hirelens.privacy import services
from hirelens.privacy.models import PrivacyRequest

from .factories import candidate_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_delete_request_erases_and_keeps_only_a_tombstone(org, hr_admin, smtp_server, portal_actor):
    candidate = candidate_in(org, full_name="孙悦", email="sunyue@example.com")
    older = services.privacy_request_create(candidate=candidate, kind="access", actor=hr_admin, details="孙悦来电")
    pr = services.privacy_request_create(actor=portal_actor(candidate), candidate=candidate, kind="delete", details="请删除我的资料：孙悦")
    services.privacy_request_complete(actor=hr_admin, privacy_request=pr)
    mail = smtp_server.wait_for(1)[0]
    assert mail["To"] == "sunyue@example.com" and "「删除个人信息」已办理" in smtp_server.text_of(mail)
    assert not Candidate.objects.filter(pk=candidate.pk).exists()
    for row in PrivacyRequest.objects.filter(pk__in=[pr.pk, older.pk]):
        assert (row.candidate_id, row.details, row.refusal_reason, row.outcome) == (None, "", "", "")
        assert len(row.tombstone) == 16
    pr.refresh_from_db()
    assert pr.status == "done" and [e.kind for e in pr.events.all()][-2:] == ["erased", "done"]


def test_withdrawing_a_consent_runs_the_derived_erasure(org, hr_admin):
    from hirelens.core.models import ConsentWithdrawal

    candidate = candidate_in(org)
    pr = services.privacy_request_create(candidate=candidate, kind="withdraw_consent", consent_kind="biometric", actor=hr_admin)
    services.privacy_request_complete(actor=hr_admin, privacy_request=pr)
    assert ConsentWithdrawal.objects.get(candidate_id=candidate.pk).kind == "biometric"
    assert Candidate.objects.filter(pk=candidate.pk).exists()
    assert PrivacyRequest.objects.get(pk=pr.pk).events.filter(kind="derived_erased").exists()
