"""Incidents in a live room (I4): one click of an interviewer, logged on the room's timeline, a message to the
candidate through the messaging channels (WeChat first, then SMS / e-mail, by ``messaging``'s fall-back policy),
and its delivery status shown to the interviewers.

* network poor: the stage's external ``backup_url``, else a fresh ``backup`` link to this room;
* camera or device broken: the room goes voice only (``room_voice_only``) and the candidate is told;
* interviewer late: the delay in minutes and the new start time in the candidate's time zone;
* interviewer replaced: the substitute's name (from the position's panel) and the time.

The candidate's help-desk reports made while their room is open reach the interviewers inside the room
(``helpdesk_ticket_to_rooms``, on messaging's ``helpdesk.received`` event: ``on_event``, an in-transaction subscriber
registered in ``LiveConfig.ready``).

Broadcasts go to the room's groups after commit through ``services.publish_room_on_commit``: ``voice_only``
``{"on"}`` to everyone, ``incident`` ``{"incident", "kind"}`` and ``helpdesk`` ``{"ticket"}`` to the interviewers only
(never the candidate).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hirelens.core.links import absolute_url
from hirelens.messaging.models import Kind, Message, WeChatBinding
from hirelens.scheduling.models import InterviewLink

from .models import LiveRoom, RoomEvent, RoomIncident
from .services import media_time, publish_room_on_commit, timeline_add

logger = logging.getLogger(__name__)

SUBJECT_TYPE = "live.room"
MAX_LATE_MINUTES = 240
# a help-desk report reaches the room while the interview is near: from this long before its start ...
HELPDESK_BEFORE = timedelta(hours=2)
# ... to this long after its planned end (rooms overrun)
HELPDESK_AFTER = timedelta(hours=2)


# --- helpers --------------------------------------------------------------------------------------

def _check_open(room: LiveRoom) -> None:
    if room.state == LiveRoom.State.ENDED:
        raise ValidationError(_("面试已结束，不能再处理事件。"))


def _lock(room: LiveRoom) -> LiveRoom:
    locked = LiveRoom.objects.select_for_update().get(pk=room.pk)
    locked = LiveRoom.objects.select_related("interview__stage", "application__candidate", "application__position").get(
        pk=locked.pk)  # (a row lock cannot take the nullable joins on PostgreSQL)
    _check_open(locked)
    return locked


def candidate_reachable(room: LiveRoom) -> bool:
    """Whether any channel could reach the room's candidate at all (a followed WeChat, an e-mail, a phone).
    Which one is used is decided by ``messaging`` (the organization's order and what is configured)."""
    candidate = room.application.candidate
    if candidate.email or candidate.phone:
        return True
    return WeChatBinding.objects.filter(organization_id=room.organization_id, candidate=candidate, followed=True).exists()


def _unreachable_error() -> ValidationError:
    return ValidationError(_("无法通知候选人：候选人没有关注公众号，也没有邮箱或手机号。请通过其他方式联系候选人。"))


def _starts_after(room: LiveRoom, minutes: int) -> datetime:
    """The new start: ``minutes`` after the planned start, or after now when the start has passed."""
    base = max(room.interview.start_at, timezone.now())
    moment = base + timedelta(minutes=minutes)
    if moment.second or moment.microsecond:  # whole minutes, rounded up: 14:06:31 is told as 14:07
        moment = moment.replace(second=0, microsecond=0) + timedelta(minutes=1)
    return moment


def _common_variables(room: LiveRoom) -> dict:
    interview = room.interview
    return {"position": room.application.position.title, "starts_at": interview.start_at.isoformat(),
            # the interview's zone is the one the candidate was invited in (their invitation and reminders)
            "time_zone": interview.time_zone}


def _log(*, room: LiveRoom, actor, kind: str, detail: dict, message: Message | None) -> RoomIncident:
    at = media_time(room)
    incident = RoomIncident.objects.create(organization_id=room.organization_id, room=room, kind=kind, actor=actor,
                                           detail=detail, message=message, media_time_s=at)
    timeline_add(room=room, kind="incident", actor=actor, data={"incident": incident.pk, "kind": kind}, media_time_s=at)
    publish_room_on_commit(room.pk, "incident", {"incident": incident.pk, "kind": kind}, staff_only=True)
    return incident


def _message(*, room: LiveRoom, kind: str, variables: dict, key: str) -> Message:
    from hirelens.messaging.services import message_send

    return message_send(organization_id=room.organization_id, kind=kind, candidate=room.application.candidate,
                        variables=variables, subject_type=SUBJECT_TYPE, subject_id=room.pk,
                        idempotency_key=f"live:{room.pk}:{key}")


def _join_url(token: str) -> str:
    """The candidate room page of a link token (``/live/join/<token>/``)."""
    try:
        path = reverse("live:join", args=[token])
    except NoReverseMatch:  # the room's pages are not routed (yet): the same path, written out
        path = f"/live/join/{token}/"
    return absolute_url(path)


def backup_link_for(*, room: LiveRoom, actor) -> tuple[str, str]:
    """(url, source): the stage's external meeting URL when set, else a fresh backup link to this room."""
    from hirelens.scheduling.links import link_issue

    interview = room.interview
    settings = (interview.stage.settings or {}) if interview.stage_id else {}
    external = str(settings.get("backup_url") or "").strip()
    if external:
        return external, "external"
    _link, token = link_issue(application=interview.application, kind=InterviewLink.Kind.BACKUP, interview=interview,
                              actor=actor)
    return _join_url(token), "room"


# --- services -------------------------------------------------------------------------------------

@transaction.atomic
def room_voice_only(*, actor, room: LiveRoom, on: bool = True) -> LiveRoom:
    """Switch the room to voice only (or back): everyone's page stops (or resumes) sending video; the analysis
    goes on on audio. Idempotent: the same state twice records one event."""
    room = _lock(room)
    if room.voice_only == on:
        return room
    room.voice_only = on
    room.save(update_fields=["voice_only", "updated_at"])
    timeline_add(room=room, kind="voice_only", actor=actor, data={"on": on})
    publish_room_on_commit(room.pk, "voice_only", {"on": on})
    return room


@transaction.atomic
def incident_network(*, actor, room: LiveRoom) -> RoomIncident:
    """The candidate's network is poor: send them the backup link."""
    room = _lock(room)
    if not candidate_reachable(room):
        raise _unreachable_error()
    url, source = backup_link_for(room=room, actor=actor)
    incident = _log(room=room, actor=actor, kind=RoomIncident.Kind.NETWORK, detail={"backup_url": url, "source": source},
                    message=None)
    # ``link`` too: a WeChat template message opens its ``link`` when tapped
    incident.message = _message(room=room, kind=Kind.BACKUP_LINK, key=f"incident:{incident.pk}",
                                variables={**_common_variables(room), "backup_link": url, "link": url})
    incident.save(update_fields=["message", "updated_at"])
    return incident


@transaction.atomic
def incident_device(*, actor, room: LiveRoom) -> RoomIncident:
    """The candidate's camera or device is broken: the room goes voice only and the candidate is told. The
    switch happens even when no channel reaches the candidate (they are in the room and see it)."""
    room = room_voice_only(actor=actor, room=room, on=True)
    reachable = candidate_reachable(room)
    incident = _log(room=room, actor=actor, kind=RoomIncident.Kind.DEVICE, detail={"voice_only": True, "notified": reachable},
                    message=None)
    if reachable:
        incident.message = _message(room=room, kind=Kind.VOICE_ONLY, key=f"incident:{incident.pk}",
                                    variables=_common_variables(room))
        incident.save(update_fields=["message", "updated_at"])
    return incident


def _minutes(value, *, allow_zero: bool = False) -> int:
    try:
        minutes = int(value)
    except (TypeError, ValueError):
        raise ValidationError(_("请填写延迟的分钟数。")) from None
    low = 0 if allow_zero else 1
    if not low <= minutes <= MAX_LATE_MINUTES:
        raise ValidationError(_("延迟的分钟数应在 %(low)d 到 %(high)d 之间。") % {"low": low, "high": MAX_LATE_MINUTES})
    return minutes


@transaction.atomic
def incident_late(*, actor, room: LiveRoom, minutes: int | None) -> RoomIncident:
    """An interviewer is late: the candidate learns the delay and the new start time (in their zone)."""
    minutes = _minutes(minutes)
    room = _lock(room)
    if not candidate_reachable(room):
        raise _unreachable_error()
    starts_at = _starts_after(room, minutes)
    incident = _log(room=room, actor=actor, kind=RoomIncident.Kind.LATE, message=None,
                    detail={"minutes": minutes, "starts_at": starts_at.isoformat(), "time_zone": room.interview.time_zone})
    incident.message = _message(room=room, kind=Kind.DELAY, key=f"incident:{incident.pk}",
                                variables={**_common_variables(room), "minutes": minutes, "starts_at": starts_at.isoformat()})
    incident.save(update_fields=["message", "updated_at"])
    return incident


def substitute_choices(*, room: LiveRoom):
    """Who may stand in: the active members of the position's panel (interviewers and hiring managers), not
    already interviewers of this interview."""
    from hirelens.accounts.models import User
    from hirelens.core.roles import AssignmentRole
    from hirelens.positions.models import PositionAssignment

    interview = room.interview
    panel = PositionAssignment.objects.filter(
        organization_id=room.organization_id, position_id=room.application.position_id,
        role__in=[AssignmentRole.INTERVIEWER, AssignmentRole.HIRING_MANAGER]).values("user_id")
    return (User.objects.filter(organization_id=room.organization_id, is_active=True, pk__in=panel)
            .exclude(pk__in=interview.interviewers.values("pk")).order_by("full_name", "pk"))


@transaction.atomic
def incident_substitute(*, actor, room: LiveRoom, substitute_id: int | None, minutes: int | None = 0) -> RoomIncident:
    """An interviewer is replaced: the substitute (from the position's panel) joins the interview's
    interviewers, and the candidate learns their name and the time (later by ``minutes`` when given)."""
    minutes = _minutes(minutes or 0, allow_zero=True)
    room = _lock(room)
    try:
        substitute = substitute_choices(room=room).filter(pk=int(substitute_id)).first()
    except (TypeError, ValueError):
        substitute = None
    if substitute is None:
        raise ValidationError(_("请从该职位的面试小组中选择替补面试官。"))
    if not candidate_reachable(room):
        raise _unreachable_error()
    starts_at = _starts_after(room, minutes) if minutes else room.interview.start_at
    room.interview.interviewers.add(substitute)
    incident = _log(room=room, actor=actor, kind=RoomIncident.Kind.SUBSTITUTE, message=None,
                    detail={"substitute": substitute.pk, "substitute_name": substitute.full_name, "minutes": minutes,
                            "starts_at": starts_at.isoformat(), "time_zone": room.interview.time_zone})
    incident.message = _message(room=room, kind=Kind.SUBSTITUTE, key=f"incident:{incident.pk}",
                                variables={**_common_variables(room), "interviewer": substitute.full_name,
                                           "starts_at": starts_at.isoformat()})
    incident.save(update_fields=["message", "updated_at"])
    return incident


def incident_report(*, actor, room: LiveRoom, kind: str, minutes: int | None = None,
                    substitute_id: int | None = None) -> RoomIncident:
    """One entry point for the page: ``kind`` is a ``RoomIncident.Kind``; ``minutes`` and ``substitute_id`` the
    typed values of the posted form (``forms.IncidentForm``), used by the kinds that take them."""
    if kind == RoomIncident.Kind.NETWORK:
        return incident_network(actor=actor, room=room)
    if kind == RoomIncident.Kind.DEVICE:
        return incident_device(actor=actor, room=room)
    if kind == RoomIncident.Kind.LATE:
        return incident_late(actor=actor, room=room, minutes=minutes)
    if kind == RoomIncident.Kind.SUBSTITUTE:
        return incident_substitute(actor=actor, room=room, substitute_id=substitute_id, minutes=minutes or 0)
    raise ValidationError(_("未知的事件类型。"))


# --- delivery status ------------------------------------------------------------------------------

STATUS_LABELS = {
    "queued": gettext_lazy("排队发送中"),
    "sent": gettext_lazy("已发送"),
    "failed": gettext_lazy("发送失败"),
    "none": gettext_lazy("未通知候选人"),
}


def delivery_status(message: Message | None) -> str:
    """The status code the room shows: queued (waiting or being sent), sent (a channel accepted it), failed
    (every channel failed, none could reach the candidate, or WeChat reported the delivery failed), none."""
    if message is None:
        return "none"
    if message.status in (Message.Status.QUEUED, Message.Status.SENDING):
        return "queued"
    if message.status == Message.Status.SENT:
        if message.channel == "wechat_template" and any(
                a.status == "sent" and a.error.startswith("delivery:") for a in message.attempts.all()):
            return "failed"  # TEMPLATESENDJOBFINISH said the user did not receive it
        return "sent"
    return "failed"


def _status_label(code: str) -> str:
    return str(STATUS_LABELS[code])


def _summary(incident: RoomIncident, viewer_zone: str, language: str) -> str:
    from hirelens.messaging.rendering import format_time

    detail = incident.detail or {}
    if incident.kind == RoomIncident.Kind.NETWORK:
        if detail.get("source") == "external":
            return _("已发送备用会议链接：%(url)s") % {"url": detail.get("backup_url", "")}
        return _("已发送备用链接（本面试间）")
    if incident.kind == RoomIncident.Kind.DEVICE:
        return _("已切换为仅语音")
    when = ""
    if detail.get("starts_at"):
        from django.utils.dateparse import parse_datetime

        moment = parse_datetime(detail["starts_at"])
        if moment is not None:
            when = format_time(moment, detail.get("time_zone") or viewer_zone, language)
    if incident.kind == RoomIncident.Kind.LATE:
        return _("已通知候选人推迟 %(minutes)d 分钟，新的开始时间：%(time)s") % {"minutes": detail.get("minutes", 0), "time": when}
    return _("替补面试官：%(name)s，时间：%(time)s") % {"name": detail.get("substitute_name", ""), "time": when}


def incident_list(*, room: LiveRoom) -> list[dict]:
    """The room's incidents for the interviewers' panel, newest first, with their delivery status."""
    from django.utils.translation import get_language

    language = "en" if (get_language() or "").startswith("en") else "zh-hans"
    rows = (RoomIncident.objects.filter(room=room).select_related("actor", "message")
            .prefetch_related("message__attempts").order_by("-created_at", "-pk"))
    out = []
    for incident in rows:
        status = delivery_status(incident.message)
        message = incident.message
        out.append({
            "id": incident.pk, "kind": incident.kind, "kind_label": str(incident.get_kind_display()),
            "status": status, "status_label": _status_label(status),
            "channel": message.channel_label if message is not None else "",
            "summary": _summary(incident, room.interview.time_zone, language),
            "actor": incident.actor.full_name if incident.actor_id else "",
            "at": timezone.localtime(incident.created_at).strftime("%H:%M"),
        })
    return out


# --- help desk ------------------------------------------------------------------------------------

def open_rooms_of_candidate(*, organization_id: int, candidate_id: int):
    now = timezone.now()
    return (LiveRoom.objects.filter(organization_id=organization_id, application__candidate_id=candidate_id,
                                    state__in=[LiveRoom.State.WAITING, LiveRoom.State.OPEN],
                                    interview__start_at__lte=now + HELPDESK_BEFORE,
                                    interview__end_at__gte=now - HELPDESK_AFTER))


def helpdesk_ticket_to_rooms(*, organization_id: int, ticket_id: int, candidate_id: int | None) -> list[int]:
    """A help-desk message of a candidate whose live room is open: put it on the room's timeline and show it to
    the interviewers in the room (staff group only). Returns the room ids. Runs inside the ticket's transaction
    (``on_event``)."""
    if not candidate_id:
        return []
    rooms = list(open_rooms_of_candidate(organization_id=organization_id, candidate_id=candidate_id))
    for room in rooms:
        timeline_add(room=room, kind="helpdesk", data={"ticket": ticket_id})  # the candidate's by its kind
        publish_room_on_commit(room.pk, "helpdesk", {"ticket": ticket_id}, staff_only=True)
    return [room.pk for room in rooms]


def on_event(evt) -> None:
    """In-transaction subscriber (``LiveConfig.ready``): messaging's help desk received a candidate's message."""
    from hirelens.core import events

    if isinstance(evt, events.HelpdeskMessageReceived):
        helpdesk_ticket_to_rooms(organization_id=evt.organization_id, ticket_id=evt.ticket_id,
                                 candidate_id=evt.candidate_id)


def helpdesk_list(*, room: LiveRoom) -> list[dict]:
    """The candidate's help-desk reports made while this room was open, newest first, with the candidate's
    messages since then (interviewers see them here without the help-desk right: only these, only here)."""
    from hirelens.messaging.models import Ticket, TicketMessage

    ticket_ids = {e.data.get("ticket") for e in RoomEvent.objects.filter(room=room, kind="helpdesk")}
    tickets = Ticket.objects.filter(organization_id=room.organization_id, pk__in=[t for t in ticket_ids if t],
                                    candidate_id=room.application.candidate_id).order_by("-last_message_at", "-pk")
    out = []
    for ticket in tickets:
        inbound = list(TicketMessage.objects.filter(ticket=ticket, direction=TicketMessage.Direction.INBOUND,
                                                    created_at__gte=room.created_at).order_by("created_at", "pk"))
        out.append({
            "id": ticket.pk, "source": str(ticket.get_source_display()), "status": str(ticket.get_status_display()),
            "messages": [{"text": m.body, "at": timezone.localtime(m.created_at).strftime("%H:%M")} for m in inbound],
        })
    return out
