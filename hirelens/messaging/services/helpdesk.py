"""The candidate help desk: tickets from WeChat or any candidate page, live in HR's inbox; HR's answer
goes back on WeChat (customer-service message inside the 48-hour window, else the fallback channels)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from typing import Protocol

from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from hirelens.core import events, tokens
from hirelens.core.access import require_perm
from hirelens.core.audit import audit_record
from hirelens.core.models import AuditEvent
from hirelens.core.realtime import organization_group, publish_on_commit
from hirelens.core.roles import Perm
from hirelens.messaging.models import HELP_LINK, HelpLink, Kind, Ticket, TicketMessage

from .deadlinks import SUBJECT_NAMES

HELP_LINK_SALT = "hirelens.messaging.help"
HELP_LINK_MAX_AGE = 60 * 60 * 24 * 90
MAX_BODY = 2000
WEB_MESSAGES_PER_DAY = 20  # a leaked help link cannot flood the inbox
NEW_LINK_REQUESTS_PER_DAY = 3
WEB_TICKETS_PER_IP_HOUR = 10
FIRST_RESPONSE_GOAL_MINUTES = 15  # the seed's promise: a candidate whose link will not open gets help in real time


def _publish(ticket: Ticket, *, direction: str) -> None:
    # Only ids travel over the socket; the page fetches the text through access-checked views.
    publish_on_commit(organization_group(ticket.organization_id), "helpdesk.message",
                      {"ticket": ticket.pk, "direction": direction, "status": ticket.status},
                      audience={"ticket": ticket.pk})  # the help-desk right (access_ticket)


def _received(ticket: Ticket) -> None:
    """The candidate wrote: ``helpdesk.received``, in this transaction. Live subscribes (a candidate in a live interview
    right now: the interviewers see the report inside the room)."""
    events.emit(events.HelpdeskMessageReceived(organization_id=ticket.organization_id, ticket_id=ticket.pk,
                                               candidate_id=ticket.candidate_id))


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
    _received(ticket)
    return ticket, created


@dataclass
class HelpAccess:
    """What a help link grants: the candidate's own threads (or, for a request left without a known candidate, that
    one ticket), and the subject the page that linked here was about."""

    organization_id: int
    candidate: object | None = None
    ticket_id: int | None = None
    subject_type: str = ""
    subject_id: int | None = None


HELP_LINK_TTL = timedelta(seconds=HELP_LINK_MAX_AGE)  # 90 days, renewed while the candidate's pages keep showing it
_HELP_SUBJECTS = frozenset(SUBJECT_NAMES) - {"unknown", "messaging.help"}


def _help_lookup(*, candidate, ticket: Ticket | None, subject_type: str, subject_id) -> tuple[dict, int]:
    if ticket is not None and ticket.candidate_id is None:
        return {"ticket": ticket}, ticket.organization_id
    if subject_type not in _HELP_SUBJECTS or not subject_id:
        subject_type, subject_id = "", None
    return {"candidate": candidate, "subject_type": subject_type, "subject_id": int(subject_id) if subject_id else None}, \
        candidate.organization_id


def help_link_token(*, candidate=None, ticket: Ticket | None = None, subject_type: str = "", subject_id: int | None = None) -> str:
    """The token of the candidate's help page (any candidate page links to it), on the one link scheme: the stored
    ``HelpLink`` of the candidate and the subject (or, for a request from an unknown link, of the one ticket), so
    neither can be swapped in the URL. Got or created: a page render with a live link costs one query and writes
    nothing (a write only to renew a link past half its life, or to mint one that is missing, expired or revoked)."""
    lookup, organization_id = _help_lookup(candidate=candidate, ticket=ticket, subject_type=subject_type,
                                           subject_id=subject_id)
    now = timezone.now()
    link = HelpLink.objects.filter(**lookup).first()
    if link is not None and link.token and tokens.link_state(HELP_LINK, link, now=now) == tokens.LIVE:
        if link.expires_at - now < HELP_LINK_TTL / 2:
            link.expires_at = now + HELP_LINK_TTL
            link.save(update_fields=["expires_at", "updated_at"])
        return link.token
    return _help_link_mint(lookup=lookup, organization_id=organization_id)


def _help_link_mint(*, lookup: dict, organization_id: int) -> str:
    """A new token on the (candidate, subject) or ticket row: a revoked or expired one is re-issued (its old token
    stops opening). Two renders at once: the second finds the first's row."""
    try:
        with transaction.atomic():
            link = (HelpLink.objects.select_for_update().filter(**lookup).first()
                    or HelpLink(organization_id=organization_id, **lookup))
            if link.pk and link.token and tokens.link_state(HELP_LINK, link) == tokens.LIVE:
                return link.token
            token = tokens.mint(HELP_LINK, link, HELP_LINK_TTL, save=False)
            link.token, link.revoked_at = token, None
            link.save()
            return token
    except IntegrityError:  # a concurrent render inserted the row first
        link = HelpLink.objects.filter(**lookup).first()
        if link is None or not link.token:
            raise
        return link.token


