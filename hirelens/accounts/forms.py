from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from hirelens.core.roles import Role
from hirelens.core.timezones import ZoneField


class LoginForm(AuthenticationForm):
    username = forms.EmailField(label=_("邮箱"), widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}))
    error_messages = {
        # One message for unknown e-mail and wrong password alike: nothing to enumerate accounts with.
        "invalid_login": _("邮箱或密码不正确。多次失败后账号将被暂时锁定。"),
        "inactive": _("邮箱或密码不正确。多次失败后账号将被暂时锁定。"),
    }


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("邮箱"))
    full_name = forms.CharField(label=_("姓名"), max_length=150, required=False)
    role = forms.ChoiceField(label=_("角色"), choices=Role.choices)


class InvitationAcceptForm(forms.Form):
    full_name = forms.CharField(label=_("姓名"), max_length=150)
    password1 = forms.CharField(label=_("密码"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    password2 = forms.CharField(label=_("确认密码"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    def clean(self):
        data = super().clean()
        if data.get("password1") and data.get("password1") != data.get("password2"):
            self.add_error("password2", _("两次输入的密码不一致。"))
        return data


class UserEditForm(forms.Form):
    full_name = forms.CharField(label=_("姓名"), max_length=150)
    role = forms.ChoiceField(label=_("角色"), choices=Role.choices)
    is_active = forms.BooleanField(label=_("启用"), required=False)


class TokenForm(forms.Form):
    token = forms.CharField(
        label=_("验证码"), max_length=8,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
    )


class PasswordConfirmForm(forms.Form):
    password = forms.CharField(label=_("当前密码"), widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))


class PreferencesForm(forms.Form):
    """A staff member's own settings: the zone times are shown in (and their e-mails written in) and the language."""

    time_zone = ZoneField(label=_("我的时区"), required=False,
                          help_text=_("留空则使用组织的时区。页面上的时间和发给你的邮件都按这个时区显示。"))
    language = forms.ChoiceField(label=_("语言"), required=False,
                                 choices=[("", _("与组织相同")), ("zh-hans", "简体中文"), ("en", "English")])
