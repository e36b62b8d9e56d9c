"""Typed input for the evaluation pages (issue 23 §4): scorecards, amendments, decisions, scorecard settings, fit rules.

A score that is not a whole number is the service's own message ("“沟通能力”的分数必须是整数。") at the form, so the
page answers 400 and nothing is written; the services take ``int`` scores (``None``: not scored), a ``bool`` and a
``dict[str, float]`` and check scale, reasons and the rest again. The API (``api.py``) hands the same typed values
from its Schemas (``RatingIn.score: int | None``, ``DecisionIn.outcome`` a Literal) to the same services.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import Decision

NOT_A_WHOLE_SCORE = gettext_lazy("“%(d)s”的分数必须是整数。")
SCALE_INVALID = gettext_lazy("评分范围无效。")


def _score_field(dimension: str) -> forms.IntegerField:
    return forms.IntegerField(required=False, error_messages={"invalid": NOT_A_WHOLE_SCORE % {"d": dimension}})


class ScorecardForm(forms.Form):
    """``score_<i>`` / ``reason_<i>`` per dimension of the position (in its order), a recommendation and a summary.
    ``ratings()`` gives the services' ``{dimension: {"score": int | None, "reason": str}}``; text is passed as typed
    (the services strip and cut it, as before)."""

    recommendation = forms.CharField(required=False, strip=False)
    summary = forms.CharField(required=False, strip=False)

    def __init__(self, data=None, *, dimensions: list[str], **kwargs):
        super().__init__(data, **kwargs)
        self.dimensions = list(dimensions)
        for i, name in enumerate(self.dimensions):
            self.fields[f"score_{i}"] = _score_field(name)
            self.fields[f"reason_{i}"] = forms.CharField(required=False, strip=False)

    def ratings(self) -> dict[str, dict]:
        data = self.cleaned_data
        return {name: {"score": data.get(f"score_{i}"), "reason": data.get(f"reason_{i}") or ""}
                for i, name in enumerate(self.dimensions)}

    def typed_values(self) -> dict[str, dict]:
        """What was typed, per dimension, to show the page again after an error."""
        return {name: {"score": self[f"score_{i}"].value() or "", "reason": self[f"reason_{i}"].value() or ""}
                for i, name in enumerate(self.dimensions)}


class AmendForm(forms.Form):
    """One dimension of a submitted card: the new score and reason, and why it changed."""

    dimension = forms.CharField(required=False, strip=False)
    score = forms.IntegerField(required=False)
    reason = forms.CharField(required=False, strip=False)
    why = forms.CharField(required=False, strip=False)

    def __init__(self, data=None, **kwargs):
        super().__init__(data, **kwargs)
        dimension = str((data or {}).get("dimension", ""))[:50]
        self.fields["score"].error_messages["invalid"] = NOT_A_WHOLE_SCORE % {"d": dimension}


class DecisionForm(forms.Form):
    """The decision box of the evaluation page; ``services.decision_record`` checks the reasons and evaluations."""

    outcome = forms.ChoiceField(choices=Decision.Outcome.choices, error_messages={
        "required": gettext_lazy("请选择决定。"), "invalid_choice": gettext_lazy("请选择决定。")})
    rationale = forms.CharField(required=False, strip=False)
    next_steps = forms.CharField(required=False, strip=False)
    without_evaluation = forms.BooleanField(required=False)
    without_evaluation_reason = forms.CharField(required=False, strip=False)


class TextListField(forms.Field):
    """Several checkbox values (``getlist``) as strings; which of them count is the service's rule."""

    widget = forms.SelectMultiple

    def to_python(self, value) -> list[str]:
        return [str(item) for item in value or []]


class ScorecardSettingsForm(forms.Form):
    """The position's scale (blank: 1 and 10) and the dimensions that may be shared with the candidate (one the
    position does not have is dropped by the service, as before)."""

    scale_min = forms.IntegerField(required=False, error_messages={"invalid": SCALE_INVALID})
    scale_max = forms.IntegerField(required=False, error_messages={"invalid": SCALE_INVALID})
    shareable = TextListField(required=False)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("scale_min") is None and "scale_min" not in self.errors:
            cleaned["scale_min"] = 1
        if cleaned.get("scale_max") is None and "scale_max" not in self.errors:
            cleaned["scale_max"] = 10
        return cleaned


class FitRuleForm(forms.Form):
    """A fit rule: a label and ``dimension=minimum mean`` per line (lines without ``=`` are ignored, as before)."""

    label = forms.CharField(required=False, strip=False)
    conditions = forms.CharField(required=False, strip=False)

    def clean_conditions(self) -> dict[str, float]:
        conditions: dict[str, float] = {}
        for line in (self.cleaned_data.get("conditions") or "").splitlines():
            if "=" not in line:
                continue
            key, value = line.split("=", 1)
            if not key.strip():
                continue
            try:
                conditions[key.strip()] = float(value.strip())
            except ValueError:
                raise ValidationError(_("条件的分数必须是数字。"), code="not_a_number") from None
        return conditions
