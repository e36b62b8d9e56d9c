from django import forms
from django.utils.translation import gettext_lazy as _


class PortalProfileForm(forms.Form):
    full_name = forms.CharField(label=_("姓名"), max_length=200)
    phone = forms.CharField(label=_("手机号"), max_length=40, required=False)
    email = forms.CharField(label=_("邮箱"), max_length=254, required=False)
    address = forms.CharField(label=_("地址"), max_length=300, required=False)


class LinkForm(forms.Form):
    days = forms.IntegerField(label=_("有效天数"), min_value=1, max_value=90, initial=14)
