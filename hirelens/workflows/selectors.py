from __future__ import annotations

from dataclasses import dataclass, field

from hirelens.accounts.roles import Perm, user_can
from hirelens.candidates.access import visible_applications
from hirelens.positions.models import Position

from .access import visible_processes, visible_stages
from .models import ApplicationProgress, PipelineEvent, Process, ProcessVersion, Stage, StageResult


def process_list(*, actor, position: Position | None = None):
    qs = visible_processes(actor=actor).select_related("position")
    if position is not None:
        qs = qs.filter(position=position)
    return qs.order_by("-is_active", "name")


def library_list(*, actor):
    return visible_processes(actor=actor).filter(position__isnull=True).order_by("name")


def latest_version(process: Process) -> ProcessVersion | None:
    return process.versions.filter(status=ProcessVersion.Status.PUBLISHED).order_by("-number").first()


@dataclass
class Column:
    key: str
    title: str
    module: str = ""
    cards: list = field(default_factory=list)
    stage: Stage | None = None
    can_score: bool = False


@dataclass
class Card:
    application: object
    progress: ApplicationProgress | None
    version_number: int | None = None
    stage_title: str = ""


def position_board(*, actor, position: Position, q: str = "") -> list[Column]:
    """Kanban columns: not started, each stage of the active process's latest version (matched by the
    stable stage key, so applications on older versions land in the same column), other stages, ended."""
    process = Process.objects.filter(position=position, is_active=True).first()
    version = latest_version(process) if process else None
    stages = visible_stages(actor=actor, version=version) if version else []
    from .access import assignment_roles, stage_can_score

    roles = assignment_roles(actor=actor, position_id=position.pk) if stages else set()  # once, not once per stage
    columns = ([Column("new", "")]
               + [Column(s.key, s.title, s.module, stage=s, can_score=stage_can_score(actor=actor, stage=s, roles=roles))
                  for s in stages]
               + [Column("other", ""), Column("ended", "")])
    by_key = {c.key: c for c in columns}
    applications = (visible_applications(actor=actor).filter(position=position)
                    .select_related("candidate", "progress__stage", "progress__version").order_by("created_at"))
    if q.strip():  # name search: only the matching people's cards (candidates.selectors.application_ids_matching)
        from hirelens.candidates.selectors import application_ids_matching

        applications = applications.filter(pk__in=application_ids_matching(actor.organization_id, q))
    for application in applications:
        progress = getattr(application, "progress", None)
        if progress is None:
            by_key["new"].cards.append(Card(application, None))
            continue
        card = Card(application, progress, progress.version.number, progress.stage.title if progress.stage else "")
        if progress.state in {ApplicationProgress.State.REJECTED, ApplicationProgress.State.WITHDRAWN,
                              ApplicationProgress.State.COMPLETED}:
            by_key["ended"].cards.append(card)
        elif progress.stage and progress.stage.key in by_key:
            by_key[progress.stage.key].cards.append(card)
        else:
            by_key["other"].cards.append(card)
    return columns


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
