"""Who may enter a live room: the one choke point.

Staff: ``access_room`` — the room's interview must be visible to them (``scheduling.access.visible_interviews``,
the interview page's rule); a missing room and a forbidden one raise the same 404. The candidate:
``candidate_room`` — the browser session must have opened the interview's candidate or backup link
(``views.candidate_join`` stores the room id in ``request.session[SESSION_ROOMS_KEY]``); ``candidate_room_actor`` is
the same check and hands back the candidate's ``RoomGuestActor`` (built here only: this module holds the live seal),
which the room services take where the candidate acts (join, leave, the timeline).
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404

from hirelens.core.access import get_for_actor, tenant_queryset
from hirelens.core.actors import RoomGuestActor, live_seal
from hirelens.scheduling.access import visible_interviews

from .models import LiveRoom

SESSION_ROOMS_KEY = "hirelens_live_rooms"
_SEAL = live_seal()  # claimed once, at import: core.actors hands it to this module only


def visible_rooms(*, actor) -> QuerySet[LiveRoom]:
    """The organization's rooms whose interview the actor may see (``visible_interviews``, unchanged).

    Checked per room (a correlated EXISTS on the interview's primary key) rather than as an IN list of every visible
    interview: one room, one application's rooms or one page of rooms then costs a primary-key probe per room,
    instead of first listing all the organization's (or the panel's) interviews."""
    qs = tenant_queryset(LiveRoom.objects.all(), actor=actor)
    return qs.filter(Exists(visible_interviews(actor=actor).filter(pk=OuterRef("interview_id"))))


def access_room(*, actor, room_id) -> LiveRoom:
    return get_for_actor(visible_rooms(actor=actor).select_related(
        "interview__stage", "application__candidate", "application__position"), actor=actor, pk=room_id)


def candidate_rooms(session) -> list[int]:
    if session is None:
        return []
    return [int(r) for r in session.get(SESSION_ROOMS_KEY, []) if str(r).isdigit()]


def candidate_room_grant(session, room_id: int) -> None:
    rooms = candidate_rooms(session)
    if room_id not in rooms:
        session[SESSION_ROOMS_KEY] = (rooms + [room_id])[-20:]


def candidate_room(*, session, room_id) -> LiveRoom:
    """The room whose candidate link this browser session opened; 404 otherwise."""
    try:
        room_id = int(room_id)
    except (TypeError, ValueError):
        raise Http404 from None
    if room_id not in candidate_rooms(session):
        raise Http404
    room = LiveRoom.objects.select_related("interview__stage", "application__candidate", "application__position",
                                           "organization").filter(pk=room_id).first()
    if room is None:
        raise Http404
    return room


def candidate_room_actor(*, session, room_id) -> RoomGuestActor:
    """``candidate_room`` and the candidate it verified, as the actor the room services take (``actor.room``)."""
    return RoomGuestActor(room=candidate_room(session=session, room_id=room_id), seal=_SEAL)


def room_for_candidate(request, room_id) -> LiveRoom:
    return candidate_room(session=request.session, room_id=room_id)
