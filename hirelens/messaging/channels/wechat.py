"""WeChat Official Account channels: template messages (§2), one-time subscribe messages (§3, service
account 订阅通知 via bizsend) and customer-service messages inside the 48-hour window (§4)."""

from __future__ import annotations

import re
from datetime import timedelta

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from hirelens.messaging.rendering import render_text

from .base import Channel, DeliveryContext, PermanentError, SendResult, TransientError
from .wxclient import WeixinClient, quota_exhausted

CUSTOM_WINDOW = timedelta(hours=48)
CUSTOM_PER_WINDOW = 5


def one_line(value: str, limit: int) -> str:
    """Keyword values: no line breaks or control characters, at most ``limit`` characters (rules since 2023-05-04)."""
    value = re.sub(r"[\x00-\x1f\x7f]+", " ", str(value)).strip()
    return value if len(value) <= limit else value[: limit - 1] + "…"


# Subscribe-message value rules by key prefix (§3): characters allowed at most.
_SUBSCRIBE_LIMITS = {"thing": 20, "number": 32, "letter": 32, "symbol": 5, "character_string": 32, "phone_number": 17,
                     "car_number": 8, "name": 10, "phrase": 5, "time": 40, "date": 40, "amount": 12}


def subscribe_value(key: str, value: str) -> str:
    prefix = re.sub(r"\d+$", "", key)
    limit = _SUBSCRIBE_LIMITS.get(prefix, 20)
    value = one_line(value, limit + 1)
    if prefix == "character_string":
        value = re.sub(r"[^0-9A-Za-z:/._\-~@#]", "", value)
    return value[:limit]


def _fields(mapping: dict, variables: dict, value_rule) -> dict:
    return {key: {"value": value_rule(key, render_text(str(expr), variables))} for key, expr in mapping.items()}


def _openid(ctx: DeliveryContext) -> str | None:
    binding = ctx.wechat_binding
    if binding is None or not binding.followed:
        return None
    return binding.openid


class WeChatTemplateChannel(Channel):
    code = "wechat_template"

    def unavailable(self, ctx):
        config = ctx.account("wechat")
        if not config.usable:
            return "wechat_not_configured"
        if _openid(ctx) is None:
            return "no_wechat_follower"
        if not (config.templates or {}).get(ctx.message.kind, {}).get("template_id"):
            return "no_template_for_kind"
        if quota_exhausted(config):
            return "daily_quota_exhausted"
        return None

    def send(self, ctx):
        config = ctx.account("wechat")
        mapping = config.templates[ctx.message.kind]
        payload = {
            "touser": _openid(ctx),
            "template_id": mapping["template_id"],
            "client_msg_id": f"hirelens-{ctx.message.organization_id}-{ctx.message.pk}",  # a retry is never sent twice
            "data": _fields(mapping.get("fields") or {}, ctx.variables, lambda _k, v: one_line(v, 20)),
        }
        if ctx.variables.get("link"):
            payload["url"] = ctx.variables["link"]
        data = WeixinClient(config).post("/cgi-bin/message/template/send", payload, dedupe=True)
        return SendResult(provider_id=str(data.get("msgid", "")))


class WeChatSubscribeChannel(Channel):
    """A one-time consent allows exactly one message: the credit is spent before the call and given back
    only when the call certainly did not deliver."""

    code = "wechat_subscribe"

    def _template(self, ctx, config):
        return (config.subscribe_templates or {}).get(ctx.message.kind) or {}

    def unavailable(self, ctx):
        from hirelens.messaging.models import SubscribeCredit

        config = ctx.account("wechat")
        if not config.usable:
            return "wechat_not_configured"
        if _openid(ctx) is None:
            return "no_wechat_follower"
        template_id = self._template(ctx, config).get("template_id")
        if not template_id:
            return "no_template_for_kind"
        if not SubscribeCredit.objects.filter(binding=ctx.wechat_binding, template_id=template_id, remaining__gt=0).exists():
            return "no_subscribe_consent"
        return None

    def send(self, ctx):
        from hirelens.messaging.models import SubscribeCredit

        config = ctx.account("wechat")
        mapping = self._template(ctx, config)
        template_id = mapping["template_id"]
        with transaction.atomic():
            spent = SubscribeCredit.objects.filter(binding=ctx.wechat_binding, template_id=template_id, remaining__gt=0).update(
                remaining=F("remaining") - 1)
        if not spent:
            raise PermanentError("no subscribe consent left", code="no_consent")
        payload = {"touser": _openid(ctx), "template_id": template_id,
                   "data": _fields(mapping.get("fields") or {}, ctx.variables, subscribe_value)}
        if ctx.variables.get("link"):
            payload["page"] = ctx.variables["link"]
        try:
            WeixinClient(config).post("/cgi-bin/message/subscribe/bizsend", payload, dedupe=False)
        except TransientError:
            # Certainly not delivered (the API refused or was unreachable): the consent is still unused.
            SubscribeCredit.objects.filter(binding=ctx.wechat_binding, template_id=template_id).update(remaining=F("remaining") + 1)
            raise
        except PermanentError as exc:
            if exc.code == "43101":  # the user withdrew consent: nothing left to spend
                SubscribeCredit.objects.filter(binding=ctx.wechat_binding, template_id=template_id).update(remaining=0)
            raise
        return SendResult()


class WeChatCustomChannel(Channel):
    """Customer-service text, only within 48 h of the candidate's last message and at most 5 per window."""

    code = "wechat_custom"

    def unavailable(self, ctx):
        config = ctx.account("wechat")
        if not config.usable:
            return "wechat_not_configured"
        binding = ctx.wechat_binding
        if _openid(ctx) is None:
            return "no_wechat_follower"
        if binding.last_inbound_at is None or timezone.now() - binding.last_inbound_at > CUSTOM_WINDOW:
            return "outside_48h_window"
        if binding.custom_sent_in_window >= CUSTOM_PER_WINDOW:
            return "window_quota_used"
        return None

    def send(self, ctx):
        from hirelens.messaging.models import WeChatBinding

        config = ctx.account("wechat")
        content = ctx.message.body if ctx.message.kind == "helpdesk_reply" else f"{ctx.message.subject}\n{ctx.message.body}"
        payload = {"touser": _openid(ctx), "msgtype": "text", "text": {"content": content[:600]}}
        WeixinClient(config).post("/cgi-bin/message/custom/send", payload, dedupe=False)
        WeChatBinding.objects.filter(pk=ctx.wechat_binding.pk).update(custom_sent_in_window=F("custom_sent_in_window") + 1)
        return SendResult()
