import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from hirelens.candidates import services
from hirelens.candidates.models import Application, Candidate, Document, Project, TimelineEvent
from hirelens.candidates.selectors import candidate_list, duplicate_groups
from hirelens.candidates.timeline import timeline_text
from hirelens.core.models import AuditEvent

from . import documents as d
from .factories import ApplicationFactory

VALID_ID = "11010519491231002X"


def raw_rows(table: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table}")  # noqa: S608 - table names are constants of this test
        return repr(cursor.fetchall())


def test_every_personal_field_and_file_is_encrypted_at_rest(hr_admin, settings):
    from pathlib import Path

    candidate = services.candidate_create(
        actor=hr_admin, full_name="张伟", phone="13800138000", email="zhang.wei@example.com", id_number=VALID_ID,
        address="北京市海淀区中关村大街1号", resume=d.upload(d.pdf_bytes(d.ZH_RESUME), "张伟-简历.pdf"),
    )
    services.project_save(candidate=candidate, actor=hr_admin, name="海淀智慧零售项目", role="负责人", results="项目营收 1000万元")
    services.work_save(candidate=candidate, actor=hr_admin, employer="海淀测试有限公司", title="销售总监")
    services.document_upload(candidate=candidate, actor=hr_admin, upload=d.upload(d.pdf_bytes(["毕业证书 北京大学"]), "毕业证.pdf"),
                             doc_type="education")
    dump = "".join(raw_rows(t) for t in ("candidates_candidate", "candidates_project", "candidates_workexperience",
                                         "candidates_document", "candidates_searchtoken", "candidates_timelineevent"))
    for secret in ("张伟", "13800138000", "zhang.wei", VALID_ID, "中关村", "海淀智慧", "海淀测试", "销售总监", "毕业证", "北京大学"):
        assert secret not in dump
    files = [p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()]
    assert files and all(p.read_bytes().startswith(b"HLEF") for p in files)
    assert not any("北京大学".encode("utf-16-be") in p.read_bytes() or b"zhang.wei" in p.read_bytes() for p in files)
    # ...and the application sees plaintext.
    candidate = Candidate.objects.get(pk=candidate.pk)
    assert (candidate.full_name, candidate.id_number, candidate.address) == ("张伟", VALID_ID, "北京市海淀区中关村大街1号")


@pytest.mark.parametrize(("field", "value", "message"), [
    ("id_number", "110105194912310021", "身份证号校验位或出生日期不正确。"),
    ("id_number", "1101051949123100211", "身份证号应为18位（当前19位）。"),
    ("phone", "12345", "手机号格式不正确。"),
    ("email", "not-an-email", "邮箱格式不正确。"),
])
def test_invalid_contact_data_is_refused(hr_admin, field, value, message):
    with pytest.raises(ValidationError) as exc:
        services.candidate_create(actor=hr_admin, full_name="李雷", **{field: value})
    assert exc.value.message_dict == {field: [message]}
    assert not Candidate.objects.exists()


def test_full_width_input_is_normalized(hr_admin):
    candidate = services.candidate_create(actor=hr_admin, full_name="\u3000李　雷 ", phone="１３８ ００１３ ８０００",
                                          email=" LI.LEI@Example.COM ")
    assert (candidate.full_name, candidate.phone, candidate.email) == ("李 雷", "13800138000", "li.lei@example.com")


def test_update_records_timeline_audit_and_refuses_duplicates(hr_admin):
    first = services.candidate_create(actor=hr_admin, full_name="甲", phone="13800138001")
    second = services.candidate_create(actor=hr_admin, full_name="乙", phone="13800138002")
    changed = services.candidate_update(candidate=second, actor=hr_admin, data={"full_name": "乙二", "address": "上海"}, tags=["校招"])
    assert changed == ["full_name", "address", "tags"]
    event = second.timeline.first()
    assert (event.kind, event.actor, event.by_candidate) == ("updated", hr_admin, False)
    assert timeline_text(event) == "修改了：姓名、地址、标签"
    audit = AuditEvent.objects.filter(action="update", object_id=str(second.pk)).get()
    assert audit.fields == ["address", "full_name", "tags"]
    before = AuditEvent.objects.count()
    with pytest.raises(services.DuplicateCandidate) as exc:
        services.candidate_update(candidate=second, actor=hr_admin, data={"phone": "+86 138-0013-8001"})
    assert exc.value.duplicate_ids == [first.pk]
    second.refresh_from_db()
    assert second.phone == "13800138002" and AuditEvent.objects.count() == before


