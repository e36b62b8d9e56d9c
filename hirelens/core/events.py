"""Domain events: one typed bus, delivered after commit, each event declared once with its audience.

An event is a frozen dataclass (``@event``) with typed fields: ids, status codes and short code strings, never
personal data (a name, an e-mail, free text). The declaration says

- ``name``: the event's type, unique (``"interview.scheduled"``); webhooks (``hirelens.webhooks``) offer it to
  subscribers under that name, and the browser receives it as ``hirelens:<name>``;
- ``live``: whether it is relayed to the organization's open pages, and ``audience``: the fields that name the
  object deciding who receives it live (the first one set wins, ``interview_id`` → ``{"interview": id}``, see
  ``hirelens.core.realtime``); an event with no such field set goes to those who run recruiting (``positions.manage``);
- ``object``: the field naming the object it is about (webhooks keep deliveries about one object in order);
- ``webhook``: whether companies may subscribe to it (``hirelens.webhooks``; every event unless it says no).

Emitting: ``emit(InterviewScheduled(organization_id=..., interview_id=..., ...))`` inside the service's transaction.
Two kinds of subscribers (registered from an ``AppConfig.ready()``):

- ``subscribe(EventClass, handler)``: ``handler(event)`` runs after the transaction committed (never for a rolled-back
  change); it should enqueue a Huey task for anything slow. A failing handler is logged and does not affect the
  others or the request.
- ``subscribe_in_transaction(handler)``: ``handler(event)`` runs at once, inside the emitting transaction, for every
  event: for writes that must commit or roll back together with the change (webhook delivery rows, so a crash after
  the commit cannot lose one). It runs in a savepoint: a failure is logged and undoes only the handler's own writes.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import threading
import typing
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar

from django.db import transaction
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy

logger = logging.getLogger(__name__)


@dataclass(frozen=True, kw_only=True)
class Event:
    """Base of every domain event. ``organization_id`` is the tenant; the other fields are the event's own."""

    name: ClassVar[str] = ""
    live: ClassVar[bool] = False
    audience: ClassVar[tuple[str, ...]] = ()
    object: ClassVar[str] = ""
    webhook: ClassVar[bool] = True
    # The candidate timeline's text of the entry of the same kind (the event's name), formatted with that entry's
    # params (candidates.timeline.timeline_text); empty: the event puts no entry of its own name on the timeline.
    timeline: ClassVar[Promise | str] = ""

    organization_id: int

    def payload(self) -> dict:
        return dataclasses.asdict(self)

    @property
    def object_key(self) -> str:
        """``"<kind>:<id>"`` of the object the event is about (ordering key of webhook deliveries)."""
        return f"{self.object.removesuffix('_id')}:{getattr(self, self.object)}" if self.object else f"organization:{self.organization_id}"


EVENTS: dict[str, type[Event]] = {}


def event(cls):
    """Class decorator: freeze ``cls`` as a dataclass and register it under its ``name`` (which must be unique)."""
    cls = dataclass(frozen=True, kw_only=True)(cls)
    if not cls.name or cls.name in EVENTS:
        raise ValueError(f"event {cls.__name__}: a unique name is required ({cls.name!r})")
    EVENTS[cls.name] = cls
    return cls


# --- the declarations -----------------------------------------------------------------------------------------

@event
class CandidateCreated(Event):
    name = "candidate.created"
    object = "candidate_id"
    candidate_id: int
    source: str  # Candidate.Source code


@event
class CandidateUpdated(Event):
    """A part of the record changed (profile, documents, resume, history ...); open pages re-fetch it."""

    name = "candidate.updated"
    live, audience, object = True, ("candidate_id",), "candidate_id"
    candidate_id: int
    parts: tuple[str, ...]
    by_candidate: bool


@event
class ApplicationMoved(Event):
    """The application moved in its pipeline (advance, hold, reject, complete, ...)."""

    name = "application.moved"
    live, audience, object = True, ("application_id", "position_id"), "application_id"
    application_id: int
    position_id: int
    action: str  # PipelineEvent.Action code
    state: str  # ApplicationProgress.State code after the move
    from_stage_id: int | None = None
    to_stage_id: int | None = None
    event_id: int | None = None  # the PipelineEvent row


