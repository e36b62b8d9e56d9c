"""HR admin pages for retention (S5): the organization's limits and "即将清除 / Due for purge" with an extension.
At /settings/retention/ (``urls_retention``: the ``retention`` namespace) beside the other organization settings."""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hirelens.candidates.access import access_candidate
from hirelens.candidates.models import Candidate
from hirelens.core.access import require_perm
from hirelens.core.audit import audit_list_read
from hirelens.core.jurisdictions import Jurisdiction
from hirelens.core.params import MAX_OFFSET, query_int
from hirelens.core.roles import Perm

from .access import access_retention_limit
from .retention import (
    due_items,
    jurisdictions_without_limits,
    retention_due_rows,
    retention_extend,
    retention_limits,
    retention_policy_delete,
    retention_policy_update,
)

KIND_LABELS = {"candidate": gettext_lazy("候选人全部数据"), "recordings": gettext_lazy("录像"), "analyses": gettext_lazy("分析结果")}


class PolicyForm(forms.Form):
    candidates_days = forms.IntegerField(label=gettext_lazy("未录用候选人数据保留天数"), min_value=30, max_value=3650)
    recordings_days = forms.IntegerField(label=gettext_lazy("录像保留天数"), min_value=1, max_value=3650)
    analyses_days = forms.IntegerField(label=gettext_lazy("分析结果保留天数"), min_value=1, max_value=3650)


class LimitAddForm(PolicyForm):
    """A jurisdiction's own limits: the jurisdiction among those without a row yet, then the same three counts."""

    jurisdiction = forms.ChoiceField(label=gettext_lazy("适用法域"), choices=())

    field_order = ["jurisdiction", "candidates_days", "recordings_days", "analyses_days"]

    def __init__(self, *args, choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["jurisdiction"].choices = choices


def _initial(policy) -> dict:
    return {"candidates_days": policy.candidates_days, "recordings_days": policy.recordings_days,
            "analyses_days": policy.analyses_days}


class ExtendForm(forms.Form):
    until = forms.DateField(label=gettext_lazy("保留至"), widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(label=gettext_lazy("原因"), max_length=300)


@login_required
def retention(request):
    require_perm(request.user, Perm.ORG_SETTINGS)
    org_id = request.user.organization_id
    limits = retention_limits(organization_id=org_id)
    form = PolicyForm(request.POST or None, initial=_initial(limits[0].policy))
    if request.method == "POST" and form.is_valid():
        retention_policy_update(actor=request.user, request=request, **form.cleaned_data)
        messages.success(request, _("保留期限已保存。"))
        return redirect("retention:index")
    due, total, number = retention_due_rows(organization_id=org_id, within_days=30).page(
        number=query_int(request.GET, "page", default=1, maximum=MAX_OFFSET // 25), per_page=25)
    page = Paginator(range(total), 25).get_page(number)  # the pager's numbers; the rows came with the total
    items = due_items(organization_id=org_id, rows=due, policies=[row.policy for row in limits if row.policy.pk])
    people = Candidate.objects.in_bulk([item.candidate_id for item in items])
    rows = [{"item": item, "candidate": people.get(item.candidate_id), "kind": KIND_LABELS[item.kind],
             "limit": Jurisdiction(item.limit_jurisdiction).label if item.limit_jurisdiction else None}
            for item in items if item.candidate_id in people]
    audit_list_read(request=request, candidates=[r["candidate"] for r in rows])
    default_until = timezone.localdate() + timedelta(days=90)
    return render(request, "privacy/retention.html", {"form": form, "page": page, "rows": rows, "limits": limits,
                                                   "can_add": bool(jurisdictions_without_limits(limits)),
                                                   "extend_form": ExtendForm(initial={"until": default_until})},
                  status=400 if form.errors else 200)


@login_required
def limit_add(request):
    """A jurisdiction's own limits, for one that has none yet (prefilled with the default's)."""
    require_perm(request.user, Perm.ORG_SETTINGS)
    limits = retention_limits(organization_id=request.user.organization_id)
    choices = jurisdictions_without_limits(limits)
    form = LimitAddForm(request.POST or None, choices=choices, initial=_initial(limits[0].policy))
    if request.method == "POST" and form.is_valid():
        retention_policy_update(actor=request.user, request=request, **form.cleaned_data)
        label = Jurisdiction(form.cleaned_data["jurisdiction"]).label
        messages.success(request, _("已添加%(place)s的保留期限。") % {"place": label})
        return redirect("retention:index")
    return render(request, "privacy/retention_limit.html", {"form": form, "limit": None, "default": limits[0],
                                                         "choices": choices}, status=400 if form.errors else 200)


@login_required
def limit_edit(request, jurisdiction: str):
    policy = access_retention_limit(actor=request.user, jurisdiction=jurisdiction)
    limits = retention_limits(organization_id=request.user.organization_id)
    limit = next(row for row in limits if row.jurisdiction == policy.jurisdiction)
    form = PolicyForm(request.POST or None, initial=_initial(policy))
    if request.method == "POST" and form.is_valid():
        retention_policy_update(actor=request.user, request=request, jurisdiction=policy.jurisdiction, **form.cleaned_data)
        messages.success(request, _("%(place)s的保留期限已保存。") % {"place": limit.label})
        return redirect("retention:index")
    return render(request, "privacy/retention_limit.html", {"form": form, "limit": limit, "default": limits[0]},
                  status=400 if form.errors else 200)


@login_required
def limit_remove(request, jurisdiction: str):
    """Removing a jurisdiction's own limits: a page that says what follows (its positions fall back to the default),
    then a POST. Works without JavaScript."""
    policy = access_retention_limit(actor=request.user, jurisdiction=jurisdiction)
    limits = retention_limits(organization_id=request.user.organization_id)
    limit = next(row for row in limits if row.jurisdiction == policy.jurisdiction)
    if request.method == "POST":
        retention_policy_delete(actor=request.user, jurisdiction=policy.jurisdiction, request=request)
        messages.success(request, _("已移除%(place)s的保留期限；其职位改按组织的默认期限保留。") % {"place": limit.label})
        return redirect("retention:index")
    return render(request, "privacy/retention_limit_remove.html", {"limit": limit, "default": limits[0]})


@login_required
def retention_extend_view(request, candidate_id: int):
    require_perm(request.user, Perm.ORG_SETTINGS)
    candidate = access_candidate(actor=request.user, candidate_id=candidate_id)
    form = ExtendForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if form.cleaned_data["until"] <= timezone.localdate():
            form.add_error("until", _("请选择今天之后的日期。"))
        else:
            try:
                retention_extend(actor=request.user, candidate=candidate, request=request, **form.cleaned_data)
            except ValidationError as exc:
                form.add_error("reason", exc.messages[0])
            else:
                messages.success(request, _("已延长 %(name)s 的保留期限。") % {"name": candidate.full_name})
                return redirect("retention:index")
    return render(request, "privacy/retention_extend.html", {"form": form, "candidate": candidate},
                  status=400 if form.errors else 200)