def test_candidate_writes_only_allowed_fields(hr_admin, portal_actor):
    candidate = services.candidate_create(actor=hr_admin, full_name="甲")
    actor = portal_actor(candidate)
    with pytest.raises(PermissionDenied):
        services.candidate_update(candidate=candidate, actor=actor, data={"id_number": VALID_ID})
    changed = services.candidate_update(candidate=candidate, actor=actor, data={"email": "a@example.com"})
    assert changed == ["email"]
    assert candidate.timeline.first().by_candidate is True
    update = AuditEvent.objects.filter(action="update", object_id=str(candidate.pk)).get()
    assert (update.actor_id, update.actor_text) == (None, "候选人本人（候选人中心）")


def test_a_portal_actor_writes_only_its_own_candidates_record(hr_admin, portal_actor):
    """The capability is the candidate of the verified link: another record, or another's entry, is refused."""
    mine = services.candidate_create(actor=hr_admin, full_name="甲")
    other = services.candidate_create(actor=hr_admin, full_name="乙")
    theirs = services.project_save(candidate=other, actor=hr_admin, name="乙的项目")
    actor = portal_actor(mine)
    refused = [
        lambda: services.candidate_update(candidate=other, actor=actor, data={"full_name": "改掉"}),
        lambda: services.project_save(candidate=other, actor=actor, project=theirs, name="改掉"),
        lambda: services.project_save(candidate=mine, actor=actor, project=theirs, name="改掉"),
        lambda: services.project_delete(candidate=other, project=theirs, actor=actor),
        lambda: services.document_upload(candidate=other, actor=actor, upload=d.upload(d.png_bytes(), "a.png"), doc_type="other"),
        lambda: services.background_check_save(actor=actor, candidate=mine, provider="x", status="pending"),
    ]
    for call in refused:
        with pytest.raises(PermissionDenied):
            call()
    other.refresh_from_db()
    theirs.refresh_from_db()
    assert (other.full_name, theirs.name) == ("乙", "乙的项目") and not Document.objects.exists()


def test_interviewer_cannot_write_and_nothing_changes(hr_admin, interviewer):
    candidate = services.candidate_create(actor=hr_admin, full_name="甲")
    calls = [
        lambda: services.candidate_update(candidate=candidate, actor=interviewer, data={"full_name": "乙"}),
        lambda: services.project_save(candidate=candidate, actor=interviewer, name="x"),
        lambda: services.document_upload(candidate=candidate, actor=interviewer, upload=d.upload(d.png_bytes(), "a.png"), doc_type="other"),
        lambda: services.resume_attach(candidate=candidate, actor=interviewer, upload=d.upload(d.docx_bytes(["x"]), "a.docx")),
    ]
    for call in calls:
        with pytest.raises(PermissionDenied):
            call()
    candidate.refresh_from_db()
    assert candidate.full_name == "甲" and not Project.objects.exists() and not Document.objects.exists()
    assert candidate.timeline.count() == 1


def test_projects_keep_figures_as_numbers(hr_admin):
    candidate = services.candidate_create(actor=hr_admin, full_name="甲")
    project = services.project_save(candidate=candidate, actor=hr_admin, name="渠道拓展", start_year="2023", end_year="2024",
                                    results="项目营收 1000万元\n新增客户 35 个\n口碑很好")
    assert project.results == [
        {"label": "项目营收", "value": "10000000", "unit": "CNY", "text": "项目营收 1000万元"},
        {"label": "新增客户", "value": "35", "unit": "items", "text": "新增客户 35 个"},
        {"label": "口碑很好", "value": None, "unit": "", "text": "口碑很好"},
    ]
    with pytest.raises(ValidationError) as exc:
        services.project_save(candidate=candidate, actor=hr_admin, name="x", start_year="2024", end_year="2020")
    assert exc.value.message_dict == {"end_year": ["结束年份不能早于开始年份。"]}


