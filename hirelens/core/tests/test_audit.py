import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.db.utils import DatabaseError

from hirelens.candidates.tests.factories import ApplicationFactory
from hirelens.core.audit import audit_record, audit_record_many, audit_verify_all, audit_verify_chain
from hirelens.core.models import AuditEvent, audit_chain_key


@pytest.fixture
def events(hr_admin, org):
    created = [audit_record(action="read", actor=hr_admin, object_type="candidates.candidate", object_id=i, fields=["phone"])
               for i in range(1, 6)]
    return created


def test_chain_links_and_verifies(events, org):
    assert [e.seq for e in events] == [1, 2, 3, 4, 5]
    assert events[1].prev_hash == events[0].hash
    report = audit_verify_chain(audit_chain_key(org.pk))
    assert report.ok and report.events == 5 and report.head_hash == events[-1].hash


def test_rows_cannot_be_updated_or_deleted_through_the_orm(events):
    event = AuditEvent.objects.get(pk=events[0].pk)
    event.action = "delete"
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=event.pk).update(action="delete")
    with pytest.raises(PermissionError):
        AuditEvent.objects.all().delete()


def test_database_refuses_raw_update(events):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE core_auditevent SET action = 'x' WHERE id = %s", [events[0].pk])


def _tamper(sql, params):
    """Bypass the append-only trigger the way an attacker with database access could."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE core_auditevent DISABLE TRIGGER core_auditevent_append_only")
            cursor.execute(sql, params)
            cursor.execute("ALTER TABLE core_auditevent ENABLE TRIGGER core_auditevent_append_only")
        else:
            cursor.execute("DROP TRIGGER IF EXISTS core_auditevent_no_update")
            cursor.execute(sql, params)


def test_verify_detects_modified_entry(events, org):
    _tamper("UPDATE core_auditevent SET actor_label = 'someone-else' WHERE id = %s", [events[2].pk])
    report = audit_verify_chain(audit_chain_key(org.pk))
    assert not report.ok and "seq 3" in report.problem and "modified" in report.problem
    with pytest.raises(CommandError, match="1 audit chain"):
        call_command("audit_verify", stdout=io.StringIO())


def test_verify_detects_removed_middle_and_tail(events, org):
    _tamper("DELETE FROM core_auditevent WHERE id = %s", [events[4].pk])
    report = audit_verify_chain(audit_chain_key(org.pk))
    assert not report.ok and "removed" in report.problem
    _tamper("DELETE FROM core_auditevent WHERE id = %s", [events[1].pk])
    report = audit_verify_chain(audit_chain_key(org.pk))
    assert not report.ok and "missing entry before seq 3" in report.problem


def test_chains_are_per_organization(events, outsider, org, other_org):
    audit_record(action="login", actor=outsider, obj=outsider)
    reports = {r.chain: r for r in audit_verify_all()}
    assert reports[audit_chain_key(org.pk)].events == 5
    assert reports[audit_chain_key(other_org.pk)].events == 1
    assert all(r.ok for r in reports.values())


def test_rolled_back_change_leaves_no_entry(hr_admin):
    before = AuditEvent.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        audit_record(action="update", actor=hr_admin, obj=hr_admin, fields=["role"])
        raise RuntimeError("the change failed")
    assert AuditEvent.objects.count() == before


def test_reading_a_candidate_and_resume_is_audited(client, hr_admin, org):
    from django.core.files.base import ContentFile

    application = ApplicationFactory(candidate__organization=org)
    candidate = application.candidate
    candidate.resume.save("cv.pdf", ContentFile(b"%PDF resume"), save=True)
    candidate.resume_name = "cv.pdf"
    candidate.save()
    client.force_login(hr_admin)
    response = client.get(f"/candidates/{candidate.pk}/", REMOTE_ADDR="10.1.2.3")
    assert response.status_code == 200 and candidate.full_name in response.content.decode()
    read = AuditEvent.objects.filter(action="read", object_id=str(candidate.pk)).get()
    assert (read.actor_id, read.organization_id, read.object_type, read.ip) == (hr_admin.pk, org.pk, "candidates.candidate", "10.1.2.3")
    from hirelens.candidates.models import PERSONAL_FIELDS

    assert read.fields == sorted(PERSONAL_FIELDS) and {"full_name", "phone", "email", "id_number"} <= set(read.fields)
    response = client.get(f"/candidates/{candidate.pk}/resume/")
    assert b"".join(response.streaming_content) == b"%PDF resume"
    assert AuditEvent.objects.filter(action="read_file", object_id=str(candidate.pk), fields=["resume"]).count() == 1


def test_audit_page_search_and_permissions(client, hr_admin, recruiter, events, outsider):
    audit_record(action="login", actor=outsider, obj=outsider)
    client.force_login(hr_admin)
    page = client.get("/audit/", {"action": "read", "object_id": "3"}).content.decode()
    assert page.count('data-testid="audit-row"') == 1
    page = client.get("/audit/").content.decode()
    assert page.count('data-testid="audit-row"') == 5 and outsider.email not in page
    client.force_login(recruiter)
    assert client.get("/audit/").status_code == 403


def test_bulk_entry_names_every_object_in_one_insert(events, hr_admin, org, django_assert_num_queries):
    from hirelens.candidates.tests.factories import CandidateFactory

    people = CandidateFactory.create_batch(30, organization=org)
    # the chain-head lock, the insert and the head update: the same 3 whatever the number of objects
    with django_assert_num_queries(3):
        entry = audit_record_many(action="read", actor=hr_admin, objs=people + people[:3], fields=["full_name"])
    assert AuditEvent.objects.filter(seq__gt=5).count() == 1
    assert entry.seq == 6 and entry.prev_hash == events[-1].hash
    assert entry.targets == [f"candidates.candidate:{c.pk}" for c in people]  # shown order, repeats dropped
    assert (entry.object_type, entry.object_id, entry.fields, entry.actor_id) == ("candidates.candidate", "", ["full_name"], hr_admin.pk)
    mixed = audit_record_many(action="read", actor=hr_admin, objs=people[:1], targets=["scheduling.interview:7"])
    assert mixed.object_type == "" and mixed.targets == [f"candidates.candidate:{people[0].pk}", "scheduling.interview:7"]
    assert audit_record_many(action="read", actor=hr_admin, objs=[]) is None  # a page that showed nobody writes nothing
    report = audit_verify_chain(audit_chain_key(org.pk))
    assert report.ok and report.events == 7 and report.head_hash == mixed.hash


def test_verify_detects_a_name_removed_from_a_bulk_entry(events, hr_admin, org):
    entry = audit_record_many(action="read", actor=hr_admin, targets=["candidates.candidate:1", "candidates.candidate:2"])
    _tamper("UPDATE core_auditevent SET targets = %s WHERE id = %s", ['["candidates.candidate:1"]', entry.pk])
    report = audit_verify_chain(audit_chain_key(org.pk))
    assert not report.ok and "seq 6" in report.problem and "modified" in report.problem


def test_audit_search_by_object_finds_bulk_entries(client, hr_admin, events):
    audit_record_many(action="read", actor=hr_admin, targets=["candidates.candidate:3", "candidates.candidate:31"])
    audit_record_many(action="read", actor=hr_admin, targets=["candidates.candidate:33", "scheduling.interview:3"])
    client.force_login(hr_admin)
    page = client.get("/audit/", {"action": "read", "object_id": "3"}).content.decode()
    assert page.count('data-testid="audit-row"') == 3  # the single entry for #3 and both bulk entries naming a #3
    assert "候选人 × 2" in page and "候选人、面试 × 2" in page  # a bulk entry says what was read and how many
    client.cookies["django_language"] = "en"
    page = client.get("/audit/", {"action": "read", "object_id": "3"}).content.decode()
    assert "Candidate × 2" in page and "Candidate, Interview × 2" in page
    page = client.get("/audit/", {"object_type": "candidates.candidate", "object_id": "3"}).content.decode()
    assert page.count('data-testid="audit-row"') == 2  # not the bulk entry whose #3 is an interview, nor #31 or #33
