"""Reads of the live room (the caller has passed ``access_room`` / ``candidate_room``)."""

from __future__ import annotations

from .models import LiveRoom, RoomEvent, RoomNote, RoomQuestion


def note_list(*, room: LiveRoom):
    return RoomNote.objects.filter(room=room).select_related("author").order_by("created_at", "pk")


def question_list(*, room: LiveRoom):
    return RoomQuestion.objects.filter(room=room).select_related("answered_by").order_by("created_at", "pk")


def event_list(*, room: LiveRoom):
    return RoomEvent.objects.filter(room=room).select_related("actor").order_by("created_at", "pk")


def ice_breakers(*, room: LiveRoom) -> list[str]:
    stage = room.interview.stage
    items = (stage.settings or {}).get("ice_breakers", []) if stage is not None else []
    return [str(i.get("text", "") if isinstance(i, dict) else i).strip() for i in items if i][:20]
