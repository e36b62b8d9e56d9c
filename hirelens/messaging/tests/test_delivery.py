"""Delivery through the fallback order: WeChat, one-time subscribe consents, e-mail with .ics over a real
SMTP server, pluggable SMS, nobody reachable (HR is told), idempotency keys, time zones."""

from datetime import UTC, datetime

import pytest
from django.core.exceptions import ValidationError

from conftest import SMTPSink
from hirelens.messaging.channels.sms import MemorySmsBackend
from hirelens.messaging.models import Message, SubscribeCredit
from hirelens.messaging.services import ics_build, message_deliver, message_send
from hirelens.messaging.services.config import message_template_save, messaging_policy_save

from .factories import CandidateFactory, WeChatBindingFactory

pytestmark = pytest.mark.django_db

STARTS = datetime(2026, 12, 1, 6, 0, tzinfo=UTC)
INVITE = {"position": "销售代表", "starts_at": STARTS.isoformat(), "link": "https://hirelens.example/i/abc",
          "steps": ["AI视频面试", "情景模拟"], "materials": ["10 分钟项目 PPT"]}


def deliver(message):
    message_deliver(message_id=message.pk)
    message.refresh_from_db()
    return message


def test_invitation_by_email_with_calendar_invitation_over_real_smtp(org, smtp_server):
    candidate = CandidateFactory(organization=org, full_name="孙悦", email="sun.yue@example.com")
    ics = ics_build(uid="interview-42@hirelens", starts_at=STARTS, ends_at=STARTS.replace(hour=7), summary="面试：销售代表",
                    description="AI视频面试；情景模拟", url=INVITE["link"], attendee_email="sun.yue@example.com")
    message = deliver(message_send(organization_id=org.pk, kind="invitation", candidate=candidate, variables=INVITE, ics=ics,
                                   subject_type="scheduling.interview", subject_id=42))
    assert message.status == Message.Status.SENT and message.channel == "email"
    assert [a.status for a in message.attempts.all()] == ["skipped", "skipped", "sent"]  # no WeChat account, then e-mail
    mail = smtp_server.wait_for(1)[0]
    assert mail["To"] == "sun.yue@example.com"
    assert mail["Subject"] == "面试邀请：销售代表"
    text = SMTPSink.text_of(mail)
    assert "孙悦，您好！" in text
    assert "时间：2026年12月1日（周二）14:00 北京时间（UTC+08:00）" in text  # the zone written out
    assert "流程：AI视频面试；情景模拟" in text and "请准备：10 分钟项目 PPT" in text
    html = mail.get_body(preferencelist=("html",)).get_content()
    assert 'href="https://hirelens.example/i/abc"' in html
    calendar = [part for part in mail.iter_attachments() if part.get_content_type() == "text/calendar"][0]
    body = calendar.get_content()
    assert "DTSTART:20261201T060000Z" in body and "UID:interview-42@hirelens" in body and "METHOD:REQUEST" in body


def test_english_and_another_time_zone(org, smtp_server):
    candidate = CandidateFactory(organization=org, full_name="Emily Chen", email="emily@example.com")
    deliver(message_send(organization_id=org.pk, kind="invitation", candidate=candidate, language="en",
                         variables={**INVITE, "position": "Sales", "time_zone": "Europe/Berlin"}))
    mail = smtp_server.wait_for(1)[0]
    assert mail["Subject"] == "Interview invitation: Sales"
    assert "Time: Tue 01 Dec 2026, 07:00 Berlin time (UTC+01:00)" in SMTPSink.text_of(mail)


def test_wechat_first_then_email(org, fake_wechat, wechat_account, smtp_server):
    candidate = CandidateFactory(organization=org)
    binding = WeChatBindingFactory(candidate=candidate)
    fake_wechat.followers.add(binding.openid)
    message = deliver(message_send(organization_id=org.pk, kind="invitation", candidate=candidate, variables=INVITE))
    assert message.channel == "wechat_template"
    assert smtp_server.messages == []


