from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from hirelens.core.params import MAX_ID
from hirelens.core.roles import AssignmentRole

from .models import Position
from .validators import clean_keyword_synonyms, clean_word_list, common_time_zones, synonyms_text, validate_time_zone


class PositionForm(forms.Form):
    title = forms.CharField(label=_("职位名称"), max_length=200)
    department = forms.CharField(label=_("部门"), max_length=200, required=False)
    location = forms.CharField(label=_("地点"), max_length=200, required=False)
    time_zone = forms.CharField(label=_("时区"), max_length=64, initial="Asia/Shanghai",
                                widget=forms.TextInput(attrs={"list": "time-zones"}))
    status = forms.ChoiceField(label=_("状态"), choices=Position.Status.choices, initial=Position.Status.OPEN)
    keywords = forms.CharField(label=_("关键词（逗号分隔，分析时统计出现次数）"), required=False)
    keyword_synonyms = forms.CharField(
        label=_("关键词同义词（可选）"), required=False, strip=False,  # line numbers in errors match what HR sees
        help_text=_("每行一个关键词，写在冒号前，同义词用逗号分隔，例如“客户: 顾客, 用户”。说到同义词也算提到这个关键词。"),
        widget=forms.Textarea(attrs={"rows": 3, "autocapitalize": "off", "spellcheck": "false"}))
    scorecard_dimensions = forms.CharField(label=_("评分维度（逗号分隔）"), required=False,
                                           initial="沟通能力, 专业技能, 团队协作, 学习能力")
    description = forms.CharField(label=_("职位描述"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    # issue 20: where the role is, its face switch, and the advance notice of AI interviews
    jurisdiction = forms.ChoiceField(label=_("适用法域"), choices=Position.Jurisdiction.choices, required=False,
                                     initial=Position.Jurisdiction.OTHER,
                                     help_text=_("美国纽约市的职位：AI面试邀请默认须提前 10 个工作日发出。"))
    facial_analysis = forms.ChoiceField(label=_("面部、表情和姿态分析"), choices=Position.Facial.choices, required=False,
                                        initial=Position.Facial.INHERIT,
                                        help_text=_("关闭时，这些数据既不计算也不显示。"))
    advance_notice_days = forms.IntegerField(label=_("AI面试提前告知（工作日，留空按法域默认）"), min_value=0, max_value=60,
                                             required=False)

    time_zones = staticmethod(common_time_zones)

    def clean_time_zone(self):
        value = self.cleaned_data["time_zone"].strip()
        validate_time_zone(value)
        return value

    def clean_jurisdiction(self):
        return self.cleaned_data["jurisdiction"] or Position.Jurisdiction.OTHER

    def clean_facial_analysis(self):
        return self.cleaned_data["facial_analysis"] or Position.Facial.INHERIT

    def clean_keywords(self):
        return clean_word_list(self.cleaned_data["keywords"])

    def clean(self):
        data = super().clean()
        if "keywords" in data and "keyword_synonyms" in data:
            try:
                data["keyword_synonyms"] = clean_keyword_synonyms(data["keyword_synonyms"], keywords=data["keywords"])
            except ValidationError as exc:
                self.add_error("keyword_synonyms", exc)
        return data

    def clean_scorecard_dimensions(self):
        dimensions = clean_word_list(self.cleaned_data["scorecard_dimensions"])
        if not dimensions:
            raise ValidationError(_("评分卡至少需要一个维度。"))
        return dimensions

    @classmethod
    def for_position(cls, position: Position, data=None):
        initial = {
            "title": position.title, "department": position.department, "location": position.location,
            "time_zone": position.time_zone, "status": position.status, "keywords": ", ".join(position.keywords),
            "keyword_synonyms": synonyms_text(position.keyword_synonyms or {}, position.keywords),
            "scorecard_dimensions": ", ".join(position.scorecard_dimensions), "description": position.description,
            "jurisdiction": position.jurisdiction, "facial_analysis": position.facial_analysis,
            "advance_notice_days": position.advance_notice_days,
        }
        return cls(data=data, initial=initial)


PICK_A_MEMBER = _("请选择成员。")


class AssignForm(forms.Form):
    """A member (the view fetches them through the tenancy rule: a foreign or unknown id is a 404) and their role on
    the position (``services.position_assign`` checks both again)."""

    user = forms.IntegerField(min_value=1, max_value=MAX_ID, error_messages={
        "invalid": PICK_A_MEMBER, "required": PICK_A_MEMBER, "min_value": PICK_A_MEMBER, "max_value": PICK_A_MEMBER})
    role = forms.ChoiceField(choices=AssignmentRole.choices, error_messages={
        "invalid_choice": _("无效的角色。"), "required": _("无效的角色。")})
