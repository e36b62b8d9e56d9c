from datetime import timedelta

import pytest
from django.core import signing
from django.utils import timezone

from hirelens.candidates import services as cs
from hirelens.candidates.models import Document, Project
from hirelens.candidates.tests import documents as d
from hirelens.candidates.tests.factories import ApplicationFactory
from hirelens.core.models import AuditEvent
from hirelens.core.testing import assert_tenant_isolated, shows_id_reference
from hirelens.portal.access import access_portal_link_for_staff
from hirelens.portal.models import PortalLink
from hirelens.portal.services import SALT, portal_link_create, portal_link_revoke, portal_url


@pytest.fixture
def portal(hr_admin):
    app = ApplicationFactory(candidate__organization=hr_admin.organization, stage="AI视频面试")
    link, token = portal_link_create(actor=hr_admin, candidate=app.candidate, days=7)
    return {"app": app, "candidate": app.candidate, "link": link, "token": token, "url": portal_url(token, absolute=False)}


def test_link_opens_the_candidates_own_portal_and_is_audited(portal, client):
    response = client.get(portal["url"])
    page = response.content.decode()
    assert response.status_code == 200
    assert portal["candidate"].full_name in page and portal["app"].position.title in page and "AI视频面试" in page
    assert response["Referrer-Policy"] == "same-origin"
    read = AuditEvent.objects.filter(action="read", object_id=str(portal["candidate"].pk)).get()
    assert read.actor_id is None and "phone" in read.fields
    assert portal["link"].secret_hash not in portal["token"]
    assert portal_url(portal["token"]).startswith("http")


