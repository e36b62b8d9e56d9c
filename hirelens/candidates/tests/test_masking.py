"""Contact details on a need-to-know basis (PIPL minimum necessary): masked for interviewers everywhere, revealed
one field at a time for recruiters and HR admins, each reveal audited."""

from __future__ import annotations

import json

import pytest

from conftest import SMTPSink
from hirelens.candidates import masking, services
from hirelens.core.models import AuditEvent
from hirelens.workflows.tests.factories import assign, make_application, make_position

pytestmark = pytest.mark.django_db

PHONE, EMAIL, ID_NUMBER, ADDRESS = "13812341234", "zhang.wei@example.com", "11010519491231002X", "北京市朝阳区建国路88号"
MASKED = {"phone": "138****1234", "email": "z***@example.com", "id_number": "1101**********002X", "address": "北京市朝阳区****"}
FULL = {"phone": PHONE, "email": EMAIL, "id_number": ID_NUMBER, "address": ADDRESS}


@pytest.fixture
def app(org, hr_admin, interviewer, hiring_manager):
    position = make_position(org, title="销售代表")
    assign(position, interviewer, "interviewer")
    assign(position, hiring_manager, "hiring_manager")
    application = make_application(position, "张伟")
    services.candidate_update(candidate=application.candidate, actor=hr_admin,
                              data={"phone": PHONE, "email": EMAIL, "id_number": ID_NUMBER, "address": ADDRESS})
    application.candidate.refresh_from_db()
    services.candidate_reindex(candidate=application.candidate)
    return application


def test_mask_formats():
    assert masking.mask("+86 138-1234-1234", "phone") == "138****1234" and masking.mask("+44 20 7946 0958", "phone") == "+44****0958"
    assert [masking.mask(FULL[f], f) for f in masking.CONTACT_FIELDS] == [MASKED[f] for f in masking.CONTACT_FIELDS]
    assert masking.mask("", "email") == "" and masking.mask("110105194912310021", "id_number") == "1101**********0021"
    assert masking.mask_text(f"电话 {PHONE}，邮箱 {EMAIL}，身份证 {ID_NUMBER}") == (
        f"电话 {MASKED['phone']}，邮箱 {MASKED['email']}，身份证 {MASKED['id_number']}")


@pytest.mark.parametrize("role, can_reveal", [("interviewer", False), ("hiring_manager", False), ("recruiter", True),
                                              ("hr_admin", True)])
def test_record_page_shows_contact_masked_and_reveal_only_with_the_permission(app, client, role, can_reveal, request):
    user = request.getfixturevalue(role)
    if role == "recruiter":
        assign(app.position, user, "recruiter")
    client.force_login(user)
    page = client.get(f"/candidates/{app.candidate.pk}/").content.decode()
    for field in masking.CONTACT_FIELDS:
        assert f'data-testid="contact-masked-{field}">{MASKED[field]}<' in page
        assert FULL[field] not in page  # not in the HTML (nor in a prefilled edit form) before "显示"
    assert ('data-testid="reveal-phone"' in page) is can_reveal