@event
class ApplicationCreated(Event):
    """A candidate applied to a position (a new application row); the analytics funnel counts it in its day."""

    name = "application.created"
    object = "application_id"
    webhook = False  # the funnel's bookkeeping (analytics subscribes); not offered to companies' systems yet
    application_id: int
    candidate_id: int
    position_id: int


@event
class ApplicationUpdated(Event):
    """Staff edited an application's stage label or status on the candidate's record (a final status goes through
    a decision first)."""

    name = "application.updated"
    object = "application_id"
    webhook = False
    application_id: int
    candidate_id: int
    position_id: int
    status: str  # Application.Status code after the edit


@event
class StageResultRecorded(Event):
    """A stage's score was recorded or replaced (by hand or from a file): a ``score`` pipeline event was written."""

    name = "stage_result.recorded"
    object = "application_id"
    webhook = False
    result_id: int
    application_id: int
    stage_id: int


@event
class CandidatesMerged(Event):
    """A duplicate record was merged into ``candidate_id`` (and deleted). ``position_ids[i]`` and ``applied_at[i]``
    (ISO 8601) are the position and the creation time of each application the two records had before the merge:
    those deleted with the duplicate are gone when subscribers run."""

    name = "candidate.merged"
    object = "candidate_id"
    webhook = False
    merge_id: int
    candidate_id: int
    duplicate_id: int
    position_ids: tuple[int, ...]
    applied_at: tuple[str, ...]


@event
class CandidateMergeUndone(Event):
    """A merge was undone: ``restored_id`` is back with its applications, ``candidate_id`` has its own again."""

    name = "candidate.merge_undone"
    object = "candidate_id"
    webhook = False
    merge_id: int
    candidate_id: int
    restored_id: int


@event
class ProcessPublished(Event):
    name = "process.published"
    live, audience, object = True, ("process_id",), "process_id"
    process_id: int
    version_id: int
    number: int


@event
class InterviewScheduled(Event):
    name = "interview.scheduled"
    timeline = gettext_lazy("安排了面试：%(title)s")
    live, audience, object = True, ("interview_id",), "interview_id"
    interview_id: int
    application_id: int
    candidate_id: int
    start_at: str  # ISO 8601
    end_at: str


@event
class InterviewRescheduled(Event):
    name = "interview.rescheduled"
    timeline = gettext_lazy("面试改期：%(title)s")
    live, audience, object = True, ("interview_id",), "interview_id"
    interview_id: int
    application_id: int
    candidate_id: int
    old_start: str
    start_at: str
    end_at: str


@event
class InterviewCancelled(Event):
    name = "interview.cancelled"
    timeline = gettext_lazy("取消了面试：%(title)s")
    live, audience, object = True, ("interview_id",), "interview_id"
    interview_id: int
    application_id: int
    candidate_id: int


@event
class InterviewLinkOpened(Event):
    name = "interview.link_opened"
    timeline = gettext_lazy("打开了面试链接（%(kind)s）")
    live, audience, object = True, ("interview_id", "application_id"), "application_id"
    webhook = False  # every opening of a link: the pages' live view, not a company's systems
    link_id: int
    kind: str  # InterviewLink.Kind code
    application_id: int
    interview_id: int | None = None


@event
class SlotOffered(Event):
    name = "slot.offered"
    live, audience, object = True, ("application_id", "position_id"), "slot_id"
    webhook = False
    slot_id: int
    position_id: int
    application_id: int | None = None


@event
class AiInterviewStarted(Event):
    """The candidate started an AI video interview (``session_id``: the interview session of the API)."""

    name = "interview.started"
    object = "session_id"
    session_id: int
    application_id: int


@event
class AiInterviewSubmitted(Event):
    name = "interview.submitted"
    object = "session_id"
    session_id: int
    application_id: int


@event
class AiInterviewAnalysed(Event):
    """Every answer of a submitted AI interview has its analysis (or a final failure): the report can be fetched."""

    name = "interview.analysed"
    object = "session_id"
    session_id: int
    application_id: int


@event
class ScorecardSubmitted(Event):
    name = "scorecard.submitted"
    object = "application_id"
    scorecard_id: int
    application_id: int
    stage_id: int
    recommendation: str  # Scorecard.Recommendation code or ""


