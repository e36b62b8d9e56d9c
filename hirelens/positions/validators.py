"""Validation shared by positions and the apps built on them (processes, scheduling)."""

from __future__ import annotations

from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


@lru_cache(maxsize=1)
def _known_zones() -> frozenset[str]:
    return frozenset(available_timezones())


def validate_time_zone(name: str) -> ZoneInfo:
    """Return the IANA zone, or raise a localized ValidationError for an unknown name."""
    name = (name or "").strip()
    if name not in _known_zones():
        raise ValidationError(_("未知的时区“%(zone)s”，请使用 IANA 名称，例如 Asia/Shanghai。") % {"zone": name},
                              code="unknown_time_zone")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValidationError(_("未知的时区“%(zone)s”，请使用 IANA 名称，例如 Asia/Shanghai。") % {"zone": name},
                              code="unknown_time_zone") from None


def common_time_zones() -> list[str]:
    """The zones offered in pickers: China first, then the rest alphabetically."""
    first = ["Asia/Shanghai", "Asia/Hong_Kong", "Asia/Taipei", "Asia/Singapore", "Asia/Tokyo", "Europe/London",
             "Europe/Berlin", "America/New_York", "America/Los_Angeles", "UTC"]
    rest = sorted(z for z in _known_zones() if "/" in z and not z.startswith(("Etc/", "SystemV/", "posix/", "right/")))
    return first + [z for z in rest if z not in first]


def clean_word_list(values, *, max_items: int = 50, max_length: int = 60) -> list[str]:
    """Trim, drop empties and duplicates (keeping order) from keywords or dimension names."""
    if isinstance(values, str):
        values = values.replace("，", ",").replace("\n", ",").split(",")
    seen, result = set(), []
    for value in values or []:
        value = str(value).strip()
        if value and value not in seen:
            if len(value) > max_length:
                raise ValidationError(_("“%(value)s”太长（最多 %(max)d 个字符）。") % {"value": value[:20], "max": max_length})
            seen.add(value)
            result.append(value)
    if len(result) > max_items:
        raise ValidationError(_("最多 %(max)d 项。") % {"max": max_items})
    return result
