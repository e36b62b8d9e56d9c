"""Typed input for the fairness pages (issue 23 §4): the report's filters, a saved audit, a version of the impact
assessment and the candidate's voluntary self-identification.

The report's filters are read the way the report page always read them (GET and the audit's POST alike): a
malformed position is "the first position", a malformed date no limit; the services take ``date`` values.
"""

from __future__ import annotations

from datetime import date

from django import forms
from django.utils.translation import gettext_lazy

from hirelens.core.params import MAX_ID

from .models import Race, Sex

PICK_ONE = gettext_lazy("请选择一个选项。")


class LenientDateField(forms.Field):
    """``YYYY-MM-DD`` (what a date input sends; longer text is cut to ten characters) or ``None``: blank or malformed
    means "no date", as the report's filters have always read it."""

    def to_python(self, value) -> date | None:
        text = str(value or "").strip()[:10]
        try:
            return date.fromisoformat(text) if text else None
        except ValueError:
            return None


class LenientIdField(forms.Field):
    """An id, or ``None`` when blank, malformed or out of range (``core.params.query_int``'s rule)."""

    def to_python(self, value) -> int | None:
        text = str(value or "").strip()
        if not text or len(text) > 20 or not text.isdigit():
            return None
        number = int(text)
        return number if 1 <= number <= MAX_ID else None


class FlagField(forms.Field):
    """A checkbox that counts only when it sends ``1``."""

    def to_python(self, value) -> bool:
        return value == "1"


class ReportFilterForm(forms.Form):
    """The report's position, stage (checked against the position's stages by the view), period and small-group flag."""

    position = LenientIdField(required=False)
    stage = forms.CharField(required=False, strip=False)
    start = LenientDateField(required=False)
    end = LenientDateField(required=False)
    exclude_small = FlagField(required=False)


class AuditCreateForm(ReportFilterForm):
    """Saving the report shown as a dated audit; ``services.audit_create`` requires the data source."""

    distribution_date = LenientDateField(required=False)
    data_source = forms.CharField(required=False, strip=False)
    title = forms.CharField(required=False, strip=False)
    exclusion_justification = forms.CharField(required=False, strip=False)


class AuditPublishForm(forms.Form):
    """Publishing an audit; one saved without a distribution date takes it here (the public summary states it)."""

    distribution_date = LenientDateField(required=False)


class PIAVersionForm(forms.Form):
    note = forms.CharField(required=False, strip=False)


class SelfIdentificationForm(forms.Form):
    """Both answers are voluntary (blank: not answered); an unknown value is the service's own message."""

    sex = forms.ChoiceField(required=False, choices=[("", ""), *Sex.choices], error_messages={"invalid_choice": PICK_ONE})
    race = forms.ChoiceField(required=False, choices=[("", ""), *Race.choices], error_messages={"invalid_choice": PICK_ONE})
