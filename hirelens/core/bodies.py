"""A request body Django cannot parse is the client's mistake: a 400, not a 500.

``multipart/form-data`` without a boundary (or with a bad one, or a negative length) makes ``request.POST`` raise
``MultiPartParserError`` wherever it is first read — the CSRF check reads it on every POST — so it surfaced as a
server error from whichever middleware or view got there first. This middleware checks such a request's headers
the way Django's parser does (its constructor, which reads no body), then parses the multipart body itself, so that a
body broken mid-way (a part header past Django's size limit, a bad part) is refused here too; it answers a 400 (problem
details under ``/api/``) before anything else runs. Raw (non-multipart) bodies are never read here, so the upload
views that stream them are unaffected.
"""

from __future__ import annotations

import io

from django.http import HttpResponseBadRequest, JsonResponse
from django.http.multipartparser import MultiPartParser, MultiPartParserError
from django.utils.translation import gettext as _


class MalformedBodyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method == "POST" and request.META.get("CONTENT_TYPE", "").startswith("multipart/"):
            try:
                MultiPartParser(request.META, io.BytesIO(), [])
                request.POST  # noqa: B018 - parse now: the first reader (often the CSRF check) must not meet the error
            except MultiPartParserError:
                message = _("请求内容无法解析：multipart/form-data 格式不正确。")
                if request.path.startswith("/api/"):
                    return JsonResponse({"type": "about:blank", "title": message, "status": 400, "detail": message},
                                        status=400, content_type="application/problem+json")
                return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
        return self.get_response(request)
