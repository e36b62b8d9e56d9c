"""Webhook subscriptions of an organization and their deliveries (issue 21).

A ``WebhookEndpoint`` names a URL and the event types it wants. Each domain event (``hirelens.core.events``) of those
types becomes one ``WebhookDelivery`` per endpoint, written in the transaction that emitted the event; a worker sends
it (``services.delivery_send``) and records each try as a ``WebhookAttempt``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from hirelens.core.fields import EncryptedTextField
from hirelens.core.models import TenantOwnedModel

# The event types a company may subscribe to (those declared with webhook = True), with their words.
EVENT_LABELS = {
    "candidate.created": _("候选人已创建"),
    "candidate.updated": _("候选人资料已更新"),
    "application.moved": _("申请在流程中推进"),
    "process.published": _("面试流程已发布"),
    "interview.scheduled": _("面试已安排"),
    "interview.rescheduled": _("面试已改期"),
    "interview.cancelled": pgettext_lazy("webhook 事件", "面试已取消"),
    "interview.started": _("AI 视频面试已开始"),
    "interview.submitted": _("AI 视频面试已提交"),
    "interview.analysed": _("AI 视频面试分析完成"),
    "scorecard.submitted": _("评分卡已提交"),
    "decision.recorded": _("已记录决定"),
    "message.failed": _("消息发送失败"),
    "deletion.done": pgettext_lazy("webhook 事件", "候选人数据已删除"),
}

# Why a try had no 2xx answer (the code is stored and given by the API; the words are shown)
ERRORS = {
    "http_status": _("接收方没有返回 2xx"),
    "timeout": _("接收方超时"),
    "connection": _("无法连接接收方"),
    "address_blocked": _("地址是内网或本机地址，不允许投递"),
    "interrupted": _("发送中断（工作进程退出），已重新排队"),
    "disabled": _("Webhook 地址已停用"),
    "expired": _("24 小时内未能送达，已放弃"),
}


def error_label(code: str) -> str:
    return str(ERRORS.get(code, code)) if code else ""


class WebhookEndpoint(TenantOwnedModel):
    """Where to send the organization's events. The secret signs each delivery; it is shown once and kept encrypted.

    After a rotation the previous secret stays valid until ``previous_secret_expires_at`` (24 hours): deliveries then
    carry a signature by each secret, so a receiver can switch at its own pace."""

    url = models.URLField(_("接收地址"), max_length=500)
    description = models.CharField(_("说明"), max_length=200, blank=True)
    event_types = models.JSONField(_("订阅的事件"), default=list)
    active = models.BooleanField(_("启用"), default=True)
    secret = EncryptedTextField()
    previous_secret = EncryptedTextField(blank=True, default="")
    previous_secret_expires_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")

    class Meta:
        verbose_name = _("Webhook 地址")
        verbose_name_plural = _("Webhook 地址")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.url

    def secrets_valid(self, now=None) -> list[str]:
        """The secrets a delivery is signed with now: the current one, and the previous one during its grace period."""
        now = now or timezone.now()
        found = [self.secret]
        if self.previous_secret and self.previous_secret_expires_at and self.previous_secret_expires_at > now:
            found.append(self.previous_secret)
        return found

    def event_labels(self) -> list[str]:
        return [str(EVENT_LABELS.get(t, t)) for t in self.event_types]


class WebhookDelivery(TenantOwnedModel):
    """One event for one endpoint. ``body`` is the exact JSON sent (and signed) on every try."""

    class State(models.TextChoices):
        PENDING = "pending", _("等待发送")
        SENDING = "sending", _("发送中")
        DELIVERED = "delivered", _("已送达")
        FAILED = "failed", _("失败")

    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries")
    event_id = models.CharField(max_length=40, db_index=True)  # the same for every endpoint and every try
    event_type = models.CharField(_("事件"), max_length=64)
    object_key = models.CharField(max_length=80)  # "<kind>:<id>": deliveries about one object go out in order
    body = models.TextField()
    state = models.CharField(_("状态"), max_length=16, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveIntegerField(_("尝试次数"), default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    locked_until = models.DateTimeField(null=True, blank=True)  # a worker's lease while it sends
    give_up_at = models.DateTimeField()
    delivered_at = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    resent_from = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = _("Webhook 投递")
        verbose_name_plural = _("Webhook 投递")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["endpoint", "object_key", "state"], name="webhooks_delivery_order"),
            models.Index(fields=["state", "next_attempt_at"], name="webhooks_delivery_due"),
            models.Index(fields=["endpoint", "-created_at", "-id"], name="webhooks_delivery_log"),
        ]

    def __str__(self) -> str:
        return f"{self.event_type} → {self.endpoint_id}"

    @property
    def event_label(self) -> str:
        return str(EVENT_LABELS.get(self.event_type, self.event_type))


class WebhookAttempt(TenantOwnedModel):
    """One try of a delivery: what the receiver answered (or why there was no answer) and how long it took."""

    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="tries")
    status_code = models.PositiveIntegerField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)
    response_excerpt = models.TextField(blank=True)  # at most RESPONSE_EXCERPT characters
    error = models.CharField(max_length=300, blank=True)
    succeeded = models.BooleanField(default=False)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.delivery_id}: {self.status_code or self.error}"

    @property
    def error_label(self) -> str:
        return error_label(self.error)
