from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from hirelens.candidates.models import Candidate
from hirelens.candidates.timeline import timeline_add
from hirelens.core import tokens
from hirelens.core.access import require_perm
from hirelens.core.actors import PortalActor
from hirelens.core.audit import audit_record
from hirelens.core.links import absolute_url
from hirelens.core.models import AuditEvent
from hirelens.core.roles import Perm

from .models import PORTAL_LINK, PortalLink

SALT = "hirelens.portal.link"  # of the links signed before the one link scheme (tests forge one with it)
DEFAULT_DAYS = 14
MAX_DAYS = 90


_hash = tokens.token_hash  # what PortalLink.secret_hash holds for a token


def portal_url(token: str, *, absolute: bool = True) -> str:
    path = reverse("portal:home", args=[token])
    return absolute_url(path) if absolute else path


def portal_token(*, link: PortalLink, secret: str) -> str:
    """The token of ``link`` minted with ``secret``: the secret itself (kept for the demo's fixed links and tests)."""
    return secret


@transaction.atomic
def portal_link_create(*, actor, candidate: Candidate, days: int = DEFAULT_DAYS, secret: str | None = None,
                       request=None) -> tuple[PortalLink, str]:
    """Returns the link and its token; the token is shown once (it cannot be rebuilt from the database).
    Build the address with ``portal_url(token)`` (e.g. for an invitation e-mail or WeChat message)."""
    require_perm(actor, Perm.CANDIDATES_MANAGE)
    if candidate.organization_id != actor.organization_id:
        raise PermissionDenied
    if not 1 <= days <= MAX_DAYS:  # an int: the page's form and the API parse it
        raise ValidationError(_("有效期应在 1 到 %(max)s 天之间。") % {"max": MAX_DAYS})
    link = PortalLink(organization_id=candidate.organization_id, candidate=candidate, created_by=actor)
    token = tokens.mint(PORTAL_LINK, link, timedelta(days=days), token=secret)  # a given secret: the demo's fixed link
    audit_record(action=AuditEvent.Action.CREATE, actor=actor, obj=link, request=request)
    timeline_add(candidate=candidate, kind="portal_link_created", actor=actor)
    return link, token


@transaction.atomic
def portal_link_resend(*, actor, ticket, candidate: Candidate, request=None) -> str:
    """HR's "send a new link" on a help-desk ticket about a portal link (messaging's ``link_resender_register``, from
    ``PortalConfig.ready``): a fresh link, whose address goes in the answer."""
    _link, token = portal_link_create(actor=actor, candidate=candidate, request=request)
    return portal_url(token)


def portal_link_revoke(*, actor, link: PortalLink, request=None) -> PortalLink:
    require_perm(actor, Perm.CANDIDATES_MANAGE)
    if link.organization_id != actor.organization_id:
        raise PermissionDenied
    if tokens.revoke(PORTAL_LINK, link):
        audit_record(action=AuditEvent.Action.UPDATE, actor=actor, obj=link, fields=["revoked_at"], request=request)
        timeline_add(candidate=link.candidate, kind="portal_link_revoked", actor=actor)
    return link


def portal_link_touch(*, link: PortalLink) -> None:
    now = timezone.now()
    if link.last_used_at is None or now - link.last_used_at > timedelta(minutes=5):
        PortalLink.objects.filter(pk=link.pk).update(last_used_at=now)


def portal_read(*, actor: PortalActor, fields, request=None) -> None:
    """The candidate reading their own record through the link is audited like any other read (by "the candidate")."""
    audit_record(action=AuditEvent.Action.READ, actor=actor, organization_id=actor.organization_id,
                 object_type="candidates.candidate", object_id=actor.candidate_id, fields=fields, request=request)
