"""The help desk as a conversation (M3, issue 19): one thread per candidate and subject that follow-ups join; the
candidate reads HR's answers and replies on the web through the signed help token (never by a ticket id alone) and
gets each answer by their channel, WeChat first; first-response time per day; bounded queries."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from hirelens.messaging.models import Ticket, TicketMessage, WeChatBinding
from hirelens.messaging.selectors import first_response_by_day, ticket_pending_count
from hirelens.messaging.services import message_deliver, ticket_open_web, ticket_reply
from hirelens.messaging.services.helpdesk import help_access, help_url, ticket_follow_up

from .conftest import OPENID
from .factories import CandidateFactory
from .test_callbacks import push
from .wechat_push import text_xml

pytestmark = pytest.mark.django_db


def _url(candidate, **kw):
    return help_url(candidate=candidate, **kw)


def test_follow_ups_join_the_open_thread_of_the_same_subject(org, recruiter):
    candidate = CandidateFactory(organization=org)
    first = ticket_open_web(organization_id=org.pk, candidate=candidate, body="摄像头打不开",
                            subject_type="interviews.session", subject_id=7, step="device")
    again = ticket_open_web(organization_id=org.pk, candidate=candidate, body="换了浏览器也不行",
                            subject_type="interviews.session", subject_id=7, step="device")
    other = ticket_open_web(organization_id=org.pk, candidate=candidate, body="预约页面没有时间",
                            subject_type="scheduling.link", subject_id=3)
    assert again.pk == first.pk and other.pk != first.pk
    assert [m.body for m in first.messages.all()] == ["摄像头打不开", "换了浏览器也不行"]
    ticket_reply(actor=recruiter, ticket=first, body="请允许摄像头权限")
    follow = ticket_open_web(organization_id=org.pk, candidate=candidate, body="好了，谢谢",
                             subject_type="interviews.session", subject_id=7)
    first.refresh_from_db()
    assert follow.pk == first.pk and first.status == "open"  # an answered thread reopens with the follow-up
    Ticket.objects.filter(pk=first.pk).update(status="closed")
    fresh = ticket_open_web(organization_id=org.pk, candidate=candidate, body="又打不开了",
                            subject_type="interviews.session", subject_id=7)
    assert fresh.pk != first.pk  # a closed thread stays closed: a new one opens
    someone_else = CandidateFactory(organization=org)
    theirs = ticket_open_web(organization_id=org.pk, candidate=someone_else, body="我也打不开",
                             subject_type="interviews.session", subject_id=7)
    assert theirs.pk not in (first.pk, fresh.pk)
    assert ticket_pending_count(actor=recruiter) == 3


def test_the_candidate_sees_the_whole_thread_and_replies_on_the_web(org, recruiter):
    candidate = CandidateFactory(organization=org)
    url = _url(candidate, page="/i/abc/", step="question:1", subject_type="interviews.session", subject_id=5)
    client = Client()
    response = client.post(url, {"body": "上传一直失败", "page": "/i/…/", "step": "question:1"})
    assert response.status_code == 302
    ticket = Ticket.objects.get()
    assert (ticket.subject_type, ticket.subject_id, ticket.step, ticket.page) == ("interviews.session", 5, "question:1", "/i/…/")
    ticket_reply(actor=recruiter, ticket=ticket, body="请切换到 Wi-Fi 后点“重新上传”。")
    page = client.get(response["Location"]).content.decode()
    assert 'data-testid="help-done"' in page
    assert "上传一直失败" in page and "请切换到 Wi-Fi 后点“重新上传”。" in page and 'data-testid="help-out"' in page
    assert "已回复" in page
    # the reply box of the thread: the answer joins the same ticket and reopens it
    assert client.post(url, {"ticket": ticket.pk, "body": "切换后成功了"}).status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == "open" and ticket.messages.count() == 3
    # the help page of another candidate neither shows nor accepts this ticket
    other = _url(CandidateFactory(organization=org))
    assert "上传一直失败" not in client.get(other).content.decode()
    refused = client.post(other, {"ticket": ticket.pk, "body": "冒充"})
    assert refused.status_code == 400 and "找不到这条对话" in refused.content.decode()
    assert ticket.messages.count() == 3


def test_a_token_for_one_ticket_reaches_only_that_ticket(org):
    from hirelens.messaging.services.helpdesk import help_link_token

    mine = ticket_open_web(organization_id=org.pk, body="链接打不开", contact="a@example.com")
    theirs = ticket_open_web(organization_id=org.pk, body="别人的问题", contact="b@example.com")
    access = help_access(help_link_token(ticket=mine))
    assert access.ticket_id == mine.pk and access.candidate is None
    with pytest.raises(ValidationError):
        ticket_follow_up(access=access, ticket_id=theirs.pk, body="偷看")
    page = Client().get(f"/messaging/help/{help_link_token(ticket=mine)}/").content.decode()
    assert "链接打不开" in page and "别人的问题" not in page and 'data-testid="help-form"' not in page
    assert TicketMessage.objects.filter(ticket=theirs).count() == 1
    from hirelens.messaging.services.helpdesk import WEB_MESSAGES_PER_DAY

    for i in range(WEB_MESSAGES_PER_DAY - 1):
        ticket_follow_up(access=access, ticket_id=mine.pk, body=f"补充 {i}")
    with pytest.raises(ValidationError):  # a visitor's token cannot flood its ticket either
        ticket_follow_up(access=access, ticket_id=mine.pk, body="再补充")
    assert mine.messages.count() == WEB_MESSAGES_PER_DAY


def test_the_answer_reaches_the_candidate_on_wechat_first_with_the_thread_link(org, wechat_account, fake_wechat, recruiter):
    candidate = CandidateFactory(organization=org, email="c@example.com")
    fake_wechat.followers.add(OPENID)
    fake_wechat.user_message(OPENID)
    push(org, text_xml(openid=OPENID, content="你好", msg_id=41))  # the follower writes once: the 48-hour window opens
    WeChatBinding.objects.update(candidate=candidate)
    Ticket.objects.all().delete()
    ticket = ticket_open_web(organization_id=org.pk, candidate=candidate, body="面试链接过期了")
    message = ticket_reply(actor=recruiter, ticket=ticket, body="已为您延长截止时间。").outbound
    message_deliver(message_id=message.pk)
    message.refresh_from_db()
    assert message.channel == "wechat_custom"
    sent = fake_wechat.sent_to("custom")[0]["text"]["content"]
    assert sent.startswith("已为您延长截止时间。\n查看完整对话并回复：http")
    thread = re.search(r"https?://\S+", sent).group(0).split("://", 1)[1].split("/", 1)[1]
    assert "已为您延长截止时间。" in Client().get("/" + thread).content.decode()


def test_first_response_per_day_median_and_share_within_the_goal(org, recruiter):
    now = timezone.now()
    yesterday = (now - timedelta(days=1)).replace(hour=12, minute=0, second=0, microsecond=0)
    earlier = yesterday - timedelta(days=2)

    def ticket(created, wait: timedelta | None):
        t = ticket_open_web(organization_id=org.pk, body="?", contact="x@example.com")
        Ticket.objects.filter(pk=t.pk).update(created_at=created, first_response_at=created + wait if wait is not None else None)

    ticket(yesterday, timedelta(minutes=4))
    ticket(yesterday, timedelta(minutes=10))
    ticket(yesterday, timedelta(minutes=40))  # answered late
    ticket(yesterday, None)  # still waiting, past the goal: missed
    ticket(earlier, timedelta(minutes=2))
    ticket(now - timedelta(minutes=1), None)  # waiting, not yet past the goal: not decided
    ticket(now - timedelta(days=20), timedelta(minutes=1))  # outside the 14 days
    stats = first_response_by_day(actor=recruiter, goal_minutes=15, zone="UTC")
    assert stats["median_minutes"] == 7.0  # 2, 4, 10, 40
    assert stats["within_goal_pct"] == 60  # 3 of the 5 decided
    assert [(d["date"], d["tickets"], d["answered"], d["median_minutes"], d["within_goal_pct"]) for d in stats["days"]] == [
        (now.date(), 1, 0, None, None), (yesterday.date(), 4, 3, 10.0, 50), (earlier.date(), 1, 1, 2.0, 100)]
    hr = Client()
    hr.force_login(recruiter)
    page = hr.get("/messaging/helpdesk/").content.decode()
    assert page.count('data-testid="first-response-day"') == 3 and "60%" in page


def test_the_help_desk_pages_read_in_a_bounded_number_of_queries(org, recruiter):
    candidate = CandidateFactory(organization=org)
    url = _url(candidate)

    def grow(n):
        for i in range(n):
            t = ticket_open_web(organization_id=org.pk, candidate=candidate, body=f"问题 {i}", subject_type="portal.link",
                                subject_id=1000 + Ticket.objects.count())
            ticket_reply(actor=recruiter, ticket=t, body="好的")

    hr = Client()
    hr.force_login(recruiter)
    grow(1)
    Client().get(url), hr.get("/messaging/helpdesk/")  # warm the caches (content types, session)
    with CaptureQueriesContext(connection) as small_help:
        Client().get(url)
    with CaptureQueriesContext(connection) as small_inbox:
        hr.get("/messaging/helpdesk/")
    grow(5)
    with CaptureQueriesContext(connection) as large_help:
        Client().get(url)
    with CaptureQueriesContext(connection) as large_inbox:
        hr.get("/messaging/helpdesk/")
    assert len(large_help) == len(small_help), [q["sql"][:150] for q in large_help.captured_queries]
    assert len(large_inbox) == len(small_inbox), [q["sql"][:150] for q in large_inbox.captured_queries]
    assert hr.get("/messaging/helpdesk/pending/").content.decode().count('data-count="0"') == 1  # all answered


def test_an_answer_to_a_visitor_reaches_the_phone_or_e_mail_they_left(org, recruiter, settings):
    from hirelens.messaging.channels.sms import MemorySmsBackend

    settings.SMS_BACKEND = "hirelens.messaging.channels.sms.MemorySmsBackend"
    MemorySmsBackend.outbox.clear()
    ticket = ticket_open_web(organization_id=org.pk, body="链接打不开", contact="139 0013 8000")
    message = ticket_reply(actor=recruiter, ticket=ticket, body="已为您重新发送。").outbound
    message_deliver(message_id=message.pk)
    message.refresh_from_db()
    assert message.status == "sent" and message.channel == "sms"
    phone, text = MemorySmsBackend.outbox[0]
    assert phone == "139 0013 8000" and "已为您重新发送。\n查看完整对话并回复：http" in text  # with the thread of this ticket
    with pytest.raises(ValidationError):
        ticket_open_web(organization_id=org.pk, body="?", contact="not a contact")
