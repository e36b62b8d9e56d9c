"""In Debian's Chromium on a phone: an HR admin fills in the WeChat account as a form (no JSON box), tests the
connection against the local fake WeChat server, reads the result in words, and saves; nothing overflows the screen."""

import pytest

from hirelens.accounts.tests.factories import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_wechat_settings_on_a_phone(fake_wechat, asgi_server, browser, hr_admin):
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(asgi_server.base_url + "/accounts/login/")
    page.fill("#id_username", hr_admin.email)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit].btn")
    page.wait_for_url("**/")
    page.goto(asgi_server.base_url + "/messaging/settings/")
    form = page.get_by_test_id("wechat-form")
    assert form.locator("textarea[name=templates]").count() == 0  # the mapping is fields, not JSON
    fits = "document.documentElement.scrollWidth <= window.innerWidth + 1"
    assert page.evaluate(fits)
    page.fill("#id_wechat-app_id", fake_wechat.app_id)
    page.fill("#id_wechat-secret", "not-the-secret")
    page.fill("#id_wechat-api_base", fake_wechat.url)
    page.get_by_test_id("wechat-test").click()
    result = page.get_by_test_id("connection-result")
    result.wait_for()
    assert "AppSecret 无效" in result.inner_text() and "40125" in result.inner_text()
    assert page.evaluate(fits)
    page.fill("#id_wechat-secret", fake_wechat.secret)
    page.get_by_test_id("wechat-test").click()
    page.wait_for_selector("[data-testid=connection-result].msg-success")
    assert "连接成功" in page.get_by_test_id("connection-result").inner_text()
    page.fill("#id_wechat-secret", fake_wechat.secret)  # a password box is never refilled by the page
    page.get_by_test_id("wechat-save").click()
    page.wait_for_selector("[data-testid=wechat-secret-set]")
    assert page.locator("#id_wechat-secret").input_value() == "" and fake_wechat.secret not in page.content()
    assert page.evaluate(fits)
    context.close()
