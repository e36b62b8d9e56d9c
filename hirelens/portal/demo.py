"""A working portal link for the demo candidate, printed by `make run` (rebuilt on every start)."""

import hashlib
import hmac

from django.conf import settings

from .models import PortalLink
from .services import _hash, portal_link_create, portal_token, portal_url


def load(ctx):
    # Emily Chen: an AI interview to start; 赵磊: his AI interview (submitted), his ended live interview and the one
    # still scheduled, all in one list with their times in words
    for name in ("Emily Chen", "赵磊"):
        candidate = ctx.candidates.get(name)
        if candidate is None:
            continue
        # Derived from the secret key so the same link can be printed again on the next start.
        secret = hmac.new(settings.SECRET_KEY.encode(), f"demo-portal-{candidate.pk}".encode(), hashlib.sha256).hexdigest()[:32]
        link = PortalLink.objects.filter(secret_hash=_hash(secret)).first()
        if link is None or not link.is_active:
            if link is not None:
                link.delete()
            link, token = portal_link_create(actor=ctx.users["admin"], candidate=candidate, days=90, secret=secret)
        else:
            token = portal_token(link=link, secret=secret)
        ctx.log.append(f"Candidate portal ({name}, phone layout): {portal_url(token)}")
    _dead_link_request(ctx)


def _dead_link_request(ctx) -> None:
    """周杰's portal link expired; he asked for a new one from the dead-link page (messaging's help desk): HR's inbox
    shows who and which link, and the ticket page's "send a new link" resends it with one click. His help page is
    printed. (Here, not in messaging's demo: messaging sits below the portal.)"""
    from datetime import timedelta

    from django.utils import timezone

    from hirelens.core.links import absolute_url
    from hirelens.messaging.models import Ticket
    from hirelens.messaging.services.deadlinks import dead_link_resolve
    from hirelens.messaging.services.helpdesk import help_url, new_link_request

    org, admin, candidate = ctx.organization, ctx.users.get("admin"), ctx.candidates.get("周杰")
    if candidate is None or admin is None or admin.organization_id != org.pk:
        return
    if not Ticket.objects.filter(organization=org, candidate=candidate, new_link_requested=True).exists():
        link, token = portal_link_create(actor=admin, candidate=candidate, days=1)
        PortalLink.objects.filter(pk=link.pk).update(expires_at=timezone.now() - timedelta(hours=5))
        new_link_request(dead=dead_link_resolve(kind="portal", token=token), body="候选人中心的链接打不开了，说已过期，能再发一个吗？")
    ctx.log.append(f"Help desk: 周杰 asked for a new portal link (open his ticket and click 'send a new link'); "
                   f"his help page: {absolute_url(help_url(candidate=candidate))}")
