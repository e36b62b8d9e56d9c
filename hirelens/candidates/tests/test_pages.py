import pytest

from hirelens.candidates import services
from hirelens.candidates.access import (
    access_background_check,
    access_candidate_for_edit,
    access_document,
    access_project,
    access_work,
)
from hirelens.candidates.models import Candidate
from hirelens.candidates.selectors import candidate_list, duplicate_groups
from hirelens.core.models import AuditEvent
from hirelens.core.testing import assert_tenant_isolated, shows_id_reference
from hirelens.positions.tests.factories import PositionAssignmentFactory

from . import documents as d
from .factories import ApplicationFactory


@pytest.fixture
def record(hr_admin):
    app = ApplicationFactory(candidate__organization=hr_admin.organization)
    c = app.candidate
    doc = services.document_upload(candidate=c, actor=hr_admin, upload=d.upload(d.png_bytes(), "a.png"), doc_type="other")
    project = services.project_save(candidate=c, actor=hr_admin, name="项目", results="项目营收 1000万元")
    work = services.work_save(candidate=c, actor=hr_admin, employer="某公司")
    check = services.background_check_save(actor=hr_admin, candidate=c, provider="某背调", status="clear",
                                           report=d.upload(d.pdf_bytes(["report"]), "r.pdf"))
    services.resume_attach(candidate=c, actor=hr_admin, upload=d.upload(d.pdf_bytes(d.ZH_RESUME), "r.pdf"))
    return {"app": app, "candidate": c, "doc": doc, "project": project, "work": work, "check": check}


def urls_of(r):
    c = r["candidate"].pk
    return [f"/candidates/{c}/", f"/candidates/{c}/?tab=timeline", f"/candidates/{c}/resume/",
            f"/candidates/{c}/documents/{r['doc'].pk}/", f"/candidates/{c}/background/{r['check'].pk}/report/"]


def post_urls_of(r):
    c = r["candidate"].pk
    return [(f"/candidates/{c}/edit/", {"full_name": "改名", "source": "manual"}), (f"/candidates/{c}/projects/", {"name": "x"}),
            (f"/candidates/{c}/projects/{r['project'].pk}/delete/", {}), (f"/candidates/{c}/work/", {"employer": "x"}),
            (f"/candidates/{c}/work/{r['work'].pk}/delete/", {}), (f"/candidates/{c}/documents/{r['doc'].pk}/review/", {"status": "approved"}),
            (f"/candidates/{c}/applications/{r['app'].pk}/", {"stage": "x", "status": "hired"}),
            (f"/candidates/{c}/background/", {"provider": "x", "status": "clear"})]


def test_other_organization_sees_and_changes_nothing(record, outsider, client):
    c = record["candidate"]
    assert_tenant_isolated(outsider=outsider, objects=[c], access=access_candidate_for_edit, access_kwarg="candidate_id",
                           selectors=[candidate_list, lambda actor: [x for g in duplicate_groups(actor=actor) for x in g]],
                           client=client, urls=urls_of(record))
    for fn, kw in ((access_document, {"document_id": record["doc"].pk}), (access_project, {"project_id": record["project"].pk}),
                   (access_work, {"work_id": record["work"].pk}), (access_background_check, {"check_id": record["check"].pk})):
        with pytest.raises(Exception) as exc:
            fn(actor=outsider, candidate_id=c.pk, **kw)
        assert exc.typename == "Http404"
    before = (AuditEvent.objects.count(), c.timeline.count())
    for url, data in post_urls_of(record):
        assert client.post(url, data).status_code == 404, url
    assert (AuditEvent.objects.count(), c.timeline.count()) == before
    assert Candidate.objects.get(pk=c.pk).full_name == c.full_name


def test_interviewer_reads_assigned_candidates_but_cannot_write(record, interviewer, client):
    c = record["candidate"]
    PositionAssignmentFactory(position=record["app"].position, user=interviewer, role="interviewer")
    client.force_login(interviewer)
    for url in urls_of(record):
        assert client.get(url).status_code == 200, url
    before = (AuditEvent.objects.count(), c.timeline.count())
    for url, data in post_urls_of(record):
        assert client.post(url, data).status_code == 404, url
    assert (AuditEvent.objects.count(), c.timeline.count()) == before
    assert client.get("/candidates/new/").status_code == 404
    assert client.get("/candidates/duplicates/").status_code == 404


