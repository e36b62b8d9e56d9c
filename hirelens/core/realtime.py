"""Server-to-browser events over Channels. Services publish after commit; consumers only relay.

Every event carries an **audience**: a dict naming the object it is about, e.g. ``{"session": 12}``,
``{"application": 7}``, ``{"ticket": 3}`` or ``{"perm": Perm.MESSAGING_HELPDESK}``. Events go to the
organization's group, and ``EventsConsumer`` relays one to a connected staff member only when *every*
entry of the audience allows them, checked with the same ``access_*`` function the pages use (see
``AUDIENCE_RULES``): position scope, stage permissions and the help-desk right all come from there, so a
live event can never reach someone the page itself would answer 404. An organization event without an
audience reaches nobody (fail closed). Events sent to a user's own group are for that user only.
"""

from __future__ import annotations

import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)

# audience key -> the access function (called as ``fn(actor=user, <key>_id=value)``) that must not refuse.
AUDIENCE_RULES: dict[str, str] = {
    "candidate": "hirelens.candidates.access.access_candidate",
    "application": "hirelens.candidates.access.access_application",
    "position": "hirelens.positions.access.access_position",
    "process": "hirelens.workflows.access.access_process",
    "stage": "hirelens.workflows.access.access_stage",
    "session": "hirelens.interviews.access.access_session",
    "interview": "hirelens.scheduling.access.access_interview",
    "ticket": "hirelens.messaging.access.access_ticket",
    "message": "hirelens.messaging.access.access_message",
}


def user_group(user_id: int) -> str:
    return f"user.{user_id}"


def organization_group(organization_id: int) -> str:
    return f"org.{organization_id}"


def audience_allows(user, audience: dict | None) -> bool:
    """True when ``user`` may receive an event with this audience (synchronous: it queries the database)."""
    if not audience or user is None or not user.is_authenticated or not user.is_active:
        return False
    from hirelens.core.roles import user_can

    for key, value in audience.items():
        if key == "user":
            allowed = user.pk == value
        elif key == "perm":
            allowed = user_can(user, value)
        elif key in AUDIENCE_RULES:
            try:
                import_string(AUDIENCE_RULES[key])(actor=user, **{f"{key}_id": value})
                allowed = True
            except (Http404, PermissionDenied):
                allowed = False
        else:
            logger.warning("unknown audience key %r: event withheld", key)
            allowed = False
        if not allowed:
            return False
    return True


def publish(group: str, event: str, payload: dict, *, audience: dict | None = None) -> None:
    """Send ``event`` to ``group``. An organization group needs an ``audience`` (see the module docstring);
    a user's own group defaults to that user."""
    layer = get_channel_layer()
    if layer is None:
        return
    if audience is None and group.startswith("user."):
        audience = {"user": int(group.split(".", 1)[1])}
    if not audience:
        logger.warning("event %s for %s has no audience: nobody will receive it", event, group)
    async_to_sync(layer.group_send)(group, {"type": "relay.event", "event": event, "payload": payload,
                                            "audience": audience or {}})


def publish_on_commit(group: str, event: str, payload: dict, *, audience: dict | None = None) -> None:
    transaction.on_commit(lambda: publish(group, event, payload, audience=audience))
