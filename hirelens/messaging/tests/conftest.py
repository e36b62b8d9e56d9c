"""Fixtures of the messaging tests: the fake WeChat/WeCom server and an organization wired to it."""

from __future__ import annotations

import pytest

from hirelens.messaging.models import ChannelAccount

from .fake_wechat import FakeWeChat

AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
CALLBACK_TOKEN = "hirelens-callback-token"
OPENID = "oKx9a5Y2bP3cQ4dR5eS6fT7gU8h"


@pytest.fixture
def fake_wechat(settings):
    fake = FakeWeChat().start()
    settings.WECHAT_API_BASE = fake.url
    settings.WECOM_API_BASE = fake.url
    settings.WECHAT_QR_BASE = fake.url
    settings.MESSAGING_HTTP_TIMEOUT = 2.0
    fake.templates.update({"TPL-INVITE", "TPL-REMIND", "SUB-RESULT"})
    yield fake
    fake.stop()


@pytest.fixture
def wechat_account(org, fake_wechat):
    """The organization's own official account (credentials encrypted at rest) and WeCom app."""
    account = ChannelAccount.objects.create(
        organization=org, provider="wechat", app_id=fake_wechat.app_id, secret=fake_wechat.secret, token=CALLBACK_TOKEN,
        encoding_aes_key=AES_KEY, original_id="gh_3f0e1d2c3b4a",
        templates={
            "invitation": {"template_id": "TPL-INVITE", "fields": {"thing1": "{position}", "time2": "{time}", "thing3": "{materials}"}},
            "reminder": {"template_id": "TPL-REMIND", "fields": {"thing1": "{position}", "time2": "{time}"}},
            "helpdesk_reply": {"template_id": "TPL-INVITE", "fields": {"thing1": "{reply}"}},
        },
        subscribe_templates={"result": {"template_id": "SUB-RESULT", "fields": {"thing1": "{position}", "phrase2": "{result}"}}},
    )
    ChannelAccount.objects.create(organization=org, provider="wecom", app_id=fake_wechat.corp_id, secret=fake_wechat.corp_secret,
                                  agent_id=str(fake_wechat.agent_id))
    return account
