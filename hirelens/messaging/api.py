"""Messages and the candidate help desk over the open API, through the messaging pages' selectors, access functions
and services.

The outbox rule holds here too: a list shows who a message went to, its kind, status and channel, never its text;
one message's subject and body are read one at a time, and each such read is audited like the message page.
There is no free-form "send a message" operation because no page sends one: messages to candidates go out from
the services that own them (invitations, reminders, results, help-desk answers). HR's own words reach a candidate
through a help-desk reply (``POST /tickets/{id}/reply``), as on the help-desk page.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.http import HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from hirelens.candidates.access import access_candidate
from hirelens.candidates.selectors import candidate_ids_matching
from hirelens.core.access import require_perm
from hirelens.core.apitools import MAX_LIMIT, ApiProblem, check_if_match, cursor_page, etag_of
from hirelens.core.audit import audit_list_read, audit_record
from hirelens.core.models import AuditEvent
from hirelens.core.params import MAX_ID
from hirelens.core.roles import Perm
from hirelens.integrations.auth import api_auth
from hirelens.integrations.idempotency import idempotent

from .access import access_message, access_ticket
from .models import Channel, Kind, Message, Ticket, TicketMessage
from .selectors import first_response_by_day, message_list, ticket_list, ticket_stats
from .services import helpdesk

API_PREFIX = "/messaging/"
router = Router(tags=["messaging"], auth=api_auth("messaging"))

NAME = Query("", max_length=100, description="Candidate name (characters, pinyin, initials or a Latin prefix).")
CURSOR = Query("", max_length=2000, description="The previous answer's next.")
LIMIT = Query(20, ge=1, le=MAX_LIMIT)
MESSAGE_STATUS = Query(None, description="Only this status.")
MESSAGE_KIND = Query(None, description="Only this kind.")
MESSAGE_CHANNEL = Query(None, description="Only messages delivered through this channel.")
TICKET_STATUS = Query(None, description="Only this status (open: waiting for HR).")


class MessageOut(Schema):
    id: int
    kind: str = Field(description="The kind of message (invitation, reminder, result, helpdesk_reply, ...).")
    kind_label: str = Field(description="The kind in the caller's language.")
    candidate_id: int | None = Field(description="The candidate it went to; null for staff or a web visitor.")
    candidate_name: str = Field(description="The candidate's name (empty when not to a candidate).")
    recipient_name: str = Field(description="Whom it went to: the candidate, the staff member, or empty (a WeChat user).")
    status: str = Field(description="queued | sending | sent | failed | undeliverable")
    status_label: str = Field(description="The status in the caller's language.")
    channel: str = Field(description="The channel that delivered it (empty until sent).")
    channel_label: str
    channels: list[str] = Field(description="The channel order tried.")
    error: str = Field(description="Why it failed, when it did.")
    language: str
    created_at: datetime
    sent_at: datetime | None


class MessageList(Schema):
    items: list[MessageOut]
    next: str | None = Field(description="Cursor of the next page; null on the last page.")


class MessageAttemptOut(Schema):
    channel: str
    channel_label: str
    status: str = Field(description="sent | retry | failed | skipped | unknown")
    status_label: str
    error_code: str
    error: str
    created_at: datetime


class MessageDetailOut(MessageOut):
    subject: str = Field(description="The rendered subject (reading it is audited).")
    body: str = Field(description="The rendered text (reading it is audited).")
    attempts: list[MessageAttemptOut] = Field(description="The delivery log, oldest first.")


class TicketOut(Schema):
    id: int
    candidate_id: int | None
    candidate_name: str = Field(description="The candidate's name; empty for an unbound WeChat user or a web visitor.")
    source: str = Field(description="wechat | web")
    source_label: str
    status: str = Field(description="open (waiting for HR) | answered | closed")
    status_label: str
    subject: str = Field(description="What the thread is about, in the caller's language.")
    subject_label: str = Field(description="The position or interview it concerns, fixed when the ticket opened.")
    new_link_requested: bool = Field(description="Asked for a new link from a dead-link page.")
    message_count: int
    first_response_at: datetime | None
    last_message_at: datetime | None
    created_at: datetime


class TicketList(Schema):
    items: list[TicketOut]
    next: str | None = Field(description="Cursor of the next page; null on the last page.")


class TicketMessageOut(Schema):
    id: int
    direction: str = Field(description="in (the candidate) | out (HR)")
    direction_label: str
    body: str
    author_name: str = Field(description="The HR member who answered (empty for the candidate's messages).")
    outbound_status: str = Field(description="Delivery status of HR's answer (empty for the candidate's messages).")
    outbound_status_label: str = Field(description="That status in the caller's language (empty when there is none).")
    created_at: datetime


class TicketDetailOut(TicketOut):
    contact: str = Field(description="The e-mail a web visitor gave when no candidate is known.")
    page: str = Field(description="The page the candidate asked from.")
    step: str = Field(description="The step of the interview they were at, in words.")
    can_resend: bool = Field(description="Whether POST /tickets/{id}/resend applies (a link the ticket is about).")
    messages: list[TicketMessageOut]


class TicketStatsOut(Schema):
    open: int
    answered: int
    closed: int
    first_response_avg_minutes: float | None = Field(description="Mean minutes to HR's first answer.")
    goal_minutes: int = Field(description="The first-response goal.")
    median_minutes: float | None = Field(description="Median first-response minutes over the last 14 days.")
    within_goal_pct: int | None = Field(description="Share answered within the goal over the last 14 days.")
    days: list[dict] = Field(description="Per day (date, tickets, answered, median_minutes, within_goal_pct), newest first.")


class ReplyIn(Schema):
    body: str = Field(max_length=4000, description="HR's answer, sent to the candidate by their channel (2000 characters kept).")

    model_config = {"json_schema_extra": {"examples": [{"body": "您好，面试链接已经延长有效期，请重新打开即可。"}]}}


def _name(candidate) -> str:
    return candidate.full_name if candidate is not None else ""


def _message_out(m: Message) -> dict:
    recipient = m.candidate.full_name if m.candidate_id else (m.user.full_name if m.user_id else "")
    return {"id": m.pk, "kind": m.kind, "kind_label": str(m.get_kind_display()), "candidate_id": m.candidate_id,
            "candidate_name": _name(m.candidate) if m.candidate_id else "", "recipient_name": recipient, "status": m.status,
            "status_label": str(m.get_status_display()), "channel": m.channel, "channel_label": m.channel_label,
            "channels": list(m.channels or []), "error": m.error, "language": m.language, "created_at": m.created_at,
            "sent_at": m.sent_at}


@router.get("/messages", response=MessageList, summary="List messages (the outbox)")
def messages(request, candidate: int | None = Query(None, ge=1, le=MAX_ID, description="Only messages to this candidate."),
             status: Message.Status | None = MESSAGE_STATUS, kind: Kind | None = MESSAGE_KIND,
             channel: Channel | None = MESSAGE_CHANNEL,
             q: str = NAME, cursor: str = CURSOR, limit: int = LIMIT):
    """Every message to candidates and staff, newest first, without its text (read one message for that). Needs the
    messaging view right, like the outbox page; the candidates' names shown are audited as one list read."""
    require_perm(request.user, Perm.MESSAGING_VIEW)
    qs = message_list(actor=request.user, status=status or "", kind=kind or "").prefetch_related(None)
    if candidate is not None:
        qs = qs.filter(candidate=access_candidate(actor=request.user, candidate_id=candidate))
    if channel:
        qs = qs.filter(channel=channel)
    if q.strip():
        qs = qs.filter(candidate_id__in=candidate_ids_matching(request.user.organization_id, q))
    page = cursor_page(qs, cursor=cursor, limit=limit, order="-created_at", salt="messaging.messages")
    audit_list_read(request=request, candidates=[m.candidate for m in page.items])
    return {"items": [_message_out(m) for m in page.items], "next": page.next}


