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
