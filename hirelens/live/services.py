"""Every write of the live room: open / admit / end, consents, notes, questions, the timeline.

Each service publishes to the room's groups after its transaction commits (``publish_room``): ``live.<room_id>``
reaches everyone in the room, ``live.<room_id>.staff`` the interviewers only (the candidate's socket never joins
it, so notes, panel events and incidents cannot reach the candidate). Group messages are
``{"type": "room.event", "event": <name>, "payload": {...}}``; ``RoomConsumer.room_event`` forwards them to the
browser as ``{"type": <name>, **payload}``. The media and incident parts publish through the same helpers.
"""

from __future__ import annotations

import inspect
import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from hirelens.core.actors import RoomGuestActor, SystemActor
from hirelens.core.audit import audit_record
from hirelens.core.models import AuditEvent

from .models import LiveRoom, RoomEvent, RoomNote, RoomQuestion
from .panel_history import panel_history_clear
from .selectors import answer_payload, note_payload, question_payload  # the room's messages

logger = logging.getLogger(__name__)

# quick tags of an interviewer's note: key (stored) -> label
NOTE_TAGS = {
    "clear": gettext_lazy("表达清晰"),
    "follow_up": gettext_lazy("需要追问"),
    "solid": gettext_lazy("技术扎实"),
    "off_topic": gettext_lazy("回答偏题"),
}

# timeline kinds this module writes (incidents and voice only are written by their own parts)
TIMELINE_KINDS = {
    "joined": pgettext_lazy("事件", "进入面试间"),
    "left": gettext_lazy("离开面试间"),
    "reconnected": gettext_lazy("重新连接"),
    "admitted": gettext_lazy("允许候选人进入"),
    "ended": gettext_lazy("结束面试"),
}


# --- publishing ----------------------------------------------------------------------------------

def room_group(room_id: int) -> str:
    return f"live.{room_id}"


def staff_group(room_id: int) -> str:
    return f"live.{room_id}.staff"


def _message(event: str, payload: dict) -> dict:
    return {"type": "room.event", "event": event, "payload": payload}


def publish_room(room_id: int, event: str, payload: dict, *, staff_only: bool = False) -> None:
    """Send ``event`` to the room (or to its interviewers only). Synchronous; call it after commit
    (``publish_room_on_commit``) from services."""
    layer = get_channel_layer()
    if layer is None:
        return
    group = staff_group(room_id) if staff_only else room_group(room_id)
    async_to_sync(layer.group_send)(group, _message(event, payload))


async def apublish_room(room_id: int, event: str, payload: dict, *, staff_only: bool = False) -> None:
    """``publish_room`` for async code (the media peer, consumers)."""
    layer = get_channel_layer()
    if layer is None:
        return
    group = staff_group(room_id) if staff_only else room_group(room_id)
    await layer.group_send(group, _message(event, payload))


def publish_room_on_commit(room_id: int, event: str, payload: dict, *, staff_only: bool = False) -> None:
    transaction.on_commit(lambda: publish_room(room_id, event, payload, staff_only=staff_only))


# --- the room ------------------------------------------------------------------------------------

def is_live_interview(interview) -> bool:
    """A scheduled interview held in a room (``Interview.is_live``)."""
    return interview.is_live


# The room is entered from this long before the start: what the interview's link page tells both sides ("请提前 10
# 分钟…打开此链接", "面试开始前 10 分钟可进入房间"); the portal offers "join" from then on.
JOIN_OPENS_BEFORE_MINUTES = 10


def join_opens_at(interview):
    """When the candidate is offered the room's entrance: ``JOIN_OPENS_BEFORE_MINUTES`` before the start."""
    from datetime import timedelta

    return interview.start_at - timedelta(minutes=JOIN_OPENS_BEFORE_MINUTES)


def media_time(room: LiveRoom, at=None) -> float | None:
    """Seconds on the room's media clock (the recording's time 0, else the candidate's admission)."""
    zero = room.recording_started_at or room.opened_at
    if zero is None:
        return None
    return round(max(0.0, ((at or timezone.now()) - zero).total_seconds()), 3)


