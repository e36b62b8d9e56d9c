"""Who calls the API: an API key with the operation's scope, or a signed-in browser session (with CSRF).

Each router declares its scope domain: ``Router(tags=[...], auth=api_auth("candidates"))``; an operation that
belongs to another domain overrides it (``@router.post(..., auth=api_auth("applications"))``). GET and HEAD need
``<domain>:read`` (or write); every other method needs ``<domain>:write``. A key acts as its ``user``: that user's
role, assignments and stage permissions apply through the same ``access_*`` functions as the pages.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja.security import HttpBearer, django_auth

from hirelens.core.apitools import ApiProblem

KEY_PREFIX = "hl_"
LAST_USED_GRANULARITY_S = 60  # last use is written at most once a minute per key, not on every call


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def new_key_material() -> tuple[str, str, str]:
    """(prefix, secret, the whole key as shown once)."""
    prefix = secrets.token_hex(4)
    secret = secrets.token_urlsafe(32)
    return prefix, secret, f"{KEY_PREFIX}{prefix}_{secret}"


def parse_key(token: str) -> tuple[str, str] | None:
    if not token.startswith(KEY_PREFIX):
        return None
    prefix, _sep, secret = token[len(KEY_PREFIX):].partition("_")
    if not prefix or not secret:
        return None
    return prefix, secret


def _invalid(detail: str):
    raise ApiProblem(401, _("API 密钥无效。"), detail, code="invalid_api_key",
                     headers={"WWW-Authenticate": 'Bearer realm="hirelens", error="invalid_token"'})


def check_rate(key) -> None:
    """At most ``key.rate_limit`` calls per minute (a fixed window in the cache: Redis when configured, so every
    process shares the count; the embedded default counts per process). Over the limit: 429 with Retry-After."""
    now = int(timezone.now().timestamp())
    window = now // 60
    # named by the key's prefix (unique, random), not its row id: ids restart in a new database on the same Redis
    name = f"hirelens:apikey-rate:{key.prefix}:{window}"
    if cache.add(name, 1, timeout=120):
        count = 1
    else:
        try:
            count = cache.incr(name)
        except ValueError:  # expired between add and incr
            cache.add(name, 1, timeout=120)
            count = 1
    if count > key.rate_limit:
        retry = 60 - now % 60
        raise ApiProblem(429, _("请求过于频繁。"),
                         _("此 API 密钥每分钟最多 %(limit)s 次请求，请 %(seconds)s 秒后再试。") % {"limit": key.rate_limit, "seconds": retry},
                         code="rate_limited", headers={"Retry-After": str(retry)})


class ApiKeyAuth(HttpBearer):
    """``Authorization: Bearer hl_<prefix>_<secret>``."""

    def __init__(self, domain: str | None):
        super().__init__()
        self.domain = domain

    def authenticate(self, request, token: str):
        from .models import ApiKey

        parsed = parse_key(token.strip())
        if parsed is None:
            _invalid(_("密钥格式不正确：应为 hl_ 开头的完整密钥。"))
        prefix, secret = parsed
        key = ApiKey.objects.select_related("user", "organization").filter(prefix=prefix).first()
        if key is None or not hmac.compare_digest(key.secret_hash, hash_secret(secret)):
            _invalid(_("找不到这个密钥。"))
        now = timezone.now()
        if key.revoked_at is not None:
            _invalid(_("这个密钥已被吊销。"))
        if key.expires_at is not None and key.expires_at <= now:
            _invalid(_("这个密钥已过期。"))
        user = key.user
        if not user.is_active or user.organization_id != key.organization_id or not key.organization.is_active:
            _invalid(_("这个密钥代表的用户已停用。"))
        # Every call with a valid key counts towards its rate, a refused one too (a flood of 403s is bounded); a call
        # over the limit is neither audited nor counted as a use.
        check_rate(key)
        user.api_key_name = key.name  # the audit log names the key (core.audit._actor_fields)
        request.api_key = key  # from here on the call is audited (integrations.middleware.ApiCallAuditMiddleware)
        if key.last_used_at is None or (now - key.last_used_at).total_seconds() >= LAST_USED_GRANULARITY_S:
            ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
        write = request.method not in ("GET", "HEAD", "OPTIONS")
        if not key.allows(self.domain, write):
            scope = f"{self.domain}:{'write' if write else 'read'}" if self.domain else _("写入")
            raise ApiProblem(403, _("API 密钥没有所需的权限范围。"), _("需要权限范围：%(scope)s") % {"scope": scope},
                             code="insufficient_scope", required_scope=scope)
        request.user = user
        return key


def api_auth(domain: str | None) -> list:
    """The auth of a router or operation: an API key with ``domain``'s scope, else a browser session (CSRF checked)."""
    return [ApiKeyAuth(domain), django_auth]
