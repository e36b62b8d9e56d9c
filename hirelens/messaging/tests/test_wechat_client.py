"""The WeChat client against the local fake server: shared access token, token expiry and refresh,
rate limits, system-busy retries, never-retry errors, dedupe keys."""

import pytest

from hirelens.messaging.channels.wxclient import WeixinClient, account_config
from hirelens.messaging.models import AccessToken, ChannelAccount, DeliveryAttempt, Message
from hirelens.messaging.services import message_deliver, message_send
from hirelens.messaging.services.messages import RetryLater

from .factories import CandidateFactory, WeChatBindingFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def follower(org, fake_wechat, wechat_account):
    candidate = CandidateFactory(organization=org, full_name="赵磊", email="zhao.lei@example.com")
    binding = WeChatBindingFactory(candidate=candidate)
    fake_wechat.followers.add(binding.openid)
    return binding


def _invite(org, candidate, **extra):
    return message_send(organization_id=org.pk, kind="invitation", candidate=candidate,
                        variables={"position": "销售代表", "starts_at": "2026-12-01T06:00:00+00:00", "link": "https://x.example/i/1",
                                   "materials": ["10 分钟项目 PPT"]}, **extra)


def _deliver(message):
    message_deliver(message_id=message.pk)
    message.refresh_from_db()
    return message


def test_token_is_fetched_once_and_shared_through_the_database(org, fake_wechat, follower):
    client = WeixinClient(account_config(organization_id=org.pk, provider="wechat"))
    first = client.token()
    # A second client (another process) reads the same row instead of calling the token API again.
    second = WeixinClient(account_config(organization_id=org.pk, provider="wechat")).token()
    assert first == second
    assert fake_wechat.token_calls["stable_token"] == 1
    row = AccessToken.objects.get()
    assert row.refresh_count == 1
    assert first not in str(AccessToken.objects.values_list("token", flat=True).query)  # sanity: not a literal
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT token FROM messaging_accesstoken")
        assert first not in cursor.fetchone()[0]  # encrypted at rest


def test_template_send_with_trimmed_values_and_link(org, fake_wechat, follower):
    message = _deliver(_invite(org, follower.candidate))
    assert message.status == Message.Status.SENT and message.channel == "wechat_template"
    payload = fake_wechat.sent_to("template")[0]
    assert payload["touser"] == follower.openid
    assert payload["template_id"] == "TPL-INVITE"
    assert payload["url"] == "https://x.example/i/1"
    assert payload["data"]["thing1"] == {"value": "销售代表"}
    assert payload["data"]["time2"]["value"].startswith("2026年12月1日（周二）14:00")
    assert len(payload["data"]["time2"]["value"]) <= 20  # rules since 2023-05-04: ≤20 chars, no line breaks
    attempt = message.attempts.get(status="sent")
    assert attempt.provider_id == str(fake_wechat.sent[0]["msgid"])


@pytest.mark.parametrize("code", [42001, 40001])
def test_expired_or_revoked_token_is_refreshed_once_and_the_call_retried(org, fake_wechat, follower, code):
    WeixinClient(account_config(organization_id=org.pk, provider="wechat")).token()
    if code == 42001:
        fake_wechat.expire_tokens()
    else:
        fake_wechat.revoke_tokens()
    message = _deliver(_invite(org, follower.candidate))
    assert message.status == Message.Status.SENT
    assert fake_wechat.token_calls["stable_token"] == 2
    calls = [r for r in fake_wechat.requests if r["path"] == "/cgi-bin/message/template/send"]
    assert len(calls) == 2  # refused once, retried once with the new token
    assert calls[0]["query"]["access_token"] != calls[1]["query"]["access_token"]
    assert len(fake_wechat.sent_to("template")) == 1


def test_system_busy_is_retried_later_and_the_dedupe_key_prevents_a_double_send(org, fake_wechat, follower):
    message = _invite(org, follower.candidate)
    fake_wechat.fail("/cgi-bin/message/template/send", -1)
    with pytest.raises(RetryLater):
        message_deliver(message_id=message.pk)
    message.refresh_from_db()
    assert message.status == Message.Status.SENDING
    assert list(message.attempts.values_list("channel", "status", "error_code")) == [("wechat_template", "retry", "-1")]
    message = _deliver(message)
    assert message.status == Message.Status.SENT
    # The same client_msg_id on every try: a retry after an unseen success is not delivered twice.
    ids = {r["body"]["client_msg_id"] for r in fake_wechat.requests if r["path"] == "/cgi-bin/message/template/send"}
    assert ids == {f"hirelens-{org.pk}-{message.pk}"}
    message_deliver(message_id=message.pk)  # a duplicate job does nothing
    assert len(fake_wechat.sent_to("template")) == 1


def test_minute_quota_waits_a_full_minute(org, fake_wechat, follower):
    message = _invite(org, follower.candidate)
    fake_wechat.fail("/cgi-bin/message/template/send", 45011)
    with pytest.raises(RetryLater) as later:
        message_deliver(message_id=message.pk)
    assert later.value.delay >= 60


