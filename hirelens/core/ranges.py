"""Serving a stored (encrypted) recording with HTTP range requests, so that a player can seek: one rule for every
recording the pages play (AI-interview answers, live-room recordings)."""

from __future__ import annotations

import re

from django.http import FileResponse, HttpResponse

RANGE = re.compile(r"bytes=(\d*)-(\d*)$")
CHUNK = 4 * 1024 * 1024  # the most one ranged response carries (the player asks for the rest)


def ranged_file_response(request, fieldfile, *, size: int, content_type: str) -> HttpResponse:
    """The whole file (200) without a Range header, else the asked part (206, at most CHUNK bytes), or 416 for a
    range outside the file. ``fieldfile`` is opened through its storage, which decrypts."""
    handle = fieldfile.open("rb")
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
