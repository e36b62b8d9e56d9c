"""HR's side of the help links (``HelpLink``, helpdesk.help_link_token): which of a ticket's person's links open
right now, and withdrawing them (a link forwarded or leaked: whoever holds it can read and write the thread).

A withdrawn link answers the shared dead-link page (410, "ask for a new link"); the candidate's own pages mint a
fresh one the next time they show the "need help?" link, so the candidate is not cut off, only the old address is."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from hirelens.core import tokens
from hirelens.core.access import require_perm
from hirelens.core.audit import audit_record_many
from hirelens.core.models import AuditEvent
from hirelens.core.roles import Perm
from hirelens.messaging.models import HELP_LINK, HelpLink, Ticket


def _owner_filter(ticket: Ticket) -> dict:
    """The candidate's links (every subject) or, for a visitor without a record, the ticket's own thread link."""
    return {"candidate_id": ticket.candidate_id} if ticket.candidate_id else {"ticket": ticket}


def ticket_live_help_links(ticket: Ticket, *, now=None) -> list[HelpLink]:
    """The help links of the ticket's person that open now, soonest to expire first (one query)."""
    now = now or timezone.now()
    links = HelpLink.objects.filter(organization_id=ticket.organization_id, revoked_at__isnull=True,
                                    expires_at__gt=now, **_owner_filter(ticket)).order_by("expires_at", "pk")
    return [link for link in links if tokens.link_state(HELP_LINK, link, now=now) == tokens.LIVE]


def ticket_help_links_revoke(*, actor, ticket: Ticket, request=None) -> int:
    """Withdraw every live help link of the ticket's person; audited in one entry. Returns how many."""
    require_perm(actor, Perm.MESSAGING_HELPDESK)
    if ticket.organization_id != actor.organization_id:
        raise PermissionDenied
    with transaction.atomic():
        now = timezone.now()
        links = list(HelpLink.objects.select_for_update().filter(
            organization_id=ticket.organization_id, revoked_at__isnull=True, **_owner_filter(ticket)))
        revoked = [link for link in links if tokens.revoke(HELP_LINK, link, at=now)]
        if revoked:
            audit_record_many(action=AuditEvent.Action.UPDATE, actor=actor, objs=revoked, fields=["revoked_at"],
                              request=request)
    return len(revoked)
