"""API keys and idempotency records of the open API (P1)."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from hirelens.core.fields import EncryptedTextField
from hirelens.core.models import TenantOwnedModel

# The scope domains a key can be given, read or write each (write includes read). One per API router.
SCOPE_DOMAINS = {
    "candidates": _("候选人与文档"),
    "positions": pgettext_lazy("权限", "职位"),
    "processes": pgettext_lazy("权限", "面试流程"),
    "applications": _("申请与流程推进"),
    "interviews": _("AI 视频面试与现场面试"),
    "scheduling": _("面试安排"),
    "evaluations": _("评分卡与决定"),
    "feedback": _("反馈与问卷"),
    "messaging": _("消息与服务台"),
    "analytics": _("数据分析与导出"),
    "webhooks": _("Webhook 订阅"),
}
IDEMPOTENCY_TTL = timedelta(hours=24)


SCOPE_LEVELS = {"read": _("只读"), "write": _("读写")}


class ApiKey(TenantOwnedModel):
    """A key an HR admin made for one of the company's systems. The secret is shown once; only its SHA-256 is kept.

    Calls with the key act as ``user`` (whose role and stage permissions apply, exactly as on the pages), limited to
    the key's ``scopes`` (``"candidates:read"``, ``"candidates:write"``, ...)."""

    name = models.CharField(_("名称"), max_length=100)
    prefix = models.CharField(max_length=16, unique=True)  # shown in lists and in the key itself: hl_<prefix>_<secret>
    secret_hash = models.CharField(max_length=64)
    scopes = models.JSONField(_("权限范围"), default=list)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("代表的用户"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    expires_at = models.DateTimeField(_("到期时间"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("吊销时间"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)
    rate_limit = models.PositiveIntegerField(_("每分钟请求上限"), default=60)

    class State(models.TextChoices):  # derived from the dates, not stored
        ACTIVE = "active", _("有效")
        EXPIRED = "expired", _("已过期")
        REVOKED = "revoked", _("已吊销")

    class Meta:
        verbose_name = pgettext_lazy("audit object", "API 密钥")  # one key: "API key #3" in the audit log
        verbose_name_plural = _("API 密钥")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.name

    @property
    def state(self) -> str:
        if self.revoked_at is not None:
            return self.State.REVOKED
        return self.State.ACTIVE if self.is_usable() else self.State.EXPIRED

    @property
    def can_revoke(self) -> bool:
        """Not revoked yet (an expired key too may be revoked): ``services.api_key_revoke`` acts, the keys page offers."""
        return self.revoked_at is None

    @property
    def state_label(self) -> str:
        return str(self.State(self.state).label)

    @property
    def scope_labels(self) -> list[str]:
        """The scopes in words, one per domain, in the order of SCOPE_DOMAINS: "候选人与文档：读写"."""
        from django.utils.translation import gettext

        granted = {}
        for scope in self.scopes or []:
            domain, _sep, level = scope.partition(":")
            if domain in SCOPE_DOMAINS and level in SCOPE_LEVELS and granted.get(domain) != "write":
                granted[domain] = level
        return [gettext("%(domain)s：%(level)s") % {"domain": SCOPE_DOMAINS[d], "level": SCOPE_LEVELS[granted[d]]}
                for d in SCOPE_DOMAINS if d in granted]

    @property
    def masked(self) -> str:
        """How lists show the key: its public prefix only."""
        from .auth import KEY_PREFIX

        return f"{KEY_PREFIX}{self.prefix}_…"

    def is_usable(self, now=None) -> bool:
        now = now or timezone.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)

    def allows(self, domain: str | None, write: bool) -> bool:
        if domain is None:  # an operation about the caller itself (who am I): any key may read it
            return not write
        return f"{domain}:write" in self.scopes or (not write and f"{domain}:read" in self.scopes)


class IdempotencyRecord(models.Model):
    """The first answer to a create that carried ``Idempotency-Key``, kept 24 hours for its retries."""

    owner = models.CharField(max_length=64)  # "key:<id>" or "user:<id>": keys are per caller
    key = models.CharField(max_length=200)
    organization_id = models.BigIntegerField(null=True, db_index=True)
    fingerprint = models.CharField(max_length=64)
    status = models.PositiveSmallIntegerField()
    body = EncryptedTextField()  # the first answer names people (a created candidate): encrypted at rest like them
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["owner", "key"], name="integrations_idempotency_owner_key")]

    def __str__(self) -> str:
        return f"{self.owner} {self.key}"

    @staticmethod
    def owner_of(request) -> str:
        key = getattr(request, "api_key", None)
        return f"key:{key.pk}" if key is not None else f"user:{request.user.pk}"

    def expired(self) -> bool:
        return self.created_at < timezone.now() - IDEMPOTENCY_TTL
