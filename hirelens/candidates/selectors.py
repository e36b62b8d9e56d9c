from __future__ import annotations

import re
import unicodedata

from django.core import signing
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils.dateparse import parse_datetime

from hirelens.core.crypto import blind_index
from hirelens.core.pagination import KeysetPage
from hirelens.core.roles import Perm, user_can

from . import search
from .access import visible_applications, visible_candidates
from .masking import contact_search_allowed
from .models import Application, Candidate, SearchToken, TimelineEvent

# Ids grow with creation, and ordering by the primary key lets the database stop after one page. Each sort key
# ends with the id, so it is a total order that a keyset cursor can resume from.
SORT_KEYS = {"new": ("-id",), "old": ("id",), "updated": ("-updated_at", "-id")}
CURSOR_SALT = "hirelens.candidates.list-cursor"
# ASCII digits only (re.ASCII): the query is NFKC-normalised first, so full-width digits are already ASCII here, and
# other scripts' digits (which normalize_phone would drop) are not taken for a phone number.
ID_LIKE = re.compile(r"^\d{17}[\dXx]$", re.ASCII)
PHONE_LIKE = re.compile(r"^\+?[\d\s-]{7,20}$", re.ASCII)


def _contact_filter(qs, query: str):
    query = unicodedata.normalize("NFKC", query).strip()  # full-width "＠" and digits as typed on a Chinese keyboard
    if "@" in query and " " not in query:
        return qs.filter(email_index=blind_index(query, kind="email"))
    if ID_LIKE.match(query.replace(" ", "")):
        return qs.filter(id_number_index=blind_index(query, kind="id_number"))
    if PHONE_LIKE.match(query):
        return qs.filter(phone_index=blind_index(query, kind="phone"))
    return None


def _token_filter(qs, *, organization_id: int, terms: list[set[int]]):
    """Every term must match (one of its hashes: a content token, or a name prefix / pinyin token). The rarest
    term (probed on the covering index, counting at most 5,000) drives the query; the others are checked per
    candidate by an index lookup."""
    rows = SearchToken.objects.filter(organization_id=organization_id)

    def term_rows(term):
        return rows.filter(token__in=sorted(term)) if len(term) > 1 else rows.filter(token=next(iter(term)))

    ordered = sorted(terms, key=lambda t: term_rows(t)[:5_000].count()) if len(terms) > 1 else list(terms)
    qs = qs.filter(pk__in=term_rows(ordered[0]).values("candidate_id"))
    for term in ordered[1:]:
        qs = qs.filter(Exists(term_rows(term).filter(candidate_id=OuterRef("pk"))))
    return qs


def _name_or_contact_filter(qs, *, organization_id: int, query: str):
    """An exact phone, e-mail or ID number through its blind index; anything else by keyed tokens."""
    by_contact = _contact_filter(qs, query)
    if by_contact is not None:
        return by_contact
    terms = search.query_terms(query)
    if not terms:
        return qs.none()
    return _token_filter(qs, organization_id=organization_id, terms=terms)


def candidate_ids_matching(organization_id: int, q: str) -> QuerySet:
    """Ids of the organization's candidates whose name (by characters, Latin prefix, pinyin or initials; or skills
    and resume words) match ``q``, as a subquery. Keyed tokens only: contact details are searched on the candidate
    list, where the contact permission is checked. Visibility is the caller's: combine it with an access-filtered
    queryset."""
    qs = Candidate.objects.filter(organization_id=organization_id)
    terms = search.query_terms(q or "")
    if not terms:
        return qs.none().values("pk")
    return _token_filter(qs, organization_id=organization_id, terms=terms).values("pk")


def application_ids_matching(organization_id: int, q: str) -> QuerySet:
    """Ids of the organization's applications whose candidate matches ``q`` (see ``candidate_ids_matching``), as a
    subquery for ``.filter(pk__in=...)`` on a queryset that already applies ``visible_applications``. The pipeline
    board, the AI interview session list and the pickers search people by name through it."""
    return Application.objects.filter(
        organization_id=organization_id, candidate_id__in=candidate_ids_matching(organization_id, q)).values("pk")


