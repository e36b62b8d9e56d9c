"""Invitations: by the candidate's channels, with reminders before the deadline (issue 16 §4)."""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hirelens.core import tokens
from hirelens.core.access import require_perm
from hirelens.core.audit import audit_record
from hirelens.core.models import AuditEvent
from hirelens.core.roles import Perm

from ..models import SESSION_LINK, ConsentNotice, InterviewSession
from .sessions import OPEN_STATES, SUBJECT_TYPE, current_notices, session_create, session_link

REMINDER_OFFSETS = (48 * 60, 6 * 60)  # minutes before the deadline, while the interview is not submitted


def session_time_zone(session: InterviewSession) -> str:
    """The candidate's zone for the deadline: the position's (where the candidate applied; the record holds no
    zone of its own), else the organization's."""
    return session.application.position.time_zone or session.organization.time_zone or "Asia/Shanghai"


def invitation_deadline_at(session: InterviewSession, moment, language: str) -> str:
    from ..notices import deadline_text

    return deadline_text(moment, session_time_zone(session), "en" if (language or "").startswith("en") else "zh-hans")


def invitation_deadline(session: InterviewSession, language: str) -> str:
    from ..notices import deadline_text

    return deadline_text(session.expires_at, session_time_zone(session), "en" if language.startswith("en") else "zh-hans")


def invitation_variables(session: InterviewSession, link: str) -> dict:
    """The variables of the invitation and its reminders, in the session's (the candidate's) language."""
    from ..notices import deadline_text, notice_text

    language = "en" if session.language.startswith("en") else "zh-hans"
    return {
        "position": session.application.position.title,
        "link": link,
        "deadline": deadline_text(session.expires_at, session_time_zone(session), language),
        "materials": [line for line in session.materials.splitlines() if line.strip()],
        "notice": notice_text(current_notices(session.organization_id),
                              facial_enabled=session.application.position.facial_enabled, language=language,
                              choice_link=choice_url(session)) + _opens_words(session, language),
    }


def _opens_words(session: InterviewSession, language: str) -> str:
    from ..notices import deadline_text

    if session.opens_at is None:
        return ""
    when = deadline_text(session.opens_at, session_time_zone(session), language)
    return f" The interview opens on {when}." if language == "en" else f" 面试将于{when}开放作答。"


def choice_url(session: InterviewSession) -> str:
    from ..choice import choice_url as url

    return url(session)


def _invite(session: InterviewSession, token: str):
    """Queue the invitation (after commit, by the organization's channel order for this kind: WeChat, e-mail, SMS,
    whichever reaches the candidate) and (re-)plan the reminders before the deadline."""
    from hirelens.messaging.models import Kind
    from hirelens.messaging.services import message_send, reminders_plan

    variables = invitation_variables(session, session_link(token))
    session.invitations_sent += 1
    # which invitation notice the candidate was sent (issue 20): its version, whose it is, when
    notice = current_notices(session.organization_id).get(ConsentNotice.Kind.INVITATION_AI)
    if notice is not None:
        session.invitation_notice = {"kind": notice.kind, "version": notice.version, "organization": notice.organization_id is not None,
                                     "at": timezone.now().isoformat()}
    session.save(update_fields=["invitations_sent", "invitation_notice", "updated_at"])
    message = message_send(organization_id=session.organization_id, kind=Kind.AI_INTERVIEW_INVITE,
                           candidate=session.application.candidate, variables=variables, language=session.language,
                           subject_type=SUBJECT_TYPE, subject_id=session.pk,
                           idempotency_key=f"ai_interview:{session.pk}:invite:{session.invitations_sent}")
    # Re-planning supersedes the planned ones; one already sent for this deadline and offset is not sent again.
    reminders_plan(organization_id=session.organization_id, subject_type=SUBJECT_TYPE, subject_id=session.pk,
                   starts_at=session.expires_at, offsets=REMINDER_OFFSETS, candidate_id=session.application.candidate_id,
                   variables={**variables, "message_kind": Kind.AI_INTERVIEW_REMINDER})
    return message



@transaction.atomic
def session_send(*, actor, application, **options) -> tuple[InterviewSession, str, object]:
    """Create the session and send the invitation in one transaction: both exist, or neither. Returns the session,
    its link token (shown once to HR as a fallback) and the queued message."""
    session, token = session_create(actor=actor, application=application, **options)
    message = _invite(session, token)
    audit_record(action=AuditEvent.Action.UPDATE, actor=actor, obj=session, fields=["invitations_sent"])
    return session, token, message


RESEND_EXTENSION_DAYS = 3  # a candidate who asked for a new link after the deadline gets this long from now


@transaction.atomic
def session_resend(*, actor, session: InterviewSession, extend_days: int | None = None):
    """Send the invitation again with the same link (its token is stored encrypted). A session from before links
    were stored gets a new token, which also closes its old link. Refused once the interview is submitted or
    withdrawn; past its deadline it is refused unless ``extend_days`` moves the deadline to that many days from now
    (HR answering a candidate's request for a new link: the same link opens again, its answers kept)."""
    require_perm(actor, Perm.CANDIDATES_MANAGE)
    session = (InterviewSession.objects.select_for_update().select_related("application__position", "application__candidate",
                                                                           "organization")
               .get(pk=session.pk, organization_id=actor.organization_id))
    if session.revoked_at is not None or session.state not in OPEN_STATES:
        raise ValidationError(_("面试已撤销或已提交，不能再次发送。"))
    fields = ["invitations_sent"]
    if session.expires_at <= timezone.now():
        if not extend_days:
            raise ValidationError(_("面试已过截止时间，请重新发送一场新的面试。"))
        session.expires_at = timezone.now() + timedelta(days=extend_days)
        session.save(update_fields=["expires_at", "updated_at"])
        fields.append("expires_at")
    token = session.link_token
    if not token:
        token = session.link_token = tokens.mint(SESSION_LINK, session, save=False)
        session.save(update_fields=["token_hash", "link_token", "updated_at"])
    message = _invite(session, token)
    audit_record(action=AuditEvent.Action.UPDATE, actor=actor, obj=session, fields=fields)
    return message


def session_deliveries(sessions) -> dict[int, list]:
    """The invitation and reminder messages of these sessions with their delivery log (one query each for the
    messages and their attempts, whatever the number of sessions): {session id: [Message, ...]} newest first."""
    from hirelens.messaging.models import Message

    ids = [s.pk for s in sessions]
    if not ids:
        return {}
    organization_id = sessions[0].organization_id
    rows = (Message.objects.filter(organization_id=organization_id, subject_type=SUBJECT_TYPE,
                                   subject_id__in=[str(pk) for pk in ids])
            .prefetch_related("attempts").order_by("-created_at", "-pk"))
    result: dict[int, list] = {pk: [] for pk in ids}
    for message in rows:
        result.setdefault(int(message.subject_id), []).append(message)
    return result
