"""Typed input for the interviewers' incident buttons (issue 23 §4): the late and substitute forms and the voice-only
switch. A number that is not a whole one is the service's own message (400 as JSON, nothing written)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy

from hirelens.core.params import MAX_ID

MINUTES_MISSING = gettext_lazy("请填写延迟的分钟数。")
PICK_A_SUBSTITUTE = gettext_lazy("请从该职位的面试小组中选择替补面试官。")


class IncidentForm(forms.Form):
    """``minutes`` (late: required, 1..max; substitute: blank = 0) and ``substitute`` (a user id); the ranges and the
    panel are checked by ``incidents.incident_late`` / ``incident_substitute``."""

    minutes = forms.IntegerField(required=False, error_messages={"invalid": MINUTES_MISSING})
    substitute = forms.IntegerField(required=False, min_value=1, max_value=MAX_ID, error_messages={
        "invalid": PICK_A_SUBSTITUTE, "min_value": PICK_A_SUBSTITUTE, "max_value": PICK_A_SUBSTITUTE})


class VoiceOnlyForm(forms.Form):
    """``on=1`` switches the room to voice only; anything else switches video back on."""

    on = forms.CharField(required=False)

    def clean_on(self) -> bool:
        return self.cleaned_data["on"] == "1"
