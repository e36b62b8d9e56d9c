"""The channel settings page (issue 16 §4): real forms with validation, write-only secrets, and a "test connection"
button that asks the configured base URL for an access token and explains the answer in words."""

import socket

import pytest
from django.test import Client

from hirelens.messaging.models import AccessToken, ChannelAccount

from .conftest import AES_KEY

pytestmark = pytest.mark.django_db

URL = "/messaging/settings/"


@pytest.fixture
def admin_client(hr_admin):
    client = Client()
    client.force_login(hr_admin)
    return client


def _wechat(client, language="zh-hans", **fields):
    data = {"section": "wechat", "action": fields.pop("action", "save")}
    data.update({f"wechat-{key}": value for key, value in fields.items()})
    return client.post(URL, data, HTTP_ACCEPT_LANGUAGE=language)


def test_wechat_form_validates_each_field(admin_client, org):
    response = _wechat(admin_client, app_id="wx123", token="a b", encoding_aes_key="x" * 42, original_id="gh_zz",
                       api_base="ftp://example.com", tpl_0="TPL INVITE", tplmap_0="thing1 {position}", sub_1="SUB-R")
    page = response.content.decode()
    assert response.status_code == 400
    for message in ("AppID 应以 wx 开头，共 18 位字母或数字。", "回调 Token 必须是 3 到 32 个字母或数字。",
                    "EncodingAESKey 必须是 43 个字母或数字", "原始 ID 应以 gh_ 开头", "第 1 行应写成“关键词 = 内容”",
                    "请填写模板的字段，例如 thing1 = {position}。"):
        assert message in page, message
    assert not ChannelAccount.objects.exists()
    response = _wechat(admin_client, "en", app_id="wx123", encoding_aes_key="x" * 44)
    page = response.content.decode()
    assert "An AppID starts with wx and has 18 letters or digits." in page and "must be 43 letters or digits" in page


def test_secrets_are_write_only_and_stay_encrypted(admin_client, org):
    response = _wechat(admin_client, app_id="wx5f1e0c1d2a3b4c5d", secret="very-secret-value", token="cbToken123",
                       encoding_aes_key=AES_KEY, original_id="gh_3f0e1d2c3b4a", api_base="https://wx-proxy.example.com/",
                       tpl_0="TPL-INVITE", tplmap_0="thing1 = {position}\ntime2 = {time}", sub_8="SUB-RESULT",
                       submap_8="thing1 = {position}\nphrase2 = {result}")
    assert response.status_code == 302
    account = ChannelAccount.objects.get(organization=org, provider="wechat")
    assert (account.secret, account.token, account.encoding_aes_key, account.api_base) == (
        "very-secret-value", "cbToken123", AES_KEY, "https://wx-proxy.example.com")
    assert account.templates == {"invitation": {"template_id": "TPL-INVITE", "fields": {"thing1": "{position}", "time2": "{time}"}}}
    assert account.subscribe_templates == {"result": {"template_id": "SUB-RESULT", "fields": {"thing1": "{position}", "phrase2": "{result}"}}}
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT secret FROM messaging_channelaccount WHERE id = %s", [account.pk])
        assert "very-secret-value" not in str(cursor.fetchone()[0])  # encrypted at rest
    page = admin_client.get(URL).content.decode()
    assert "very-secret-value" not in page and "cbToken123" not in page and AES_KEY not in page
    assert 'data-testid="wechat-secret-set"' in page and "已设置" in page
    assert 'value="TPL-INVITE"' in page and "time2 = {time}" in page  # the mapping comes back as lines, not JSON
    assert '"template_id"' not in page
    # an empty secret box keeps the stored secret; a new value replaces it
    _wechat(admin_client, app_id="wx5f1e0c1d2a3b4c5d", tpl_0="TPL-INVITE", tplmap_0="thing1 = {position}")
    account.refresh_from_db()
    assert account.secret == "very-secret-value" and account.token == "cbToken123"
    _wechat(admin_client, app_id="wx5f1e0c1d2a3b4c5d", secret="replaced-secret")
    account.refresh_from_db()
    assert account.secret == "replaced-secret" and account.templates == {}


def test_test_connection_against_the_fake_wechat_server(admin_client, org, fake_wechat):
    good = {"app_id": fake_wechat.app_id, "secret": fake_wechat.secret, "api_base": fake_wechat.url, "action": "test"}
    response = _wechat(admin_client, **good)
    page = response.content.decode()
    assert response.status_code == 200 and "连接成功：已取得访问令牌（有效期 120 分钟）。" in page
    assert fake_wechat.token_calls["stable_token"] == 1 and not ChannelAccount.objects.exists()  # testing saves nothing
    assert not AccessToken.objects.exists()  # and does not touch the delivery jobs' shared token

    page = _wechat(admin_client, **{**good, "app_id": "wx0000000000000000"}).content.decode()
    assert "AppID 无效：请检查是否复制完整，并确认是公众号的 AppID。" in page and "错误码 40013" in page
    page = _wechat(admin_client, "en", **{**good, "secret": "wrong"}).content.decode()
    assert "Invalid AppSecret: reset it in the Official Account back office and enter the new one." in page
    assert "error code 40125" in page.lower() or "40125" in page

    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{sock.getsockname()[1]}"
    page = _wechat(admin_client, **{**good, "api_base": closed}).content.decode()
    assert "无法连接到接口地址" in page

    # a stored account: the secret is not typed again, the stored one is used
    _wechat(admin_client, app_id=fake_wechat.app_id, secret=fake_wechat.secret, api_base=fake_wechat.url)
    page = _wechat(admin_client, app_id=fake_wechat.app_id, api_base=fake_wechat.url, action="test").content.decode()
    assert "连接成功" in page


def test_test_connection_timeout_and_wecom(admin_client, org, fake_wechat, settings):
    from hirelens.messaging.services import connection

    fake_wechat.delay = 1.5
    connection.TEST_TIMEOUT_S, saved = 0.5, connection.TEST_TIMEOUT_S
    try:
        page = _wechat(admin_client, app_id=fake_wechat.app_id, secret=fake_wechat.secret, api_base=fake_wechat.url,
                       action="test").content.decode()
    finally:
        connection.TEST_TIMEOUT_S = saved
        fake_wechat.delay = 0
    assert "秒内没有响应（超时）" in page
    data = {"section": "wecom", "action": "test", "wecom-app_id": fake_wechat.corp_id, "wecom-secret": fake_wechat.corp_secret,
            "wecom-agent_id": str(fake_wechat.agent_id), "wecom-api_base": fake_wechat.url}
    assert "连接成功" in admin_client.post(URL, data).content.decode()
    page = admin_client.post(URL, {**data, "wecom-app_id": "ww0000000000000000"}).content.decode()
    assert "CorpID 无效：请检查企业 ID 是否复制完整。" in page
    page = admin_client.post(URL, {**data, "wecom-agent_id": "abc", "action": "save"}).content.decode()
    assert "AgentID 是一串数字，例如 1000002。" in page and not ChannelAccount.objects.filter(provider="wecom").exists()


def test_only_hr_admins_configure_or_test(recruiter, fake_wechat):
    client = Client()
    client.force_login(recruiter)
    response = client.post(URL, {"section": "wechat", "action": "test", "wechat-app_id": fake_wechat.app_id,
                                 "wechat-secret": fake_wechat.secret, "wechat-api_base": fake_wechat.url})
    assert response.status_code == 403 and fake_wechat.token_calls["stable_token"] == 0
