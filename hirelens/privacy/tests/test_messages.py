"""Receipts to the candidate (WeChat first, then e-mail) and the daily reminder to HR."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from hirelens.messaging.models import Message
from hirelens.messaging.tests.conftest import OPENID, fake_wechat, wechat_account  # noqa: F401 - fixtures
from hirelens.privacy import services
from hirelens.privacy.models import PrivacyRequest
from hirelens.privacy.tasks import privacy_reminders_task

from .factories import candidate_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_receipt_goes_by_email_in_the_candidates_language(org, hr_admin, smtp_server, portal_actor):
    candidate = candidate_in(org, full_name="Emily Chen", email="emily@example.com")
    pr = services.privacy_request_create(actor=portal_actor(candidate), candidate=candidate, kind="correct", language="en")
    services.privacy_request_refuse(actor=hr_admin, privacy_request=pr, reason="We need the old number for a running check")
    mail = smtp_server.wait_for(1)[0]
    assert mail["To"] == "emily@example.com"
    assert mail["Subject"] == "Your personal data request has been handled"
    body = smtp_server.text_of(mail)
    assert "Hello Emily Chen," in body
    assert '"Correct my personal data" could not be carried out. Reason: We need the old number for a running check' in body
    assert "Download link" not in body  # no archive: the line is left out


def test_receipt_goes_by_wechat_first(org, hr_admin, wechat_account, fake_wechat):  # noqa: F811
    from hirelens.messaging.models import WeChatBinding

    candidate = candidate_in(org, full_name="王芳")
    WeChatBinding.objects.create(organization=org, candidate=candidate, openid=OPENID)
    fake_wechat.followers.add(OPENID)
    fake_wechat.templates.add("TPL-PRIVACY")
    wechat_account.templates["privacy.receipt"] = {"template_id": "TPL-PRIVACY", "fields": {"thing1": "{result}"}}
    wechat_account.save(update_fields=["templates"])
    pr = services.privacy_request_create(candidate=candidate, kind="correct", actor=hr_admin)
    services.privacy_request_complete(actor=hr_admin, privacy_request=pr, note="手机号已改为新号码")
    message = Message.objects.get(kind="privacy.receipt", candidate=candidate)
    assert (message.status, message.channel) == ("sent", "wechat_template")
    sent = fake_wechat.sent_to("template")[-1]
    assert sent["template_id"] == "TPL-PRIVACY" and sent["touser"] == OPENID
    assert sent["data"]["thing1"]["value"] == "「更正个人信息」已办理：您的个人信息已…"  # a "thing" field holds 20 characters
    assert message.body.split("\n")[2] == "结果：「更正个人信息」已办理：您的个人信息已更正。 说明：手机号已改为新号码"


def test_daily_reminder_names_due_and_overdue_requests_once_a_day(org, hr_admin, recruiter, smtp_server):
    soon = services.privacy_request_create(candidate=candidate_in(org, full_name="张伟"), kind="delete", actor=hr_admin)
    late = services.privacy_request_create(candidate=candidate_in(org, full_name="刘洋"), kind="access", actor=hr_admin)
    later = services.privacy_request_create(candidate=candidate_in(org, full_name="赵敏"), kind="access", actor=hr_admin)
    services.privacy_request_start(actor=recruiter, privacy_request=late)
    now = timezone.now()
    PrivacyRequest.objects.filter(pk=soon.pk).update(due_at=now + timedelta(days=2))
    PrivacyRequest.objects.filter(pk=late.pk).update(due_at=now - timedelta(days=1))
    PrivacyRequest.objects.filter(pk=later.pk).update(due_at=now + timedelta(days=10))
    privacy_reminders_task.call_local()
    mails = smtp_server.wait_for(2)
    by_to = {m["To"]: smtp_server.text_of(m) for m in mails}
    assert set(by_to) == {hr_admin.email, recruiter.email}
    admin_text = by_to[hr_admin.email]
    assert "张伟 · 删除个人信息 · 截止" in admin_text and "刘洋 · 查阅个人信息 · 已逾期" in admin_text and "赵敏" not in admin_text
    assert "刘洋" in by_to[recruiter.email] and "张伟" not in by_to[recruiter.email]  # the assignee hears of their own
    assert "/privacy/requests/?status=due" in admin_text
    privacy_reminders_task.call_local()  # the same day again: nothing more
    assert Message.objects.filter(kind="privacy.reminder").count() == 2