@router.get("/messages/{id:message_id}", response=MessageDetailOut, summary="Get one message with its text")
def message_get(request, message_id: int, response: HttpResponse):
    """One message's subject, text and delivery log; the read is audited (subject and body), as on the message page.
    The answer carries an ``ETag``."""
    m = access_message(actor=request.user, message_id=message_id)
    audit_record(action=AuditEvent.Action.READ, actor=request.user, obj=m, fields=["subject", "body"], request=request)
    response["ETag"] = etag_of(m)
    return {**_message_out(m), "subject": m.subject, "body": m.body,
            "attempts": [{"channel": a.channel, "channel_label": str(a.get_channel_display()), "status": a.status,
                          "status_label": str(a.get_status_display()), "error_code": a.error_code, "error": a.error,
                          "created_at": a.created_at} for a in m.attempts.all()]}


def _ticket_out(t: Ticket) -> dict:
    return {"id": t.pk, "candidate_id": t.candidate_id, "candidate_name": _name(t.candidate) if t.candidate_id else "",
            "source": t.source, "source_label": str(t.get_source_display()), "status": t.status,
            "status_label": str(t.get_status_display()), "subject": t.subject_display, "subject_label": t.subject_label,
            "new_link_requested": t.new_link_requested,
            "message_count": t.message_count if hasattr(t, "message_count") else t.messages.count(),
            "first_response_at": t.first_response_at, "last_message_at": t.last_message_at, "created_at": t.created_at}


