"""The review's one view of its own: the room's recording, decrypted on the fly with HTTP range support (the
player seeks to the timeline's moments), like AI-interview answers (``interviews.views.answer_media``)."""

from __future__ import annotations

import re
from pathlib import PurePath

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse

from hirelens.core.audit import audit_record
from hirelens.core.models import AuditEvent

from .review import room_for_review

RANGE = re.compile(r"bytes=(\d*)-(\d*)$")
CHUNK = 4 * 1024 * 1024
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
    handle = room.recording.open("rb")
    size = room.recording_size or room.recording.size
    content_type = _content_type(room)
    match = RANGE.match(request.headers.get("Range", ""))
    if not match or size == 0:
        response = FileResponse(handle, content_type=content_type)
        response["Accept-Ranges"] = "bytes"
        return response
    start = int(match.group(1)) if match.group(1) else max(0, size - int(match.group(2) or 0))
    end = min(int(match.group(2)), size - 1) if match.group(1) and match.group(2) else size - 1
    if start >= size or start > end:
        handle.close()
        response = HttpResponse(status=416)
        response["Content-Range"] = f"bytes */{size}"
        return response
    handle.seek(start)
    data = handle.read(min(end - start + 1, CHUNK))
    handle.close()
    response = HttpResponse(data, status=206, content_type=content_type)
    response["Content-Range"] = f"bytes {start}-{start + len(data) - 1}/{size}"
    response["Accept-Ranges"] = "bytes"
    return response
