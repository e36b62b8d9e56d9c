"""The review's one view of its own: the room's recording, decrypted on the fly with HTTP range support (the
player seeks to the timeline's moments), like AI-interview answers (``interviews.views.answer_media``)."""

from __future__ import annotations

from pathlib import PurePath

from django.contrib.auth.decorators import login_required
from django.http import Http404

from hirelens.core.audit import audit_record
from hirelens.core.models import AuditEvent
from hirelens.core.ranges import ranged_file_response

from .review import room_for_review

TYPES = {".mp4": "video/mp4", ".ogg": "audio/ogg", ".opus": "audio/ogg"}


def _content_type(room) -> str:
    suffix = PurePath(room.recording.name).suffix.lower()
    if suffix in TYPES:
        return TYPES[suffix]
    # probe's facts (interviews.media.probe); Matroska from the server peer is played as WebM (same container family)
    return "audio/webm" if (room.recording_media or {}).get("has_video") is False else "video/webm"


@login_required
def room_recording(request, room_id: int):
    room = room_for_review(actor=request.user, room_id=room_id)
    if not room.recording:
        raise Http404
    audit_record(action=AuditEvent.Action.READ_FILE, actor=request.user, obj=room, fields=["recording"], request=request)
    return ranged_file_response(request, room.recording, size=room.recording_size or room.recording.size,
                                content_type=_content_type(room))
