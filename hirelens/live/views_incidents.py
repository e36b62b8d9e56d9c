"""The interviewers' incident buttons in the room (I4): JSON endpoints used by ``static/live/incidents.js``.

Staff only (``access.access_room``, the interview's rule); every write is a POST with the CSRF token. Errors come back
as ``{"error": <localized text>}`` with status 400 (a 404 for a room the actor may not see, like the pages).
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, JsonResponse
from django.views.decorators.http import require_GET, require_POST

from hirelens.core.forms import form_errors

from . import incidents
from .access import access_room
from .forms import IncidentForm, VoiceOnlyForm
from .models import LiveRoom, RoomIncident


def _state(room: LiveRoom) -> dict:
    return {"room": room.pk, "state": room.state, "voice_only": room.voice_only,
            "incidents": incidents.incident_list(room=room), "helpdesk": incidents.helpdesk_list(room=room),
            "substitutes": [{"id": u.pk, "name": u.full_name} for u in incidents.substitute_choices(room=room)]}


def _error(exc: ValidationError) -> JsonResponse:
    return JsonResponse({"error": " ".join(str(m) for m in exc.messages)}, status=400)


@login_required
@require_GET
def incidents_state(request, room_id: int):
    room = access_room(actor=request.user, room_id=room_id)
    response = JsonResponse(_state(room))
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def incident_report(request, room_id: int, kind: str):
    room = access_room(actor=request.user, room_id=room_id)
    if kind not in RoomIncident.Kind.values:
        raise Http404
    form = IncidentForm(request.POST)
    try:
        if not form.is_valid() and kind in (RoomIncident.Kind.LATE, RoomIncident.Kind.SUBSTITUTE):
            raise form_errors(form)
        incident = incidents.incident_report(actor=request.user, room=room, kind=kind, minutes=form.cleaned_data.get("minutes"),
                                             substitute_id=form.cleaned_data.get("substitute"))
    except ValidationError as exc:
        return _error(exc)
    room = access_room(actor=request.user, room_id=room_id)
    return JsonResponse({"ok": True, "incident": incident.pk, **_state(room)})


@login_required
@require_POST
def voice_only_switch(request, room_id: int):
    room = access_room(actor=request.user, room_id=room_id)
    form = VoiceOnlyForm(request.POST)
    form.is_valid()  # every value is valid: "1" is on, anything else off
    try:
        incidents.room_voice_only(actor=request.user, room=room, on=form.cleaned_data["on"])
    except ValidationError as exc:
        return _error(exc)
    room = access_room(actor=request.user, room_id=room_id)
    return JsonResponse({"ok": True, **_state(room)})
