"""A small client for the WeChat Official Account and WeCom HTTP APIs (contract §1, §8, §9).

* One access token per app, kept in the database (``AccessToken``) so every web and worker process
  shares it; only the process holding the row lock fetches a new one (one token owner, 中控).
* 40001/40014/42001/41001 on a business API: refresh the token once and retry once.
* -1 / 45033 / network errors: ``TransientError`` (the delivery task retries with back-off);
  45011: transient, retry after 60 s; 45009: the daily quota is gone, the account is marked until tomorrow
  and the message falls back; config and recipient errors: ``PermanentError`` (never retried).
* A timeout after the request was sent is ``UnknownOutcome`` unless the call carries a dedupe key.
"""

from __future__ import annotations

import hashlib
import json
import logging
import socket
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from .base import PermanentError, TransientError, UnknownOutcome

logger = logging.getLogger(__name__)

TOKEN_ERRORS = {40001, 40014, 42001, 41001}
TRANSIENT_ERRORS = {-1, 45033}
MINUTE_QUOTA = 45011
DAILY_QUOTA = 45009
TOKEN_MARGIN = timedelta(seconds=300)  # WeChat keeps the old token ~5 min after a refresh: renew before that


class QuotaExhausted(PermanentError):
    """45009: nothing more goes out on this account today; the message falls back at once."""


@dataclass(frozen=True)
class AccountConfig:
    provider: str  # "wechat" | "wecom"
    organization_id: int
    api_base: str
    app_id: str
    secret: str
    token: str = ""
    encoding_aes_key: str = ""
    agent_id: str = ""
    original_id: str = ""
    templates: dict = field(default_factory=dict)
    subscribe_templates: dict = field(default_factory=dict)
    account_id: int | None = None

    @property
    def usable(self) -> bool:
        return bool(self.app_id and self.secret)

    @property
    def token_key(self) -> str:
        return hashlib.sha256(f"{self.provider}|{self.api_base}|{self.app_id}".encode()).hexdigest()


def account_config(*, organization_id: int, provider: str) -> AccountConfig:
    """The organization's own account, each empty field filled from the deployment settings."""
    from hirelens.messaging.models import ChannelAccount

    row = ChannelAccount.objects.filter(organization_id=organization_id, provider=provider).first()
    if provider == "wechat":
        defaults = dict(api_base=settings.WECHAT_API_BASE, app_id=settings.WECHAT_APP_ID, secret=settings.WECHAT_APP_SECRET,
                        token=settings.WECHAT_TOKEN, encoding_aes_key=settings.WECHAT_ENCODING_AES_KEY, agent_id="")
    else:
        defaults = dict(api_base=settings.WECOM_API_BASE, app_id=settings.WECOM_CORP_ID, secret=settings.WECOM_SECRET,
                        token=getattr(settings, "WECOM_TOKEN", None), encoding_aes_key=getattr(settings, "WECOM_ENCODING_AES_KEY", None),
                        agent_id=settings.WECOM_AGENT_ID)
    values = {key: (value or "") for key, value in defaults.items()}
    extra = {}
    if row is not None:
        for key in ("api_base", "app_id", "secret", "token", "encoding_aes_key", "agent_id"):
            if getattr(row, key):
                values[key] = getattr(row, key)
        extra = dict(original_id=row.original_id, templates=row.templates or {}, subscribe_templates=row.subscribe_templates or {},
                     account_id=row.pk)
    values["api_base"] = values["api_base"].rstrip("/")
    return AccountConfig(provider=provider, organization_id=organization_id, **values, **extra)


def http_json(method: str, url: str, *, params: dict | None = None, payload: dict | None = None,
              timeout: float | None = None, dedupe: bool = True) -> dict:
    """One HTTP round trip. Errors before the request left are transient; a timeout after it left is
    transient only when the call carries a dedupe key, otherwise the outcome is unknown."""
    timeout = timeout or settings.MESSAGING_HTTP_TIMEOUT
    if params:
        url = f"{url}?{urllib.parse.urlencode(params)}"
    data = None
    headers = {"Accept": "application/json"}
    if payload is not None:
        data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        headers["Content-Type"] = "application/json; charset=utf-8"
    request = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            body = response.read()
    except urllib.error.HTTPError as exc:
        if exc.code >= 500:
            raise TransientError(f"HTTP {exc.code}", code=f"http{exc.code}") from None
        raise PermanentError(f"HTTP {exc.code}", code=f"http{exc.code}") from None
    except urllib.error.URLError as exc:
        if isinstance(exc.reason, (TimeoutError, socket.timeout)):
            return _timed_out(dedupe)
        raise TransientError(f"network: {exc.reason}", code="network") from None
    except TimeoutError:
        return _timed_out(dedupe)
    except (ConnectionError, OSError) as exc:
        raise TransientError(f"network: {exc}", code="network") from None
    try:
        return json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise TransientError("the API answered something that is not JSON", code="bad_json") from None