def test_documents_are_typed_by_content_not_name(hr_admin):
    candidate = services.candidate_create(actor=hr_admin, full_name="甲")
    doc = services.document_upload(candidate=candidate, actor=hr_admin, upload=d.upload(d.png_bytes(), "证书.pdf"), doc_type="certificate")
    assert (doc.content_type, doc.review_status, doc.filename) == ("image/png", "pending", "证书.pdf")
    with pytest.raises(ValidationError) as exc:
        services.document_upload(candidate=candidate, actor=hr_admin, upload=d.upload(b"MZ\x90\x00evil", "scan.png"), doc_type="other")
    assert exc.value.messages == ["不支持的文件类型：请上传 PDF、DOCX、PNG 或 JPEG。"]
    services.document_review(actor=hr_admin, document=doc, status="approved", note="原件已核")
    assert [e.kind for e in candidate.timeline.all()][:2] == ["document_reviewed", "document_uploaded"]
    assert Document.objects.count() == 1


def test_search_by_name_skill_resume_text_and_contact(hr_admin):
    zhang = services.candidate_create(actor=hr_admin, full_name="张伟", phone="13800138000",
                                      resume=d.upload(d.pdf_bytes(d.ZH_RESUME), "r.pdf"))
    emily = services.candidate_create(actor=hr_admin, full_name="Emily Chen", email="emily.chen@example.com",
                                      resume=d.upload(d.docx_bytes(d.EN_RESUME), "cv.docx"))
    def ids(**kw):
        return [c.pk for c in candidate_list(actor=hr_admin, **kw)]

    assert ids(q="张伟") == [zhang.pk]
    assert ids(q="张") == [zhang.pk]
    assert ids(q="emily") == [emily.pk]
    assert ids(q="postgresql") == [zhang.pk]
    assert ids(q="字节跳动") == [zhang.pk]
    assert ids(q="Fudan economics") == [emily.pk]
    assert ids(q="Fudan python") == []
    assert ids(q="138 0013 8000") == [zhang.pk]
    assert ids(q="EMILY.CHEN@example.com") == [emily.pk]
    assert ids(source="manual", sort="old") == [zhang.pk, emily.pk]


def test_filters_by_position_stage_tag_and_status(hr_admin):
    a = ApplicationFactory(candidate__organization=hr_admin.organization, stage="AI视频面试")
    b = ApplicationFactory(candidate__organization=hr_admin.organization, stage="直播面试", status="rejected")
    services.candidate_update(candidate=a.candidate, actor=hr_admin, data={}, tags=["校招"])
    assert list(candidate_list(actor=hr_admin, position_id=a.position_id)) == [a.candidate]
    assert list(candidate_list(actor=hr_admin, stage="直播面试")) == [b.candidate]
    assert list(candidate_list(actor=hr_admin, status="rejected")) == [b.candidate]
    assert list(candidate_list(actor=hr_admin, tag="校招")) == [a.candidate]


def test_duplicates_are_detected_and_merge_keeps_everything(hr_admin):
    first = ApplicationFactory(candidate__organization=hr_admin.organization).candidate
    first.email = "same@example.com"
    first.save()
    second = services.candidate_create(actor=hr_admin, full_name="李雷", email="SAME@example.com", address="上海市",
                                       allow_duplicate=True)
    assert second.timeline.first().kind == "duplicate_suspected"
    other_app = ApplicationFactory(candidate=second)
    shared = ApplicationFactory(candidate=second, position=first.applications.get().position)
    services.document_upload(candidate=second, actor=hr_admin, upload=d.upload(d.png_bytes(), "a.png"), doc_type="other")
    services.project_save(candidate=second, actor=hr_admin, name="项目A")
    assert [sorted(c.pk for c in g) for g in duplicate_groups(actor=hr_admin)] == [sorted([first.pk, second.pk])]
    events_before = TimelineEvent.objects.count()

    merged = services.candidate_merge(actor=hr_admin, primary=first, duplicate=second).primary

    assert not Candidate.objects.filter(pk=second.pk).exists()
    assert merged.address == "上海市"  # filled from the duplicate
    assert set(merged.applications.values_list("pk", flat=True)) == {first.applications.order_by("pk").first().pk, other_app.pk}
    assert not Application.objects.filter(pk=shared.pk).exists()
    assert merged.documents.count() == 1 and merged.projects.count() == 1
    assert TimelineEvent.objects.count() == events_before + 1  # nothing lost: every event moved, plus "merged"
    assert merged.timeline.first().kind == "merged_fields"  # the address came from the duplicate
    assert duplicate_groups(actor=hr_admin) == []
    assert AuditEvent.objects.filter(action="delete", object_id=str(second.pk)).count() == 1