def test_daily_quota_falls_back_to_email_and_holds_the_account_until_tomorrow(org, fake_wechat, follower):
    fake_wechat.quota["/cgi-bin/message/template/send"] = 0
    message = _deliver(_invite(org, follower.candidate))
    assert message.status == Message.Status.SENT and message.channel == "email"
    assert list(message.attempts.values_list("channel", "status", "error_code")) == [
        ("wechat_template", "failed", "45009"), ("wechat_subscribe", "skipped", "no_template_for_kind"), ("email", "sent", "")]
    assert ChannelAccount.objects.get(provider="wechat").quota_exhausted_until is not None
    second = _deliver(_invite(org, follower.candidate))
    assert second.attempts.first().error_code == "daily_quota_exhausted"  # not even tried again today
    assert len([r for r in fake_wechat.requests if r["path"] == "/cgi-bin/message/template/send"]) == 1


def test_errors_that_never_succeed_are_not_retried(org, fake_wechat, follower):
    fake_wechat.followers.discard(follower.openid)  # 43004 require subscribe
    message = _deliver(_invite(org, follower.candidate))
    assert message.channel == "email"
    assert message.attempts.get(channel="wechat_template").error_code == "43004"
    assert len([r for r in fake_wechat.requests if r["path"] == "/cgi-bin/message/template/send"]) == 1


def test_transient_failures_give_up_after_three_tries_and_fall_back(org, fake_wechat, follower):
    message = _invite(org, follower.candidate)
    fake_wechat.fail("/cgi-bin/message/template/send", -1, -1, -1)
    for _ in range(2):
        with pytest.raises(RetryLater):
            message_deliver(message_id=message.pk)
    message = _deliver(message)
    assert message.channel == "email"
    assert list(message.attempts.filter(channel="wechat_template").values_list("status", flat=True)) == ["retry", "retry", "failed"]


def test_wrong_secret_is_a_configuration_error_not_retried(org, fake_wechat, follower):
    ChannelAccount.objects.filter(provider="wechat").update()
    account = ChannelAccount.objects.get(provider="wechat")
    account.secret = "wrong"
    account.save()
    message = _deliver(_invite(org, follower.candidate))
    assert message.channel == "email"
    assert message.attempts.get(channel="wechat_template").error_code == "40125"


def test_timeout_on_a_send_without_dedupe_key_is_not_resent(org, fake_wechat, follower, settings):
    from hirelens.messaging.models import SubscribeCredit

    SubscribeCredit.objects.create(organization=org, binding=follower, template_id="SUB-RESULT", remaining=1)
    fake_wechat.consents[(follower.openid, "SUB-RESULT")] = 1
    WeixinClient(account_config(organization_id=org.pk, provider="wechat")).token()
    settings.MESSAGING_HTTP_TIMEOUT = 0.3
    fake_wechat.delay = 1.0
    message = message_send(organization_id=org.pk, kind="result", candidate=follower.candidate,
                           variables={"position": "销售代表", "result": "通过"}, channels=["wechat_subscribe", "email"])
    message = _deliver(message)
    fake_wechat.delay = 0
    attempt = message.attempts.get(channel="wechat_subscribe")
    assert attempt.status == DeliveryAttempt.Status.UNKNOWN
    assert message.channel == "email"
    assert len([r for r in fake_wechat.requests if r["path"] == "/cgi-bin/message/subscribe/bizsend"]) == 1


def test_wecom_message_to_an_interviewer(org, fake_wechat, wechat_account, interviewer, hr_admin):
    from hirelens.messaging.services.config import staff_contact_save

    staff_contact_save(actor=hr_admin, user=interviewer, wecom_userid="LiSi")
    fake_wechat.wecom_users.add("LiSi")
    message = message_send(organization_id=org.pk, kind="interviewer_notice", user=interviewer,
                           variables={"position": "后端工程师", "starts_at": "2026-12-01T06:00:00+00:00", "link": "https://x.example/r/9"})
    message = _deliver(message)
    assert message.channel == "wecom"
    payload = fake_wechat.sent_to("wecom")[0]
    assert payload["touser"] == "LiSi" and payload["msgtype"] == "textcard" and payload["agentid"] == fake_wechat.agent_id
    assert payload["textcard"]["url"] == "https://x.example/r/9"
    assert payload["enable_duplicate_check"] == 1
    # An unknown WeCom user: 81013, never retried, e-mail instead.
    staff_contact_save(actor=hr_admin, user=interviewer, wecom_userid="Nobody")
    message = _deliver(message_send(organization_id=org.pk, kind="interviewer_notice", user=interviewer,
                                    variables={"position": "后端工程师"}))
    assert message.channel == "email"
    assert message.attempts.get(channel="wecom").error_code == "81013"
