from __future__ import annotations

from django.db.models import QuerySet

from hirelens.core.crypto import blind_index

from .access import visible_candidates
from .models import Candidate


def candidate_list(*, actor, contact: str = "") -> QuerySet[Candidate]:
    """Encrypted names cannot be searched in SQL; exact phone, e-mail or ID number go through blind indexes."""
    qs = visible_candidates(actor=actor).prefetch_related("applications__position")
    contact = contact.strip()
    if contact:
        if "@" in contact:
            qs = qs.filter(email_index=blind_index(contact, kind="email"))
        elif any(ch.isalpha() for ch in contact[:-1]) or len(contact) == 18:
            qs = qs.filter(id_number_index=blind_index(contact, kind="id_number"))
        else:
            qs = qs.filter(phone_index=blind_index(contact, kind="phone"))
    return qs.order_by("-created_at")


def candidate_find_duplicates(*, organization_id: int, phone: str = "", email: str = "", id_number: str = "") -> QuerySet[Candidate]:
    from django.db.models import Q

    query = Q(pk__in=[])
    for value, kind, field in ((phone, "phone", "phone_index"), (email, "email", "email_index"), (id_number, "id_number", "id_number_index")):
        digest = blind_index(value, kind=kind)
        if digest:
            query |= Q(**{field: digest})
    return Candidate.objects.filter(query, organization_id=organization_id)
