"""Time zones and times in words for templates, in the reader's language:
``{{ zone|zone_label }}`` → 北京时间 / Beijing time, ``{{ zone|zone_label_offset }}`` → 北京时间 (UTC+08:00),
``{{ moment|when:zone }}`` → 12月13日（周日）16:37 北京时间 / Sun 13 Dec, 16:37 Beijing time,
``{% when_range start end zone %}`` → 12月9日（周三）10:00–11:00 北京时间 (one format for every candidate page)."""

from __future__ import annotations

from django import template

from hirelens.core import timezones

register = template.Library()


@register.filter
def zone_label(value) -> str:
    return timezones.zone_label(str(value)) if value else ""


@register.filter
def zone_label_offset(value, at=None) -> str:
    return timezones.zone_label_offset(str(value), at=at) if value else ""


@register.filter
def when(value, zone="") -> str:
    """A moment in ``zone`` (the active zone when none is given)."""
    return timezones.when_text(value, str(zone or "")) if value else ""


@register.simple_tag
def when_range(start, end, zone="") -> str:
    return timezones.when_text(start, str(zone or ""), end=end) if start else ""
