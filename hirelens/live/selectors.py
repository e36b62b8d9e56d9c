"""Reads of the live room (the caller has passed ``access_room`` / ``candidate_room``)."""

from __future__ import annotations

from .models import LiveRoom, RoomEvent, RoomNote, RoomQuestion


def note_list(*, room: LiveRoom):
    return RoomNote.objects.filter(room=room).select_related("author").order_by("created_at", "pk")


def question_list(*, room: LiveRoom):
    return RoomQuestion.objects.filter(room=room).select_related("answered_by").order_by("created_at", "pk")


# The room's messages (services publish them; the room state repeats them)
def note_payload(note: RoomNote) -> dict:
    return {"id": note.pk, "author": note.author.full_name if note.author_id else "", "text": note.text,
            "tags": list(note.tags), "media_time_s": note.media_time_s, "at": note.created_at.isoformat()}


def question_payload(question: RoomQuestion) -> dict:
    return {"id": question.pk, "text": question.text, "media_time_s": question.media_time_s,
            "at": question.created_at.isoformat()}


def answer_payload(question: RoomQuestion) -> dict:
    return {"question": question.pk, "text": question.answer, "by_voice": question.answered_by_voice,
            "by": question.answered_by.full_name if question.answered_by_id else ""}


# What a page re-reads with every room state (join, reconnection, admission): a page that was away while a note, a
# question or an answer went out has it again. Bounded: the latest CONVERSATION_LIMIT of each.
CONVERSATION_LIMIT = 100


def conversation(*, room: LiveRoom, staff: bool) -> dict:
    """``{"questions": [question + answer payloads], "notes": [...] (interviewers only)}``, oldest first."""
    questions = list(question_list(room=room).reverse()[:CONVERSATION_LIMIT])[::-1]
    out = {"questions": [{**question_payload(q), **({"answer": answer_payload(q)} if q.answered_at else {})}
                         for q in questions]}
    if staff:
        out["notes"] = [note_payload(n) for n in list(note_list(room=room).reverse()[:CONVERSATION_LIMIT])[::-1]]
    return out


def event_list(*, room: LiveRoom):
    return RoomEvent.objects.filter(room=room).select_related("actor").order_by("created_at", "pk")


def ice_breakers(*, room: LiveRoom) -> list[str]:
    stage = room.interview.stage
    items = (stage.settings or {}).get("ice_breakers", []) if stage is not None else []
    return [str(i.get("text", "") if isinstance(i, dict) else i).strip() for i in items if i][:20]
