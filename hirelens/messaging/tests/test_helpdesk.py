"""Help desk: tickets from WeChat and from candidate pages; HR's answer goes back on WeChat inside the
48-hour window, else through the fallback channels; states and first-response time."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from conftest import SMTPSink
from hirelens.core.models import AuditEvent
from hirelens.messaging.models import Message, Ticket, WeChatBinding
from hirelens.messaging.selectors import ticket_stats
from hirelens.messaging.services import message_deliver, ticket_close, ticket_open_web, ticket_reply
from hirelens.messaging.services.helpdesk import help_link_token

from .conftest import OPENID
from .factories import CandidateFactory
from .test_callbacks import push
from .wechat_push import text_xml

pytestmark = pytest.mark.django_db


def deliver(message):
    message_deliver(message_id=message.pk)
    message.refresh_from_db()
    return message


def test_answer_goes_back_as_customer_service_message_inside_the_window(org, wechat_account, fake_wechat, recruiter):
    fake_wechat.followers.add(OPENID)
    fake_wechat.user_message(OPENID)
    push(org, text_xml(openid=OPENID, content="链接打不开", msg_id=1))
    ticket = Ticket.objects.get()
    reply = ticket_reply(actor=recruiter, ticket=ticket, body="请换用 Chrome 浏览器再试一次。")
    message = deliver(reply.outbound)
    assert message.channel == "wechat_custom"
    assert fake_wechat.sent_to("custom") == [{"touser": OPENID, "msgtype": "text", "text": {"content": "请换用 Chrome 浏览器再试一次。"}}]
    ticket.refresh_from_db()
    assert ticket.status == "answered" and ticket.first_response_at is not None
    assert 0 <= ticket.first_response_seconds < 60
    # the candidate writes again: the ticket reopens, the first-response time stays
    push(org, text_xml(openid=OPENID, content="可以了，谢谢", msg_id=2))
    ticket.refresh_from_db()
    assert ticket.status == "open" and ticket.messages.count() == 3
    ticket_close(actor=recruiter, ticket=ticket)
    assert ticket_stats(actor=recruiter) == {"open": 0, "answered": 0, "closed": 1, "first_response_avg_minutes": 0.0}


def test_outside_the_48_hour_window_the_answer_falls_back(org, wechat_account, fake_wechat, recruiter, smtp_server):
    candidate = CandidateFactory(organization=org, email="late@example.com")
    push(org, text_xml(openid=OPENID, content="我没收到邀请", msg_id=3))
    binding = WeChatBinding.objects.get()
    binding.candidate = candidate
    binding.save()
    WeChatBinding.objects.filter(pk=binding.pk).update(last_inbound_at=timezone.now() - timedelta(hours=49))
    fake_wechat.followers.add(OPENID)
    ticket = Ticket.objects.get()
    message = deliver(ticket_reply(actor=recruiter, ticket=ticket, body="邀请已重新发送到您的邮箱。").outbound)
    # the template message needs the binding to follow; the org maps helpdesk_reply to a template
    assert message.channel == "wechat_template"
    assert message.attempts.first().error_code == "outside_48h_window"
    fake_wechat.followers.discard(OPENID)
    message = deliver(ticket_reply(actor=recruiter, ticket=ticket, body="再试一次").outbound)
    assert message.channel == "email"
    assert "再试一次" in SMTPSink.text_of(smtp_server.wait_for(1)[0])


def test_web_ticket_from_a_signed_help_link(org, recruiter, smtp_server):
    candidate = CandidateFactory(organization=org, email="web@example.com")
    url = f"/messaging/help/{help_link_token(candidate=candidate)}/?page=/portal/interview/9"
    client = Client()
    assert client.get(url).status_code == 200
    response = client.post(url, {"body": "摄像头无法开启", "page": "/portal/interview/9"}, follow=True)
    assert response.status_code == 200 and "已收到" in response.content.decode()
    ticket = Ticket.objects.get()
    assert ticket.source == "web" and ticket.candidate_id == candidate.pk and ticket.page == "/portal/…/9"  # no token kept
    assert Client().get("/messaging/help/forged-token/").status_code == 404
    message = deliver(ticket_reply(actor=recruiter, ticket=ticket, body="请在浏览器设置中允许摄像头。").outbound)
    assert message.channel == "email"
    assert smtp_server.wait_for(1)[0]["To"] == "web@example.com"


def test_web_ticket_needs_a_contact_without_candidate(org):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        ticket_open_web(organization_id=org.pk, body="help")
    ticket = ticket_open_web(organization_id=org.pk, body="help", contact="visitor@example.com")
    assert ticket.contact == "visitor@example.com"


def test_hr_pages_show_the_ticket_audit_the_read_and_send_the_reply(org, wechat_account, fake_wechat, recruiter,
                                                                    django_capture_on_commit_callbacks):
    fake_wechat.followers.add(OPENID)
    fake_wechat.user_message(OPENID)
    push(org, text_xml(openid=OPENID, content="系统提示网络错误", msg_id=5))
    ticket = Ticket.objects.get()
    client = Client()
    client.force_login(recruiter)
    inbox = client.get("/messaging/helpdesk/").content.decode()
    assert f'data-id="{ticket.pk}"' in inbox
    page = client.get(f"/messaging/helpdesk/{ticket.pk}/").content.decode()
    assert "系统提示网络错误" in page
    assert AuditEvent.objects.filter(action="read", object_type="messaging.ticket", object_id=str(ticket.pk),
                                     actor_id=recruiter.pk).exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/messaging/helpdesk/{ticket.pk}/reply/", {"body": "我们已修复，请刷新页面。"})
    assert response.status_code == 302
    assert Message.objects.get().status == "sent"
    assert fake_wechat.sent_to("custom")[0]["text"]["content"] == "我们已修复，请刷新页面。"


def test_window_closed_on_wechats_side_45015_falls_back(org, wechat_account, fake_wechat, recruiter, smtp_server):
    candidate = CandidateFactory(organization=org, email="w@example.com")
    push(org, text_xml(openid=OPENID, content="还在吗", msg_id=11))
    WeChatBinding.objects.update(candidate=candidate)
    fake_wechat.followers.add(OPENID)  # following, but WeChat saw no message from this user: 45015
    message = deliver(ticket_reply(actor=recruiter, ticket=Ticket.objects.get(), body="在的").outbound)
    assert message.attempts.get(channel="wechat_custom").error_code == "45015"
    assert message.channel == "wechat_template"


def test_help_desk_link_tag_for_candidate_pages(org):
    from django.template import Context, Template

    candidate = CandidateFactory(organization=org)
    url = Template("{% load messaging_tags %}{% help_desk_url candidate '/portal/secret-token/' 'question:2' %}").render(
        Context({"candidate": candidate}))
    assert url.startswith("/messaging/help/") and "secret-token" not in url  # the page travels without its token
    assert url.endswith("?page=%2Fportal%2F%E2%80%A6%2F&amp;step=question%3A2")
    url = url.replace("&amp;", "&")
    page = Client().get(url).content.decode()
    assert 'name="step" value="question:2"' in page
    response = Client().post(url, {"body": "上传资料失败", "page": "/portal/…/", "step": "question:2"})
    assert response.status_code == 302
    ticket = Ticket.objects.get()
    assert ticket.candidate_id == candidate.pk and ticket.page == "/portal/…/" and ticket.step_display == "答题 · 第 2 题"


def test_a_help_link_cannot_flood_the_inbox(org):
    from django.core.exceptions import ValidationError

    from hirelens.messaging.models import TicketMessage
    from hirelens.messaging.services.helpdesk import WEB_MESSAGES_PER_DAY

    candidate = CandidateFactory(organization=org)
    for i in range(WEB_MESSAGES_PER_DAY):
        ticket_open_web(organization_id=org.pk, candidate=candidate, body=f"问题 {i}")
    with pytest.raises(ValidationError):
        ticket_open_web(organization_id=org.pk, candidate=candidate, body="再一个")
    # the follow-ups joined one thread (same candidate, same subject), and the refused one stored nothing
    assert Ticket.objects.count() == 1
    assert TicketMessage.objects.count() == WEB_MESSAGES_PER_DAY
