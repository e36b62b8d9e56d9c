"""For tests of services a candidate calls from the portal: a PortalActor obtained the way the portal obtains one."""

from __future__ import annotations

from datetime import timedelta

from hirelens.core import tokens
from hirelens.core.actors import PortalActor

from .access import access_portal_actor
from .models import PORTAL_LINK, PortalLink


def portal_actor_for(candidate) -> PortalActor:
    """A fresh link to ``candidate``'s portal, verified by ``access_portal_actor`` (no staff user needed)."""
    link = PortalLink(organization_id=candidate.organization_id, candidate=candidate)
    return access_portal_actor(token=tokens.mint(PORTAL_LINK, link, timedelta(days=1)))
