"""With Redis (``HIRELENS_REDIS_URL``), a key's rate limit is one count across processes: 30 calls through this
test process and 30 through a separate uvicorn server use up the 60 a minute, and the 61st is refused in both.

Run with ``-m redis`` and ``HIRELENS_REDIS_URL`` (``make test-redis``)."""

from __future__ import annotations

import urllib.error
import urllib.request

import pytest
from django.conf import settings

from hirelens.integrations.testing import api_client, make_api_key

from .test_keys import ME, fresh_minute

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]


def _remote(base: str, token: str) -> tuple[int, object]:
    request = urllib.request.Request(base + ME, headers={"Authorization": f"Bearer {token}", "Accept-Language": "en"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.headers
    except urllib.error.HTTPError as error:
        return error.code, error.headers


def test_two_processes_share_one_count_per_key(hr_admin, asgi_server):
    assert settings.REDIS_URL and "Redis" in settings.CACHES["default"]["BACKEND"], "run with HIRELENS_REDIS_URL"
    _key, token = make_api_key(hr_admin, ["positions:read"])
    fresh_minute(25)
    local = api_client(token)
    assert [local.get(ME).status_code for _ in range(30)] == [200] * 30
    assert [_remote(asgi_server.base_url, token)[0] for _ in range(30)] == [200] * 30
    status, headers = _remote(asgi_server.base_url, token)
    assert status == 429 and 1 <= int(headers.get("Retry-After")) <= 60
    refused = local.get(ME)
    assert refused.status_code == 429 and refused.json()["code"] == "rate_limited"
    # another key is counted on its own, across both processes too
    _other, other_token = make_api_key(hr_admin, ["positions:read"])
    assert _remote(asgi_server.base_url, other_token)[0] == 200 and api_client(other_token).get(ME).status_code == 200
