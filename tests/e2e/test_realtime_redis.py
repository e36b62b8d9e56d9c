"""An event sent from a worker process reaches the browser's WebSocket through Redis.

Browser (Chromium) ⇄ uvicorn (Channels, Redis layer) ⇠ Redis ⇠ Huey worker process (Redis queue).
"""

import hashlib
from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from conftest import wait_for_js
from hirelens.accounts.models import Invitation
from hirelens.accounts.services import invitation_accept
from hirelens.accounts.tests.factories import PASSWORD

pytestmark = [pytest.mark.redis, pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_worker_event_reaches_browser_through_redis(asgi_server, start_worker, real_queue, page, hr_admin):
    assert settings.REDIS_URL and settings.CHANNEL_LAYERS["default"]["BACKEND"].startswith("channels_redis")
    start_worker()
    page.goto(asgi_server.base_url + "/accounts/login/")
    page.fill("#id_username", hr_admin.email)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit].btn")
    page.wait_for_selector("[data-testid=dashboard-title]")
    wait_for_js(page, "document.body.dataset.live === '1'")
    page.evaluate("window.__events = []; document.addEventListener('hirelens:invitation.accepted', e => window.__events.push(e.detail))")

    # The token normally arrives by e-mail; the test stores the hash of a token it knows.
    Invitation.objects.create(
        organization=hr_admin.organization, email="live@example.com", role="interviewer", invited_by=hr_admin,
        token_hash=hashlib.sha256(b"known-token-for-the-redis-test").hexdigest(),
        expires_at=timezone.now() + timedelta(days=1),
    )
    invitation_accept(token="known-token-for-the-redis-test", full_name="实时 测试", password="Live-Passw0rd-Redis")

    wait_for_js(page, "window.__events.length === 1", timeout=30000)
    assert page.evaluate("window.__events[0].email") == "live@example.com"
    toast = page.locator(".toast").first
    toast.wait_for()
    assert "实时 测试 已接受邀请" == toast.inner_text()