_TOKEN_PATHS = re.compile(r"^/(i|live/join|scheduling/l|feedback/s|portal|privacy/portal|privacy/download|messaging/help|self-id/[^/]+)/[^/]+")


def page_without_token(page: str) -> str:
    """The page a question came from, without the link's token: "/i/…/" (a token in a ticket would hand HR, and
    anyone reading the ticket, the candidate's credential)."""
    return _TOKEN_PATHS.sub(lambda m: f"/{m.group(1)}/…", (page or "").strip())[:300]


def help_url(*, candidate, page: str = "", step: str = "", subject_type: str = "", subject_id: int | None = None,
             absolute: bool = False) -> str:
    """The "need help?" link of a candidate page, with the page and the step the candidate was on."""
    from urllib.parse import urlencode

    from django.urls import reverse

    from hirelens.core.links import absolute_url

    url = reverse("messaging:help", args=[help_link_token(candidate=candidate, subject_type=subject_type, subject_id=subject_id)])
    query = urlencode({k: v for k, v in (("page", page_without_token(page)), ("step", step[:64])) if v})
    url = f"{url}?{query}" if query else url
    return absolute_url(url) if absolute else url


def help_link_open(token: str) -> HelpAccess:
    """What ``token`` opens (core/tokens: ``LinkDead`` when unknown, expired or revoked)."""
    if ":" in (token or ""):  # never in a core/tokens token (URL-safe base64): the former signed form
        access = _legacy_help_access(token)
        if access is None:
            raise tokens.LinkDead(tokens.UNKNOWN)
        return access
    link = tokens.resolve(HELP_LINK, token)
    if link.ticket_id is not None:
        return HelpAccess(organization_id=link.organization_id, ticket_id=link.ticket_id)
    return HelpAccess(organization_id=link.organization_id, candidate=link.candidate, subject_type=link.subject_type,
                      subject_id=link.subject_id)


def help_access(token: str) -> HelpAccess | None:
    try:
        return help_link_open(token)
    except tokens.LinkDead:
        return None


