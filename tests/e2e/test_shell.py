"""In Debian's Chromium: log in, see the dashboard in Chinese, switch to English, log out — on a phone-sized screen."""

import pytest

from conftest import wait_for_js
from hirelens.accounts.tests.factories import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_login_dashboard_language_switch_logout(asgi_server, page, hr_admin):
    page.goto(asgi_server.base_url + "/")
    assert "/accounts/login/" in page.url
    assert page.locator("h1").inner_text() == "登录 HireLens"
    page.fill("#id_username", hr_admin.email)
    page.fill("#id_password", "wrong-password")
    page.click("button[type=submit].btn")
    assert "邮箱或密码不正确" in page.locator("[data-testid=login-error]").inner_text()

    page.fill("#id_username", hr_admin.email)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit].btn")
    page.wait_for_selector("[data-testid=dashboard-title]")
    assert page.locator("[data-testid=dashboard-title]").inner_text() == "工作台"
    assert page.evaluate("document.documentElement.lang") == "zh-hans"
    # Phone layout: the navigation sits behind the menu button (Alpine.js, installed from npm).
    assert not page.locator("#main-nav").is_visible()
    page.click(".menu-toggle")
    assert page.locator("#main-nav a", has_text="审计日志").is_visible()

    page.click("[data-testid=lang-en]")
    page.wait_for_selector("html[lang=en]")
    assert page.locator("[data-testid=dashboard-title]").inner_text() == "Dashboard"
    page.click(".menu-toggle")
    assert page.locator("#main-nav a", has_text="Audit log").is_visible()
    wait_for_js(page, "document.body.dataset.live === '1'")  # the events WebSocket is connected

    page.click("[data-testid=logout]")
    page.wait_for_selector("#id_username")
    assert page.locator("h1").inner_text() == "Sign in to HireLens"
    page.goto(asgi_server.base_url + "/audit/")
    assert "/accounts/login/" in page.url


def test_htmx_user_search_updates_rows(asgi_server, page, hr_admin, recruiter, interviewer):
    page.goto(asgi_server.base_url + "/accounts/login/")
    page.fill("#id_username", hr_admin.email)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit].btn")
    page.wait_for_selector("[data-testid=dashboard-title]")
    page.goto(asgi_server.base_url + "/accounts/users/")
    assert page.locator("[data-testid=user-row]").count() == 3
    page.fill("input[name=q]", "recruiter@")
    wait_for_js(page, "document.querySelectorAll('[data-testid=user-row]').length === 1")
    assert recruiter.email in page.locator("[data-testid=user-row]").inner_text()
    assert "q=recruiter" in page.url  # hx-push-url keeps the search in the address bar
