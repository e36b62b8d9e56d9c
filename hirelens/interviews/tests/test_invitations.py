"""Issue 16 §4: HR sends an AI video interview from the application; the invitation goes out by the candidate's
channels (real SMTP, the local fake WeChat server) with the link, the notice, the materials and the deadline in
words; reminders before the deadline exactly once and never after submission, withdrawal or expiry; re-send
and revoke from HR's pages, with their permissions; the candidate portal lists the interview."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from django.utils import timezone

from conftest import SMTPSink
from hirelens.interviews.models import Answer, InterviewSession
from hirelens.interviews.services import session_submit
from hirelens.messaging.models import ChannelAccount, Message, Reminder
from hirelens.messaging.services import message_deliver, reminders_dispatch_due
from hirelens.messaging.tests.conftest import fake_wechat  # noqa: F401  (the local fake WeChat server)
from hirelens.messaging.tests.factories import WeChatBindingFactory
from hirelens.workflows import services as workflows
from hirelens.workflows.tests.factories import assign, make_application, make_position

pytestmark = pytest.mark.django_db


def deliver_all() -> None:
    for message in Message.objects.filter(status="queued").order_by("pk"):
        message_deliver(message_id=message.pk)


@pytest.fixture
def application(org, hr_admin):
    """An application at the sales process's AI-video stage, whose settings list two materials."""
    position = make_position(org, title="销售代表", time_zone="Asia/Shanghai")
    process = workflows.process_create(actor=hr_admin, position=position, starter="sales")
    workflows.process_publish(actor=hr_admin, process=process)
    application = make_application(position, "周雨桐")
    workflows.pipeline_start(actor=hr_admin, application=application)
    candidate = application.candidate
    candidate.email = "zhou.yutong@example.com"
    candidate.save()
    return application


def send(client, application, **extra):
    response = client.post(f"/interviews/new/{application.pk}/", {"use_stage": "1", **extra})
    assert response.status_code == 200, response.content.decode()[:2000]
    token = re.search(r"/i/([\w-]+)/", response.content.decode()).group(1)
    return InterviewSession.objects.get(application=application), token, response.content.decode()


def test_invitation_email_has_link_notice_materials_and_deadline_in_words(client, recruiter, application, smtp_server):
    org = application.organization
    org.facial_analysis_enabled = False
    org.save()
    client.force_login(recruiter)
    form = client.get(f"/interviews/new/{application.pk}/").content.decode()
    assert "最近一年的销售业绩数据" in form  # pre-filled from the stage's settings
    session, token, page = send(client, application)
    assert 'data-testid="copy-link"' in page and "面试邀请已发送" in page  # the link still shown once, with a copy button
    assert session.link_token == token and session.materials == "最近一年的销售业绩数据\n安静的环境和稳定的网络"
    deliver_all()
    message = Message.objects.get(kind="ai_interview.invite")
    assert (message.status, message.channel, message.subject_id) == ("sent", "email", str(session.pk))
    mail = smtp_server.wait_for(1)[0]
    assert mail["To"] == "zhou.yutong@example.com" and mail["Subject"] == "AI视频面试邀请：销售代表"
    text = SMTPSink.text_of(mail)
    assert f"/i/{token}/" in text
    assert "本次面试将录制您的视频和声音" in text and "系统会分析您的语音和文字记录" in text
    assert "分析视频中的面部和姿态信号" not in text  # the organization has face analysis off
    assert "请准备：最近一年的销售业绩数据；安静的环境和稳定的网络" in text
    local = session.expires_at.astimezone(timezone.get_fixed_timezone(8 * 60))
    assert f"截止时间：{local.year}年{local.month}月{local.day}日" in text
    assert f"{local:%H:%M} 北京时间（UTC+08:00）" in text


def test_english_invitation_in_the_positions_zone_with_face_analysis(client, hr_admin, application, smtp_server):
    org = application.organization
    org.facial_analysis_enabled = True
    org.save()
    position = application.position
    position.time_zone = "Europe/London"
    position.save()
    client.force_login(hr_admin)
    session, token, _page = send(client, application, language="en", materials="Your latest sales figures")
    assert session.language == "en"
    deliver_all()
    text = SMTPSink.text_of(smtp_server.wait_for(1)[0])
    assert "This interview records your video and voice" in text and "Analyse facial and posture signals" in text
    assert "Please prepare: Your latest sales figures" in text
    local = session.expires_at.astimezone(timezone.get_fixed_timezone(0))
    assert f"{local:%H:%M} London time (UTC+00:00)" in text
    assert "，" not in text.split("\n")[0]  # English text, English punctuation