def test_interviewer_sees_only_applications_of_assigned_positions(hr_admin, interviewer, client):
    mine = ApplicationFactory(candidate__organization=hr_admin.organization)
    other = ApplicationFactory(candidate=mine.candidate)
    services.application_update(actor=hr_admin, application=other, stage="终面", status="active")
    PositionAssignmentFactory(position=mine.position, user=interviewer, role="interviewer")
    client.force_login(interviewer)
    page = client.get(f"/candidates/{mine.candidate.pk}/?tab=applications").content.decode()
    assert mine.position.title in page and other.position.title not in page
    timeline = client.get(f"/candidates/{mine.candidate.pk}/?tab=timeline").content.decode()
    assert other.position.title not in timeline
    client.force_login(hr_admin)
    assert other.position.title in client.get(f"/candidates/{mine.candidate.pk}/?tab=applications").content.decode()


def test_detail_tabs_render_and_reads_are_audited(record, hr_admin, client):
    client.force_login(hr_admin)
    c = record["candidate"]
    for tab in ("profile", "resume", "documents", "applications", "interviews", "evaluations", "timeline"):
        response = client.get(f"/candidates/{c.pk}/?tab={tab}")
        assert response.status_code == 200
    page = client.get(f"/candidates/{c.pk}/?tab=profile").content.decode()
    assert "10000000" in page and "CNY" in page
    assert "北京大学" in client.get(f"/candidates/{c.pk}/?tab=resume").content.decode()
    assert AuditEvent.objects.filter(action="read", object_id=str(c.pk), actor_id=hr_admin.pk).count() == 9
    response = client.get(f"/candidates/{c.pk}/documents/{record['doc'].pk}/")
    assert b"".join(response.streaming_content) == d.png_bytes()
    assert AuditEvent.objects.filter(action="read_file", object_type="candidates.document").count() == 1


def test_create_page_with_resume_and_duplicate_warning(hr_admin, client):
    client.force_login(hr_admin)
    response = client.post("/candidates/new/", {"full_name": "张伟", "phone": "13800138000", "source": "referral", "tags": "校招，211",
                                                "resume": d.upload(d.pdf_bytes(d.ZH_RESUME), "r.pdf")})
    candidate = Candidate.objects.get()
    assert response.status_code == 302 and response.url == f"/candidates/{candidate.pk}/resume/review/"  # HR reviews the parse
    assert sorted(t.name for t in candidate.tags.all()) == ["211", "校招"]
    response = client.post("/candidates/new/", {"full_name": "张伟2", "phone": "+86 13800138000", "source": "manual"})
    assert response.status_code == 200
    assert f"/candidates/{candidate.pk}/" in response.content.decode()
    assert Candidate.objects.count() == 1
    response = client.post("/candidates/new/", {"full_name": "张伟2", "phone": "+86 13800138000", "source": "manual", "allow_duplicate": "on"})
    assert response.status_code == 302 and Candidate.objects.count() == 2
    assert client.get("/candidates/duplicates/").content.decode().count('data-testid="duplicate-group"') == 1


def test_list_page_search_filter_and_pagination(hr_admin, client):
    for i in range(23):
        services.candidate_create(actor=hr_admin, full_name=f"候选{i}", source="campus" if i % 2 else "manual")
    client.force_login(hr_admin)
    page = client.get("/candidates/?source=campus").content.decode()
    assert page.count('data-testid="candidate-row"') == 11
    first = client.get("/candidates/").content.decode()
    assert first.count('data-testid="candidate-row"') == 20 and "第 1–20 位 · 共 23 位" in first
    assert client.get("/candidates/?page=2").content.decode().count('data-testid="candidate-row"') == 3
    page = client.get("/candidates/?q=候选7").content.decode()
    assert page.count('data-testid="candidate-row"') == 1 and ">候选7</a>" in page
    assert list(AuditEvent.objects.filter(action="read").values_list("fields", flat=True))[:1] == [["full_name"]]