def candidate_list(*, actor, q: str = "", contact: str = "", position_id=None, stage: str = "", tag: str = "",
                   source: str = "", status: str = "", sort: str = "new") -> QuerySet[Candidate]:
    """Search and filter the candidates the actor may see.

    ``q``: an exact phone, e-mail or ID number goes through its blind index; anything else must match, term by
    term, a keyed token of the name (also by Latin prefix, pinyin and initials), skills, tags, resume text,
    employers and projects (see search.py)."""
    qs = visible_candidates(actor=actor)
    query = (q or contact or "").strip()
    if query and not contact_search_allowed(actor, query):  # blind-index search: contact permission only (masking.py)
        return qs.none()
    if query:
        qs = _name_or_contact_filter(qs, organization_id=actor.organization_id, query=query)
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
    key = SORT_KEYS.get(sort, SORT_KEYS["new"])
    # The list never shows the (large, encrypted) resume text: keep it out of the sort.
    return qs.defer("resume_text", "resume_parsed_json").order_by(*key)


class CursorError(ValueError):
    """A cursor that was not issued by this list (edited, truncated, or for another sort)."""


COUNT_CAP = 10_000
MAX_OLD_PAGE = 5_000


def _cursor_dump(*, sort: str, row: dict, direction: str, start: int) -> str:
    fields = [f.lstrip("-") for f in SORT_KEYS[sort]]
    values = [row[f].isoformat() if hasattr(row[f], "isoformat") else row[f] for f in fields]
    return signing.dumps({"s": sort, "k": values, "d": direction, "o": start}, salt=CURSOR_SALT, compress=True)


def _cursor_load(cursor: str, *, sort: str) -> dict:
    try:
        data = signing.loads(cursor, salt=CURSOR_SALT)
    except (signing.BadSignature, ValueError, TypeError) as exc:
        raise CursorError from exc
    if not isinstance(data, dict) or data.get("s") != sort or data.get("d") not in ("n", "p") or not isinstance(data.get("o"), int):
        raise CursorError
    values = data.get("k")
    if not isinstance(values, list) or len(values) != len(SORT_KEYS[sort]):
        raise CursorError
    parsed = []
    for field, value in zip(SORT_KEYS[sort], values, strict=True):
        if field.lstrip("-") == "id":
            if not isinstance(value, int):
                raise CursorError
            parsed.append(value)
        else:
            moment = parse_datetime(value) if isinstance(value, str) else None
            if moment is None:
                raise CursorError
            parsed.append(moment)
    data["k"] = parsed
    return data


def _after(key: tuple[str, ...], values: list, *, forward: bool) -> Q:
    """Rows strictly after ``values`` in the order ``key`` (or before, going back): a row-value comparison
    spelled as nested OR/AND, which both SQLite and PostgreSQL run as an index range scan."""
    condition = Q()
    for i in reversed(range(len(key))):
        field = key[i].lstrip("-")
        descending = key[i].startswith("-") == forward
        step = Q(**{f"{field}__{'lt' if descending else 'gt'}": values[i]})
        for j in range(i):
            step &= Q(**{key[j].lstrip("-"): values[j]})
        condition |= step
    return condition


