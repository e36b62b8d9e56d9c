from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import EVENT_LABELS, WebhookDelivery


class EndpointForm(forms.Form):
    url = forms.CharField(label=_("接收地址"), max_length=500, widget=forms.URLInput(attrs={"placeholder": "https://"}))
    description = forms.CharField(label=_("说明"), max_length=200, required=False)
    event_types = forms.MultipleChoiceField(label=_("订阅的事件"), choices=list(EVENT_LABELS.items()),
                                            widget=forms.CheckboxSelectMultiple)


class EndpointEditForm(EndpointForm):
    active = forms.BooleanField(label=_("启用"), required=False)


class DeliveryFilterForm(forms.Form):
    state = forms.ChoiceField(label=_("状态"), required=False, choices=[("", _("全部"))] + list(WebhookDelivery.State.choices))