def room_for_interview(*, interview) -> LiveRoom:
    """The interview's room, created on first use (get or create: two first openers get the same room)."""
    room = LiveRoom.objects.filter(interview=interview).first()
    if room is not None:
        return room
    with transaction.atomic():
        room, _created = LiveRoom.objects.get_or_create(
            interview=interview,
            defaults={"organization_id": interview.organization_id, "application_id": interview.application_id},
        )
    return room


# timeline kinds that tell what the candidate did outside the room (a help-desk message): theirs by their kind
CANDIDATE_KINDS = frozenset({"helpdesk"})


def _is_candidate(*, room: LiveRoom, actor) -> bool:
    """Who acts in the room: the room's candidate (a ``RoomGuestActor`` that ``live.access`` verified for this very
    room: True) or a staff user of the room's organization (False). Anything else (no actor, another room's guest, an
    object that only looks like a user or a guest) is refused: the candidate is told apart by a capability, not a
    flag (issue 23 §5)."""
    from django.contrib.auth import get_user_model

    if isinstance(actor, RoomGuestActor):
        if not actor.in_room(room):
            raise PermissionDenied("the candidate's actor belongs to another room")
        return True
    if isinstance(actor, get_user_model()) and actor.is_authenticated and actor.organization_id == room.organization_id:
        return False
    raise PermissionDenied("a room's candidate or one of its organization's staff is needed")


@transaction.atomic
def timeline_add(*, room: LiveRoom, kind: str, actor=None, data: dict | None = None,
                 media_time_s: float | None = None) -> RoomEvent:
    """One line of the room's timeline (joined, left, admitted, reconnected, ended; other parts add theirs). The line
    is the candidate's when the candidate's ``RoomGuestActor`` wrote it, or by its kind (``CANDIDATE_KINDS``); a line
    with no actor is the system's."""
    system = actor is None or isinstance(actor, SystemActor)
    by_candidate = kind in CANDIDATE_KINDS or (not system and _is_candidate(room=room, actor=actor))
    return RoomEvent.objects.create(
        organization_id=room.organization_id, room=room, kind=kind,
        actor=actor if getattr(actor, "is_authenticated", False) else None, by_candidate=by_candidate,
        media_time_s=media_time(room) if media_time_s is None else media_time_s, data=data or {},
    )


def _require_guest(*, room: LiveRoom, actor) -> None:
    """What only the room's candidate does (consents, questions): their ``RoomGuestActor`` for this very room."""
    if not (isinstance(actor, RoomGuestActor) and _is_candidate(room=room, actor=actor)):
        raise PermissionDenied("only the room's candidate")


def _require_open(room: LiveRoom) -> None:
    if room.state == LiveRoom.State.ENDED:
        raise ValidationError(_("面试已结束。"), code="ended")


@transaction.atomic
def room_join(*, room: LiveRoom, peer: str, actor, reconnect: bool = False) -> LiveRoom:
    """Someone entered the room (or came back after a network drop): a timeline line. An ended room refuses; the
    candidate (``actor``: their ``RoomGuestActor``) only after the consent step."""
    room = LiveRoom.objects.select_for_update().get(pk=room.pk)
    by_candidate = _is_candidate(room=room, actor=actor)
    _require_open(room)
    if by_candidate and not room.consents:
        raise ValidationError(_("请先阅读并同意授权说明。"), code="consent")
    timeline_add(room=room, kind="reconnected" if reconnect else "joined", actor=actor, data={"peer": peer[:64]})
    return room


@transaction.atomic
def room_leave(*, room: LiveRoom, peer: str, actor) -> None:
    _is_candidate(room=room, actor=actor)
    if LiveRoom.objects.filter(pk=room.pk, state=LiveRoom.State.ENDED).exists():
        return
    timeline_add(room=room, kind="left", actor=actor, data={"peer": peer[:64]})


@transaction.atomic
def room_admit(*, actor, room: LiveRoom) -> LiveRoom:
    """An interviewer lets the waiting candidate in: the room opens (its media clock starts) and everyone hears."""
    room = LiveRoom.objects.select_for_update().get(pk=room.pk)
    _require_open(room)
    if room.candidate_admitted:
        return room
    now = timezone.now()
    room.candidate_admitted, room.candidate_admitted_at = True, now
    if room.state == LiveRoom.State.WAITING:
        room.state, room.opened_at = LiveRoom.State.OPEN, now
    room.save(update_fields=["candidate_admitted", "candidate_admitted_at", "state", "opened_at", "updated_at"])
    timeline_add(room=room, kind="admitted", actor=actor)
    audit_record(action=AuditEvent.Action.UPDATE, actor=actor, obj=room, fields=["admitted"])
    publish_room_on_commit(room.pk, "admitted", {"by": actor.full_name})
    return room


