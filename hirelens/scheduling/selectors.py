from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.core import signing
from django.db.models import Q, QuerySet
from django.utils import timezone

from hirelens.core.pagination import KeysetPage

from .access import visible_interviews, visible_slots
from .models import Availability, Interview, InterviewLink, InterviewSlot


def interview_list(*, actor, position=None, upcoming: bool = False, mine: bool = False) -> QuerySet[Interview]:
    qs = (visible_interviews(actor=actor).select_related("application__position", "application__candidate", "stage")
          .prefetch_related("interviewers"))
    if position is not None:
        qs = qs.filter(application__position=position)
    if upcoming:
        qs = qs.filter(end_at__gte=timezone.now())
    if mine:
        qs = qs.filter(interviewers=actor)
    return qs.order_by("start_at")


def hub_live_interviews(*, actor, candidate) -> dict:
    """The candidate hub's scheduled interviews, soonest first (the panel sees only their positions)."""
    return {"live": list(interview_list(actor=actor).filter(application__candidate=candidate))}


def slot_list(*, actor, position=None, open_only: bool = False) -> QuerySet[InterviewSlot]:
    qs = visible_slots(actor=actor).select_related("application__candidate").prefetch_related("interviewers")
    if position is not None:
        qs = qs.filter(position=position)
    if open_only:
        qs = qs.filter(status=InterviewSlot.Status.OPEN, start_at__gt=timezone.now())
    return qs.order_by("start_at")


def availability_list(*, actor, user=None) -> QuerySet[Availability]:
    user = user or actor
    return Availability.objects.filter(organization_id=actor.organization_id, user=user, end_at__gte=timezone.now()).order_by("start_at")


def link_list(*, interview: Interview) -> QuerySet[InterviewLink]:
    return interview.links.select_related("user").order_by("-created_at")


def open_slots_for_application(*, application) -> QuerySet[InterviewSlot]:
    """Future open slots this application's candidate may book (the position's, or offered to them alone)."""
    return InterviewSlot.objects.filter(
        organization_id=application.organization_id, position_id=application.position_id,
        status=InterviewSlot.Status.OPEN, start_at__gt=timezone.now(),
    ).filter(Q(application__isnull=True) | Q(application=application)).order_by("start_at")


# --- Bounded pages: keyset pages of interviews and slots ---------------------------------------------------------
# Every list page shows PAGE_SIZE rows found by a keyset on (start_at, id): the database stops after one page
# however deep, and the number of queries never depends on the data.

PAGE_SIZE = 20
CURSOR_SALT = "hirelens.scheduling.page-cursor"
WHEN_CHOICES = ("upcoming", "today", "week", "past", "custom", "all")
KIND_CHOICES = ("live", "stage")


class CursorError(ValueError):
    """A cursor this list did not issue (edited, truncated, or for another order)."""


@dataclass
class InterviewFilters:
    """What a list of interviews is narrowed to. Dates are days in ``zone`` (the viewer's)."""

    when: str = "upcoming"
    date_from: date | None = None
    date_to: date | None = None
    status: str = ""
    kind: str = ""
    interviewer_id: int | None = None
    position_id: int | None = None
    q: str = ""
    zone: str = "Asia/Shanghai"

    @property
    def descending(self) -> bool:
        return self.when == "past"  # the most recent first; every other view: the soonest first


def _day_start(day: date, zone: str) -> datetime:
    return datetime.combine(day, time.min, tzinfo=ZoneInfo(zone))


def _range(filters: InterviewFilters, now: datetime) -> Q:
    """The time condition of ``filters.when``, in the viewer's zone."""
    today = now.astimezone(ZoneInfo(filters.zone)).date()
    if filters.when == "upcoming":
        return Q(end_at__gte=now)
    if filters.when == "past":
        return Q(end_at__lt=now)
    if filters.when == "today":
        return Q(start_at__gte=_day_start(today, filters.zone), start_at__lt=_day_start(today + timedelta(days=1), filters.zone))
    if filters.when == "week":
        monday = today - timedelta(days=today.weekday())
        return Q(start_at__gte=_day_start(monday, filters.zone), start_at__lt=_day_start(monday + timedelta(days=7), filters.zone))
    if filters.when == "custom":
        condition = Q()
        if filters.date_from:
            condition &= Q(start_at__gte=_day_start(filters.date_from, filters.zone))
        if filters.date_to:
            condition &= Q(start_at__lt=_day_start(filters.date_to + timedelta(days=1), filters.zone))
        return condition
    return Q()


