"""Time zones in words for templates: ``{{ zone|zone_label }}`` → 北京时间 / Beijing time,
``{{ zone|zone_label_offset }}`` → 北京时间 (UTC+08:00), both in the reader's language."""

from __future__ import annotations

from django import template

from hirelens.scheduling import timezones

register = template.Library()


@register.filter
def zone_label(value) -> str:
    return timezones.zone_label(str(value)) if value else ""


@register.filter
def zone_label_offset(value, at=None) -> str:
    return timezones.zone_label_offset(str(value), at=at) if value else ""
