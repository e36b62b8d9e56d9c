"""Merging duplicates side by side (issue 16 §2): a choice per field, a confirmation step, everything related
moves, undo within 30 days restores both records exactly; refusals for other organizations and roles."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from hirelens.candidates import services
from hirelens.candidates.models import Application, Candidate, CandidateMerge, TimelineEvent
from hirelens.candidates.services.merge import merge_shown, merge_snapshots_purge
from hirelens.core.models import AuditEvent
from hirelens.core.testing import shows_id_reference
from hirelens.feedback.models import FeedbackCase
from hirelens.interviews.tests.factories import InterviewSessionFactory
from hirelens.positions.tests.factories import PositionFactory

from . import documents as d

pytestmark = pytest.mark.django_db
PHONE_1, PHONE_2 = merge_shown("phone", "13800000001"), merge_shown("phone", "13900000002")


def _pair(hr_admin):
    """张伟 twice: the same e-mail, another phone; the duplicate has its own documents, history, applications (one
    to a position both applied to, with an AI interview session), tags and skills."""
    org = hr_admin.organization
    primary = services.candidate_create(actor=hr_admin, full_name="张伟", phone="13800000001", email="zw@example.com",
                                        tags=["校招"])
    duplicate = services.candidate_create(actor=hr_admin, full_name="张伟", phone="13900000002", email="ZW@example.com",
                                          address="上海市浦东新区", source="job_board", tags=["内推"], allow_duplicate=True)
    shared, only_dup = PositionFactory(organization=org, title="后端工程师"), PositionFactory(organization=org, title="测试工程师")
    kept_app = services.application_create(actor=hr_admin, candidate=primary, position=shared)
    clash_app = services.application_create(actor=hr_admin, candidate=duplicate, position=shared)
    moved_app = services.application_create(actor=hr_admin, candidate=duplicate, position=only_dup)
    session = InterviewSessionFactory(application=clash_app)
    services.document_upload(candidate=duplicate, actor=hr_admin, upload=d.upload(d.png_bytes(), "a.png"), doc_type="other")
    services.project_save(candidate=duplicate, actor=hr_admin, name="订单系统重构")
    services.work_save(candidate=duplicate, actor=hr_admin, employer="字节跳动", title="工程师", start_year=2019)
    return primary, duplicate, {"kept_app": kept_app, "clash_app": clash_app, "moved_app": moved_app, "session": session}


def _related(candidate_id):
    """Every row hanging off one record, by kind: what a merge moves and an undo moves back."""
    c = Candidate.objects.get(pk=candidate_id)
    return {"applications": set(c.applications.values_list("pk", flat=True)),
            "documents": set(c.documents.values_list("pk", flat=True)),
            "projects": set(c.projects.values_list("pk", flat=True)),
            "work": set(c.work_history.values_list("pk", flat=True)),
            "timeline": set(c.timeline.exclude(kind__startswith="merge").values_list("pk", flat=True)),
            "tags": sorted(c.tags.values_list("name", flat=True)),
            "values": (c.full_name, c.phone, c.email, c.address, c.source, c.created_at)}


def test_merge_through_the_pages_choosing_per_field_then_undo(client, hr_admin):
    primary, duplicate, rows = _pair(hr_admin)
    before_primary, before_duplicate = _related(primary.pk), _related(duplicate.pk)
    client.force_login(hr_admin)
    url = reverse("candidates:merge", args=[primary.pk])

    page = client.get(url, {"duplicate": duplicate.pk}).content.decode()
    assert PHONE_1 in page and PHONE_2 in page  # contact masked as the one masking rule says (138****0001)
    assert 'value="duplicate" data-testid="keep-duplicate-address" checked' in page  # the primary has none

    # the confirmation step writes nothing
    audits = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0  # ids, not a count (PostgreSQL
    events = TimelineEvent.objects.count()  # sequences are not reset between tests)
    form = {"duplicate": duplicate.pk, "keep_full_name": "primary", "keep_phone": "duplicate", "keep_email": "primary",
            "keep_id_number": "primary", "keep_address": "duplicate", "keep_source": "primary", "keep_tags": "both",
            "keep_skills": "both", "keep_resume": "primary"}
    summary = client.post(url, form).content.decode()
    assert f"将 张伟（{PHONE_2}）合并到 张伟" in summary
    assert "移到本档案：1 份文件、2 个申请、1 个项目、1 段工作经历、1 场面试，以及时间线。" in summary
    assert Candidate.objects.filter(pk=duplicate.pk).exists() and not CandidateMerge.objects.exists()
    assert TimelineEvent.objects.count() == events
    assert not AuditEvent.objects.filter(pk__gt=audits).exclude(action=AuditEvent.Action.READ).exists()

    response = client.post(url, {**form, "confirm": "1"})
    assert response.status_code == 302
    assert not Candidate.objects.filter(pk=duplicate.pk).exists()
    kept = Candidate.objects.get(pk=primary.pk)
    assert (kept.full_name, kept.phone, kept.email, kept.address, kept.source) == (
        "张伟", "13900000002", "zw@example.com", "上海市浦东新区", "manual")
    assert sorted(kept.tags.values_list("name", flat=True)) == sorted(["校招", "内推"])
    after = _related(primary.pk)
    assert after["applications"] == before_primary["applications"] | {rows["moved_app"].pk}
    assert not Application.objects.filter(pk=rows["clash_app"].pk).exists()
    rows["session"].refresh_from_db()
    assert rows["session"].application_id == rows["kept_app"].pk  # the AI session joined the kept application
    for kind in ("documents", "projects", "work", "timeline"):
        assert after[kind] == before_primary[kind] | before_duplicate[kind], kind
    merge = CandidateMerge.objects.get()
    assert merge.duplicate_id == duplicate.pk and merge.actor == hr_admin
    assert '"13800000001"' in merge.discarded  # the phone nobody chose stays in the record's history
    with connection.cursor() as cursor:  # encrypted at rest
        cursor.execute(f"SELECT discarded, snapshot FROM {CandidateMerge._meta.db_table}")
        assert "1380000000" not in str(cursor.fetchall())
    assert kept.timeline.first().kind == "merged_fields"
    assert [e.fields for e in AuditEvent.objects.filter(action="update", object_id=str(primary.pk)) if "merged" in e.fields] == [
        ["address", "merged", "phone", "tags"]]  # sorted by the audit log
    assert AuditEvent.objects.filter(action="delete", object_id=str(duplicate.pk)).count() == 1
    profile = client.get(reverse("candidates:detail", args=[primary.pk])).content.decode()
    assert "合并记录" in profile and f"未采用的值：手机号 {PHONE_1}" in profile and 'data-testid="merge-undo"' in profile

    response = client.post(reverse("candidates:merge_undo", args=[primary.pk]), {"merge": merge.pk})
    assert response.status_code == 302
    restored_primary, restored_duplicate = _related(primary.pk), _related(duplicate.pk)
    assert restored_duplicate == before_duplicate
    assert restored_primary == before_primary
    assert Application.objects.get(pk=rows["clash_app"].pk).candidate_id == duplicate.pk
    rows["session"].refresh_from_db()
    assert rows["session"].application_id == rows["clash_app"].pk
    merge.refresh_from_db()
    assert merge.undone_at and merge.undone_by == hr_admin and merge.snapshot == ""
    assert AuditEvent.objects.filter(action="create", object_id=str(duplicate.pk)).order_by("pk").last().fields == ["merge_undone"]
    # the duplicates are found again, and a second undo is refused
    assert Candidate.objects.get(pk=duplicate.pk).email_index == Candidate.objects.get(pk=primary.pk).email_index
    with pytest.raises(ValidationError):
        services.candidate_merge_undo(actor=hr_admin, merge=merge)


def test_undo_is_refused_after_30_days_and_the_snapshot_is_purged(hr_admin):
    primary, duplicate, _rows = _pair(hr_admin)
    merged_at = timezone.now() - timedelta(days=31)
    merge = services.candidate_merge(actor=hr_admin, primary=primary, duplicate=duplicate, now=merged_at)
    with pytest.raises(ValidationError) as refused:
        services.candidate_merge_undo(actor=hr_admin, merge=merge)
    assert refused.value.messages == ["合并已超过 30 天，不能再撤销。"]
    assert not Candidate.objects.filter(pk=duplicate.pk).exists()
    assert merge_snapshots_purge(now=merged_at + timedelta(days=29)) == 0
    assert merge_snapshots_purge() == 1
    merge.refresh_from_db()
    assert merge.snapshot == "" and merge.purged_at is not None and merge.discarded  # history kept, undo data gone
    assert merge_snapshots_purge() == 0  # idempotent


def test_undo_within_the_window_with_a_given_clock(hr_admin):
    primary, duplicate, _rows = _pair(hr_admin)
    merged_at = timezone.now() - timedelta(days=10)
    merge = services.candidate_merge(actor=hr_admin, primary=primary, duplicate=duplicate, now=merged_at)
    restored = services.candidate_merge_undo(actor=hr_admin, merge=merge, now=merged_at + timedelta(days=29, hours=23))
    assert restored.pk == duplicate.pk and Candidate.objects.get(pk=duplicate.pk).phone == "13900000002"


def test_applications_that_would_overlap_refuse_the_merge_and_write_nothing(hr_admin):
    primary, duplicate, rows = _pair(hr_admin)
    for app in (rows["kept_app"], rows["clash_app"]):  # both already have a feedback case for the same stage
        FeedbackCase.objects.create(organization=hr_admin.organization, application=app, stage_key="video",
                                    position=app.position, opened_at=timezone.now(), due_at=timezone.now())
    before = _related(duplicate.pk)
    with pytest.raises(ValidationError) as refused:
        services.candidate_merge(actor=hr_admin, primary=primary, duplicate=duplicate)
    assert "后端工程师" in refused.value.messages[0]
    assert _related(duplicate.pk) == before and not CandidateMerge.objects.exists()


def test_interviewer_and_other_organizations_are_refused(client, hr_admin, interviewer, outsider):
    primary, duplicate, _rows = _pair(hr_admin)
    url = reverse("candidates:merge", args=[primary.pk])
    form = {"duplicate": duplicate.pk, "keep_phone": "duplicate", "confirm": "1"}
    for user in (interviewer, outsider):
        client.force_login(user)
        assert client.get(url, {"duplicate": duplicate.pk}).status_code == 404
        assert client.post(url, form).status_code == 404
    assert Candidate.objects.filter(pk=duplicate.pk).exists() and not CandidateMerge.objects.exists()
    # a duplicate of another organization, named by an HR admin of this one: the same 404
    foreign = services.candidate_create(actor=outsider, full_name="外部", email="zw@example.com")
    client.force_login(hr_admin)
    assert client.post(url, {**form, "duplicate": foreign.pk}).status_code == 404
    assert Candidate.objects.filter(pk=foreign.pk).exists()
    merge = services.candidate_merge(actor=hr_admin, primary=primary, duplicate=duplicate)
    client.force_login(interviewer)
    assert client.post(reverse("candidates:merge_undo", args=[primary.pk]), {"merge": merge.pk}).status_code == 404
    with pytest.raises(PermissionDenied):
        services.candidate_merge_undo(actor=interviewer, merge=merge)
    assert not Candidate.objects.filter(pk=duplicate.pk).exists()


def test_duplicates_page_names_people_and_links_the_side_by_side_page(client, hr_admin, django_assert_max_num_queries):
    primary, duplicate, _rows = _pair(hr_admin)
    client.force_login(hr_admin)
    with django_assert_max_num_queries(14):
        page = client.get(reverse("candidates:duplicates")).content.decode()
    assert "张伟" in page and "后端工程师" in page and PHONE_1 in page and not shows_id_reference(page, duplicate.pk)
    assert f"{reverse('candidates:merge', args=[primary.pk])}?duplicate={duplicate.pk}" in page