def test_one_time_subscribe_consent_allows_exactly_one_message(org, fake_wechat, wechat_account, smtp_server):
    candidate = CandidateFactory(organization=org, email="c@example.com")
    binding = WeChatBindingFactory(candidate=candidate)
    fake_wechat.followers.add(binding.openid)
    fake_wechat.consents[(binding.openid, "SUB-RESULT")] = 1
    SubscribeCredit.objects.create(organization=org, binding=binding, template_id="SUB-RESULT", remaining=1)
    variables = {"position": "后端工程师（资深，负责支付系统与风控平台）", "result": "进入下一轮", "next_steps": "HR 会联系您"}
    first = deliver(message_send(organization_id=org.pk, kind="result", candidate=candidate, variables=variables))
    second = deliver(message_send(organization_id=org.pk, kind="result", candidate=candidate, variables=variables))
    assert first.channel == "wechat_subscribe"
    sent = fake_wechat.sent_to("subscribe")[0]
    assert sent["template_id"] == "SUB-RESULT" and len(sent["data"]["thing1"]["value"]) <= 20
    assert sent["data"]["phrase2"]["value"] == "进入下一轮"
    assert second.channel == "email"
    assert second.attempts.get(channel="wechat_subscribe").error_code == "no_subscribe_consent"
    assert SubscribeCredit.objects.get().remaining == 0
    assert len(smtp_server.wait_for(1)) == 1


def test_withdrawn_consent_43101_is_not_retried(org, fake_wechat, wechat_account, smtp_server):
    candidate = CandidateFactory(organization=org)
    binding = WeChatBindingFactory(candidate=candidate)
    fake_wechat.followers.add(binding.openid)
    SubscribeCredit.objects.create(organization=org, binding=binding, template_id="SUB-RESULT", remaining=3)
    message = deliver(message_send(organization_id=org.pk, kind="result", candidate=candidate, variables={"result": "通过"}))
    assert message.channel == "email"
    assert message.attempts.get(channel="wechat_subscribe").error_code == "43101"
    assert SubscribeCredit.objects.get().remaining == 0


def test_nobody_reachable_is_undeliverable_and_hr_is_told(org, django_capture_on_commit_callbacks, monkeypatch):
    events = []
    monkeypatch.setattr("hirelens.messaging.services.messages.publish_on_commit", lambda *args, **kwargs: events.append((*args, kwargs)))
    candidate = CandidateFactory(organization=org, email="", phone="")
    message = deliver(message_send(organization_id=org.pk, kind="invitation", candidate=candidate, variables=INVITE))
    assert message.status == Message.Status.UNDELIVERABLE
    assert message.error == ("wechat_template: wechat_not_configured; wechat_subscribe: wechat_not_configured; "
                             "email: no_email_address; sms: sms_not_configured")
    assert events[0][1] == "messaging.undelivered" and events[0][2]["message"] == message.pk
    assert events[0][3] == {"audience": {"message": message.pk}}


def test_pluggable_sms(org, settings):
    settings.SMS_BACKEND = "hirelens.messaging.channels.sms.MemorySmsBackend"
    MemorySmsBackend.outbox.clear()
    candidate = CandidateFactory(organization=org, email="", phone="13800138000")
    message = deliver(message_send(organization_id=org.pk, kind="reminder", candidate=candidate,
                                   variables={**INVITE, "offset_minutes": 60}))
    assert message.channel == "sms"
    phone, text = MemorySmsBackend.outbox[0]
    assert phone == "13800138000" and text.startswith("面试提醒：销售代表（1 小时后开始）")


