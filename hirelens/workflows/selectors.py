from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from django.db.models import Count, Q
from django.utils import timezone

from hirelens.candidates.access import visible_applications
from hirelens.core.roles import Perm, user_can
from hirelens.positions.models import Position

from .access import visible_processes, visible_stages
from .models import ApplicationProgress, PipelineEvent, Process, ProcessVersion, Stage, StageResult
from .modules import ModuleSpec, find_module_spec


def process_list(*, actor, position: Position | None = None):
    qs = visible_processes(actor=actor).select_related("position")
    if position is not None:
        qs = qs.filter(position=position)
    return qs.order_by("-is_active", "name")


def library_list(*, actor):
    return visible_processes(actor=actor).filter(position__isnull=True).order_by("name")


def latest_version(process: Process) -> ProcessVersion | None:
    return process.versions.filter(status=ProcessVersion.Status.PUBLISHED).order_by("-number").first()


# The board (issue 22): per-column counts in one aggregate query and each column's first page of cards, newest
# activity first; "load more" fetches the next page of one column by a keyset cursor. The cost is bounded by the page
# size and the number of stages (a process design constant), never by the number of applications.
BOARD_PAGE_SIZE = 20
OPEN_STATES = (ApplicationProgress.State.ACTIVE, ApplicationProgress.State.ON_HOLD)
ENDED_STATES = (ApplicationProgress.State.COMPLETED, ApplicationProgress.State.REJECTED, ApplicationProgress.State.WITHDRAWN)
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass
class Column:
    key: str
    title: str
    module: str = ""
    cards: list = field(default_factory=list)
    stage: Stage | None = None
    can_score: bool = False
    count: int = 0
    next_cursor: str = ""

    @property
    def spec(self) -> ModuleSpec | None:
        """The stage's module spec (what the column offers, e.g. a score import); None for the other columns."""
        return find_module_spec(self.module) if self.module else None


@dataclass
class Card:
    application: object
    progress: ApplicationProgress | None
    version_number: int | None = None
    stage_title: str = ""


@dataclass(frozen=True)
class BoardFilters:
    """What narrows every column and count: a name (or, with the contact permission, phone) search through the
    candidates' search selector, the candidate's source and tag, and the date applied (inclusive, the viewer's zone)."""

    q: str = ""
    source: str = ""
    tag: str = ""
    applied_from: date | None = None
    applied_to: date | None = None

    @property
    def active(self) -> bool:
        return any((self.q.strip(), self.source, self.tag, self.applied_from, self.applied_to))


class BoardCursorError(ValueError):
    """A "load more" cursor this board did not issue."""


@dataclass
class _Plan:
    columns: list[Column]
    where: dict[str, Q]  # column key -> which of the position's applications it holds


def _board_plan(*, actor, position: Position) -> _Plan:
    """The columns the actor may see and, for each, the condition on an application (stage permissions applied:
    an application on a stage the actor may not see is in no column and no count; old versions' stages line up by
    key, stages no longer in the latest version go to "other")."""
    from .access import assignment_roles, stage_can_score, stage_can_view

    version = (ProcessVersion.objects.filter(process__position=position, process__is_active=True,
                                             status=ProcessVersion.Status.PUBLISHED).order_by("-number").first())
    stages = list(Stage.objects.filter(organization_id=actor.organization_id, version__process__position=position,
                                       version__status=ProcessVersion.Status.PUBLISHED)
                  .select_related("version__process").prefetch_related("view_users", "score_users").order_by("order", "pk"))
    roles = assignment_roles(actor=actor, position_id=position.pk) if stages else set()
    visible = [s for s in stages if stage_can_view(actor=actor, stage=s, roles=roles)]
    latest = [s for s in visible if version is not None and s.version_id == version.pk]
    keys = {s.key for s in latest}
    ids_by_key: dict[str, list[int]] = {}
    for stage in visible:
        ids_by_key.setdefault(stage.key if stage.key in keys else "", []).append(stage.pk)
    columns = ([Column("new", "")]
               + [Column(s.key, s.title, s.module, stage=s, can_score=stage_can_score(actor=actor, stage=s, roles=roles))
                  for s in latest]
               + [Column("other", ""), Column("ended", "")])
    where = {"new": Q(progress__isnull=True), "ended": Q(progress__state__in=ENDED_STATES),
             "other": Q(progress__state__in=OPEN_STATES) & (Q(progress__stage__isnull=True)
                                                            | Q(progress__stage_id__in=ids_by_key.get("", [])))}
    for stage in latest:
        where[stage.key] = Q(progress__state__in=OPEN_STATES, progress__stage_id__in=ids_by_key[stage.key])
    return _Plan(columns, where)


def _board_applications(*, actor, position: Position, filters: BoardFilters):
    from hirelens.candidates.selectors import candidate_list

    qs = visible_applications(actor=actor).filter(position=position)
    if filters.q.strip() or filters.source or filters.tag:  # the candidate list's own search and filters (one rule)
        qs = qs.filter(candidate_id__in=candidate_list(actor=actor, q=filters.q.strip()[:100], source=filters.source,
                                                       tag=filters.tag).order_by().values("pk"))
    zone = timezone.get_current_timezone()
    if filters.applied_from:
        qs = qs.filter(created_at__gte=datetime.combine(filters.applied_from, time.min, tzinfo=zone))
    if filters.applied_to:
        qs = qs.filter(created_at__lt=datetime.combine(filters.applied_to + timedelta(days=1), time.min, tzinfo=zone))
    return qs


