"""The form that creates an API key (typed input at the edge; the rules live in services.api_key_create)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import SCOPE_DOMAINS, SCOPE_LEVELS


class ActingUserField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.full_name} ({obj.email})" if obj.full_name else obj.email


class ApiKeyForm(forms.Form):
    name = forms.CharField(label=_("名称"), max_length=100,
                           help_text=_("调用这个密钥的系统，例如“HRIS 同步”：审计日志中的每次调用都写上这个名称。"))
    user = ActingUserField(label=_("代表的用户"), queryset=None, empty_label=None,
                           help_text=_("调用时按这个用户的角色和分配判断能看到和修改什么。"))
    # not required here: none chosen is the service's refusal, which says what to do
    scopes = forms.MultipleChoiceField(label=_("权限范围"), choices=(), required=False, widget=forms.CheckboxSelectMultiple)
    expires_on = forms.DateField(label=_("有效期至"), required=False, widget=forms.DateInput(attrs={"type": "date"}),
                                 help_text=_("留空表示一直有效，直到吊销。"))
    rate_limit = forms.IntegerField(label=_("每分钟请求上限"), min_value=1, max_value=6000, initial=60)

    def __init__(self, *args, actor, **kwargs):
        from django.contrib.auth import get_user_model

        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = get_user_model().objects.filter(organization_id=actor.organization_id, is_active=True).order_by("full_name", "email")
        self.fields["user"].initial = actor.pk
        self.fields["scopes"].choices = [(f"{d}:{level}", f"{SCOPE_DOMAINS[d]} · {SCOPE_LEVELS[level]}")
                                         for d in SCOPE_DOMAINS for level in SCOPE_LEVELS]

    def scope_rows(self):
        """(domain label, read checkbox, write checkbox) per domain, for a table the keyboard walks row by row."""
        chosen = set(self["scopes"].value() or [])
        return [{"domain": d, "label": SCOPE_DOMAINS[d],
                 "levels": [{"value": f"{d}:{level}", "label": SCOPE_LEVELS[level], "id": f"scope-{d}-{level}",
                             "checked": f"{d}:{level}" in chosen} for level in SCOPE_LEVELS]}
                for d in SCOPE_DOMAINS]