def _ticket_detail(t: Ticket) -> dict:
    thread = list(t.messages.select_related("author", "outbound"))
    return {**_ticket_out(t), "message_count": len(thread), "contact": t.contact, "page": t.page, "step": t.step_display,
            "can_resend": helpdesk.ticket_can_resend(t),
            "messages": [{"id": m.pk, "direction": m.direction, "direction_label": str(m.get_direction_display()), "body": m.body,
                          "author_name": m.author.full_name if m.author_id else "",
                          "outbound_status": m.outbound.status if m.outbound_id else "",
                          "outbound_status_label": m.outbound.get_status_display() if m.outbound_id else "", "created_at": m.created_at}
                         for m in thread]}


@router.get("/tickets", response=TicketList, summary="List help-desk tickets")
def tickets(request, status: Ticket.Status | None = TICKET_STATUS,
            q: str = NAME, cursor: str = CURSOR, limit: int = LIMIT):
    """The help-desk inbox: the most recently active threads first. Needs the help-desk right, like the inbox page;
    the candidates' names shown are audited as one list read."""
    require_perm(request.user, Perm.MESSAGING_HELPDESK)
    qs = ticket_list(actor=request.user, status=status or "")
    if q.strip():
        qs = qs.filter(candidate_id__in=candidate_ids_matching(request.user.organization_id, q))
    page = cursor_page(qs, cursor=cursor, limit=limit, order="-last_message_at", salt="messaging.tickets")
    audit_list_read(request=request, candidates=[t.candidate for t in page.items])
    return {"items": [_ticket_out(t) for t in page.items], "next": page.next}


@router.get("/tickets/stats", response=TicketStatsOut, summary="Help-desk response figures")
def ticket_figures(request, zone: str = Query("", max_length=64, description="Time zone of the days (default: the organization's).")):
    """The inbox's tiles: tickets per status, mean first response, and per day of the last 14 the median first
    response and the share answered within the goal."""
    require_perm(request.user, Perm.MESSAGING_HELPDESK)
    zone = zone or request.user.organization.time_zone
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ApiProblem(400, _("请求参数不正确。"), _("请检查：%(names)s") % {"names": "zone"}, code="invalid_request") from None
    counts = ticket_stats(actor=request.user)
    by_day = first_response_by_day(actor=request.user, goal_minutes=helpdesk.FIRST_RESPONSE_GOAL_MINUTES, zone=zone)
    days = [{**d, "date": d["date"].isoformat() if isinstance(d["date"], date) else d["date"]} for d in by_day["days"]]
    return {**counts, "goal_minutes": by_day["goal_minutes"], "median_minutes": by_day["median_minutes"],
            "within_goal_pct": by_day["within_goal_pct"], "days": days}