@event
class DecisionRecorded(Event):
    name = "decision.recorded"
    object = "application_id"
    decision_id: int
    application_id: int
    outcome: str  # Decision.Outcome code
    stage_id: int | None = None
    decided_at: str = ""  # ISO 8601: when the person decided (feedback's clock starts there)


@event
class HelpdeskMessageReceived(Event):
    """A candidate wrote to the help desk (WeChat, a help page or a dead link's "ask for a new link"): a new ticket or a
    message in an open one. Live subscribes in the transaction: a candidate in a live interview right now has the
    report put into the room for the interviewers (``live/incidents.py``)."""

    name = "helpdesk.received"
    object = "ticket_id"
    webhook = False  # a candidate's words to HR: the help desk's business, not offered to companies' systems
    ticket_id: int
    candidate_id: int | None = None


@event
class MessageFailed(Event):
    """A message could not be delivered on any channel (``failed``) or had no usable channel (``undeliverable``)."""

    name = "message.failed"
    object = "message_id"
    message_id: int
    kind: str  # messaging Kind code
    status: str
    candidate_id: int | None = None


@event
class DeletionDone(Event):
    """A candidate's data was erased (a deletion request, the retention limit, or HR): delete your copies too."""

    name = "deletion.done"
    object = "candidate_id"
    candidate_id: int
    erasure_id: int
    reason: str  # Erasure.Reason code


# --- subscribing and emitting -------------------------------------------------------------------------------------

Handler = Callable[[Event], None]
_handlers: dict[type[Event], list[Handler]] = defaultdict(list)
_in_transaction: list[Handler] = []


def subscribe(event_class: type[Event], handler: Handler) -> None:
    if handler not in _handlers[event_class]:
        _handlers[event_class].append(handler)


def unsubscribe(event_class: type[Event], handler: Handler) -> None:
    if handler in _handlers[event_class]:
        _handlers[event_class].remove(handler)


def subscribe_in_transaction(handler: Handler) -> None:
    if handler not in _in_transaction:
        _in_transaction.append(handler)


def unsubscribe_in_transaction(handler: Handler) -> None:
    if handler in _in_transaction:
        _in_transaction.remove(handler)


def emit(evt: Event) -> None:
    """Run the in-transaction subscribers now, and deliver ``evt`` to the others once the surrounding transaction
    commits (never if it rolls back)."""
    if type(evt).name not in EVENTS:
        raise TypeError(f"{type(evt).__name__} is not a declared event")
    for handler in list(_in_transaction):
        try:
            with transaction.atomic():
                handler(evt)
        except Exception:
            logger.exception("in-transaction event handler %r failed for %s", handler, evt.name)
    transaction.on_commit(lambda: _deliver(evt))


def _deliver(evt: Event) -> None:
    for handler in list(_handlers.get(type(evt), ())):
        try:
            handler(evt)
        except Exception:
            logger.exception("event handler %r failed for %s", handler, evt.name)
    if evt.live:
        try:
            _relay(evt)
        except Exception:
            logger.exception("could not relay %s to the live channel", evt.name)


def audience_of(evt: Event) -> dict:
    """Who may receive the live event: those who may see its most specific object (see core.realtime)."""
    for field_name in evt.audience:
        value = getattr(evt, field_name)
        if value:
            return {field_name.removesuffix("_id"): value}
    from hirelens.core.roles import Perm

    return {"perm": Perm.POSITIONS_MANAGE}  # about nothing more specific: the people who run recruiting


def _relay(evt: Event) -> None:
    from .realtime import organization_group, publish

    args = (organization_group(evt.organization_id), evt.name, evt.payload())
    kwargs = {"audience": audience_of(evt)}
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        publish(*args, **kwargs)
        return
    # publish uses async_to_sync, which refuses a thread running an event loop: publish from a short-lived thread
    worker = threading.Thread(target=publish, args=args, kwargs=kwargs)
    worker.start()
    worker.join()


def field_types(event_class: type[Event]) -> dict[str, object]:
    """The resolved type of each field (for the declaration test and the webhook documentation)."""
    return typing.get_type_hints(event_class)
