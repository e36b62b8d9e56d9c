"""Pages of the live room: the interviewers' room, the candidate's join page (consent, device check, waiting
room, room), and the candidate's consent POST. Media and messages go over the WebSocket (consumers.py)."""

from __future__ import annotations

import json

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.views.decorators.http import require_POST

from hirelens.core.audit import audit_list_read
from hirelens.core.timezones import viewer_zone
from hirelens.scheduling.access import access_interview
from hirelens.scheduling.links import LinkError, link_open
from hirelens.scheduling.models import Interview, InterviewLink

from . import selectors, services
from .access import access_room, candidate_room_actor, candidate_room_grant
from .models import LiveRoom


def _tags() -> dict[str, str]:
    return {key: str(label) for key, label in services.NOTE_TAGS.items()}


def _closed(request, reason: str, *, status: int, interview=None, candidate_link=None):
    """A room that cannot be entered. ``candidate_link``: opened from the candidate's own link, so the page offers the
    help desk ("need help?", with the page and why it is closed) instead of ending the path (issue 19)."""
    help_href = ""
    if candidate_link is not None:
        from hirelens.messaging.services.helpdesk import help_url

        help_href = help_url(candidate=candidate_link.application.candidate, page=request.path, step=reason,
                             subject_type="scheduling.interview" if interview else "", subject_id=interview.pk if interview else None)
    return render(request, "live/closed.html", {"reason": reason, "interview": interview, "help_href": help_href}, status=status)


@login_required
def interview_room(request, interview_id: int):
    """Entry from the interview page: the interview's room, created on first use."""
    interview = access_interview(actor=request.user, interview_id=interview_id)
    if not services.is_live_interview(interview):
        raise Http404
    room = services.room_for_interview(interview=interview)
    return redirect("live:room", room_id=room.pk)


@login_required
def room_page(request, room_id: int):
    room = access_room(actor=request.user, room_id=room_id)
    interview = room.interview
    if room.state == LiveRoom.State.ENDED:
        return _closed(request, "ended", status=410, interview=interview)
    if interview.status == Interview.Status.CANCELLED:
        return _closed(request, "cancelled", status=410, interview=interview)
    candidate = room.application.candidate
    audit_list_read(request=request, candidates=[candidate])
    questions = list(selectors.question_list(room=room))
    tags = _tags()
    notes = list(selectors.note_list(room=room))
    for note in notes:
        note.tag_labels = [tags[t] for t in note.tags if t in tags]
    return render(request, "live/room.html", {
        "room": room, "interview": interview, "candidate": candidate, "position": room.application.position,
        "notes": notes, "questions": questions, "ice_breakers": selectors.ice_breakers(room=room), "tags": tags,
        "ice_servers": json.dumps(settings.LIVE_ICE_SERVERS),
        "viewer_tz": viewer_zone(request, interview.time_zone),
        "interviewers": list(interview.interviewers.all()),
    })


CANDIDATE_KINDS = {InterviewLink.Kind.CANDIDATE, InterviewLink.Kind.BACKUP}


def candidate_join(request, token: str):
    """The candidate's link (candidate or backup): verified, then the room is granted to this browser session."""
    try:
        link = link_open(token, request=request, kinds=CANDIDATE_KINDS)
    except LinkError as exc:
        if exc.code in {"expired", "revoked", "invalid"}:  # a candidate's dead-link page with "ask for a new link"
            from hirelens.messaging.services.deadlinks import dead_link_render

            return dead_link_render(request, "live/closed.html", kind="live", token=token, context={"reason": "dead", "code": exc.code})
        return render(request, "live/closed.html", {"reason": "link", "message": exc.message, "code": exc.code}, status=403)
    interview = link.interview
    if interview is None or not services.is_live_interview(interview):
        return _closed(request, "not_live", status=404, candidate_link=link)
    if interview.status == Interview.Status.CANCELLED:
        return _closed(request, "cancelled", status=410, interview=interview, candidate_link=link)
    room = services.room_for_interview(interview=interview)
    if room.state == LiveRoom.State.ENDED:
        return _closed(request, "ended", status=410, interview=interview, candidate_link=link)
    candidate_room_grant(request.session, room.pk)
    return _candidate_page(request, room, interview)


def _candidate_page(request, room, interview):
    from hirelens.interviews.notices import CONSENT_KINDS, notices_in_order
    from hirelens.interviews.services import current_notices

    english = translation.get_language() == "en"
    organization = room.organization
    facial = room.application.position.facial_enabled  # the position's face switch, else the company's
    # the consents asked in the room (the invitation's AI notice is read before, in the invitation)
    # none is required in the live room (services.room_consent): the interview is held by people either way
    notices = [{"kind": n.kind, "version": n.version, "required": False,
                "label": n.get_kind_display(), "text": n.text_en if english else n.text_zh}
               for n in notices_in_order(current_notices(room.organization_id).values())
               if n.kind in CONSENT_KINDS and (n.kind != "biometric" or facial)]
    return render(request, "live/candidate.html", {
        "room": room, "interview": interview, "organization": organization, "position": room.application.position,
        "candidate": room.application.candidate, "notices": notices, "consented": bool(room.consents),
        "questions": list(selectors.question_list(room=room)) if room.candidate_admitted else [],
        "ice_servers": json.dumps(settings.LIVE_ICE_SERVERS),
        "viewer_tz": viewer_zone(request, interview.time_zone),
    })


@require_POST
def candidate_consent(request, room_id: int):
    """The candidate's consents (JSON ``{"accepted": {kind: bool}}``), from the browser session that opened the link."""
    from pydantic import ValidationError as SchemaError

    from .forms import BAD_CONSENT, ConsentIn

    actor = candidate_room_actor(session=request.session, room_id=room_id)
    room = actor.room
    try:
        body = ConsentIn.model_validate_json(request.body or b"{}")
    except SchemaError:  # not JSON, not an object, or a consent that is not true / false
        return JsonResponse({"error": str(BAD_CONSENT)}, status=400)
    try:
        room = services.room_consent(room=room, actor=actor, accepted=body.accepted, request=request)
    except ValidationError as exc:
        return JsonResponse({"error": " ".join(exc.messages)}, status=400)
    return JsonResponse({"ok": True, "consents": {k: v for k, v in room.consents.items() if isinstance(v, bool)}})