def _timed_out(dedupe: bool):
    if dedupe:
        raise TransientError("timeout", code="timeout")
    raise UnknownOutcome("timeout after the request was sent; not re-sent (the API has no dedupe key)", code="timeout")


def raise_for_code(data: dict) -> None:
    code = int(data.get("errcode") or 0)
    if code == 0:
        return
    message = str(data.get("errmsg", ""))[:300]
    if code in TRANSIENT_ERRORS:
        raise TransientError(message, code=str(code))
    if code == MINUTE_QUOTA:
        raise TransientError(message, code=str(code), retry_after=60)
    if code == DAILY_QUOTA:
        raise QuotaExhausted(message, code=str(code))
    if code in TOKEN_ERRORS:
        raise TransientError(message, code=str(code))
    raise PermanentError(message, code=str(code))


class WeixinClient:
    """Calls one account's API with its shared access token."""

    def __init__(self, config: AccountConfig):
        if not config.usable:
            raise PermanentError("the account is not configured", code="not_configured")
        self.config = config

    # --- access token -----------------------------------------------------------------------
    def _fetch_token(self) -> tuple[str, int]:
        cfg = self.config
        if cfg.provider == "wecom":
            data = http_json("GET", f"{cfg.api_base}/cgi-bin/gettoken", params={"corpid": cfg.app_id, "corpsecret": cfg.secret})
        else:
            data = http_json("POST", f"{cfg.api_base}/cgi-bin/stable_token",
                             payload={"grant_type": "client_credential", "appid": cfg.app_id, "secret": cfg.secret,
                                      "force_refresh": False})
        code = int(data.get("errcode") or 0)
        if code in (-1,):
            raise TransientError(str(data.get("errmsg", "")), code=str(code))
        if code or not data.get("access_token"):
            # 40001 from the token API means a wrong secret: a configuration error, never retried.
            raise PermanentError(f"token: {data.get('errmsg', '')}"[:300], code=str(code or "no_token"))
        return str(data["access_token"]), int(data.get("expires_in") or 7200)

    def token(self, *, stale: str | None = None) -> str:
        """The shared token; ``stale`` is one the API just refused, so it must not be handed out again."""
        from hirelens.messaging.models import AccessToken

        key = self.config.token_key
        now = timezone.now()
        row = AccessToken.objects.filter(key=key).first()
        if row and row.token and row.expires_at and row.expires_at - TOKEN_MARGIN > now and row.token != stale:
            return row.token
        try:
            AccessToken.objects.get_or_create(key=key)
        except IntegrityError:
            pass  # another process created it first
        with transaction.atomic():
            row = AccessToken.objects.select_for_update().get(key=key)
            now = timezone.now()
            if row.token and row.expires_at and row.expires_at - TOKEN_MARGIN > now and row.token != stale:
                return row.token  # refreshed by another process while we waited for the lock
            token, expires_in = self._fetch_token()
            row.token, row.expires_at, row.refreshed_at = token, now + timedelta(seconds=expires_in), now
            row.refresh_count += 1
            row.save()
            logger.info("refreshed %s access token for org %s", self.config.provider, self.config.organization_id)
            return token

    # --- business calls ----------------------------------------------------------------------
    def post(self, path: str, payload: dict, *, dedupe: bool) -> dict:
        token = self.token()
        for attempt in range(2):
            data = http_json("POST", f"{self.config.api_base}{path}", params={"access_token": token}, payload=payload, dedupe=dedupe)
            code = int(data.get("errcode") or 0)
            if code in TOKEN_ERRORS and attempt == 0:
                token = self.token(stale=token)
                continue
            if code == DAILY_QUOTA:
                self._mark_quota_exhausted()
            raise_for_code(data)
            return data
        raise TransientError("the access token was refused twice", code="token")  # pragma: no cover

    def _mark_quota_exhausted(self) -> None:
        from hirelens.messaging.models import ChannelAccount

        if self.config.account_id is None:
            return
        tomorrow = timezone.localdate() + timedelta(days=1)
        until = timezone.make_aware(datetime.combine(tomorrow, time.min))
        ChannelAccount.objects.filter(pk=self.config.account_id).update(quota_exhausted_until=until)


def quota_exhausted(config: AccountConfig) -> bool:
    from hirelens.messaging.models import ChannelAccount

    if config.account_id is None:
        return False
    until = ChannelAccount.objects.filter(pk=config.account_id).values_list("quota_exhausted_until", flat=True).first()
    return bool(until and until > timezone.now())
