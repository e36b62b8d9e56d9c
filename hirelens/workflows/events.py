"""Domain events of processes and scheduling, delivered after commit.

Other apps (messaging: invitations, reminders; the candidate timeline) plug in without changing the
code that emits: in their ``AppConfig.ready()`` they call ``subscribe("interview.scheduled", handler)``.
A handler receives ``(event: str, payload: dict)`` with ids only, runs after the transaction committed,
and should enqueue its own Huey task for anything slow. A failing handler is logged and does not
affect the others or the request. Every event is also relayed to the organization's live channel as
``hirelens:<event>`` in the browser, to the staff who may see its object only (``_audience``).

Events: ``pipeline.moved``, ``process.published``, ``interview.scheduled`` (an invitation is due),
``interview.rescheduled``, ``interview.cancelled``, ``interview.link_opened``, ``slot.offered``.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable

from django.db import transaction

from hirelens.accounts.roles import Perm
from hirelens.core.realtime import organization_group, publish

logger = logging.getLogger(__name__)

_handlers: dict[str, list[Callable[[str, dict], None]]] = defaultdict(list)
_recorded: list[tuple[str, dict]] | None = None

PIPELINE_MOVED = "pipeline.moved"
PROCESS_PUBLISHED = "process.published"
INTERVIEW_SCHEDULED = "interview.scheduled"
INTERVIEW_RESCHEDULED = "interview.rescheduled"
INTERVIEW_CANCELLED = "interview.cancelled"
INTERVIEW_LINK_OPENED = "interview.link_opened"
SLOTS_OFFERED = "slot.offered"


def subscribe(event: str, handler: Callable[[str, dict], None]) -> None:
    if handler not in _handlers[event]:
        _handlers[event].append(handler)


def unsubscribe(event: str, handler: Callable[[str, dict], None]) -> None:
    if handler in _handlers[event]:
        _handlers[event].remove(handler)


def _deliver(event: str, payload: dict) -> None:
    for handler in list(_handlers.get(event, ())):
        try:
            handler(event, payload)
        except Exception:
            logger.exception("event handler %r failed for %s", handler, event)
    organization_id = payload.get("organization_id")
    if organization_id:
        try:
            publish(organization_group(organization_id), event, payload, audience=_audience(payload))
        except Exception:
            logger.exception("could not relay %s to the live channel", event)


def _audience(payload: dict) -> dict:
    """Who may receive the live event: those who may see its most specific object (see core.realtime)."""
    for key, kind in (("interview_id", "interview"), ("application_id", "application"), ("position_id", "position"),
                      ("process_id", "process")):
        if payload.get(key):
            return {kind: payload[key]}
    return {"perm": Perm.POSITIONS_MANAGE}  # about nothing more specific: the people who run recruiting


def emit_on_commit(event: str, **payload) -> None:
    """Deliver ``event`` once the surrounding transaction commits (never if it rolls back)."""
    transaction.on_commit(lambda: _deliver(event, payload))
