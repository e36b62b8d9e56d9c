"""The portal's choke point: a token from the URL → the link and its candidate, or a refusal.

A forged or garbled token is a plain 404; a genuine link that expired or was revoked says so (410),
so the candidate knows to ask for a new one. The candidate is never chosen by an id in the URL."""

from __future__ import annotations

import hmac

from django.core import signing
from django.http import Http404
from django.utils import timezone

from hirelens.candidates.models import Candidate

from .models import PortalLink
from .services import SALT, _hash


class PortalLinkExpired(Exception):
    def __init__(self, link: PortalLink):
        self.link = link


def access_portal(*, token: str) -> tuple[PortalLink, Candidate]:
    try:
        data = signing.loads(token, salt=SALT)
        link_id, secret = int(data["l"]), str(data["s"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise Http404 from None
    link = PortalLink.objects.select_related("candidate").filter(pk=link_id).first()
    if link is None or not hmac.compare_digest(link.secret_hash, _hash(secret)):
        raise Http404
    if link.revoked_at is not None or link.expires_at <= timezone.now():
        raise PortalLinkExpired(link)
    return link, link.candidate


def access_portal_link_for_staff(*, actor, link_id) -> PortalLink:
    from hirelens.candidates.access import access_candidate_for_edit
    from hirelens.core.access import get_for_actor

    link = get_for_actor(PortalLink.objects.all(), actor=actor, pk=link_id)
    access_candidate_for_edit(actor=actor, candidate_id=link.candidate_id)
    return link
