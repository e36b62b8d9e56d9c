"""HR's pages for notice and choice (issue 20): the notices (every edit a new version) and candidates' requests."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hirelens.core.access import require_perm
from hirelens.core.audit import audit_list_read
from hirelens.core.roles import Perm, user_can

from . import choice
from .models import CandidateRequest


class NoticeForm(forms.Form):
    text_zh = forms.CharField(label=gettext_lazy("中文说明"), max_length=4000, widget=forms.Textarea(attrs={"rows": 5, "lang": "zh-Hans"}))
    text_en = forms.CharField(label=gettext_lazy("英文说明"), max_length=4000, widget=forms.Textarea(attrs={"rows": 5, "lang": "en"}))


class AnswerForm(forms.Form):
    grant = forms.TypedChoiceField(label=gettext_lazy("决定"), coerce=lambda v: v == "1",
                                   choices=[("1", gettext_lazy("同意申请")), ("0", gettext_lazy("不同意申请"))], widget=forms.RadioSelect)
    answer = forms.CharField(label=gettext_lazy("给候选人的答复"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    extra_seconds = forms.IntegerField(label=gettext_lazy("每题增加的作答时间（秒）"), min_value=0, max_value=choice.MAX_EXTRA_SECONDS,
                                       required=False)


@login_required
def notice_index(request):
    rows = choice.notice_list(actor=request.user)
    return render(request, "interviews/notices.html", {"rows": rows})


@login_required
def notice_edit(request, kind: str):
    require_perm(request.user, Perm.ORG_SETTINGS)
    if kind not in choice.EDITABLE_KINDS:
        raise Http404
    row = next(r for r in choice.notice_list(actor=request.user) if r["kind"] == kind)
    current = row["current"]
    form = NoticeForm(request.POST or None, initial={"text_zh": current.text_zh if current else "",
                                                      "text_en": current.text_en if current else ""})
    if request.method == "POST" and form.is_valid():
        try:
            notice = choice.notice_edit(actor=request.user, kind=kind, **form.cleaned_data)
        except ValidationError as exc:
            for text in exc.messages:
                form.add_error(None, text)
        else:
            messages.success(request, _("已保存为第 %(n)s 版。已发出的邀请和已同意的授权仍记录原来的版本。") % {"n": notice.version})
            return redirect("interviews:notices")
    return render(request, "interviews/notice_edit.html", {"form": form, "row": row}, status=400 if form.errors else 200)


@login_required
def request_index(request):
    status = request.GET.get("status", "open")
    if status not in CandidateRequest.Status.values and status != "all":
        status = "open"
    page = Paginator(choice.request_list(actor=request.user, status="" if status == "all" else status), 25).get_page(request.GET.get("page"))
    audit_list_read(request=request, candidates=[i.session.application.candidate for i in page])
    choice.request_arrangements(list(page))
    return render(request, "interviews/requests.html", {"items": page, "page": page, "status": status,
                                                          "statuses": [("open", _("待处理")), ("all", _("全部"))]})


@login_required
def request_detail(request, request_id: int):
    item = choice.access_request(actor=request.user, request_id=request_id)
    can_answer = user_can(request.user, Perm.CANDIDATES_MANAGE) and item.status == CandidateRequest.Status.OPEN
    form = AnswerForm(request.POST or None)
    if request.method == "POST":
        require_perm(request.user, Perm.CANDIDATES_MANAGE)
        if form.is_valid():
            try:
                item = choice.request_answer(actor=request.user, item=item, grant=form.cleaned_data["grant"],
                                             answer=form.cleaned_data["answer"], extra_seconds=form.cleaned_data["extra_seconds"] or 0)
            except ValidationError as exc:
                for text in exc.messages:
                    form.add_error(None, text)
            else:
                messages.success(request, _("已答复，候选人会收到通知。"))
                if item.is_live_arranged and not choice.open_slot_count(item):
                    messages.warning(request, _("候选人已收到预约链接，但这个职位目前没有开放的面试时间段：请在排期页开放时间，"
                                                "或直接为候选人安排面试。"))
                return redirect("interviews:request_detail", request_id=item.pk)
    choice.request_arrangements([item])
    return render(request, "interviews/request_detail.html", {
        "item": item, "form": form, "can_answer": can_answer,
        "open_slots": choice.open_slot_count(item) if item.kind == CandidateRequest.Kind.LIVE_INTERVIEW else None},
        status=400 if form.errors else 200)