def test_reveal_returns_the_value_and_writes_one_audit_entry(app, client, recruiter, hr_admin):
    client.force_login(hr_admin)
    before = AuditEvent.objects.count()
    response = client.post(f"/candidates/{app.candidate.pk}/contact/id_number/", HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert f'data-testid="contact-value-id_number">{ID_NUMBER}<' in response.content.decode()
    entries = list(AuditEvent.objects.order_by("pk")[before:])
    assert [(e.action, e.object_type, e.object_id, e.fields, e.actor_id) for e in entries] == [
        ("read", "candidates.candidate", str(app.candidate.pk), ["contact_reveal", "id_number"], hr_admin.pk)]
    # the audit log says it in words, in both languages
    log = client.get("/audit/").content.decode()
    assert "查看了联系方式" in log and "身份证号" in log
    client.cookies["django_language"] = "en"
    assert "Revealed contact details" in client.get("/audit/").content.decode()
    # the API reveals the same way
    api = client.post(f"/api/v1/candidates/{app.candidate.pk}/contact/phone")
    assert api.status_code == 200 and api.json() == {"field": "phone", "value": PHONE}
    assert AuditEvent.objects.count() == before + 2
    assert client.post(f"/candidates/{app.candidate.pk}/contact/resume_text/").status_code == 404


@pytest.mark.parametrize("role", ["interviewer", "hiring_manager"])
def test_reveal_without_the_permission_is_refused_and_writes_nothing(app, client, role, request):
    client.force_login(request.getfixturevalue(role))
    before = AuditEvent.objects.count()
    response = client.post(f"/candidates/{app.candidate.pk}/contact/phone/")
    assert response.status_code == 403 and PHONE not in response.content.decode()
    api = client.post(f"/api/v1/candidates/{app.candidate.pk}/contact/phone")
    assert api.status_code == 403 and PHONE not in api.content.decode()
    assert AuditEvent.objects.count() == before


def test_api_masks_contact_for_interviewers_in_detail_and_list(app, client, interviewer, hr_admin):
    client.force_login(interviewer)
    detail = client.get(f"/api/v1/candidates/{app.candidate.pk}").json()
    assert {f: detail[f] for f in masking.CONTACT_FIELDS} == MASKED
    listed = client.get("/api/v1/candidates/").json()["items"]
    assert [(c["phone"], c["email"]) for c in listed] == [(MASKED["phone"], MASKED["email"])]
    client.force_login(hr_admin)
    detail = client.get(f"/api/v1/candidates/{app.candidate.pk}").json()
    assert {f: detail[f] for f in masking.CONTACT_FIELDS} == FULL
    assert [c["phone"] for c in client.get("/api/v1/candidates/").json()["items"]] == [PHONE]


def test_search_by_phone_only_with_the_permission(app, client, interviewer, hr_admin):
    client.force_login(hr_admin)
    assert [c["id"] for c in client.get("/api/v1/candidates/", {"q": PHONE}).json()["items"]] == [app.candidate.pk]
    assert [c["id"] for c in client.get("/api/v1/candidates/", {"q": EMAIL}).json()["items"]] == [app.candidate.pk]
    client.force_login(interviewer)
    for query in (PHONE, EMAIL, ID_NUMBER):  # the search would tell whose number it is
        assert client.get("/api/v1/candidates/", {"q": query}).json()["items"] == []
    assert [c["id"] for c in client.get("/api/v1/candidates/", {"q": "张伟"}).json()["items"]] == [app.candidate.pk]


def test_edit_form_keeps_contact_left_blank(app, client, hr_admin):
    client.force_login(hr_admin)
    client.post(f"/candidates/{app.candidate.pk}/edit/", {"full_name": "张伟", "phone": "", "email": "", "id_number": "",
                                                           "address": "", "source": "manual", "tags": ""})
    app.candidate.refresh_from_db()
    assert (app.candidate.phone, app.candidate.email, app.candidate.address) == (PHONE, EMAIL, ADDRESS)
    client.post(f"/candidates/{app.candidate.pk}/edit/", {"full_name": "张伟", "phone": "13900001111", "source": "manual"})
    app.candidate.refresh_from_db()
    assert (app.candidate.phone, app.candidate.email) == ("13900001111", EMAIL)


def test_interviewer_notice_email_carries_no_candidate_contact(app, hr_admin, interviewer, recruiter, smtp_server,
                                                               django_capture_on_commit_callbacks):
    from hirelens.messaging.models import Message
    from hirelens.messaging.services import message_deliver
    from hirelens.scheduling import services as scheduling
    from hirelens.scheduling.tests.conftest import at

    with django_capture_on_commit_callbacks(execute=True):
        scheduling.interview_schedule(actor=hr_admin, application=app, start=at(3, 10), end=at(3, 11),
                                      interviewers=[interviewer, recruiter])
    for message in Message.objects.filter(status="queued"):
        message_deliver(message_id=message.pk)
    mails = {m["To"]: m for m in smtp_server.wait_for(3)}

    def whole(mail):
        parts = [SMTPSink.text_of(mail)] + [p.get_content() for p in mail.iter_attachments()
                                            if p.get_content_type() == "text/calendar"]
        return "\n".join(parts)

    to_interviewer, to_recruiter = whole(mails[interviewer.email]), whole(mails[recruiter.email])
    assert "ATTENDEE" in to_interviewer and interviewer.email in to_interviewer  # the calendar still lists the panel
    for value in (EMAIL, PHONE, ID_NUMBER):
        assert value not in to_interviewer
    assert f"mailto:{EMAIL}" in to_recruiter  # a recruiter on the panel may see it
    assert EMAIL in whole(mails[EMAIL])  # the candidate's own invitation
    assert json.loads(Message.objects.get(user=interviewer).variables).get("link")


def test_resume_tab_masks_contact_in_the_parsed_fields_and_text(app, client, interviewer, hr_admin):
    from . import documents as d

    services.resume_attach(candidate=app.candidate, actor=hr_admin, upload=d.upload(d.pdf_bytes(d.ZH_RESUME), "r.pdf"))
    for user in (interviewer, hr_admin):  # the record reveals contact details one by one, for everyone
        client.force_login(user)
        page = client.get(f"/candidates/{app.candidate.pk}/?tab=resume").content.decode()
        assert "138****8000" in page and "z***@example.com" in page
        assert "13800138000" not in page and "138 0013 8000" not in page and "zhang.wei@example.com" not in page
    client.force_login(interviewer)
    parsed = client.get(f"/api/v1/candidates/{app.candidate.pk}").json()["resume_parsed"]
    assert (parsed["phones"], parsed["emails"]) == (["138****8000"], ["z***@example.com"])


def test_demo_has_a_reveal_in_the_audit_log_and_the_interviewer_sees_masked(org, other_org, client):
    from hirelens.accounts import demo as accounts_demo
    from hirelens.candidates import demo as candidates_demo
    from hirelens.core.demo import DemoContext
    from hirelens.positions import demo as positions_demo

    ctx = DemoContext(organization=org, other_organization=other_org)
    accounts_demo.load(ctx)
    positions_demo.load(ctx)
    for _ in range(2):  # idempotent
        candidates_demo.load(ctx)
    zhao = ctx.candidates["赵磊"]
    reveals = [e for e in AuditEvent.objects.filter(object_id=str(zhao.pk)) if "contact_reveal" in (e.fields or [])]
    assert [(e.actor_id, e.fields) for e in reveals] == [(ctx.users["admin"].pk, ["contact_reveal", "phone"])]
    client.force_login(ctx.users["interviewer"])
    page = client.get(f"/candidates/{zhao.pk}/").content.decode()
    assert "138****8001" in page and "13800138001" not in page and 'data-testid="reveal-phone"' not in page
