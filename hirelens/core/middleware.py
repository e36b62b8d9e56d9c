from __future__ import annotations

import time

from .metrics import request_observe


class RequestMetricsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        request_observe(request, response, time.perf_counter() - started)
        return response


class DatabaseBusyMiddleware:
    """SQLite allows one writer at a time; when a write waited longer than its busy timeout, answer 503
    with Retry-After (clients and the upload script retry) instead of a 500 error page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        from django.db import OperationalError
        from django.http import JsonResponse
        from django.utils.translation import gettext as _

        if isinstance(exception, OperationalError) and "locked" in str(exception):
            response = JsonResponse({"error": _("服务器繁忙，请稍后自动重试。")}, status=503)
            response["Retry-After"] = "2"
            return response
        return None


class SecurityHeadersMiddleware:
    """Content-Security-Policy and `Cache-Control: no-store` on every response this code produces.

    Sits after WhiteNoise, so static files (versioned, no personal data) never reach it and keep their caching.
    Everything else may carry personal data or media (staff pages, the JSON API, candidate link pages,
    recordings, documents), so nothing here may be kept by a browser or a shared proxy. Scripts come only from
    our own static files: no inline script, no `eval` (Alpine.js is its CSP build); styles allow inline `style`
    attributes (see docs/architecture.md, "Security headers")."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.conf import settings

        response = self.get_response(request)
        if request.path.startswith(settings.STATIC_URL) or getattr(response, "hirelens_cacheable", False):
            return response
        response["Cache-Control"] = "no-store"
        response.headers.pop("Expires", None)
        content_type = response.get("Content-Type", "")
        # Chromium's PDF viewer runs as a plugin in the PDF's own document: `object-src 'none'` there would block
        # the resume preview. A PDF runs no script of ours, so it gets no policy.
        if "Content-Security-Policy" not in response and not content_type.startswith("application/pdf"):
            response["Content-Security-Policy"] = content_security_policy(request, response)
        return response


def content_security_policy(request, response) -> str:
    from django.core.exceptions import DisallowedHost

    sockets = ""
    try:
        host = request.get_host()
        sockets = f" ws://{host} wss://{host}"  # 'self' covers same-origin WebSockets in CSP 3, not in older Safari
    except DisallowedHost:
        pass
    # A page may frame itself only where it opted in (the resume preview sets X-Frame-Options: SAMEORIGIN).
    ancestors = "'self'" if response.get("X-Frame-Options", "").upper() == "SAMEORIGIN" else "'none'"
    return "; ".join([
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "media-src 'self' blob:",
        "font-src 'self' data:",
        f"connect-src 'self'{sockets}",
        "worker-src 'self' blob:",
        "object-src 'none'",
        "base-uri 'self'",
        f"frame-ancestors {ancestors}",
        "form-action 'self'",
    ])
