"""In Debian's Chromium on a phone-sized screen, by keyboard where it matters: the HR admin opens API keys from the
organization settings, creates a key (checkboxes per scope), sees it once with a copy button and a warning, the key
works against the API, and revoking it asks first; afterwards the list says 已吊销 and the key is refused."""

from __future__ import annotations

import urllib.error
import urllib.request

import pytest

from conftest import in_thread, staff_login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _me(base: str, token: str) -> int:
    request = urllib.request.Request(base + "/api/v1/accounts/me", headers={"Authorization": f"Bearer {token}"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_hr_admin_creates_copies_and_revokes_a_key(asgi_server, page, hr_admin):
    base = asgi_server.base_url
    staff_login(page, base, hr_admin)
    page.goto(base + "/settings/")
    page.click("[data-testid=settings-api-keys]")
    page.wait_for_url("**/settings/api-keys/")
    assert page.locator("[data-testid=api-keys-empty]").is_visible()
    page.click("[data-testid=api-key-new]")
    page.fill("#id_name", "HRIS 同步")
    page.focus("#scope-positions-read")
    page.keyboard.press("Space")  # a checkbox by keyboard
    page.check("#scope-candidates-write")
    page.fill("#id_rate_limit", "30")
    page.click("[data-testid=api-key-create]")
    secret = page.locator("[data-testid=api-key-secret]")
    token = secret.input_value()
    assert token.startswith("hl_") and len(token) > 40
    assert "只显示这一次" in page.locator("[data-testid=api-key-warning]").inner_text()
    page.click("[data-testid=api-key-copy]")
    # the clipboard write is asynchronous: the button says so once it is done (not at once under load)
    page.wait_for_selector("[data-testid=api-key-copy]:has-text('已复制')", timeout=10000)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")  # no sideways scroll at 390 px
    assert _me(base, token) == 200

    from hirelens.integrations.models import ApiKey

    key = in_thread(lambda: ApiKey.objects.get(name="HRIS 同步"))
    assert (key.scopes, key.rate_limit) == (["candidates:write", "positions:read"], 30)
    page.click("[data-testid=api-key-done]")
    row = page.locator(f"[data-testid=api-key-row][data-key='{key.pk}']")
    assert token not in page.content()
    assert row.locator("[data-testid=api-key-state]").inner_text() == "有效"
    row.locator("[data-testid=api-key-revoke]").click()
    assert "吊销 API 密钥“HRIS 同步”？" in page.locator("h1").inner_text()
    page.click("[data-testid=api-key-revoke-cancel]")  # changing one's mind changes nothing
    assert _me(base, token) == 200
    row.locator("[data-testid=api-key-revoke]").click()
    page.locator("[data-testid=api-key-revoke-confirm]").focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/settings/api-keys/")
    assert row.locator("[data-testid=api-key-state]").inner_text() == "已吊销"
    assert row.locator("[data-testid=api-key-revoke]").count() == 0
    assert _me(base, token) == 401
