"""Retention limits (issue 20): what is due, the hold HR sets, the daily purge through the erasure path, the command."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.utils import timezone

from hirelens.candidates.models import Application, Candidate
from hirelens.core.models import AuditEvent, Erasure, RetentionPolicy
from hirelens.core.testing import shows_id_reference
from hirelens.privacy.retention import retention_due, retention_extend, retention_purge

pytestmark = pytest.mark.django_db(transaction=True)


def _closed(org, name, *, days_ago: int, status="rejected", recording=False):
    from hirelens.interviews.models import Answer
    from hirelens.interviews.tests.factories import InterviewSessionFactory

    candidate = Candidate.objects.create(organization=org, full_name=name)
    session = InterviewSessionFactory(application__candidate=candidate, application__organization=org, organization=org)
    Application.objects.filter(pk=session.application_id).update(
        status=status, updated_at=timezone.now() - timedelta(days=days_ago))
    answer = Answer(organization=org, session=session, question_index=0, kind="audio", mime_type="audio/webm",
                    status="complete", analysis={"transcript": {"text": "hello"}}, analysis_status="done")
    if recording:
        answer.recording.save("a.webm", ContentFile(b"webm-bytes"), save=False)
    answer.save()
    return candidate, answer


def test_due_lists_by_the_organizations_limits_and_skips_active_and_hired(org, hr_admin):
    old, _ = _closed(org, "久远", days_ago=400)
    soon, _ = _closed(org, "将至", days_ago=350, recording=True)
    _closed(org, "在途", days_ago=400, status="active")
    _closed(org, "录用", days_ago=400, status="hired")
    today = timezone.localdate()

    now = retention_due(organization_id=org.pk)
    assert {(i.candidate_id, i.kind) for i in now} == {(old.pk, "candidate"), (old.pk, "analyses"), (soon.pk, "recordings"),
                                                        (soon.pk, "analyses")}
    month = retention_due(organization_id=org.pk, within_days=30)
    assert (soon.pk, "candidate") in {(i.candidate_id, i.kind) for i in month}
    assert [i.due_on for i in month if i.candidate_id == soon.pk and i.kind == "candidate"] == [
        today - timedelta(days=350) + timedelta(days=365)]

    RetentionPolicy.objects.create(organization=org, candidates_days=800, recordings_days=800, analyses_days=800)
    assert retention_due(organization_id=org.pk, within_days=30) == []


def test_a_hold_extends_a_candidate_and_is_audited(org, hr_admin):
    old, _ = _closed(org, "久远", days_ago=400)
    until = timezone.localdate() + timedelta(days=60)
    retention_extend(actor=hr_admin, candidate=old, until=until, reason="诉讼保全")
    assert retention_due(organization_id=org.pk, within_days=30) == []
    entry = AuditEvent.objects.get(action="retention_extended")
    assert entry.object_id == str(old.pk) and entry.fields == [f"until:{until.isoformat()}"] and entry.actor_id == hr_admin.pk


def test_the_purge_erases_due_candidates_and_recordings_through_the_erasure_path(org, hr_admin):
    old, _ = _closed(org, "久远", days_ago=400)
    soon, answer = _closed(org, "将至", days_ago=200, recording=True)
    name = answer.recording.name
    assert default_storage.exists(name)

    out = StringIO()
    call_command("retention_purge", "--dry-run", stdout=out)
    assert "4 item(s) due" in out.getvalue() and Candidate.objects.filter(pk=old.pk).exists()

    report = retention_purge()

    assert report.candidates == 1 and report.recordings == 1 and report.analyses == 1
    assert not Candidate.objects.filter(pk=old.pk).exists()
    assert Erasure.objects.get().reason == "retention" and AuditEvent.objects.filter(action="candidate_erased").count() == 1
    answer.refresh_from_db()
    assert not answer.recording and answer.analysis is None and not default_storage.exists(name)
    assert Candidate.objects.filter(pk=soon.pk).exists()  # the record itself is kept 365 days
    assert retention_purge().candidates == 0  # nothing due twice


def test_hr_admin_sees_due_for_purge_by_name_and_extends_with_a_reason(client, org, hr_admin, recruiter):
    old, _ = _closed(org, "久远", days_ago=400)
    client.force_login(recruiter)
    assert client.get("/settings/retention/").status_code == 403
    client.force_login(hr_admin)
    page = client.get("/settings/retention/", HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200 and "久远" in page.content.decode() and not shows_id_reference(page.content.decode(), old.pk)
    refused = client.post(f"/settings/retention/{old.pk}/extend/", {"until": "2001-01-01", "reason": "诉讼"})
    assert refused.status_code == 400
    until = timezone.localdate() + timedelta(days=90)
    done = client.post(f"/settings/retention/{old.pk}/extend/", {"until": until.isoformat(), "reason": "诉讼保全"})
    assert done.status_code == 302 and AuditEvent.objects.filter(action="retention_extended").count() == 1
    assert f"/settings/retention/{old.pk}/extend/" not in client.get("/settings/retention/").content.decode()
    saved = client.post("/settings/retention/", {"candidates_days": 400, "recordings_days": 90, "analyses_days": 90})
    assert saved.status_code == 302
    assert RetentionPolicy.objects.get(organization=org).recordings_days == 90