@router.get("/tickets/{id:ticket_id}", response=TicketDetailOut, summary="Get one ticket with its thread")
def ticket_get(request, ticket_id: int, response: HttpResponse):
    """The whole conversation; reading it is audited (the candidate's messages and contact), as on the ticket page.
    The answer carries an ``ETag`` (for ``If-Match`` on close)."""
    t = access_ticket(actor=request.user, ticket_id=ticket_id)
    helpdesk.ticket_read(actor=request.user, ticket=t, request=request)
    response["ETag"] = etag_of(t)
    return _ticket_detail(t)


@router.post("/tickets/{id:ticket_id}/reply", response={201: TicketMessageOut}, summary="Answer a ticket",
             openapi_extra={"requestBody": {"content": {"application/json": {"example": {"body": "您好，面试链接已经延长有效期，请重新打开即可。"}}}}})
def ticket_reply(request, ticket_id: int, payload: ReplyIn):
    """HR's answer: stored in the thread, the ticket marked answered (first response kept) and sent to the candidate
    by their channel (WeChat first, then the fall-backs) with a link to the thread. ``Idempotency-Key`` is honoured:
    a retry with the same key sends nothing again."""
    t = access_ticket(actor=request.user, ticket_id=ticket_id)

    def reply():
        m: TicketMessage = helpdesk.ticket_reply(actor=request.user, ticket=t, body=payload.body)
        return 201, {"id": m.pk, "direction": m.direction, "direction_label": str(m.get_direction_display()), "body": m.body,
                     "author_name": request.user.full_name, "outbound_status": m.outbound.status if m.outbound_id else "",
                          "outbound_status_label": m.outbound.get_status_display() if m.outbound_id else "",
                     "created_at": m.created_at}
    return idempotent(request, reply)


@router.post("/tickets/{id:ticket_id}/resend", response={201: TicketMessageOut}, summary="Send a working link again")
def ticket_resend(request, ticket_id: int):
    """The ticket page's "resend the link": a working link for what the ticket is about (AI interview, booking,
    live interview, portal), sent to the candidate and recorded as HR's answer. 422 when the ticket has no link to
    resend (``can_resend`` false). ``Idempotency-Key`` is honoured."""
    t = access_ticket(actor=request.user, ticket_id=ticket_id)

    def resend():
        m = helpdesk.ticket_resend(actor=request.user, ticket=t, request=request)
        return 201, {"id": m.pk, "direction": m.direction, "direction_label": str(m.get_direction_display()), "body": m.body,
                     "author_name": request.user.full_name, "outbound_status": m.outbound.status if m.outbound_id else "",
                          "outbound_status_label": m.outbound.get_status_display() if m.outbound_id else "",
                     "created_at": m.created_at}
    return idempotent(request, resend)


@router.post("/tickets/{id:ticket_id}/close", response=TicketOut, summary="Close a ticket")
def ticket_close(request, ticket_id: int, response: HttpResponse):
    """Close the thread (a new message from the candidate opens it again). Honours ``If-Match`` with the ETag of
    the last read (412 when the thread changed since)."""
    t = access_ticket(actor=request.user, ticket_id=ticket_id)
    check_if_match(request, t)
    t = helpdesk.ticket_close(actor=request.user, ticket=t)
    response["ETag"] = etag_of(t)
    return _ticket_out(t)