def interview_filtered(*, actor, filters: InterviewFilters, position=None) -> QuerySet[Interview]:
    """The interviews the actor may see (``visible_interviews``) narrowed by ``filters``, unordered."""
    qs = visible_interviews(actor=actor)
    if position is not None:
        qs = qs.filter(application__position=position)
    elif filters.position_id:
        qs = qs.filter(application__position_id=filters.position_id)
    qs = qs.filter(_range(filters, timezone.now()))
    if filters.status in Interview.Status.values:
        qs = qs.filter(status=filters.status)
    from hirelens.workflows.modules import modules_where

    # as Interview.is_live: held in a room (no stage, or a stage whose module's spec says so)
    live = Q(stage__isnull=True) | Q(stage__module__in=modules_where(lambda spec: spec.live_room))
    if filters.kind == "live":
        qs = qs.filter(live)
    elif filters.kind == "stage":
        qs = qs.exclude(live)
    if filters.interviewer_id:
        qs = qs.filter(interviewers=filters.interviewer_id)
    if filters.q.strip():
        from hirelens.candidates.selectors import application_ids_matching

        qs = qs.filter(application_id__in=application_ids_matching(actor.organization_id, filters.q))
    return qs


def _cursor_dump(*, salt: str, row, direction: str, start: int) -> str:
    return signing.dumps({"k": [row.start_at.isoformat(), row.pk], "d": direction, "o": start}, salt=CURSOR_SALT + salt, compress=True)


def _cursor_load(cursor: str, *, salt: str) -> tuple[datetime, int, bool, int]:
    try:
        data = signing.loads(cursor, salt=CURSOR_SALT + salt)
        moment, last_id = data["k"]
        forward, start = {"n": True, "p": False}[data["d"]], int(data["o"])
        moment = datetime.fromisoformat(moment)
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise CursorError from None
    if not isinstance(last_id, int) or moment.tzinfo is None:
        raise CursorError
    return moment, last_id, forward, start


def keyset_page(qs: QuerySet, *, cursor: str = "", descending: bool = False, salt: str = "", per_page: int = PAGE_SIZE) -> KeysetPage:
    """One page of ``qs`` by (start_at, id), resuming after (or, going back, before) ``cursor``. A cursor this
    list did not issue gives the first page with ``notice="bad_cursor"``."""
    salt = f"{salt}:{'desc' if descending else 'asc'}"
    key = ("-start_at", "-pk") if descending else ("start_at", "pk")
    forward, start, notice = True, 1, ""
    if cursor:
        try:
            moment, last_id, forward, start = _cursor_load(cursor, salt=salt)
        except CursorError:
            cursor, notice = "", "bad_cursor"
    if cursor:
        after = forward != descending  # rows with a greater key
        op = "gt" if after else "lt"
        qs = qs.filter(Q(**{f"start_at__{op}": moment}) | Q(start_at=moment, **{f"pk__{op}": last_id}))
        order = key if forward else tuple(f[1:] if f.startswith("-") else f"-{f}" for f in key)
        rows = list(qs.order_by(*order)[: per_page + 1])
        more = len(rows) > per_page
        rows = rows[:per_page]
        if not forward:
            rows.reverse()
            start = max(start - len(rows), 1)
        has_next, has_previous = (more, True) if forward else (True, more)
    else:
        rows = list(qs.order_by(*key)[: per_page + 1])
        has_next, has_previous = len(rows) > per_page, False
        rows = rows[:per_page]
    return KeysetPage(
        rows=rows, start=start, notice=notice,
        next_cursor=_cursor_dump(salt=salt, row=rows[-1], direction="n", start=start + len(rows)) if rows and has_next else None,
        previous_cursor=_cursor_dump(salt=salt, row=rows[0], direction="p", start=start) if rows and has_previous else None,
    )


def interview_page(*, actor, filters: InterviewFilters, position=None, cursor: str = "", per_page: int = PAGE_SIZE) -> KeysetPage:
    """One page of interviews with everything a row shows (candidate, position, stage, interviewers) in a fixed
    number of queries: the page, then the interviewers of its rows."""
    qs = (interview_filtered(actor=actor, filters=filters, position=position)
          .select_related("application__position", "application__candidate", "stage").prefetch_related("interviewers"))
    return keyset_page(qs, cursor=cursor, descending=filters.descending, salt="interviews", per_page=per_page)


def slot_page(*, actor, position, cursor: str = "", per_page: int = PAGE_SIZE) -> KeysetPage:
    """The position's slots that are not withdrawn and not over, soonest first, one page."""
    qs = (slot_list(actor=actor, position=position).exclude(status=InterviewSlot.Status.CANCELLED)
          .filter(end_at__gte=timezone.now()))
    return keyset_page(qs, cursor=cursor, salt="slots", per_page=per_page)


def interviewer_choices(*, actor) -> list:
    """Whom a list of interviews may be narrowed to: the organization's active members for HR; for the panel, the
    members assigned to the positions they may see. One query."""
    from django.contrib.auth import get_user_model

    from hirelens.core.access import tenant_queryset
    from hirelens.core.roles import Perm, user_can
    from hirelens.positions.access import visible_positions

    qs = tenant_queryset(get_user_model().objects.filter(is_active=True), actor=actor)
    if not user_can(actor, Perm.POSITIONS_VIEW_ALL):
        qs = qs.filter(assignments__position__in=visible_positions(actor=actor).values("pk")).distinct()
    return list(qs.order_by("full_name", "pk").only("pk", "full_name"))
