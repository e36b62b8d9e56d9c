"""Typed input for the interviewers' incident buttons (issue 23 §4): the late and substitute forms and the voice-only
switch. A number that is not a whole one is the service's own message (400 as JSON, nothing written)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy
from pydantic import BaseModel, Field, StrictBool

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


BAD_CONSENT = gettext_lazy("授权内容格式不正确，请刷新页面后重试。")


class ConsentIn(BaseModel):
    """The consent step's JSON body (``room.js``): ``{"accepted": {kind: true | false}}``, a plain pydantic model (a
    ninja ``Schema`` would also read attributes of a list or a string, so ``[]`` would pass). A body that is not this
    (not JSON, not an object, a value that is not true/false) is answered 400 with ``BAD_CONSENT``; kinds that the
    room's notices do not name are ignored by ``services.room_consent``."""

    accepted: dict[str, StrictBool] = Field(default_factory=dict, max_length=20)
