from __future__ import annotations

import time

from .metrics import HTTP_LATENCY, HTTP_REQUESTS


class RequestMetricsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        HTTP_LATENCY.observe(time.perf_counter() - started)
        HTTP_REQUESTS.labels(request.method, str(response.status_code)).inc()
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
