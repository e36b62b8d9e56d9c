"""The resume review step: parsed values next to the record's, per field; nothing is written before 确认."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from . import services
from .access import access_candidate_for_edit
from .forms import apply_errors
from .forms_resume import ResumeReviewForm
from .services.resume_apply import resume_apply, resume_duplicates, resume_proposal
from .timeline import FIELD_LABELS


@login_required
def resume_review(request, candidate_id: int):
    candidate = access_candidate_for_edit(actor=request.user, candidate_id=candidate_id)
    services.candidate_read(actor=request.user, candidate=candidate, request=request)
    if not candidate.resume_parsed:  # no resume yet, or a scan without text: nothing to review
        return render(request, "candidates/resume_review.html", {"candidate": candidate, "no_parse": True})
    form = ResumeReviewForm(resume_proposal(candidate=candidate), request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            applied = resume_apply(candidate=candidate, actor=request.user,
                                   accepted=form.accepted(accept_all="accept_all" in request.POST), request=request)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            if applied.fields:
                messages.success(request, _("已写入档案：%(fields)s。") % {
                    "fields": _("、").join(str(FIELD_LABELS.get(f, f)) for f in applied.fields)})
            else:
                messages.info(request, _("没有选择任何字段，档案未改动。"))
            return redirect(reverse("candidates:resume_review", args=[candidate.pk]) + "?done=1")
    duplicates = resume_duplicates(candidate=candidate)
    if duplicates:
        services.candidate_list_read(actor=request.user, candidates=duplicates, request=request)
    return render(request, "candidates/resume_review.html", {
        "candidate": candidate, "form": form, "rows": list(form.bound_rows()), "duplicates": duplicates,
        "done": request.GET.get("done") == "1",
    })