def test_wechat_template_message_when_the_candidate_is_bound(client, recruiter, application, fake_wechat, smtp_server):  # noqa: F811
    org = application.organization
    ChannelAccount.objects.create(organization=org, provider="wechat", app_id=fake_wechat.app_id, secret=fake_wechat.secret,
                                  templates={"ai_interview.invite": {"template_id": "TPL-INVITE",
                                                                     "fields": {"thing1": "{position}", "time2": "{deadline}",
                                                                                "thing3": "{materials}"}}})
    binding = WeChatBindingFactory(candidate=application.candidate)
    fake_wechat.followers.add(binding.openid)
    client.force_login(recruiter)
    session, token, _page = send(client, application)
    deliver_all()
    message = Message.objects.get(kind="ai_interview.invite")
    assert message.channel == "wechat_template"
    sent = fake_wechat.sent_to("template")
    assert len(sent) == 1 and sent[0]["touser"] == binding.openid and sent[0]["template_id"] == "TPL-INVITE"
    assert sent[0]["data"]["thing1"]["value"] == "销售代表" and f"/i/{token}/" in sent[0]["url"]
    assert smtp_server.messages == []  # WeChat reached the candidate: no e-mail as well
    client.force_login(recruiter)
    detail = client.get(f"/interviews/{session.pk}/").content.decode()
    assert "微信模板消息" in detail and 'data-testid="delivery-attempt"' in detail
    assert 'data-testid="delivery-not-received"' not in detail
    # WeChat's delivery report (TEMPLATESENDJOBFINISH, status "failed:user block") marks the attempt: HR sees it in words
    message.attempts.filter(channel="wechat_template").update(error="delivery: failed:user block")
    detail = client.get(f"/interviews/{session.pk}/").content.decode()
    assert 'data-testid="delivery-not-received"' in detail and "微信报告未送达" in detail and "user block" not in detail


def test_reminders_before_the_deadline_exactly_once_and_not_after_submission(client, recruiter, application, smtp_server):
    client.force_login(recruiter)
    session, token, _page = send(client, application)
    deadline = session.expires_at
    planned = Reminder.objects.filter(subject_type="interviews.interviewsession", subject_id=str(session.pk), status="planned")
    assert sorted(planned.values_list("offset_minutes", flat=True)) == [360, 2880]
    first = deadline - timedelta(hours=47)
    assert reminders_dispatch_due(now=first) == 1
    assert reminders_dispatch_due(now=first) == 0  # a second run (or a second worker) sends nothing more
    deliver_all()
    reminder = Message.objects.get(kind="ai_interview.reminder")
    assert json.loads(reminder.variables)["link"].endswith(f"/i/{token}/")
    mails = smtp_server.wait_for(2)
    reminder_mail = [m for m in mails if m["Subject"].strip().startswith("AI视频面试提醒")][0]
    assert reminder_mail["Subject"].strip() == "AI视频面试提醒：销售代表（2 天后截止）"  # (Python folds long encoded headers)
    assert f"/i/{token}/" in SMTPSink.text_of(reminder_mail) and "北京时间" in SMTPSink.text_of(reminder_mail)
    # the candidate answers every question and submits: the 6-hour reminder never goes out
    for index in range(len(session.questions)):
        Answer.objects.create(organization=session.organization, session=session, question_index=index, status="complete")
    InterviewSession.objects.filter(pk=session.pk).update(state="answering")
    session_submit(session=session)
    assert reminders_dispatch_due(now=deadline - timedelta(hours=5)) == 0
    assert Message.objects.filter(kind="ai_interview.reminder").count() == 1
    assert sorted(Reminder.objects.filter(subject_id=str(session.pk)).values_list("status", flat=True)) == ["cancelled", "sent"]


