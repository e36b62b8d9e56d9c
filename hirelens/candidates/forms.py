from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Application, BackgroundCheck, Candidate, Document


def apply_errors(form: forms.Form, exc) -> None:
    """Show a service's ValidationError on the form (per field where it names one)."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


class CandidateForm(forms.Form):
    full_name = forms.CharField(label=_("姓名"), max_length=200)
    phone = forms.CharField(label=_("手机号"), max_length=40, required=False)
    email = forms.CharField(label=_("邮箱"), max_length=254, required=False)
    id_number = forms.CharField(label=_("身份证号"), max_length=32, required=False)
    address = forms.CharField(label=_("地址"), max_length=300, required=False)
    source = forms.ChoiceField(label=_("来源"), choices=Candidate.Source.choices, initial=Candidate.Source.MANUAL)
    tags = forms.CharField(label=_("标签（逗号分隔）"), max_length=500, required=False)

    def tag_list(self) -> list[str]:
        raw = self.cleaned_data.get("tags", "").replace("，", ",")
        return [t.strip() for t in raw.split(",") if t.strip()]


class _FlagField(forms.Field):
    """A box that counts only when it sends ``1`` (anything else: not ticked)."""

    def to_python(self, value) -> bool:
        return value == "1"


class CandidateEditForm(CandidateForm):
    """The profile tab's form: ``allow_duplicate`` (sent as ``1`` by the duplicate warning's "save anyway")."""

    allow_duplicate = _FlagField(required=False)


class CandidateCreateForm(CandidateForm):
    resume = forms.FileField(label=_("简历（PDF 或 DOCX）"), required=False, allow_empty_file=True)
    allow_duplicate = forms.BooleanField(label=_("确认重复仍然创建"), required=False)


class ResumeForm(forms.Form):
    resume = forms.FileField(label=_("简历（PDF 或 DOCX）"), allow_empty_file=True)


class DocumentForm(forms.Form):
    doc_type = forms.ChoiceField(label=_("类型"), choices=Document.Type.choices)
    file = forms.FileField(label=_("文件（PDF、DOCX、PNG、JPEG）"), allow_empty_file=True)


class ReviewForm(forms.Form):
    status = forms.ChoiceField(label=_("审核状态"), choices=Document.Review.choices)
    note = forms.CharField(label=_("审核意见"), max_length=500, required=False)


class ProjectForm(forms.Form):
    name = forms.CharField(label=_("项目名称"), max_length=200)
    role = forms.CharField(label=_("担任角色"), max_length=200, required=False)
    start_year = forms.CharField(label=_("开始年份"), max_length=4, required=False)
    end_year = forms.CharField(label=_("结束年份"), max_length=4, required=False)
    description = forms.CharField(label=_("项目描述"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    results = forms.CharField(label=_("成果数据（每行一项，如：项目营收 1000万元）"), widget=forms.Textarea(attrs={"rows": 3}),
                              required=False)


class WorkForm(forms.Form):
    employer = forms.CharField(label=_("公司"), max_length=200)
    title = forms.CharField(label=_("职务"), max_length=200, required=False)
    start_year = forms.CharField(label=_("开始年份"), max_length=4, required=False)
    end_year = forms.CharField(label=_("结束年份"), max_length=4, required=False)
    current = forms.BooleanField(label=_("至今"), required=False)


class BackgroundCheckForm(forms.Form):
    provider = forms.CharField(label=_("服务商"), max_length=200)
    status = forms.ChoiceField(label=_("状态"), choices=BackgroundCheck.Status.choices)
    result = forms.CharField(label=_("结果"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    report = forms.FileField(label=_("报告（PDF）"), required=False)


class ApplicationForm(forms.Form):
    position = forms.ModelChoiceField(label=_("职位"), queryset=None)
    stage = forms.CharField(label=_("环节"), max_length=100, required=False)

    def __init__(self, *args, positions=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["position"].queryset = positions


class ApplicationUpdateForm(forms.Form):
    stage = forms.CharField(label=_("环节"), max_length=100, required=False)
    status = forms.ChoiceField(label=_("状态"), choices=Application.Status.choices)
    reason = forms.CharField(label=_("决定理由"), max_length=4000, required=False)
    without_evaluation = forms.BooleanField(label=_("未经评估决定"), required=False)
    without_evaluation_reason = forms.CharField(label=_("未经评估的原因"), max_length=2000, required=False)
