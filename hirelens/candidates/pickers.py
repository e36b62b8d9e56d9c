"""Searchable pickers: staff choose an application by typing part of the candidate's name.

``GET /candidates/pick/applications?q=&position=`` answers at most 20 applications the actor may see
(``access.visible_applications``), matched through the keyed name tokens (prefix, pinyin, initials; see search.py),
as ``{"results": [{"id", "label"}]}`` with labels like "周雨桐 · 后端工程师 · 初试". The names it shows are
audited in bulk: one entry per answer. The page side is ``templates/candidates/_application_picker.html`` with the
``appPicker`` Alpine component of ``static/candidates/picker.js`` (an ARIA combobox).
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.views.decorators.http import require_GET

from hirelens.core.params import query_int
from hirelens.core.roles import Perm, user_can

from . import selectors, services
from .models import Application

MAX_RESULTS = 20


def application_label(application: Application) -> str:
    """Name · position · stage (or the status when the application has no stage)."""
    parts = [application.candidate.full_name, application.position.title,
             application.stage or application.get_status_display()]
    return " · ".join(p for p in parts if p)


@login_required
@require_GET
def application_pick(request):
    actor = request.user
    if not (user_can(actor, Perm.CANDIDATES_VIEW_ALL) or user_can(actor, Perm.CANDIDATES_VIEW_ASSIGNED)):
        return JsonResponse({"results": []}, status=403)
    q = request.GET.get("q", "")[:100]
    found = selectors.application_pick(actor=actor, q=q, position_id=query_int(request.GET, "position"), limit=MAX_RESULTS)
    services.candidate_list_read(actor=actor, candidates=[a.candidate for a in found], request=request)
    return JsonResponse({"results": [{"id": a.pk, "label": application_label(a)} for a in found]})
