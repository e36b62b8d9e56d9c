"""The candidate help desk: tickets from WeChat or any candidate page, live in HR's inbox; HR's answer
goes back on WeChat (customer-service message inside the 48-hour window, else the fallback channels)."""

from __future__ import annotations

from datetime import timedelta

from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hirelens.accounts.roles import Perm
from hirelens.core.access import require_perm
from hirelens.core.audit import audit_record
from hirelens.core.models import AuditEvent
from hirelens.core.realtime import organization_group, publish_on_commit
from hirelens.messaging.models import Kind, Ticket, TicketMessage

HELP_LINK_SALT = "hirelens.messaging.help"
MAX_BODY = 2000
WEB_TICKETS_PER_DAY = 10  # a leaked help link cannot flood the inbox


def _publish(ticket: Ticket, *, direction: str) -> None:
    # Only ids travel over the socket; the page fetches the text through access-checked views.
    publish_on_commit(organization_group(ticket.organization_id), "helpdesk.message",
                      {"ticket": ticket.pk, "direction": direction, "status": ticket.status},
                      audience={"ticket": ticket.pk})  # the help-desk right (access_ticket)


def _to_live_rooms(ticket: Ticket) -> None:
    """A candidate in a live interview right now: the interviewers see the report inside the room."""
    from hirelens.live.incidents import helpdesk_ticket_to_rooms

    helpdesk_ticket_to_rooms(ticket=ticket)


def _clean_body(body: str) -> str:
    body = (body or "").strip()
    if not body:
        raise ValidationError(_("请填写内容。"))
    return body[:MAX_BODY]


@transaction.atomic
def ticket_receive(*, organization, binding, body: str) -> tuple[Ticket, bool]:
    """A WeChat message from a follower: appended to their open ticket, or a new ticket. (ticket, created)"""
    body = _clean_body(body)
    now = timezone.now()
    ticket = (Ticket.objects.select_for_update().filter(organization=organization, binding=binding)
              .exclude(status=Ticket.Status.CLOSED).order_by("-pk").first())
    created = ticket is None
    if created:
        ticket = Ticket.objects.create(organization=organization, binding=binding, candidate_id=binding.candidate_id,
                                       source=Ticket.Source.WECHAT, last_message_at=now)
    else:
        ticket.status, ticket.last_message_at = Ticket.Status.OPEN, now
        ticket.candidate_id = ticket.candidate_id or binding.candidate_id  # bound since the ticket was opened
        ticket.save(update_fields=["status", "last_message_at", "candidate", "updated_at"])
    TicketMessage.objects.create(organization=organization, ticket=ticket, direction=TicketMessage.Direction.INBOUND, body=body)
    _publish(ticket, direction="in")
    _to_live_rooms(ticket)
    return ticket, created


def help_link_token(*, candidate) -> str:
    """A signed token for the candidate's "report a problem" form (any candidate page can link to it)."""
    return signing.dumps({"o": candidate.organization_id, "c": candidate.pk}, salt=HELP_LINK_SALT)


def help_link_candidate(token: str, *, max_age: int = 60 * 60 * 24 * 90):
    from hirelens.candidates.models import Candidate

    try:
        data = signing.loads(token, salt=HELP_LINK_SALT, max_age=max_age)
    except signing.BadSignature:
        return None
    return Candidate.objects.filter(organization_id=data.get("o"), pk=data.get("c")).first()


@transaction.atomic
def ticket_open_web(*, organization_id: int, body: str, candidate=None, contact: str = "", page: str = "") -> Ticket:
    """A problem reported from a candidate page. ``candidate`` comes from a signed help link."""
    body = _clean_body(body)
    if candidate is not None and candidate.organization_id != organization_id:
        raise ValidationError(_("候选人不属于本组织。"))
    if candidate is None and not contact.strip():
        raise ValidationError(_("请留下邮箱，以便我们回复您。"))
    now = timezone.now()
    if candidate is not None and Ticket.objects.filter(candidate=candidate, source=Ticket.Source.WEB,
                                                       created_at__gt=now - timedelta(days=1)).count() >= WEB_TICKETS_PER_DAY:
        raise ValidationError(_("今天提交的问题已经很多了，请等待 HR 回复，或直接在公众号留言。"))
    ticket = Ticket.objects.create(organization_id=organization_id, candidate=candidate, source=Ticket.Source.WEB,
                                   contact=contact.strip()[:254], page=page[:300], last_message_at=now)
    TicketMessage.objects.create(organization_id=organization_id, ticket=ticket, direction=TicketMessage.Direction.INBOUND,
                                 body=body)
    _publish(ticket, direction="in")
    _to_live_rooms(ticket)
    return ticket


def ticket_read(*, actor, ticket: Ticket, request=None) -> Ticket:
    """HR opened the conversation: the candidate's messages are personal data (S2)."""
    audit_record(action=AuditEvent.Action.READ, actor=actor, obj=ticket, fields=["messages", "contact"], request=request)
    return ticket


@transaction.atomic
def ticket_reply(*, actor, ticket: Ticket, body: str) -> TicketMessage:
    """HR answers. The answer is stored, the ticket marked answered (first-response time kept) and a
    ``helpdesk_reply`` message queued to the candidate: customer-service message first, then fall-back."""
    from .messages import message_send

    require_perm(actor, Perm.MESSAGING_HELPDESK)
    if ticket.organization_id != actor.organization_id:
        raise ValidationError(_("工单不属于本组织。"))
    body = _clean_body(body)
    now = timezone.now()
    candidate = ticket.candidate or (ticket.binding.candidate if ticket.binding_id else None)
    outbound = message_send(
        organization_id=ticket.organization_id, kind=Kind.HELPDESK_REPLY, candidate=candidate,
        binding=ticket.binding, address="" if (candidate or ticket.binding_id) else ticket.contact,
        variables={"reply": body, "ticket": ticket.pk}, subject_type="messaging.ticket", subject_id=ticket.pk,
    )
    reply = TicketMessage.objects.create(organization_id=ticket.organization_id, ticket=ticket, author=actor,
                                         direction=TicketMessage.Direction.OUTBOUND, body=body, outbound=outbound)
    ticket.status, ticket.last_message_at = Ticket.Status.ANSWERED, now
    fields = ["status", "last_message_at", "updated_at"]
    if ticket.first_response_at is None:
        ticket.first_response_at = now
        fields.append("first_response_at")
    ticket.save(update_fields=fields)
    _publish(ticket, direction="out")
    return reply


@transaction.atomic
def ticket_close(*, actor, ticket: Ticket) -> Ticket:
    require_perm(actor, Perm.MESSAGING_HELPDESK)
    if ticket.organization_id != actor.organization_id:
        raise ValidationError(_("工单不属于本组织。"))
    ticket.status = Ticket.Status.CLOSED
    ticket.save(update_fields=["status", "updated_at"])
    _publish(ticket, direction="close")
    return ticket
