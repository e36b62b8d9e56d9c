"""Merging two duplicate records: side by side, a choice per field, a confirmation step, undo (services/merge.py)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hirelens.core.audit import audit_list_read
from hirelens.core.flash import flash_errors
from hirelens.core.params import MAX_ID

from . import selectors
from .access import access_candidate_for_edit
from .models import CandidateMerge
from .services import merge as merging


class MergeForm(forms.Form):
    """One radio per merge row; ``confirm`` is set only by the confirmation step's button."""

    confirm = forms.BooleanField(required=False)

    def __init__(self, *args, rows, **kwargs):
        super().__init__(*args, **kwargs)
        for row in rows:
            choices = [("primary", row["primary"]), ("duplicate", row["duplicate"])]
            if row["both"]:
                choices.append(("both", _("两者都保留")))
            self.fields[f"keep_{row['field']}"] = forms.ChoiceField(choices=choices, initial=row["default"])

    def choices(self) -> dict[str, str]:
        return {name[5:]: value for name, value in self.cleaned_data.items() if name.startswith("keep_")}


class DuplicatePickForm(forms.Form):
    """The record to merge into this one (a link's query or the form's hidden field); blank: pick from the list."""

    duplicate = forms.IntegerField(required=False, min_value=1, max_value=MAX_ID)


class MergeUndoForm(forms.Form):
    merge = forms.IntegerField(min_value=1, max_value=MAX_ID)


def _back(candidate, tab="profile"):
    return redirect(reverse("candidates:detail", args=[candidate.pk]) + f"?tab={tab}")


@login_required
def candidate_merge(request, candidate_id: int):
    """GET: both records side by side (or, without ``duplicate``, this record's duplicates to pick from).
    POST: the confirmation summary; POST with ``confirm``: the merge. Nothing is written before the confirmation."""
    primary = access_candidate_for_edit(actor=request.user, candidate_id=candidate_id)
    pick = DuplicatePickForm(request.POST if request.method == "POST" else request.GET)
    if not pick.is_valid():  # a malformed id answers as a missing record
        raise Http404
    other = pick.cleaned_data["duplicate"]
    if not other:
        others = list(selectors.candidate_duplicates(actor=request.user, candidate=primary))
        audit_list_read(request=request, candidates=[primary, *others])
        return render(request, "candidates/duplicate_merge.html", {"primary": primary, "others": others})
    duplicate = access_candidate_for_edit(actor=request.user, candidate_id=other)
    rows = merging.merge_rows(primary=primary, duplicate=duplicate)
    form = MergeForm(request.POST if request.method == "POST" else None, rows=rows)
    ctx = {"primary": primary, "duplicate": duplicate, "rows": rows, "form": form,
           "counts": {"primary": merging.merge_counts(primary), "duplicate": merging.merge_counts(duplicate)},
           "undo_days": merging.MERGE_UNDO_DAYS}
    if request.method == "POST" and form.is_valid():
        if form.cleaned_data["confirm"]:
            try:
                merging.candidate_merge(actor=request.user, primary=primary, duplicate=duplicate,
                                        choices=form.choices(), request=request)
            except ValidationError as exc:
                flash_errors(request, exc)
            else:
                messages.success(request, _("已合并。%(days)s 天内可在本档案的“合并记录”中撤销。")
                                 % {"days": merging.MERGE_UNDO_DAYS})
                return _back(primary)
        else:
            chosen = form.choices()
            ctx["confirming"] = True
            ctx["taken"] = [r["label"] for r in rows if chosen[r["field"]] == "duplicate" and r["primary"] != r["duplicate"]]
            ctx["summary_contact"] = next((r["duplicate"] for r in rows if r["field"] in ("phone", "email") and r["duplicate"]), "")
    audit_list_read(request=request, candidates=[primary, duplicate], fields=("full_name", "phone", "email"))
    return render(request, "candidates/duplicate_merge.html", ctx)


@login_required
@require_POST
def candidate_merge_undo(request, candidate_id: int):
    primary = access_candidate_for_edit(actor=request.user, candidate_id=candidate_id)
    form = MergeUndoForm(request.POST)
    merge = CandidateMerge.objects.filter(primary=primary, pk=form.cleaned_data["merge"]).first() if form.is_valid() else None
    if merge is None:
        messages.error(request, _("没有找到这次合并。"))
        return _back(primary)
    try:
        restored = merging.candidate_merge_undo(actor=request.user, merge=merge, request=request)
    except ValidationError as exc:
        flash_errors(request, exc)
        return _back(primary)
    messages.success(request, _("已撤销合并，%(name)s 的档案已恢复。") % {"name": restored.full_name})
    return _back(primary)
