from __future__ import annotations

import re

from django.core.paginator import Paginator
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils.functional import cached_property

from hirelens.accounts.roles import Perm, user_can
from hirelens.core.crypto import blind_index

from . import search
from .access import visible_applications, visible_candidates
from .models import Application, Candidate, SearchToken, TimelineEvent

# Ids grow with creation, and ordering by the primary key lets the database stop after one page.
SORTS = {"new": "-id", "old": "id", "updated": "-updated_at"}
ID_LIKE = re.compile(r"^\d{17}[\dXx]$")
PHONE_LIKE = re.compile(r"^\+?[\d\s-]{7,20}$")


def _contact_filter(qs, query: str):
    if "@" in query and " " not in query:
        return qs.filter(email_index=blind_index(query, kind="email"))
    if ID_LIKE.match(query.replace(" ", "")):
        return qs.filter(id_number_index=blind_index(query, kind="id_number"))
    if PHONE_LIKE.match(query):
        return qs.filter(phone_index=blind_index(query, kind="phone"))
    return None


def _token_filter(qs, *, organization_id: int, tokens: set[int]):
    """Every token must match. The rarest token (probed on the covering index, counting at most 5,000)
    drives the query; the others are checked per candidate by an index lookup."""
    rows = SearchToken.objects.filter(organization_id=organization_id)
    ordered = sorted(tokens, key=lambda t: rows.filter(token=t)[:5_000].count()) if len(tokens) > 1 else list(tokens)
    qs = qs.filter(pk__in=rows.filter(token=ordered[0]).values("candidate_id"))
    for token in ordered[1:]:
        qs = qs.filter(Exists(rows.filter(token=token, candidate_id=OuterRef("pk"))))
    return qs


def candidate_list(*, actor, q: str = "", contact: str = "", position_id=None, stage: str = "", tag: str = "",
                   source: str = "", status: str = "", sort: str = "new") -> QuerySet[Candidate]:
    """Search and filter the candidates the actor may see.

    ``q``: an exact phone, e-mail or ID number goes through its blind index; anything else must match
    every keyed token of the name, skills, tags, resume text, employers and projects (see search.py)."""
    qs = visible_candidates(actor=actor)
    query = (q or contact or "").strip()
    if query:
        by_contact = _contact_filter(qs, query)
        if by_contact is not None:
            qs = by_contact
        else:
            tokens = search.query_tokens(query)
            if not tokens:
                return qs.none()
            qs = _token_filter(qs, organization_id=actor.organization_id, tokens=tokens)
    app_filter = bool(position_id or stage or status)
    if app_filter:
        applications = visible_applications(actor=actor)
        for key, value in (("position_id", position_id), ("stage", stage), ("status", status)):
            if value:
                applications = applications.filter(**{key: value})
        qs = qs.filter(pk__in=applications.values("candidate_id"))
    if tag:
        qs = qs.filter(tags__name=tag)
    if source:
        qs = qs.filter(source=source)
    # The list never shows the (large, encrypted) resume text: keep it out of the sort.
    return qs.defer("resume_text", "resume_parsed_json").order_by(SORTS.get(sort, "-id"), "-id")


class CappedPaginator(Paginator):
    """Counts matches only up to ``cap``: a broad search over 100,000 records must not count every match
    to number the pages (the page shows "50+ pages"). ``count_capped`` tells whether the cap was hit."""

    cap = 1000

    @cached_property
    def count(self) -> int:
        counted = self.object_list.order_by()[: self.cap + 1].count()
        self.count_capped = counted > self.cap
        return min(counted, self.cap)


def candidate_page(*, actor, page_number=1, per_page: int = 20, **filters):
    """One page of ``candidate_list``: ids are paged first (a narrow sort), then only that page's rows are
    fetched, so a broad search never sorts thousands of wide encrypted rows."""
    ids = candidate_list(actor=actor, **filters).values_list("pk", flat=True)
    page = CappedPaginator(ids, per_page).get_page(page_number)
    wanted = list(page.object_list)
    rows = Candidate.objects.filter(pk__in=wanted).defer("resume_text", "resume_parsed_json").prefetch_related(
        "applications__position", "tags")
    by_id = {c.pk: c for c in rows}
    page.object_list = [by_id[pk] for pk in wanted if pk in by_id]
    return page


def candidate_applications(*, actor, candidate: Candidate) -> QuerySet[Application]:
    """The candidate's applications the actor may see (``access.visible_applications``)."""
    return visible_applications(actor=actor).filter(candidate=candidate).select_related("position")


def candidate_interviews(*, actor, candidate: Candidate) -> list:
    """Interviews of the applications the actor may see (``Application.interviews`` when the
    scheduling app is installed), soonest first."""
    rows = []
    for application in candidate_applications(actor=actor, candidate=candidate):
        related = getattr(application, "interviews", None)
        if related is None:
            return []
        rows += list(related.all())
    return sorted(rows, key=lambda i: getattr(i, "start_at", None) or 0)


def candidate_timeline(*, actor, candidate: Candidate, limit: int = 200) -> list[TimelineEvent]:
    """Newest first. Events about a position the actor cannot see are left out."""
    events = list(candidate.timeline.select_related("actor")[:limit])
    if user_can(actor, Perm.CANDIDATES_VIEW_ALL):
        return events
    visible = set(candidate_applications(actor=actor, candidate=candidate).values_list("position_id", flat=True))
    return [e for e in events if "position_id" not in (e.params or {}) or e.params["position_id"] in visible]


def candidate_find_duplicates(*, organization_id: int, phone: str = "", email: str = "", id_number: str = "") -> QuerySet[Candidate]:
    query = Q(pk__in=[])
    for value, kind, field in ((phone, "phone", "phone_index"), (email, "email", "email_index"), (id_number, "id_number", "id_number_index")):
        digest = blind_index(value, kind=kind)
        if digest:
            query |= Q(**{field: digest})
    return Candidate.objects.filter(query, organization_id=organization_id)


def candidate_duplicates(*, actor, candidate: Candidate) -> QuerySet[Candidate]:
    """Other visible records with the same phone, e-mail or ID number."""
    query = Q(pk__in=[])
    for field in ("phone_index", "email_index", "id_number_index"):
        value = getattr(candidate, field)
        if value:
            query |= Q(**{field: value})
    return visible_candidates(actor=actor).filter(query).exclude(pk=candidate.pk)


def duplicate_groups(*, actor) -> list[list[Candidate]]:
    """Groups of visible records sharing a phone, e-mail or ID number (found through the blind indexes)."""
    qs = visible_candidates(actor=actor)
    groups: dict[frozenset, None] = {}
    for field in ("phone_index", "email_index", "id_number_index"):  # one query per index, whatever the number of groups
        shared = (qs.exclude(**{field: ""}).values(field).annotate(n=Count("id")).filter(n__gt=1).values_list(field, flat=True))
        members: dict[str, set] = {}
        for value, pk in qs.filter(**{f"{field}__in": shared[:200]}).order_by(field, "pk").values_list(field, "pk"):
            members.setdefault(value, set()).add(pk)
        for ids in members.values():
            groups[frozenset(ids)] = None
    by_id = {c.pk: c for c in Candidate.objects.filter(pk__in={i for ids in groups for i in ids})}
    return [sorted((by_id[i] for i in ids), key=lambda c: c.pk) for ids in groups]