def test_bad_upload_on_page_shows_message(record, hr_admin, client):
    client.force_login(hr_admin)
    c = record["candidate"]
    response = client.post(f"/candidates/{c.pk}/resume/upload/", {"resume": d.upload(d.encrypted_pdf_bytes(), "x.pdf")}, follow=True)
    assert "PDF 已加密（需要密码），无法读取，请上传未加密的版本。" in response.content.decode()


def test_pages_and_timeline_in_english(hr_admin, client):
    candidate = services.candidate_create(actor=hr_admin, full_name="Emily Chen")
    services.candidate_update(candidate=candidate, actor=hr_admin, data={"address": "Shanghai", "email": "e@example.com"})
    client.force_login(hr_admin)
    client.cookies["django_language"] = "en"
    assert "New candidate" in client.get("/candidates/").content.decode()
    page = client.get(f"/candidates/{candidate.pk}/?tab=timeline").content.decode()
    assert "changed: E" in page and "mail, Address" in page and "created the record" in page and "Timeline" in page


def test_interviews_tab_lists_only_visible_applications_interviews(hr_admin, interviewer, client):
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo

    from django.apps import apps

    interview_model = apps.get_model("scheduling", "Interview")
    mine = ApplicationFactory(candidate__organization=hr_admin.organization)
    other = ApplicationFactory(candidate=mine.candidate)
    PositionAssignmentFactory(position=mine.position, user=interviewer, role="interviewer")
    start = datetime(2030, 5, 6, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    for app, title in ((mine, "我的面试"), (other, "别人的面试")):
        interview_model.objects.create(organization_id=app.organization_id, application=app, title=title, start_at=start,
                                       end_at=start + timedelta(hours=1), time_zone="Asia/Shanghai")
    client.force_login(interviewer)
    page = client.get(f"/candidates/{mine.candidate.pk}/?tab=interviews").content.decode()
    assert "我的面试" in page and "别人的面试" not in page
    client.force_login(hr_admin)
    assert client.get(f"/candidates/{mine.candidate.pk}/?tab=interviews").content.decode().count('data-testid="interview-row"') == 2


def test_timeline_statuses_follow_the_readers_language(hr_admin, client):
    candidate = services.candidate_create(actor=hr_admin, full_name="甲")
    doc = services.document_upload(candidate=candidate, actor=hr_admin, upload=d.upload(d.png_bytes(), "a.png"), doc_type="education")
    services.document_review(actor=hr_admin, document=doc, status="approved")
    client.force_login(hr_admin)
    assert "审核了文件：学历证明 → 已通过" in client.get(f"/candidates/{candidate.pk}/?tab=timeline").content.decode()
    client.cookies["django_language"] = "en"
    assert "reviewed a document: Education proof → Approved" in client.get(f"/candidates/{candidate.pk}/?tab=timeline").content.decode()


def test_a_duplicate_on_the_new_record_form_is_named(hr_admin, client):
    """The form that refuses a duplicate lists the existing records by name (an audited read), never as '#id'."""
    from hirelens.candidates.services import candidate_create
    from hirelens.core.models import AuditEvent

    existing = candidate_create(actor=hr_admin, full_name="周雨桐", phone="13800138000")
    client.force_login(hr_admin)
    before = AuditEvent.objects.count()
    page = client.post("/candidates/new/", {"full_name": "周雨桐", "phone": "138 0013 8000", "source": "manual"}).content.decode()
    assert 'data-testid="duplicates"' in page and f'/candidates/{existing.pk}/">周雨桐</a>' in page
    assert not shows_id_reference(page, existing.pk) and "已有 1 位候选人的手机号、邮箱或身份证号相同。" in page
    assert AuditEvent.objects.count() == before + 1
    client.cookies["django_language"] = "en"
    page = client.post("/candidates/new/", {"full_name": "周雨桐", "phone": "138 0013 8000", "source": "manual"}).content.decode()
    assert "Existing candidates with the same mobile, e-mail or ID number: 1." in page
