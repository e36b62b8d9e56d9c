"""In Debian's Chromium (issue 16 §4): a recruiter opens a candidate's application, clicks "发送AI面试", sends the
process's AI interview; the invitation arrives in the real SMTP server with the link, the notice, the materials
and the deadline in words; the candidate opens the link from the mail and sees the interview; HR withdraws it
(confirming) and the same link then says it was withdrawn."""

import re

import pytest

from conftest import SMTPSink
from hirelens.accounts.tests.factories import PASSWORD
from hirelens.interviews.models import InterviewSession
from hirelens.messaging.models import Message
from hirelens.messaging.services import message_deliver
from hirelens.workflows import services as workflows
from hirelens.workflows.tests.factories import make_application, make_position

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_recruiter_sends_from_the_application_and_the_candidate_opens_the_mail(smtp_server, asgi_server, page, org, recruiter,
                                                                                 hr_admin):
    org.facial_analysis_enabled = False
    org.save()
    position = make_position(org, title="销售代表", time_zone="Asia/Shanghai")
    process = workflows.process_create(actor=hr_admin, position=position, starter="sales")
    workflows.process_publish(actor=hr_admin, process=process)
    application = make_application(position, "周雨桐")
    workflows.pipeline_start(actor=hr_admin, application=application)
    candidate = application.candidate
    candidate.email = "zhou.yutong@example.com"
    candidate.save()

    base = asgi_server.base_url
    page.goto(base + "/accounts/login/")
    page.fill("#id_username", recruiter.email)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit].btn")
    page.wait_for_selector("[data-testid=dashboard-title]")
    page.goto(f"{base}/candidates/{candidate.pk}/?tab=applications")
    page.click("[data-testid=send-ai-interview]")
    page.wait_for_selector("[data-testid=stage-plan]")
    assert "最近一年的销售业绩数据" in page.locator("[data-testid=send-stage-form] textarea").input_value()
    page.click("[data-testid=send-stage]")
    page.wait_for_selector("[data-testid=copy-link]")  # the link, once, as a fallback
    shown = page.locator("[data-testid=interview-link]").input_value()
    assert "/i/" in shown

    session = InterviewSession.objects.get(application=application)
    for message in Message.objects.filter(kind="ai_interview.invite", status="queued"):
        message_deliver(message_id=message.pk)  # what the worker does after commit
    mail = smtp_server.wait_for(1)[0]
    assert mail["To"] == "zhou.yutong@example.com"
    text = SMTPSink.text_of(mail)
    assert "请准备：最近一年的销售业绩数据；安静的环境和稳定的网络" in text and "北京时间" in text
    assert "本次面试将录制您的视频和声音" in text
    path = re.search(r"https?://[^/\s]+(/i/[\w-]+/)", text).group(1)
    assert shown.endswith(path)

    candidate_page = page.context.browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}).new_page()
    candidate_page.goto(base + path)  # the link from the mail
    candidate_page.wait_for_selector("[data-testid=step-welcome]")
    assert "销售代表" in candidate_page.content()

    page.goto(f"{base}/interviews/{session.pk}/")
    assert "已发送" in page.locator("[data-testid=deliveries]").inner_text()
    page.once("dialog", lambda dialog: dialog.accept())  # revoking asks first
    page.click("[data-testid=revoke]")
    page.wait_for_selector("[data-testid=session-revoked]")
    candidate_page.goto(base + path)
    candidate_page.wait_for_selector("[data-testid=link-closed]")
    assert "链接已被招聘方撤回" in candidate_page.content()
    candidate_page.context.close()
