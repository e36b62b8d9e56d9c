"""Tenancy and roles for every messaging page, access function and selector."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.utils import timezone

from hirelens.core.testing import assert_tenant_isolated
from hirelens.messaging.access import access_message, access_ticket
from hirelens.messaging.models import MessageTemplate, Ticket, TicketMessage
from hirelens.messaging.selectors import message_list, reminder_list, ticket_list
from hirelens.messaging.services import message_send, reminders_plan, ticket_close, ticket_open_web, ticket_reply
from hirelens.messaging.services.config import message_template_save

from .factories import CandidateFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def rows(org):
    candidate = CandidateFactory(organization=org, email="a@example.com")
    message = message_send(organization_id=org.pk, kind="survey", candidate=candidate, variables={"survey_link": "https://x"})
    ticket = ticket_open_web(organization_id=org.pk, candidate=candidate, body="链接打不开")
    reminders_plan(organization_id=org.pk, subject_type="scheduling.interview", subject_id=1, candidate_id=candidate.pk,
                   starts_at=timezone.now() + timedelta(days=3))
    return message, ticket


def test_other_tenant_sees_nothing(rows, outsider, client):
    message, ticket = rows
    assert_tenant_isolated(outsider=outsider, objects=[message], access=access_message, access_kwarg="message_id",
                           selectors=[message_list], client=client, urls=[f"/messaging/messages/{message.pk}/"])
    assert_tenant_isolated(outsider=outsider, objects=[ticket], access=access_ticket, access_kwarg="ticket_id",
                           selectors=[ticket_list], client=client, urls=[f"/messaging/helpdesk/{ticket.pk}/"])
    assert list(reminder_list(actor=outsider)) == []
    client.force_login(outsider)
    assert client.post(f"/messaging/helpdesk/{ticket.pk}/reply/", {"body": "x"}).status_code == 404
    assert client.post(f"/messaging/helpdesk/{ticket.pk}/close/").status_code == 404
    assert TicketMessage.objects.count() == 1
    assert Ticket.objects.get().status == "open"


def test_interviewer_has_no_outbox_or_help_desk(rows, interviewer, hiring_manager):
    message, ticket = rows
    for user in (interviewer, hiring_manager):
        client = Client()
        client.force_login(user)
        for url in ("/messaging/", "/messaging/reminders/", "/messaging/helpdesk/", "/messaging/templates/"):
            assert client.get(url).status_code == 403, url
        assert client.get(f"/messaging/messages/{message.pk}/").status_code == 404
        assert client.get(f"/messaging/helpdesk/{ticket.pk}/").status_code == 404
        assert client.post(f"/messaging/helpdesk/{ticket.pk}/reply/", {"body": "x"}).status_code == 404
        assert list(message_list(actor=user)) == [] and list(ticket_list(actor=user)) == []
        with pytest.raises(PermissionDenied):
            ticket_reply(actor=user, ticket=ticket, body="x")
        with pytest.raises(PermissionDenied):
            ticket_close(actor=user, ticket=ticket)
    assert TicketMessage.objects.count() == 1 and Ticket.objects.get().status == "open"


def test_recruiter_may_not_change_templates_but_hr_admin_may(rows, recruiter, hr_admin):
    client = Client()
    client.force_login(recruiter)
    response = client.post("/messaging/templates/invitation/zh-hans/", {"action": "save", "subject": "x", "body": "y"})
    assert response.status_code == 403 and not MessageTemplate.objects.exists()
    with pytest.raises(PermissionDenied):
        message_template_save(actor=recruiter, kind="invitation", language="zh-hans", subject="x", body="y")
    client.force_login(hr_admin)
    response = client.post("/messaging/templates/invitation/en/", {"action": "save", "subject": "Hi {name}", "body": "See {link}"})
    assert response.status_code == 302
    assert MessageTemplate.objects.get().subject == "Hi {name}"


def test_template_preview_and_unknown_variable_on_the_page(rows, hr_admin):
    client = Client()
    client.force_login(hr_admin)
    page = client.get("/messaging/templates/invitation/zh-hans/").content.decode()
    assert "张三，您好！" in page and "2026年12月1日（周二）14:00 北京时间（UTC+08:00）" in page
    page = client.post("/messaging/templates/invitation/zh-hans/", {"action": "preview", "subject": "x", "body": "{salary}"},
                       HTTP_HX_REQUEST="true").content.decode()
    assert "模板中有未知变量：{salary}" in page


def test_staff_pages_render(rows, recruiter):
    message, ticket = rows
    client = Client()
    client.force_login(recruiter)
    for url in ("/messaging/", "/messaging/reminders/", "/messaging/helpdesk/", "/messaging/templates/",
                f"/messaging/messages/{message.pk}/", f"/messaging/helpdesk/{ticket.pk}/"):
        assert client.get(url).status_code == 200, url


def test_channel_settings_page_saves_encrypted_credentials_for_hr_admin_only(org, hr_admin, recruiter):
    from hirelens.messaging.models import ChannelAccount, MessagingPolicy

    client = Client()
    client.force_login(recruiter)
    assert client.get("/messaging/settings/").status_code == 403
    client.force_login(hr_admin)
    page = client.get("/messaging/settings/").content.decode()
    assert f"/messaging/wechat/{org.slug}/callback" in page
    response = client.post("/messaging/settings/", {
        "section": "wechat", "action": "save", "wechat-app_id": "wx0123456789abcdef", "wechat-secret": "s3cret",
        "wechat-token": "tok", "wechat-encoding_aes_key": "a" * 43, "wechat-tpl_0": "T1", "wechat-tplmap_0": "thing1 = {position}"})
    assert response.status_code == 302
    account = ChannelAccount.objects.get(organization=org, provider="wechat")
    assert (account.app_id, account.secret, account.token, account.templates["invitation"]["template_id"]) == (
        "wx0123456789abcdef", "s3cret", "tok", "T1")
    client.post("/messaging/settings/", {"section": "wechat", "action": "save", "wechat-app_id": "wx0123456789abcdef",
                                         "wechat-secret": ""})
    account.refresh_from_db()
    assert account.secret == "s3cret"  # an empty secret field keeps the stored one
    bad = client.post("/messaging/settings/", {"section": "wechat", "action": "save", "wechat-app_id": "wx0123456789abcdef",
                                               "wechat-tpl_0": "T", "wechat-tplmap_0": "thing1 = {salary}"})
    assert bad.status_code == 400 and "模板中有未知变量" in bad.content.decode()
    client.post("/messaging/settings/", {"section": "policy", "policy-reminder_offsets": "2880, 120,30",
                                         "policy-order_8_0": "email", "policy-kw_0": "地址", "policy-reply_0": "线上面试"})
    policy = MessagingPolicy.objects.get(organization=org)
    assert policy.reminder_offsets == [2880, 120, 30] and policy.fallback == {"result": ["email"]}
    assert policy.keyword_replies == [{"keyword": "地址", "reply": "线上面试"}]
    bad = client.post("/messaging/settings/", {"section": "policy", "policy-reminder_offsets": "0",
                                               "policy-order_8_0": "email", "policy-order_8_1": "email"})
    assert bad.status_code == 400 and "同一个渠道只能选一次。" in bad.content.decode()
    bad = client.post("/messaging/settings/", {"section": "policy", "policy-reminder_offsets": "0"})
    assert bad.status_code == 400 and "提醒时间必须在开始前 1 分钟到 14 天之间。" in bad.content.decode()
    assert MessagingPolicy.objects.get(organization=org).reminder_offsets == [2880, 120, 30]


def test_candidate_messages_for_the_timeline(rows, recruiter, interviewer, outsider):
    from hirelens.messaging.selectors import candidate_messages

    message, _ticket = rows
    assert [m.pk for m in candidate_messages(actor=recruiter, candidate_id=message.candidate_id)] == [message.pk]
    assert list(candidate_messages(actor=interviewer, candidate_id=message.candidate_id)) == []
    assert list(candidate_messages(actor=outsider, candidate_id=message.candidate_id)) == []