def _media_end(room_id: int) -> None:
    """Stop the server peer and hand the recording over (the media part's); the room ends even without it."""
    try:  # the Janus SFU path first (live/janus.py): its recording is stored before orphaned files are looked for
        from hirelens.live import janus

        async_to_sync(janus.janus_room_end)(room_id=room_id)
    except Exception:
        logger.exception("room %s: janus end failed", room_id)
    try:
        from hirelens.live import media
    except ImportError:
        return
    end = getattr(media, "room_media_end", None)
    if end is None:
        return
    try:
        if inspect.iscoroutinefunction(end):
            async_to_sync(end)(room_id=room_id)
        else:
            end(room_id=room_id)
    except Exception:  # the room is already ended: a media failure must not undo it
        logger.exception("room %s: media end failed", room_id)


async def media_module():
    """``hirelens.live.media``, imported in a worker thread the first time (numpy, PyAV and aiortc take seconds to
    import: done on the event loop, every room's signalling would stall meanwhile); None without it."""
    import asyncio
    import importlib

    global _media
    if _media is not None:  # only once fully imported: sys.modules holds a module while it is still importing
        return _media
    try:
        _media = await asyncio.to_thread(importlib.import_module, "hirelens.live.media")
    except ImportError:
        logger.exception("the live media part cannot be imported")
        return None
    return _media


_media = None


async def aroom_media_end(room_id: int) -> None:
    """``_media_end`` for async code; never raises."""
    try:  # the Janus SFU path first (live/janus.py): its recording is stored before orphaned files are looked for
        from hirelens.live import janus

        await janus.janus_room_end(room_id=room_id)
    except Exception:
        logger.exception("room %s: janus end failed", room_id)
    media = await media_module()
    if media is None:
        return
    end = getattr(media, "room_media_end", None)
    if end is None:
        return
    try:
        result = end(room_id=room_id)
        if inspect.isawaitable(result):
            await result
    except Exception:
        logger.exception("room %s: media end failed", room_id)


@transaction.atomic
def room_end(*, actor, room: LiveRoom, end_media: bool = True) -> LiveRoom:
    """End the room for good (it cannot be reopened): ``ended`` to everyone, then the media part stops the
    server peer, stores the recording and queues its analysis. Async callers (the consumer) pass
    ``end_media=False`` and await ``aroom_media_end`` themselves: run from inside ``database_sync_to_async``, the
    media part's own database calls would wait on the very thread that waits for them."""
    room = LiveRoom.objects.select_for_update().get(pk=room.pk)
    if room.state == LiveRoom.State.ENDED:
        return room
    room.state, room.ended_at, room.ended_by = LiveRoom.State.ENDED, timezone.now(), actor
    room.save(update_fields=["state", "ended_at", "ended_by", "updated_at"])
    timeline_add(room=room, kind="ended", actor=actor)
    from hirelens.scheduling.services import interview_complete

    interview_complete(actor=actor, interview=room.interview)
    audit_record(action=AuditEvent.Action.UPDATE, actor=actor, obj=room, fields=["ended"])
    room_id = room.pk
    publish_room_on_commit(room_id, "ended", {"by": actor.full_name})
    transaction.on_commit(lambda: panel_history_clear(room_id))  # the panel is gone with the room
    if end_media:
        transaction.on_commit(lambda: _media_end(room_id))
    return room


