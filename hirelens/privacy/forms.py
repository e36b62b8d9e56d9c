from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from hirelens.core.jurisdictions import law_choices

from .models import ConsentKind, RequestKind


class RequestForm(forms.Form):
    kind = forms.ChoiceField(label=_("请求类型"), choices=RequestKind.choices, widget=forms.RadioSelect)
    consent_kind = forms.ChoiceField(label=_("撤回哪一项同意"), choices=[("", _("（仅撤回同意时选择）")), *ConsentKind.choices],
                                     required=False, widget=forms.Select(attrs={"style": "width:100%"}))
    details = forms.CharField(label=_("说明（可不填）"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3, "style": "width:100%"}))


class RefuseForm(forms.Form):
    reason = forms.CharField(label=_("拒绝理由（会告知候选人）"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))


class CompleteForm(forms.Form):
    note = forms.CharField(label=_("处理说明（会告知候选人，可不填）"), required=False, max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 2}))


class SettingsForm(forms.Form):
    jurisdiction = forms.ChoiceField(label=_("适用法律"), choices=law_choices)
    days_access = forms.IntegerField(label=_("查阅期限（天）"), min_value=1, max_value=90, required=False)
    days_export = forms.IntegerField(label=_("导出期限（天）"), min_value=1, max_value=90, required=False)
    days_correct = forms.IntegerField(label=_("更正期限（天）"), min_value=1, max_value=90, required=False)
    days_delete = forms.IntegerField(label=_("删除期限（天）"), min_value=1, max_value=90, required=False)
    days_withdraw_consent = forms.IntegerField(label=_("撤回同意期限（天）"), min_value=1, max_value=90, required=False)
    export_link_days = forms.IntegerField(label=_("导出下载链接有效期（天）"), min_value=1, max_value=30)
    use_defaults = forms.BooleanField(label=_("使用所选法律的默认期限"), required=False)
