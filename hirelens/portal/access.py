"""The portal's choke point: a token from the URL → the link and its candidate, or a refusal.

A forged or garbled token is a plain 404; a genuine link that expired or was revoked says so (410),
so the candidate knows to ask for a new one. The candidate is never chosen by an id in the URL.

This module is the one holder of the portal seal (``core.actors``): only ``access_portal_actor`` builds the
``PortalActor`` that the services a candidate may call from the portal require."""

from __future__ import annotations

from django.http import Http404

from hirelens.candidates.models import Candidate
from hirelens.core import tokens
from hirelens.core.actors import PortalActor, portal_seal

from .models import PORTAL_LINK, PortalLink

_SEAL = portal_seal()  # claimed once, at import: core.actors hands it to this module only


class PortalLinkExpired(Exception):
    def __init__(self, link: PortalLink):
        self.link = link


def access_portal(*, token: str) -> tuple[PortalLink, Candidate]:
    """The link and its candidate by the one link rule (core/tokens.py)."""
    try:
        link = tokens.resolve(PORTAL_LINK, token)
    except tokens.LinkDead as dead:
        if dead.target is None:
            raise Http404 from None
        raise PortalLinkExpired(dead.target) from None
    return link, link.candidate


def access_portal_actor(*, token: str) -> PortalActor:
    """The candidate of a verified link as the actor of their portal writes (404 / ``PortalLinkExpired`` as above)."""
    link, candidate = access_portal(token=token)
    return PortalActor(link=link, candidate=candidate, seal=_SEAL)


def access_portal_link_for_staff(*, actor, link_id) -> PortalLink:
    from hirelens.candidates.access import access_candidate_for_edit
    from hirelens.core.access import get_for_actor

    link = get_for_actor(PortalLink.objects.all(), actor=actor, pk=link_id)
    access_candidate_for_edit(actor=actor, candidate_id=link.candidate_id)
    return link