@transaction.atomic
def room_consent(*, room: LiveRoom, actor, accepted: dict[str, bool], request=None) -> LiveRoom:
    """The candidate's consents in the room, with the same notices as the AI interview. Unlike the AI interview,
    none is required: a live interview is held by people, so a candidate who declines the recording or the AI analysis
    still has the interview (issue 20: no one is penalised for declining AI), only without what was declined — no file
    kept without ``recording``, no live panel and no analysis without ``ai_analysis``, no face without ``biometric``.

    Stored as ``{"recording": bool, "ai_analysis": bool, "biometric": bool, "versions": {kind: n}, "at": iso}``;
    ``biometric`` is the candidate's answer (the media part also checks the position's face switch)."""
    from hirelens.interviews.models import ConsentNotice
    from hirelens.interviews.services import current_notices

    _require_guest(room=room, actor=actor)
    room = LiveRoom.objects.select_for_update().get(pk=room.pk)
    _require_open(room)
    notices = current_notices(room.organization_id)
    if any(k not in notices for k in (ConsentNotice.Kind.RECORDING, ConsentNotice.Kind.AI_ANALYSIS)):
        raise ValidationError(_("授权说明尚未配置，请联系招聘方。"), code="no_notice")
    consents: dict = {kind: bool(accepted.get(kind)) for kind in notices}
    consents["versions"] = {kind: notice.version for kind, notice in notices.items()}
    consents["at"] = timezone.now().isoformat()
    room.consents = consents
    room.save(update_fields=["consents", "updated_at"])
    audit_record(action=AuditEvent.Action.UPDATE, organization_id=room.organization_id, obj=room,
                 fields=[f"consent:{k}" for k in notices], request=request)
    # the interviewers' panel says at once whether there will be AI signals
    publish_room_on_commit(room.pk, "consents", {"ai_analysis": consents.get("ai_analysis", False)}, staff_only=True)
    return room


# --- notes and questions -------------------------------------------------------------------------

@transaction.atomic
def note_add(*, actor, room: LiveRoom, text: str, tags: list[str] | None = None, media_time_s: float | None = None) -> RoomNote:
    """An interviewer's note, sent at once to the other interviewers (never to the candidate) and pinned to the
    media time (the server's clock when it runs, else the page's)."""
    _require_open(room)
    text = (text or "").strip()
    tags = [t for t in dict.fromkeys(tags or []) if t in NOTE_TAGS]
    if not text and not tags:
        raise ValidationError(_("请写下批注或选择标签。"), code="empty")
    if len(text) > 2000:
        raise ValidationError(_("批注最多 2000 字。"), code="too_long")
    at = media_time(room)
    if at is None and isinstance(media_time_s, (int, float)) and 0 <= media_time_s < 24 * 3600:
        at = float(media_time_s)
    note = RoomNote.objects.create(organization_id=room.organization_id, room=room, author=actor, text=text, tags=tags,
                                   media_time_s=at)
    publish_room_on_commit(room.pk, "note", note_payload(note), staff_only=True)
    return note


@transaction.atomic
def question_ask(*, room: LiveRoom, actor, text: str) -> RoomQuestion:
    """The candidate's question (only once admitted; ``actor``: their ``RoomGuestActor``): everyone in the room sees
    it."""
    _require_guest(room=room, actor=actor)
    _require_open(room)
    if not room.candidate_admitted:
        raise ValidationError(_("面试官允许您进入后才能提问。"), code="not_admitted")
    text = (text or "").strip()
    if not text:
        raise ValidationError(_("请输入问题。"), code="empty")
    if len(text) > 1000:
        raise ValidationError(_("问题最多 1000 字。"), code="too_long")
    question = RoomQuestion.objects.create(organization_id=room.organization_id, room=room, text=text,
                                           media_time_s=media_time(room))
    publish_room_on_commit(room.pk, "question", question_payload(question))
    return question


@transaction.atomic
def question_answer(*, actor, room: LiveRoom, question: RoomQuestion, text: str = "", by_voice: bool = False) -> RoomQuestion:
    """An interviewer answers a question of this room, by text or by saying it aloud."""
    if question.room_id != room.pk:
        raise ValidationError(_("问题不存在。"), code="question")
    _require_open(room)
    text = (text or "").strip()
    if not text and not by_voice:
        raise ValidationError(_("请输入回答，或选择“已口头回答”。"), code="empty")
    if len(text) > 2000:
        raise ValidationError(_("回答最多 2000 字。"), code="too_long")
    question.answer, question.answered_by_voice = text, bool(by_voice)
    question.answered_by, question.answered_at = actor, timezone.now()
    question.save(update_fields=["answer", "answered_by_voice", "answered_by", "answered_at", "updated_at"])
    publish_room_on_commit(room.pk, "answer", answer_payload(question))
    return question
