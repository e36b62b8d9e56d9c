"""Per-organization channel order and reminder offsets, with the defaults a new organization gets."""

from __future__ import annotations

from django.conf import settings

from hirelens.messaging.models import Channel, Kind, MessagingPolicy

CANDIDATE_ORDER = [Channel.WECHAT_TEMPLATE, Channel.WECHAT_SUBSCRIBE, Channel.EMAIL, Channel.SMS]
STAFF_ORDER = [Channel.WECOM, Channel.EMAIL]
HELPDESK_ORDER = [Channel.WECHAT_CUSTOM, Channel.WECHAT_TEMPLATE, Channel.EMAIL, Channel.SMS]


def policy_for(organization_id: int) -> MessagingPolicy:
    return MessagingPolicy.objects.filter(organization_id=organization_id).first() or MessagingPolicy(organization_id=organization_id)


def channel_order(*, organization_id: int, kind: str, staff: bool) -> list[str]:
    configured = (policy_for(organization_id).fallback or {}).get(kind)
    if configured:
        return [c for c in configured if c in Channel.values]
    if staff:
        return [str(c) for c in STAFF_ORDER]
    if kind == Kind.HELPDESK_REPLY:
        return [str(c) for c in HELPDESK_ORDER]
    return [str(c) for c in CANDIDATE_ORDER]


def reminder_offsets(organization_id: int) -> list[int]:
    offsets = policy_for(organization_id).reminder_offsets or settings.MESSAGING_REMINDER_OFFSETS
    return sorted({int(o) for o in offsets if int(o) > 0}, reverse=True)
