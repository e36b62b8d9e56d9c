"""Expiring, revocable interview links (W3) on the one link scheme (``core/tokens.py``).

A token is random and shown once; the row keeps its SHA-256 and adds expiry, revocation and open tracking. Links
issued before the scheme (``signing`` over ``{"l": link id, "s": secret}``) keep opening until they expire. Build one
with ``link_issue`` (the token is returned once) and turn it into a URL with ``link_url``; verify with
``link_verify``/``link_open``.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from hirelens.candidates.timeline import timeline_add
from hirelens.core import events, tokens
from hirelens.core.actors import LinkActor
from hirelens.core.audit import audit_record
from hirelens.core.links import absolute_url
from hirelens.core.models import AuditEvent

from .models import INTERVIEW_LINK, Interview, InterviewLink

GRACE_AFTER_END = timedelta(hours=2)
BOOKING_VALIDITY = timedelta(days=7)
SESSION_CANDIDATE_KEY = "hirelens_link_candidate_id"


class LinkError(Exception):
    """``code`` is one of invalid, expired, revoked, kind, other_candidate; ``message`` is localized."""

    def __init__(self, code: str):
        self.code = code
        super().__init__(code)

    @property
    def message(self) -> str:
        return {
            "invalid": _("链接无效，请检查是否完整复制，或联系招聘专员获取新链接。"),
            "expired": _("链接已过期，请联系招聘专员获取新链接。"),
            "revoked": _("链接已被撤销，请使用最新收到的链接。"),
            "kind": _("这个链接不能用于此页面。"),
            "other_candidate": _("这个链接属于另一位候选人。请关闭浏览器后只打开您自己收到的链接。"),
        }.get(self.code, _("链接无效。"))


def default_expiry(*, kind: str, interview: Interview | None) -> datetime:
    if interview is not None and kind != InterviewLink.Kind.BOOKING:
        return interview.end_at + GRACE_AFTER_END
    return timezone.now() + BOOKING_VALIDITY


@transaction.atomic
def link_issue(*, application, kind: str, interview: Interview | None = None, user=None, expires_at: datetime | None = None,
               actor=None) -> tuple[InterviewLink, str]:
    if kind not in InterviewLink.Kind.values:
        raise ValueError(kind)
    if kind == InterviewLink.Kind.INTERVIEWER and user is None:
        raise ValueError("an interviewer link names its interviewer")
    link = InterviewLink(
        organization_id=application.organization_id, kind=kind, interview=interview, application=application, user=user,
        expires_at=expires_at or default_expiry(kind=kind, interview=interview),
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    token = tokens.mint(INTERVIEW_LINK, link)
    return link, token


def link_url(token: str, *, absolute: bool = True) -> str:
    path = reverse("scheduling:link", args=[token])
    return absolute_url(path) if absolute else path


def link_verify(token: str, *, kinds: set[str] | None = None) -> InterviewLink:
    try:
        link = tokens.resolve(INTERVIEW_LINK, token)
    except tokens.LinkDead as dead:  # unknown → "invalid" (404), revoked / expired (410)
        raise LinkError("invalid" if dead.status == tokens.UNKNOWN else dead.status) from None
    if kinds is not None and link.kind not in kinds:
        raise LinkError("kind")
    return link


def link_actor(token: str, *, kinds: set[str] | None = None) -> LinkActor:
    """``link_verify`` for what the candidate does through the link (a booking): the verified ``LinkActor`` the service
    takes, so the audit log names the candidate and this link. An interviewer's link builds none ("invalid")."""
    try:
        actor = tokens.resolve_actor(INTERVIEW_LINK, token)
    except tokens.LinkDead as dead:
        raise LinkError("invalid" if dead.status == tokens.UNKNOWN else dead.status) from None
    if kinds is not None and actor.link.kind not in kinds:
        raise LinkError("kind")
    return actor


@transaction.atomic
def link_open(token: str, *, request=None, kinds: set[str] | None = None) -> InterviewLink:
    """Verify and record the opening (count, first/last time, audit entry, ``interview.link_opened`` event).

    A browser session that already opened a candidate link of one candidate is refused another
    candidate's link (shared computers, forwarded links); staff who are signed in are not pinned.
    """
    link = link_verify(token, kinds=kinds)
    is_staff_session = request is not None and getattr(getattr(request, "user", None), "is_authenticated", False)
    if request is not None and not is_staff_session and link.kind != InterviewLink.Kind.INTERVIEWER:
        pinned = request.session.get(SESSION_CANDIDATE_KEY)
        if pinned is not None and pinned != link.application.candidate_id:
            raise LinkError("other_candidate")
        request.session[SESSION_CANDIDATE_KEY] = link.application.candidate_id
    now = timezone.now()
    InterviewLink.objects.filter(pk=link.pk).update(open_count=link.open_count + 1, last_opened_at=now,
                                                     first_opened_at=link.first_opened_at or now)
    link.refresh_from_db()
    audit_record(action=AuditEvent.Action.READ, actor=link.user, organization_id=link.organization_id, obj=link,
                 fields=[f"link:{link.kind}"], request=request)
    if link.open_count == 1 and link.kind != InterviewLink.Kind.INTERVIEWER:
        timeline_add(candidate=link.application.candidate, kind="interview.link_opened", by_candidate=True,
                     params={"kind": link.get_kind_display()})
    events.emit(events.InterviewLinkOpened(organization_id=link.organization_id, link_id=link.pk, kind=link.kind,
                                           interview_id=link.interview_id, application_id=link.application_id))
    return link


@transaction.atomic
def link_revoke(*, actor, link: InterviewLink, request=None) -> InterviewLink:
    if tokens.revoke(INTERVIEW_LINK, link):
        audit_record(action=AuditEvent.Action.UPDATE, actor=actor, obj=link, fields=["revoked"], request=request)
    return link