def _order(key: str) -> tuple[str, str]:
    # "new": when they applied; every other column: the last move (ApplicationProgress.updated_at); ids break ties
    return ("created_at", "id") if key == "new" else ("progress__updated_at", "progress__id")


def _cursor(key: str, application) -> str:
    moment, pk = (application.created_at, application.pk) if key == "new" else (
        application.progress.updated_at, application.progress.pk)
    return f"{(moment - EPOCH) // timedelta(microseconds=1)}.{pk}"


def _cursor_after(key: str, cursor: str) -> Q:
    micros, _dot, pk = cursor.partition(".")
    if not (micros.isdigit() and pk.isdigit() and len(micros) <= 20 and len(pk) <= 19):
        raise BoardCursorError(cursor)
    try:
        moment = EPOCH + timedelta(microseconds=int(micros))
    except OverflowError as exc:
        raise BoardCursorError(cursor) from exc
    when, ident = _order(key)
    return Q(**{f"{when}__lt": moment}) | Q(**{when: moment, f"{ident}__lt": int(pk)})


def _cards(qs, key: str, *, cursor: str = "", limit: int = BOARD_PAGE_SIZE) -> tuple[list[Card], str]:
    when, ident = _order(key)
    if cursor:
        qs = qs.filter(_cursor_after(key, cursor))
    # Only what a card shows: the candidate's encrypted resume and contact columns are never read (nor decrypted).
    fields = ["id", "created_at", "organization_id", "position_id", "candidate__id", "candidate__full_name"]
    if key == "new":
        qs = qs.select_related("candidate")
    else:
        qs = qs.select_related("candidate", "progress__stage", "progress__version")
        fields += ["progress__id", "progress__state", "progress__updated_at", "progress__stage__title",
                   "progress__version__number"]
    rows = list(qs.only(*fields).order_by(f"-{when}", f"-{ident}")[: limit + 1])
    cards = []
    for application in rows[:limit]:
        progress = getattr(application, "progress", None) if key != "new" else None
        cards.append(Card(application, progress, progress.version.number if progress else None,
                          progress.stage.title if progress and progress.stage else ""))
    return cards, (_cursor(key, rows[limit - 1]) if len(rows) > limit else "")


def position_board(*, actor, position: Position, filters: BoardFilters | None = None, q: str = "",
                   per_column: int = BOARD_PAGE_SIZE) -> list[Column]:
    """Kanban columns: not started, each stage of the active process's latest version (matched by the stable stage
    key, so applications on older versions land in the same column), other stages, ended. Each column carries its
    count (one aggregate query for all of them) and its first ``per_column`` cards; an empty column costs no query."""
    filters = filters or BoardFilters(q=q)
    plan = _board_plan(actor=actor, position=position)
    applications = _board_applications(actor=actor, position=position, filters=filters)
    counts = applications.aggregate(**{f"c{i}": Count("pk", filter=plan.where[c.key]) for i, c in enumerate(plan.columns)})
    for i, column in enumerate(plan.columns):
        column.count = counts[f"c{i}"] or 0
        if column.count:
            column.cards, column.next_cursor = _cards(applications.filter(plan.where[column.key]), column.key, limit=per_column)
    return plan.columns


def board_column_page(*, actor, position: Position, key: str, cursor: str = "", filters: BoardFilters | None = None,
                      per_page: int = BOARD_PAGE_SIZE) -> Column | None:
    """The next page of one column (``cursor`` from the previous page), or None for a column the actor may not see
    (a hidden stage, a stage of another process, a made-up key). Raises ``BoardCursorError`` for a bad cursor."""
    plan = _board_plan(actor=actor, position=position)
    column = next((c for c in plan.columns if c.key == key), None)
    if column is None:
        return None
    applications = _board_applications(actor=actor, position=position, filters=filters or BoardFilters())
    column.cards, column.next_cursor = _cards(applications.filter(plan.where[key]), key, cursor=cursor, limit=per_page)
    return column


def stage_result_list(*, actor, progress: ApplicationProgress) -> list[StageResult]:
    visible = {s.pk for s in visible_stages(actor=actor, version=progress.version)}
    return [r for r in progress.results.select_related("stage", "recorded_by").order_by("stage__order") if r.stage_id in visible]


def pipeline_event_list(*, actor, progress: ApplicationProgress) -> list[PipelineEvent]:
    """The application's moves; score entries of stages the actor may not see are left out."""
    visible = {s.pk for s in visible_stages(actor=actor, version=progress.version)}
    events = progress.events.select_related("from_stage", "to_stage", "actor").order_by("created_at", "pk")
    return [e for e in events if e.action != PipelineEvent.Action.SCORE or e.to_stage_id in visible]


def can_move(actor) -> bool:
    return user_can(actor, Perm.DECISIONS_RECORD)


def stage_for_progress(*, progress: ApplicationProgress, stage_id) -> Stage | None:
    return progress.version.stages.filter(pk=stage_id).first()
