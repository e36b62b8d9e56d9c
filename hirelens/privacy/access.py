"""The privacy app's choke point: a request or an export for a staff member (HR who handle candidates' data), and a
candidate's own requests through their portal link. A foreign or missing row is the same 404."""

from __future__ import annotations

from django.http import Http404

from hirelens.core.access import get_for_actor, require_perm, tenant_queryset
from hirelens.core.jurisdictions import Jurisdiction
from hirelens.core.models import RetentionPolicy
from hirelens.core.roles import Perm, user_can

from .models import PrivacyExport, PrivacyRequest


def visible_requests(*, actor):
    """HR with the right to manage candidates see the organization's requests; the panel sees none."""
    if not user_can(actor, Perm.CANDIDATES_MANAGE):
        return PrivacyRequest.objects.none()
    return tenant_queryset(PrivacyRequest.objects.all(), actor=actor)


def access_privacy_request(*, actor, privacy_request_id) -> PrivacyRequest:
    return get_for_actor(visible_requests(actor=actor).select_related("candidate", "assigned_to", "created_by"),
                         actor=actor, pk=privacy_request_id)


def access_export(*, actor, privacy_request_id, export_id) -> PrivacyExport:
    pr = access_privacy_request(actor=actor, privacy_request_id=privacy_request_id)
    export = pr.exports.filter(pk=export_id).first()
    if export is None:
        raise Http404
    return export


def candidate_requests(*, candidate):
    """A candidate's own requests (the portal page): never another's, whatever the URL says."""
    return PrivacyRequest.objects.filter(organization_id=candidate.organization_id, candidate=candidate)


def access_retention_limit(*, actor, jurisdiction: str):
    """A jurisdiction's own retention row of the actor's organization (HR admins: ``Perm.ORG_SETTINGS``, refused with
    403 before any lookup). The default row (empty code), a code outside the list and a jurisdiction without a row of
    this organization are the same 404."""
    require_perm(actor, Perm.ORG_SETTINGS)
    if jurisdiction not in Jurisdiction.values:
        raise Http404
    policy = RetentionPolicy.objects.filter(organization_id=actor.organization_id, jurisdiction=jurisdiction).first()
    if policy is None:
        raise Http404
    return policy
