"""Who may see what of the bias audit and the records: one choke point.

Staff: only holders of ``Perm.COMPLIANCE_VIEW`` (HR admins), and only aggregates; everyone else is refused (403)
before any lookup, so an evaluator learns nothing, not even whether an audit exists. Another organization's rows
answer the same 404 as missing ones. Candidates reach their own self-identification page by the link they already
hold (portal or AI interview): the token is the credential, never an id.
"""

from __future__ import annotations

from django.http import Http404

from hirelens.core.access import get_for_actor, require_perm
from hirelens.core.roles import Perm

from .models import FairnessAudit, PIAVersion


def require_compliance(actor) -> None:
    require_perm(actor, Perm.COMPLIANCE_VIEW)


def access_audit(*, actor, audit_id) -> FairnessAudit:
    require_compliance(actor)
    return get_for_actor(FairnessAudit.objects.all(), actor=actor, pk=audit_id)


def access_pia_version(*, actor, version_id) -> PIAVersion:
    require_compliance(actor)
    return get_for_actor(PIAVersion.objects.all(), actor=actor, pk=version_id)


def access_position_for_report(*, actor, position_id):
    from hirelens.positions.access import access_position

    require_compliance(actor)
    return access_position(actor=actor, position_id=position_id)


def access_published_audit(*, token: str) -> FairnessAudit:
    """The public summary: a published audit by its random token; unpublished, unknown and garbled look alike."""
    if not token or len(token) > 40:
        raise Http404
    audit = FairnessAudit.objects.filter(public_token=token, published_at__isnull=False).select_related("position").first()
    if audit is None:
        raise Http404
    return audit


def access_candidate_by_link(*, kind: str, token: str):
    """The candidate of a portal link ("p") or an AI interview link ("i") as the actor of their own answers: the
    portal's ``PortalActor`` or the interview link's ``LinkActor`` (``actor.candidate``); 404 for anything else
    (expired too)."""
    if kind == "p":
        from hirelens.portal.access import PortalLinkExpired, access_portal_actor

        try:
            return access_portal_actor(token=token)
        except PortalLinkExpired:
            raise Http404 from None
    if kind == "i":
        from hirelens.core import tokens
        from hirelens.interviews.access import access_session_actor

        try:
            return access_session_actor(token=token)
        except tokens.LinkDead:
            raise Http404 from None
    raise Http404