def test_channel_order_per_kind_and_idempotency_key(org, hr_admin, smtp_server, settings):
    settings.SMS_BACKEND = "hirelens.messaging.channels.sms.MemorySmsBackend"
    MemorySmsBackend.outbox.clear()
    messaging_policy_save(actor=hr_admin, fallback={"delay": ["sms", "email"]})
    candidate = CandidateFactory(organization=org)
    first = message_send(organization_id=org.pk, kind="delay", candidate=candidate, variables={"minutes": 15}, idempotency_key="i-7-delay")
    again = message_send(organization_id=org.pk, kind="delay", candidate=candidate, variables={"minutes": 15}, idempotency_key="i-7-delay")
    assert first.pk == again.pk and first.channels == ["sms", "email"]
    assert deliver(first).channel == "sms"
    assert "推迟约 15 分钟" in MemorySmsBackend.outbox[0][1]


def test_organization_template_with_unknown_variable_is_refused(org, hr_admin, smtp_server):
    with pytest.raises(ValidationError, match=r"\{salary\}"):
        message_template_save(actor=hr_admin, kind="invitation", language="zh-hans", subject="邀请", body="薪资 {salary}")
    with pytest.raises(ValidationError):
        message_template_save(actor=hr_admin, kind="invitation", language="zh-hans", subject="邀请 {position", body="x")
    message_template_save(actor=hr_admin, kind="invitation", language="zh-hans", subject="【{organization}】{position} 面试",
                          body="{name}：请于 {time} 打开 {link}。{{不是变量}}")
    candidate = CandidateFactory(organization=org, full_name="周杰", email="z@example.com")
    deliver(message_send(organization_id=org.pk, kind="invitation", candidate=candidate, variables=INVITE))
    mail = smtp_server.wait_for(1)[0]
    assert mail["Subject"] == f"【{org.name}】销售代表 面试"
    assert SMTPSink.text_of(mail).strip() == ("周杰：请于 2026年12月1日（周二）14:00 北京时间（UTC+08:00） 打开 "
                                              "https://hirelens.example/i/abc。{不是变量}")


def test_recipient_must_belong_to_the_organization(org, other_org):
    foreign = CandidateFactory(organization=other_org)
    with pytest.raises(ValidationError):
        message_send(organization_id=org.pk, kind="invitation", candidate_id=foreign.pk, variables=INVITE)
    with pytest.raises(ValidationError):
        message_send(organization_id=org.pk, kind="invitation", candidate=foreign, variables=INVITE)
    assert not Message.objects.exists()


def test_message_is_delivered_by_the_job_after_commit(org, smtp_server, django_capture_on_commit_callbacks):
    candidate = CandidateFactory(organization=org, email="job@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        message = message_send(organization_id=org.pk, kind="survey", candidate=candidate,
                               variables={"position": "销售代表", "survey_link": "https://hirelens.example/s/1"})
    message.refresh_from_db()
    assert message.status == Message.Status.SENT
    assert "https://hirelens.example/s/1" in SMTPSink.text_of(smtp_server.wait_for(1)[0])
    assert message.body.startswith(candidate.full_name)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT body, variables FROM messaging_message WHERE id = %s", [message.pk])
        for value in cursor.fetchone():
            assert candidate.full_name not in value and "survey_link" not in value  # encrypted at rest


def test_a_lost_job_is_resumed_by_the_sweeper(org, smtp_server):
    from datetime import timedelta

    from django.utils import timezone

    from hirelens.messaging.services.messages import messages_resume_stalled

    candidate = CandidateFactory(organization=org, email="lost@example.com")
    message = message_send(organization_id=org.pk, kind="survey", candidate=candidate, variables={"survey_link": "https://s"})
    assert messages_resume_stalled() == 0  # fresh: its job may still be on the way
    Message.objects.filter(pk=message.pk).update(updated_at=timezone.now() - timedelta(minutes=5))
    assert messages_resume_stalled() == 1  # the job never ran (e.g. the queue was flushed): delivered now
    message.refresh_from_db()
    assert message.status == "sent" and len(smtp_server.wait_for(1)) == 1
    assert messages_resume_stalled(now=timezone.now() + timedelta(hours=1)) == 0