def candidate_page(*, actor, cursor: str = "", page_number=None, per_page: int = 20, **filters) -> KeysetPage:
    """One keyset page of ``candidate_list``: ids are paged first on the sort key (a narrow index scan that stops
    after one page, however deep), then only that page's rows are fetched and decrypted.

    ``cursor`` comes from a previous page; ``page_number`` serves old ``?page=N`` links with an offset (once, then
    the page links carry cursors). Raises ``CursorError`` for a cursor this list did not issue."""
    sort = filters.get("sort") if filters.get("sort") in SORT_KEYS else "new"
    filters["sort"] = sort
    key = SORT_KEYS[sort]
    fields = [f.lstrip("-") for f in key]
    base = candidate_list(actor=actor, **filters)
    keys = base.values(*fields)
    notice = ""
    if cursor:
        data = _cursor_load(cursor, sort=sort)
        forward = data["d"] == "n"
        reverse_key = [f[1:] if f.startswith("-") else f"-{f}" for f in key]
        scan = keys.filter(_after(key, data["k"], forward=forward))
        found = list(scan[: per_page + 1]) if forward else list(scan.order_by(*reverse_key)[: per_page + 1])
        more = len(found) > per_page
        found = found[:per_page]
        if not forward:
            found.reverse()
        start = max(data["o"], 1) if forward else max(data["o"] - len(found) + 1, 1)
        has_next = more if forward else True
        has_previous = True if forward else more
    else:
        number = page_number if isinstance(page_number, int) and 1 <= page_number <= MAX_OLD_PAGE else 1
        if page_number is not None and number != page_number:
            notice = "bad_page"
        offset = (number - 1) * per_page
        found = list(keys[offset : offset + per_page + 1])
        if not found and offset:
            notice, offset = "past_end", 0
            found = list(keys[: per_page + 1])
        has_next = len(found) > per_page
        found = found[:per_page]
        start, has_previous = offset + 1, offset > 0
    counted = base.order_by().values("pk")[: COUNT_CAP + 1].count()
    ids = [row["id"] for row in found]
    rows = Candidate.objects.filter(pk__in=ids).defer("resume_text", "resume_parsed_json").prefetch_related(
        "applications__position", "tags")
    by_id = {c.pk: c for c in rows}
    return KeysetPage(
        rows=[by_id[pk] for pk in ids if pk in by_id],
        next_cursor=_cursor_dump(sort=sort, row=found[-1], direction="n", start=start + len(found)) if found and has_next else None,
        previous_cursor=_cursor_dump(sort=sort, row=found[0], direction="p", start=start - 1) if found and has_previous and start > 1 else None,
        start=start, count=min(counted, COUNT_CAP), count_capped=counted > COUNT_CAP, notice=notice,
    )


def candidate_next_cursor(*, sort: str, candidate: Candidate, start: int) -> str:
    """The cursor to the page after ``candidate`` (the API's ``next`` after an offset page)."""
    sort = sort if sort in SORT_KEYS else "new"
    return _cursor_dump(sort=sort, row={"id": candidate.pk, "updated_at": candidate.updated_at}, direction="n", start=start)


def application_pick(*, actor, q: str = "", position_id=None, limit: int = 20) -> list[Application]:
    """At most ``limit`` applications the actor may see whose candidate matches ``q`` (newest first), for pickers."""
    qs = visible_applications(actor=actor)
    if position_id:
        qs = qs.filter(position_id=position_id)
    if (q or "").strip():
        qs = qs.filter(candidate_id__in=candidate_ids_matching(actor.organization_id, q))
    return list(qs.select_related("candidate", "position").order_by("-pk")[:limit])


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
    for field in ("phone_index", "email_index", "id_number_index"):  # two queries per index, whatever the number of groups
        # COUNT(*), not COUNT(id): the (organization, index) index alone answers it (PostgreSQL, 100,000 candidates:
        # an index-only scan, 38 ms, against a sort of every row spilled to disk, 153 ms); the values are read once,
        # not again as a subquery of the members' query
        shared = list(qs.exclude(**{field: ""}).values(field).annotate(n=Count("*")).filter(n__gt=1)
                      .values_list(field, flat=True)[:200])
        if not shared:
            continue
        members: dict[str, set] = {}
        for value, pk in qs.filter(**{f"{field}__in": shared}).order_by(field, "pk").values_list(field, "pk"):
            members.setdefault(value, set()).add(pk)
        for ids in members.values():
            groups[frozenset(ids)] = None
    by_id = {c.pk: c for c in Candidate.objects.filter(pk__in={i for ids in groups for i in ids})}
    return [sorted((by_id[i] for i in ids), key=lambda c: c.pk) for ids in groups]
