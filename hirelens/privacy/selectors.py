from __future__ import annotations

from django.db.models import Case, IntegerField, Prefetch, Value, When
from django.utils import timezone

from .access import candidate_requests, visible_requests
from .models import PrivacyExport, PrivacyRequest
from .services import REMIND_WITHIN

OPEN_STATUSES = (PrivacyRequest.Status.OPEN, PrivacyRequest.Status.IN_PROGRESS)


def privacy_request_list(*, actor, status: str = "", kind: str = "", q: str = ""):
    """The HR list: filters by status (or "due": open and due within 3 days or overdue) and kind, open cases first by
    deadline. A name search decrypts names in Python (names are encrypted at rest: the database cannot match them)."""
    qs = visible_requests(actor=actor).select_related("candidate", "assigned_to")
    if status == "due":
        qs = qs.filter(status__in=OPEN_STATUSES, due_at__lte=timezone.now() + REMIND_WITHIN)
    elif status in PrivacyRequest.Status.values:
        qs = qs.filter(status=status)
    if kind in dict(PrivacyRequest._meta.get_field("kind").choices):
        qs = qs.filter(kind=kind)
    rank = Case(When(status__in=OPEN_STATUSES, then=Value(0)), default=Value(1), output_field=IntegerField())
    qs = qs.annotate(rank=rank).order_by("rank", "due_at", "pk")
    if q and q.strip():
        needle = q.strip().casefold()
        ids = [pr.pk for pr in qs if pr.candidate_id and needle in (pr.candidate.full_name or "").casefold()]
        qs = qs.filter(pk__in=ids)
    return qs


def portal_requests(*, candidate):
    return (candidate_requests(candidate=candidate).order_by("-received_at", "-pk")
            .prefetch_related(Prefetch("exports", queryset=PrivacyExport.objects.filter(status=PrivacyExport.Status.READY),
                                       to_attr="ready_exports")))


def overdue_count(*, actor) -> int:
    return visible_requests(actor=actor).filter(status__in=OPEN_STATUSES, due_at__lt=timezone.now()).count()
