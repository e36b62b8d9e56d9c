"""Typed input for scheduling (issue 23 §4): the one rule that turns a posted time window into aware datetimes.

The pages (slot, interview, reschedule, availability) and the API (``api.py``) both bind ``WindowForm``, so a
malformed time, an unknown zone, a local time skipped by daylight saving, an end before the start, an over-long
window and the past are refused with the same localized messages; the services take the aware ``datetime`` values
and check the window again (``services.window_check``), so a direct service call stays safe.
"""

from __future__ import annotations

from datetime import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hirelens.core.forms import IdListField
from hirelens.core.params import MAX_ID
from hirelens.core.timezones import ZoneField, parse_local
from hirelens.positions.validators import validate_time_zone

from .services import window_check

MAX_TIME_TEXT = 40
PICK_A_CANDIDATE = gettext_lazy("请输入候选人姓名并从列表中选择一位。")


class LocalDateTimeField(forms.Field):
    """``"2026-12-10T14:00"`` (a wall-clock time: a naive ``datetime``) or ISO 8601 with an offset (an aware one).
    Anything else, empty included, is the localized "invalid time" message naming what was typed."""

    def to_python(self, value):
        if isinstance(value, datetime):
            return value
        text = (value or "").strip().replace(" ", "T")[:MAX_TIME_TEXT]
        try:
            return datetime.fromisoformat(text)
        except ValueError:
            raise ValidationError(_("时间格式无效：“%(value)s”。") % {"value": text}, code="bad_time") from None

    def validate(self, value):  # to_python already refused an empty value with the message above
        pass


class WindowForm(forms.Form):
    """``start`` / ``end`` in ``time_zone`` (the picker's ``time_zone_iana`` wins over the typed text, as
    ``timezones.ZonePickerWidget``); a blank zone is ``default_zone`` (the position's or the interview's).

    ``cleaned_data`` then holds ``start_at`` and ``end_at`` (aware) and ``zone`` (the IANA name)."""

    start = LocalDateTimeField()
    end = LocalDateTimeField()
    time_zone = ZoneField(required=False)

    def __init__(self, data=None, *args, default_zone: str = "", **kwargs):
        super().__init__(data, *args, **kwargs)
        self.default_zone = default_zone

    def clean(self):
        cleaned = super().clean()
        if "time_zone" in self.errors:
            return cleaned
        zone = (cleaned.get("time_zone") or self.default_zone or "").strip()
        try:
            validate_time_zone(zone)
        except ValidationError as exc:
            self.add_error("time_zone", exc)
            return cleaned
        for name in ("start", "end"):
            if name in cleaned:
                try:
                    cleaned[f"{name}_at"] = parse_local(cleaned[name], zone)
                except ValidationError as exc:
                    self.add_error(name, exc)
        if "start_at" in cleaned and "end_at" in cleaned:
            try:
                window_check(cleaned["start_at"], cleaned["end_at"])
            except ValidationError as exc:
                self.add_error(None, exc)
        cleaned["zone"] = zone
        return cleaned


class RescheduleForm(WindowForm):
    """The new window and the reason told to the attendees."""

    reason = forms.CharField(required=False, max_length=2000)


class CancelForm(forms.Form):
    """The reason (required by ``services.interview_cancel``, which answers a blank one)."""

    reason = forms.CharField(required=False, max_length=2000)


class BookForm(forms.Form):
    """The slot a candidate picks on their booking page. A missing or malformed one books nothing: the view passes
    ``None`` and ``services.interview_book_slot`` answers it as a slot no longer offered."""

    slot = forms.IntegerField(min_value=1, max_value=MAX_ID)


class PicksForm(forms.Form):
    """The ids chosen on the scheduling page: an application (the candidate picker), a stage, interviewers. The views
    fetch each through its access rule; a malformed application is the picker's message, a malformed stage a 404 as
    a missing one."""

    application = forms.IntegerField(required=False, min_value=1, max_value=MAX_ID, error_messages={
        "invalid": PICK_A_CANDIDATE, "min_value": PICK_A_CANDIDATE, "max_value": PICK_A_CANDIDATE})
    stage = forms.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    interviewers = IdListField(required=False, drop_invalid=True)