def test_no_reminder_after_revocation_or_expiry(client, recruiter, application, org, hr_admin):
    client.force_login(recruiter)
    session, _token, _page = send(client, application)
    assert client.post(f"/interviews/{session.pk}/revoke/").status_code == 302
    assert reminders_dispatch_due(now=session.expires_at - timedelta(hours=1)) == 0
    assert not Message.objects.filter(kind="ai_interview.reminder").exists()
    # another candidate who never opens the link: a reminder found only after the deadline is not sent (expired)
    other = make_application(application.position, "吴芳")
    workflows.pipeline_start(actor=hr_admin, application=other)
    session2, _token2, _page = send(client, other)
    assert reminders_dispatch_due(now=session2.expires_at + timedelta(minutes=1)) == 2
    assert not Message.objects.filter(kind="ai_interview.reminder").exists()
    assert set(Reminder.objects.filter(subject_id=str(session2.pk)).values_list("status", flat=True)) == {"expired"}


def test_resend_keeps_the_link_and_revoke_withdraws_it(client, recruiter, application, smtp_server):
    client.force_login(recruiter)
    session, token, _page = send(client, application)
    deliver_all()
    response = client.post(f"/interviews/{session.pk}/resend/")
    assert response.status_code == 302
    deliver_all()
    invites = Message.objects.filter(kind="ai_interview.invite").order_by("pk")
    assert invites.count() == 2
    links = {json.loads(m.variables)["link"] for m in invites}
    assert len(links) == 1 and links.pop().endswith(f"/i/{token}/")  # the same link twice
    assert len(smtp_server.wait_for(2)) == 2
    # re-planned, not doubled: still one planned reminder per offset
    assert Reminder.objects.filter(subject_id=str(session.pk), status="planned").count() == 2
    detail = client.get(f"/interviews/{session.pk}/").content.decode()
    assert detail.count('data-testid="delivery-row"') == 2 and "已发送" in detail and "邮件" in detail
    assert client.get(f"/i/{token}/").status_code == 200
    assert client.post(f"/interviews/{session.pk}/revoke/").status_code == 302
    closed = client.get(f"/i/{token}/")
    assert closed.status_code == 410 and "链接已被招聘方撤回" in closed.content.decode()
    assert not Reminder.objects.filter(subject_id=str(session.pk), status="planned").exists()
    client.post(f"/interviews/{session.pk}/resend/")  # a withdrawn interview is not sent again
    assert Message.objects.filter(kind="ai_interview.invite").count() == 2


def test_interviewers_cannot_send_resend_or_revoke(client, recruiter, interviewer, application, outsider):
    assign(application.position, interviewer, "interviewer")
    client.force_login(recruiter)
    session, token, _page = send(client, application)
    before = Message.objects.count()
    client.force_login(interviewer)
    assert client.get(f"/interviews/new/{application.pk}/").status_code == 403
    assert client.post(f"/interviews/{session.pk}/resend/").status_code in (403, 404)
    assert client.post(f"/interviews/{session.pk}/revoke/").status_code in (403, 404)
    client.force_login(outsider)  # another organization: the same 404 as a missing session
    assert client.post(f"/interviews/{session.pk}/resend/").status_code == 404
    assert client.post(f"/interviews/{session.pk}/revoke/").status_code == 404
    session.refresh_from_db()
    assert session.revoked_at is None and Message.objects.count() == before
    assert "发送AI面试" not in client.get(f"/processes/applications/{application.pk}/").content.decode()


def test_the_button_is_on_the_application_pages(client, recruiter, application):
    client.force_login(recruiter)
    url = f"/interviews/new/{application.pk}/"
    assert url in client.get(f"/candidates/{application.candidate_id}/?tab=applications").content.decode()
    assert url in client.get(f"/processes/applications/{application.pk}/").content.decode()


def test_the_portal_lists_the_interview_with_its_deadline_and_start_button(client, recruiter, application):
    from hirelens.portal.services import portal_link_create, portal_url

    client.force_login(recruiter)
    session, token, _page = send(client, application)
    _link, portal_token = portal_link_create(actor=recruiter, candidate=application.candidate)
    client.logout()
    page = client.get(portal_url(portal_token)).content.decode()
    assert 'data-testid="portal-ai-interview"' in page and "已邀请" in page and "北京时间" in page
    assert f"/i/{token}/" in page and 'data-testid="portal-ai-start"' in page
    InterviewSession.objects.filter(pk=session.pk).update(revoked_at=timezone.now())
    page = client.get(portal_url(portal_token)).content.decode()
    assert 'data-testid="portal-ai-interview"' not in page and f"/i/{token}/" not in page
