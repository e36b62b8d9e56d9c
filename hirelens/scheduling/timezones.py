"""Turning a wall-clock time in a named zone into an instant, refusing times that do not exist."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from hirelens.positions.validators import validate_time_zone

VIEWER_TZ_COOKIE = "hl_tz"


def parse_local(value: str | datetime, zone_name: str) -> datetime:
    """``"2026-03-08T02:30"`` in ``America/New_York`` → ValidationError (that time is skipped by DST).

    Ambiguous times (the repeated hour when clocks go back) take the first occurrence (fold=0).
    """
    zone = validate_time_zone(zone_name)
    if isinstance(value, datetime):
        naive = value.replace(tzinfo=None)
    else:
        text = (value or "").strip().replace(" ", "T")
        try:
            naive = datetime.fromisoformat(text)
        except ValueError:
            raise ValidationError(_("时间格式无效：“%(value)s”。") % {"value": text[:40]}, code="bad_time") from None
        if naive.tzinfo is not None:
            return naive.astimezone(ZoneInfo("UTC"))
    local = naive.replace(tzinfo=zone, fold=0)
    round_trip = local.astimezone(ZoneInfo("UTC")).astimezone(zone)
    if round_trip.replace(tzinfo=None) != naive:
        raise ValidationError(
            _("%(time)s 在时区 %(zone)s 中不存在（夏令时调整跳过了这段时间），请选择其他时间。")
            % {"time": naive.strftime("%Y-%m-%d %H:%M"), "zone": zone_name}, code="nonexistent_time")
    return local.astimezone(ZoneInfo("UTC"))


def viewer_zone(request, default: str) -> str:
    """The viewer's own zone: the browser's (sent by static/scheduling/tz.js as a cookie) or the default."""
    value = request.COOKIES.get(VIEWER_TZ_COOKIE, "") if request is not None else ""
    try:
        validate_time_zone(value)
    except ValidationError:
        return default
    return value


def in_zone(instant: datetime, zone_name: str) -> datetime:
    return timezone.localtime(instant, ZoneInfo(zone_name))


def duration_minutes(start: datetime, end: datetime) -> int:
    return int((end - start) / timedelta(minutes=1))
