"""The settings page reads which part a POST saves through a form (issue 23 §4): only the page's own sections; any
other value (or none) is a 400 that says so in the reader's language and saves nothing."""

import pytest
from django.test import Client

from hirelens.messaging.models import ChannelAccount

pytestmark = pytest.mark.django_db

URL = "/messaging/settings/"


@pytest.mark.parametrize("language,text", [("zh-hans", "未知的设置项，请刷新页面后重试。"),
                                           ("en", "Unknown settings section. Please reload the page and try again.")])
@pytest.mark.parametrize("section", [None, "", "WeChat", "secrets", "policy "])
def test_an_unknown_section_is_refused_in_words(hr_admin, language, text, section):
    client = Client()
    client.force_login(hr_admin)
    client.cookies["django_language"] = language
    data = {"action": "save", "wechat-app_id": "wx1234567890abcdef"}
    if section is not None:
        data["section"] = section
    response = client.post(URL, data)
    assert response.status_code == 400
    assert f'data-testid="settings-error">{text}<' in response.content.decode()
    assert not ChannelAccount.objects.exists()