def test_expired_revoked_and_forged_links(portal, hr_admin, client):
    link = portal["link"]
    forged = signing.dumps({"l": link.pk, "s": "guessed"}, salt=SALT, compress=True)
    assert client.get(f"/portal/{forged}/").status_code == 404
    assert client.get(f"/portal/{portal['token'][:-3]}abc/").status_code == 404
    assert client.post(f"/portal/{forged}/profile/", {"full_name": "黑客"}).status_code == 404

    PortalLink.objects.filter(pk=link.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    response = client.get(portal["url"])
    assert response.status_code == 410 and "链接已过期" in response.content.decode()
    assert client.post(portal["url"] + "profile/", {"full_name": "改名"}).status_code == 410

    PortalLink.objects.filter(pk=link.pk).update(expires_at=timezone.now() + timedelta(days=1))
    assert client.get(portal["url"]).status_code == 200
    portal_link_revoke(actor=hr_admin, link=PortalLink.objects.get(pk=link.pk))
    response = client.get(portal["url"])
    assert response.status_code == 410 and "链接已被招聘方撤回" in response.content.decode()
    portal["candidate"].refresh_from_db()
    assert portal["candidate"].full_name != "改名"
    assert [e.kind for e in portal["candidate"].timeline.all()[:2]] == ["portal_link_revoked", "portal_link_created"]


def test_candidate_updates_profile_projects_and_documents(portal, client, django_capture_on_commit_callbacks):
    c = portal["candidate"]
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(portal["url"] + "profile/", {"full_name": "新名字", "phone": "+86 139-1234-5678", "email": c.email,
                                                            "address": "杭州市"})
    assert response.status_code == 302 and len(callbacks) == 1
    c.refresh_from_db()
    assert (c.full_name, c.phone, c.address) == ("新名字", "13912345678", "杭州市")
    event = c.timeline.first()
    assert (event.kind, event.by_candidate, event.actor_id, event.params) == ("updated", True, None,
                                                                             {"fields": ["full_name", "phone", "address"]})
    client.post(portal["url"] + "projects/", {"name": "华东渠道拓展", "results": "项目营收 1000万元\n新签客户 12 个"})
    project = Project.objects.get(candidate=c)
    assert project.results[0] == {"label": "项目营收", "value": "10000000", "unit": "CNY", "text": "项目营收 1000万元"}
    client.post(portal["url"] + f"projects/{project.pk}/", {"name": "华东渠道拓展（二期）", "results": "revenue 12M"})
    project.refresh_from_db()
    assert project.name == "华东渠道拓展(二期)"  # full-width brackets normalised and project.results[0]["value"] == "12000000"

    response = client.post(portal["url"] + "documents/", {"doc_type": "education", "file": d.upload(d.pdf_bytes(["毕业证"]), "证书.pdf")},
                           follow=True)
    assert "文件已上传，等待审核。" in response.content.decode()
    doc = Document.objects.get(candidate=c)
    assert doc.uploaded_by_candidate and doc.review_status == "pending"
    response = client.post(portal["url"] + "documents/", {"doc_type": "other", "file": d.upload(b"\x7fELF binary", "photo.jpg")},
                           follow=True)
    assert "不支持的文件类型：请上传 PDF、DOCX、PNG 或 JPEG。" in response.content.decode()
    assert Document.objects.count() == 1
    assert all(e.by_candidate for e in c.timeline.filter(kind__in=["project_saved", "document_uploaded"]))


def test_candidate_cannot_touch_another_candidates_project(portal, hr_admin, client):
    other = ApplicationFactory(candidate__organization=hr_admin.organization).candidate
    project = cs.project_save(candidate=other, actor=hr_admin, name="别人的项目")
    assert client.post(portal["url"] + f"projects/{project.pk}/", {"name": "改掉"}).status_code == 404
    client.post(portal["url"] + f"projects/{project.pk}/delete/")
    project.refresh_from_db()
    assert project.name == "别人的项目"


def test_candidate_cannot_change_id_number_through_the_portal(portal, client):
    c = portal["candidate"]
    client.post(portal["url"] + "profile/", {"full_name": c.full_name, "id_number": "11010519491231002X"})
    c.refresh_from_db()
    assert c.id_number == ""


def test_portal_in_english(portal, client):
    client.cookies["django_language"] = "en"
    page = client.get(portal["url"]).content.decode()
    assert "My applications" in page


def test_staff_link_management_scoped(portal, hr_admin, interviewer, outsider, client):
    from hirelens.positions.tests.factories import PositionAssignmentFactory

    c = portal["candidate"]
    assert_tenant_isolated(outsider=outsider, objects=[portal["link"]], access=access_portal_link_for_staff, access_kwarg="link_id")
    PositionAssignmentFactory(position=portal["app"].position, user=interviewer, role="interviewer")
    before = PortalLink.objects.count()
    for user in (outsider, interviewer):
        client.force_login(user)
        assert client.post(f"/portal/staff/{c.pk}/links/", {"days": 5}).status_code == 404
        assert client.post(f"/portal/staff/links/{portal['link'].pk}/revoke/").status_code == 404
    assert PortalLink.objects.count() == before and PortalLink.objects.get().revoked_at is None
    client.force_login(hr_admin)
    response = client.post(f"/portal/staff/{c.pk}/links/", {"days": 5}, follow=True)
    page = response.content.decode()
    assert 'data-testid="portal-url"' in page
    assert PortalLink.objects.count() == before + 1
    assert 'data-testid="portal-url"' not in client.get(f"/candidates/{c.pk}/").content.decode()  # shown once


def test_upcoming_interviews_in_their_time_zone(portal, client):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from django.apps import apps

    interview_model = apps.get_model("scheduling", "Interview")
    start = datetime(2030, 5, 6, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    interview_model.objects.create(organization_id=portal["candidate"].organization_id, application=portal["app"], title="直播面试",
                                   start_at=start, end_at=start + timedelta(minutes=45), time_zone="Asia/Shanghai")
    interview_model.objects.create(organization_id=portal["candidate"].organization_id, application=portal["app"], title="已取消的",
                                   start_at=start, end_at=start + timedelta(minutes=45), time_zone="Asia/Shanghai", status="cancelled")
    page = client.get(portal["url"]).content.decode()
    assert "2030年5月6日（周一）10:00–10:45 北京时间" in page and "Asia/Shanghai" not in page and "直播面试" in page
    assert "已取消的" in page and page.count('data-testid="portal-interview-open"') == 0  # the room opens shortly before
    assert page.count("入口将在面试前 10 分钟开放") == 1  # the cancelled one: nothing


def test_duplicate_contact_in_portal_reveals_no_other_record(portal, hr_admin, client):
    other = cs.candidate_create(actor=hr_admin, full_name="别人", phone="13711112222")
    c = portal["candidate"]
    response = client.post(portal["url"] + "profile/", {"full_name": c.full_name, "phone": "13711112222", "email": c.email},
                           follow=True)
    page = response.content.decode()
    assert "该手机号、邮箱已登记在其他档案中，请联系招聘专员处理。" in page and not shows_id_reference(page, other.pk)
    c.refresh_from_db()
    assert c.phone != "13711112222"
