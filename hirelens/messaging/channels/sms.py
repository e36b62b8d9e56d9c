"""Pluggable SMS: ``HIRELENS_SMS_BACKEND`` names a class with ``send(phone, text) -> str`` (a provider id).

No provider is bundled (each Chinese SMS vendor needs a signed contract and approved templates); the
default is off. ``ConsoleSmsBackend`` logs, ``MemorySmsBackend`` keeps messages for tests.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.utils.module_loading import import_string

from .base import Channel, SendResult

logger = logging.getLogger(__name__)


class SmsBackend:
    def send(self, phone: str, text: str) -> str:  # pragma: no cover - interface
        raise NotImplementedError


class ConsoleSmsBackend(SmsBackend):
    def send(self, phone: str, text: str) -> str:
        logger.info("SMS to ***%s: %s", phone[-4:], text)
        return ""


class MemorySmsBackend(SmsBackend):
    outbox: list[tuple[str, str]] = []

    def send(self, phone: str, text: str) -> str:
        self.outbox.append((phone, text))
        return str(len(self.outbox))


def sms_backend() -> SmsBackend | None:
    path = getattr(settings, "SMS_BACKEND", "") or ""
    return import_string(path)() if path else None


class SmsChannel(Channel):
    code = "sms"

    def unavailable(self, ctx):
        if sms_backend() is None:
            return "sms_not_configured"
        return None if ctx.recipient_phone else "no_phone_number"

    def send(self, ctx):
        text = f"{ctx.message.subject}：{ctx.message.body}" if ctx.message.language != "en" else f"{ctx.message.subject}: {ctx.message.body}"
        provider_id = sms_backend().send(ctx.recipient_phone, text[:500])
        return SendResult(provider_id=str(provider_id or ""))
