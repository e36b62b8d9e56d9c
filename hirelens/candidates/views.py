from __future__ import annotations

import mimetypes

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import render

from . import services
from .access import access_candidate
from .selectors import candidate_list


@login_required
def candidate_index(request):
    candidates = candidate_list(actor=request.user, contact=request.GET.get("contact", ""))
    page = Paginator(candidates, 20).get_page(request.GET.get("page"))
    return render(request, "candidates/candidate_list.html", {"page": page})


@login_required
def candidate_detail(request, candidate_id: int):
    candidate = access_candidate(actor=request.user, candidate_id=candidate_id)
    services.candidate_read(actor=request.user, candidate=candidate, request=request)
    return render(request, "candidates/candidate_detail.html", {"candidate": candidate})


@login_required
def candidate_resume(request, candidate_id: int):
    candidate = access_candidate(actor=request.user, candidate_id=candidate_id)
    try:
        handle = services.candidate_resume_open(actor=request.user, candidate=candidate, request=request)
    except ValidationError:
        raise Http404 from None
    filename = candidate.resume_name or "resume"
    content_type = mimetypes.guess_type(filename)[0] or "application/octet-stream"
    return FileResponse(handle, as_attachment=True, filename=filename, content_type=content_type)
