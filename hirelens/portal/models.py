from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hirelens.candidates.models import Candidate
from hirelens.core.models import TenantOwnedModel
from hirelens.core.tokens import LinkKind, link_kind


class PortalLink(TenantOwnedModel):
    """An expiring, revocable link to one candidate's own portal (no password), on the one link scheme
    (core/tokens.py): the URL carries a random token, only its SHA-256 is stored, so a database dump does not yield
    working links. A link issued before the scheme (``signing.dumps({"l": id, "s": secret})``) keeps its secret's
    hash here and opens until it expires."""

    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="portal_links")
    secret_hash = models.CharField(max_length=64, unique=True)  # the token's SHA-256 (the link's secret is its token)
    expires_at = models.DateTimeField(_("有效期至"))
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"portal link #{self.pk}"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()


PORTAL_LINK = link_kind(LinkKind(name="portal.link", model=PortalLink, hash_field="secret_hash", legacy_signed=True,
                                 select_related=("candidate",)))