def _legacy_help_access(token: str, *, max_age: int = HELP_LINK_MAX_AGE) -> HelpAccess | None:
    """A help link signed before the help desk moved onto core/tokens (``signing.dumps`` with ``HELP_LINK_SALT``,
    naming the candidate and subject, or one visitor's ticket). Those links are in candidates' inboxes, so they keep
    opening until their signature's ``max_age`` (90 days) passes; this fallback can go 90 days after the release
    that minted the last of them. Unlike the stored links they depend on ``SECRET_KEY`` and cannot be revoked."""
    from hirelens.candidates.models import Candidate

    try:
        data = signing.loads(token, salt=HELP_LINK_SALT, max_age=max_age)
        organization_id = int(data["o"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None
    if "t" in data:
        if not Ticket.objects.filter(organization_id=organization_id, pk=data["t"], candidate__isnull=True).exists():
            return None
        return HelpAccess(organization_id=organization_id, ticket_id=int(data["t"]))
    candidate = Candidate.objects.filter(organization_id=organization_id, pk=data.get("c")).first()
    if candidate is None:
        return None
    subject_type = data.get("s", "") if data.get("s") in SUBJECT_NAMES else ""
    return HelpAccess(organization_id=organization_id, candidate=candidate, subject_type=subject_type,
                      subject_id=int(data["i"]) if subject_type and data.get("i") else None)


def help_link_candidate(token: str):
    access = help_access(token)
    return access.candidate if access is not None else None


def _ip_hash(ip: str) -> str:
    return salted_hmac("hirelens.messaging.help.ip", ip or "-").hexdigest() if ip else ""


def _check_limits(*, candidate, ip_hash: str, new_link: bool, now) -> None:
    """A leaked help link or a script cannot flood HR's inbox: messages per candidate per day, new-link requests per
    candidate per day, tickets opened per IP per hour (the IP is kept only as a keyed hash)."""
    day = now - timedelta(days=1)
    if candidate is not None:
        sent = TicketMessage.objects.filter(ticket__candidate=candidate, direction=TicketMessage.Direction.INBOUND,
                                            created_at__gt=day).count()
        if sent >= WEB_MESSAGES_PER_DAY:
            raise ValidationError(_("今天提交的问题已经很多了，请等待 HR 回复，或直接在公众号留言。"), code="rate")
        if new_link and TicketMessage.objects.filter(ticket__candidate=candidate, ticket__new_link_requested=True,
                                                     direction=TicketMessage.Direction.INBOUND,
                                                     created_at__gt=day).count() >= NEW_LINK_REQUESTS_PER_DAY:
            raise ValidationError(_("您今天已经申请过新链接了，HR 会尽快处理，请留意微信、短信或邮件。"), code="rate")
    if ip_hash and Ticket.objects.filter(ip_hash=ip_hash, created_at__gt=now - timedelta(hours=1)).count() >= WEB_TICKETS_PER_IP_HOUR:
        raise ValidationError(_("提交太频繁了，请一小时后再试。"), code="rate")


@transaction.atomic
def ticket_open_web(*, organization_id: int, body: str, candidate=None, contact: str = "", page: str = "", step: str = "",
                    subject_type: str = "", subject_id: int | None = None, subject_label: str = "", new_link: bool = False,
                    ip: str = "") -> Ticket:
    """A question from a candidate page (``candidate`` from a help link) or a dead-link page. A follow-up from
    the same candidate about the same subject joins their open thread; otherwise a new ticket opens. Rate-limited."""
    body = _clean_body(body)
    if candidate is not None and candidate.organization_id != organization_id:
        raise ValidationError(_("候选人不属于本组织。"))
    contact = contact.strip()[:254]
    if candidate is None and not contact:
        raise ValidationError(_("请留下邮箱或手机号，以便我们回复您。"), code="contact")
    if candidate is None and not _contact_valid(contact):
        raise ValidationError(_("请填写有效的邮箱或手机号。"), code="contact")
    now = timezone.now()
    ip_hash = _ip_hash(ip)
    _check_limits(candidate=candidate, ip_hash=ip_hash, new_link=new_link, now=now)
    ticket = None
    if candidate is not None:
        ticket = (Ticket.objects.select_for_update()
                  .filter(organization_id=organization_id, candidate=candidate, subject_type=subject_type,
                          subject_id=subject_id).exclude(status=Ticket.Status.CLOSED).order_by("-pk").first())
    if ticket is None:
        ticket = Ticket.objects.create(organization_id=organization_id, candidate=candidate, source=Ticket.Source.WEB,
                                       contact=contact if candidate is None else "", page=page_without_token(page),
                                       step=step[:64],
                                       subject_type=subject_type, subject_id=subject_id, subject_label=subject_label[:200],
                                       new_link_requested=new_link, ip_hash=ip_hash, last_message_at=now,
                                       language=translation.get_language() or "")
    else:
        ticket.status, ticket.last_message_at = Ticket.Status.OPEN, now
        ticket.page, ticket.step = page_without_token(page) or ticket.page, step[:64] or ticket.step
        ticket.new_link_requested = ticket.new_link_requested or new_link
        ticket.save(update_fields=["status", "last_message_at", "page", "step", "new_link_requested", "updated_at"])
    TicketMessage.objects.create(organization_id=organization_id, ticket=ticket, direction=TicketMessage.Direction.INBOUND,
                                 body=body)
    _publish(ticket, direction="in")
    _received(ticket)
    return ticket


def _contact_valid(contact: str) -> bool:
    from django.core.validators import validate_email

    if "@" in contact:
        try:
            validate_email(contact)
        except ValidationError:
            return False
        return True
    digits = "".join(ch for ch in contact if ch.isdigit())
    return 7 <= len(digits) <= 15 and all(ch.isdigit() or ch in " +-()" for ch in contact)


def new_link_request(*, dead, body: str = "", contact: str = "", ip: str = "") -> Ticket:
    """"Ask for a new link" from a dead-link page: a ticket to HR about that link, naming the candidate and the link
    (a request from an unknown link carries the contact the visitor left)."""
    from .deadlinks import DeadLink

    assert isinstance(dead, DeadLink)
    if dead.organization_id is None:
        raise ValidationError(_("无法识别这个链接所属的公司，请直接回复发给您链接的消息。"), code="unroutable")
    body = (body or "").strip() or _("我的链接打不开，请给我一个新的链接。")
    known = dead.status != "unknown"
    return ticket_open_web(organization_id=dead.organization_id, body=body, candidate=dead.candidate if known else None,
                           contact="" if known else contact, page="", step=dead.status,
                           subject_type=dead.subject_type if known else "unknown",
                           subject_id=dead.subject_id if known else None, subject_label=dead.title, new_link=True, ip=ip)


def candidate_threads(*, access: HelpAccess) -> list[Ticket]:
    """The threads the help page shows: the candidate's open and answered tickets (closed ones from the last
    30 days too), each with its messages, in two queries."""
    from django.db.models import Prefetch, Q

    qs = Ticket.objects.filter(organization_id=access.organization_id)
    if access.candidate is not None:
        qs = qs.filter(candidate=access.candidate)
    else:
        qs = qs.filter(pk=access.ticket_id)
    recent = timezone.now() - timedelta(days=30)
    qs = qs.filter(~Q(status=Ticket.Status.CLOSED) | Q(updated_at__gt=recent))
    return list(qs.order_by("-last_message_at", "-pk")
                .prefetch_related(Prefetch("messages", queryset=TicketMessage.objects.order_by("created_at", "pk")))[:20])


@transaction.atomic
def ticket_follow_up(*, access: HelpAccess, ticket_id, body: str, ip: str = "") -> Ticket:
    """The candidate answers in a thread on the help page. The ticket is found through the help link (their own
    tickets only), never by its id alone."""
    body = _clean_body(body)
    qs = Ticket.objects.select_for_update().filter(organization_id=access.organization_id)
    qs = qs.filter(candidate=access.candidate) if access.candidate is not None else qs.filter(pk=access.ticket_id)
    try:
        ticket = qs.filter(pk=int(ticket_id)).first()
    except (TypeError, ValueError):
        ticket = None
    if ticket is None:
        raise ValidationError(_("找不到这条对话。"), code="missing")
    _check_limits(candidate=ticket.candidate, ip_hash="", new_link=False, now=timezone.now())
    if ticket.candidate_id is None and ticket.messages.filter(  # a visitor's one-ticket token: limited per ticket
            direction=TicketMessage.Direction.INBOUND, created_at__gt=timezone.now() - timedelta(days=1)).count() >= WEB_MESSAGES_PER_DAY:
        raise ValidationError(_("今天提交的问题已经很多了，请等待 HR 回复，或直接在公众号留言。"), code="rate")
    ticket.status, ticket.last_message_at = Ticket.Status.OPEN, timezone.now()
    ticket.save(update_fields=["status", "last_message_at", "updated_at"])
    TicketMessage.objects.create(organization_id=ticket.organization_id, ticket=ticket,
                                 direction=TicketMessage.Direction.INBOUND, body=body)
    _publish(ticket, direction="in")
    _received(ticket)
    return ticket


def ticket_read(*, actor, ticket: Ticket, request=None) -> Ticket:
    """HR opened the conversation: the candidate's messages are personal data (S2)."""
    audit_record(action=AuditEvent.Action.READ, actor=actor, obj=ticket, fields=["messages", "contact"], request=request)
    return ticket


@transaction.atomic
def ticket_reply(*, actor, ticket: Ticket, body: str) -> TicketMessage:
    """HR answers. The answer is stored, the ticket marked answered (first-response time kept) and a
    ``helpdesk_reply`` message queued to the candidate: customer-service message first, then fall-back."""
    require_perm(actor, Perm.MESSAGING_HELPDESK)
    if ticket.organization_id != actor.organization_id:
        raise ValidationError(_("工单不属于本组织。"))
    body = _clean_body(body)
    return _answer(actor=actor, ticket=ticket, body=body)


def _answer(*, actor, ticket: Ticket, body: str, outbound=None) -> TicketMessage:
    """Store HR's answer and send it by the candidate's channel (WeChat first, then the fall-backs) with the link
    to the whole thread on the web; ``outbound`` given: the answer went out as that message already (a resend)."""
    from .messages import message_send

    now = timezone.now()
    candidate = ticket.candidate or (ticket.binding.candidate if ticket.binding_id else None)
    if outbound is None:
        thread = help_url(candidate=candidate, absolute=True) if candidate is not None else ""
        if candidate is None and ticket.contact:
            from django.urls import reverse

            from hirelens.core.links import absolute_url

            thread = absolute_url(reverse("messaging:help", args=[help_link_token(ticket=ticket)]))
        outbound = message_send(
            organization_id=ticket.organization_id, kind=Kind.HELPDESK_REPLY, candidate=candidate,
            binding=ticket.binding, address="" if (candidate or ticket.binding_id) else ticket.contact,
            variables={"reply": body, "ticket": ticket.pk, "help_link": thread},
            subject_type="messaging.ticket", subject_id=ticket.pk,
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


RESENDABLE = {"interviews.session", "scheduling.link", "scheduling.interview"}  # messaging's layer resends these itself


class LinkResender(Protocol):
    """Issues a working link for what ``ticket`` is about and returns its address (sent in HR's answer)."""

    def __call__(self, *, actor, ticket: Ticket, candidate, request=None) -> str: ...


_resenders: dict[str, LinkResender] = {}


def link_resender_register(subject_type: str, resender: LinkResender) -> None:
    """A higher app's link (the portal's ``portal.link``), registered from its ``AppConfig.ready()``: HR's "send a new
    link" on a ticket about it calls ``resender``."""
    _resenders[subject_type] = resender


def ticket_can_resend(ticket: Ticket) -> bool:
    """Whether HR's "resend the link" button applies: the ticket is about a link whose app has a resend service that
    would accept it now (an AI interview not submitted or withdrawn: session_resend keeps its link, and moves a
    passed deadline RESEND_EXTENSION_DAYS from now)."""
    if (ticket.subject_type not in RESENDABLE and ticket.subject_type not in _resenders) or ticket.subject_id is None \
            or ticket.candidate_id is None:
        return False
    if ticket.subject_type == "interviews.session":
        from hirelens.interviews.models import InterviewSession
        from hirelens.interviews.services import OPEN_STATES

        return InterviewSession.objects.filter(pk=ticket.subject_id, organization_id=ticket.organization_id,
                                               revoked_at__isnull=True, state__in=OPEN_STATES).exists()
    if ticket.subject_type == "scheduling.interview":
        from hirelens.scheduling.models import Interview

        return Interview.objects.pending().filter(pk=ticket.subject_id, organization_id=ticket.organization_id).exists()
    return True


@transaction.atomic
def ticket_resend(*, actor, ticket: Ticket, request=None) -> TicketMessage:
    """One click on the ticket: a working link for what the ticket is about, sent to the candidate by their channel,
    recorded in the thread as HR's answer. The AI interview resends its invitation (its own message, same link);
    a booking link, a live interview's candidate link and a portal link are issued afresh and sent in the answer."""
    require_perm(actor, Perm.MESSAGING_HELPDESK)
    if ticket.organization_id != actor.organization_id:
        raise ValidationError(_("工单不属于本组织。"))
    if not ticket_can_resend(ticket):
        raise ValidationError(_("这张工单没有可以重新发送的链接。"))
    candidate = ticket.candidate
    with translation.override(ticket.language or translation.get_language()):
        if ticket.subject_type == "interviews.session":
            from hirelens.interviews.models import InterviewSession
            from hirelens.interviews.services import RESEND_EXTENSION_DAYS, session_resend

            session = InterviewSession.objects.filter(organization_id=ticket.organization_id, pk=ticket.subject_id,
                                                      application__candidate=candidate).first()
            if session is None:
                raise ValidationError(_("这场面试已不存在。"))
            extended = session.expires_at <= timezone.now()
            message = session_resend(actor=actor, session=session, extend_days=RESEND_EXTENSION_DAYS)
            body = (_("已重新发送面试邀请，截止时间延长至 %(days)s 天后，请查收微信、短信或邮件。") % {"days": RESEND_EXTENSION_DAYS}
                    if extended else _("已重新发送面试邀请，请查收微信、短信或邮件。"))
            return _answer(actor=actor, ticket=ticket, body=str(body), outbound=message)
        resender = _resenders.get(ticket.subject_type)
        if resender is not None:  # a portal link: issued afresh by the portal (PortalConfig.ready)
            link = resender(actor=actor, ticket=ticket, candidate=candidate, request=request)
        else:
            link = _scheduling_link(actor=actor, ticket=ticket, candidate=candidate)
        body = _("这是您的新链接：%(link)s") % {"link": link}
    return _answer(actor=actor, ticket=ticket, body=body)


def _scheduling_link(*, actor, ticket: Ticket, candidate) -> str:
    from hirelens.scheduling.links import link_issue, link_url
    from hirelens.scheduling.models import Interview, InterviewLink

    if ticket.subject_type == "scheduling.link":
        old = InterviewLink.objects.filter(organization_id=ticket.organization_id, pk=ticket.subject_id,
                                           application__candidate=candidate).select_related("application").first()
        if old is None:
            raise ValidationError(_("这条链接已不存在。"))
        from hirelens.scheduling.services import booking_link_issue

        return booking_link_issue(actor=actor, application=old.application)
    interview = Interview.objects.filter(organization_id=ticket.organization_id, pk=ticket.subject_id,
                                         application__candidate=candidate).select_related("application").first()
    if interview is None or not interview.is_pending():
        raise ValidationError(_("这场面试已结束或已取消，不能再发送链接。"))
    _link, token = link_issue(application=interview.application, kind=InterviewLink.Kind.CANDIDATE, interview=interview,
                              actor=actor)
    return link_url(token)
