"""Typed input for the feedback settings page (issue 23 §4): the survey rule and the feedback rule.

A malformed or out-of-range number is a localized field error on the re-rendered page (400), never a 500; the
services take the typed values and check the same ranges again, so a direct call (the API) stays safe.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from hirelens.core.params import MAX_ID

from .models import DEFAULT_DEADLINE_HOURS, SurveyResponse, SurveyRule

MAX_DEADLINE_HOURS = 24 * 14
MAX_MIN_RESPONSES = 10000
WHOLE_NUMBER = _("请填写整数。")
DEADLINE_RANGE = _("反馈时限须在 1 小时到 14 天之间，且提前发送时间小于时限。")


class WholeNumberField(forms.IntegerField):
    """A whole number in [minimum, maximum]; out of range (or missing when required) says ``message`` as it is (no
    ``%`` formatting: the messages name percentages), anything not a whole number says WHOLE_NUMBER."""

    def __init__(self, *, minimum: int, maximum: int, message, required: bool = True):
        super().__init__(required=required, error_messages={"invalid": WHOLE_NUMBER, "required": message})
        self.minimum, self.maximum, self.message = minimum, maximum, message

    def validate(self, value):
        super().validate(value)
        if value is not None and not self.minimum <= value <= self.maximum:
            raise ValidationError(self.message, code="out_of_range")


def _int_field(*, minimum: int, maximum: int, message, required: bool = True) -> WholeNumberField:
    return WholeNumberField(minimum=minimum, maximum=maximum, message=message, required=required)


class SurveyRuleForm(forms.Form):
    """"Over ``threshold_pct`` % of answers say ``metric`` → suggest ``suggestion``"."""

    metric = forms.ChoiceField(choices=SurveyRule.Metric.choices,
                               error_messages={"required": _("请选择指标。"), "invalid_choice": _("请选择指标。")})
    threshold_pct = _int_field(minimum=1, maximum=100, message=_("阈值须在 1% 到 100% 之间。"))
    min_responses = _int_field(minimum=1, maximum=MAX_MIN_RESPONSES, message=_("最少答卷数须在 1 到 10000 之间。"),
                               required=False)
    per_position = forms.BooleanField(required=False)
    suggestion = forms.CharField(max_length=300, error_messages={"required": _("请填写建议。")})

    def clean_min_responses(self) -> int:
        value = self.cleaned_data.get("min_responses")
        return 5 if value is None else value


class FeedbackRuleForm(forms.Form):
    """The deadline, the "still under review" notice, the shared scores and next steps of a position and stage
    (``position`` blank: the organization's rule); the view fetches the position through its access rule."""

    position = forms.IntegerField(required=False, min_value=1, max_value=MAX_ID, error_messages={"invalid": WHOLE_NUMBER})
    stage_key = forms.CharField(required=False, max_length=32)
    deadline_hours = _int_field(minimum=1, maximum=MAX_DEADLINE_HOURS, message=DEADLINE_RANGE, required=False)
    update_before_hours = _int_field(minimum=0, maximum=MAX_DEADLINE_HOURS, message=DEADLINE_RANGE, required=False)
    share_scores = forms.BooleanField(required=False)
    next_steps_advance = forms.CharField(required=False, max_length=2000)
    next_steps_hold = forms.CharField(required=False, max_length=2000)
    next_steps_reject = forms.CharField(required=False, max_length=2000)
    send_survey = forms.BooleanField(required=False)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("deadline_hours") is None and "deadline_hours" not in self.errors:
            cleaned["deadline_hours"] = DEFAULT_DEADLINE_HOURS
        if cleaned.get("update_before_hours") is None and "update_before_hours" not in self.errors:
            cleaned["update_before_hours"] = 2
        deadline, before = cleaned.get("deadline_hours"), cleaned.get("update_before_hours")
        if deadline is not None and before is not None and before >= deadline:
            self.add_error("update_before_hours", DEADLINE_RANGE)
        return cleaned


def _scale(low: int, high: int, message) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(choices=[(str(v), str(v)) for v in range(low, high + 1)], coerce=int,
                                  error_messages={"required": message, "invalid_choice": message})


class SurveyAnswerForm(forms.Form):
    """The candidate's answers: two choices and two scores (whole numbers), each missing or unknown one a message at
    its question; ``services.survey_submit`` takes the typed values and checks them again."""

    process_length = forms.ChoiceField(choices=SurveyResponse.Length.choices, error_messages={
        "required": _("请选择流程时长的感受。"), "invalid_choice": _("请选择流程时长的感受。")})
    stability = forms.ChoiceField(choices=SurveyResponse.Stability.choices, error_messages={
        "required": _("请选择系统稳定性的感受。"), "invalid_choice": _("请选择系统稳定性的感受。")})
    professionalism = _scale(1, 5, _("面试官专业程度请选 1 到 5 分。"))
    nps = _scale(0, 10, _("推荐意愿请选 0 到 10 分。"))
    comment = forms.CharField(required=False, strip=True)
