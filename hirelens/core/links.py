"""The one builder of absolute links: portal, booking, interview, survey and invitation links, .ics files, e-mails.

Which base URL a link gets, first match wins:

1. ``HIRELENS_SITE_URL`` when set (an operator's public address, e.g. behind a reverse proxy).
2. In a request: the scheme, host and port of that request (``request.build_absolute_uri``, so the host must be in
   ``ALLOWED_HOSTS``). ``LinkRequestMiddleware`` makes the current request known here, so services called from a
   view (and tasks run inline) build links that point at the server that was actually reached.
3. Outside a request (a worker sending e-mails, ``load_demo``): ``http://HIRELENS_HOST:HIRELENS_PORT`` (loopback for
   a wildcard host). ``manage.py serve --host H --port N`` exports both to its web and worker processes, so the
   worker's links name the port actually served; ``HIRELENS_PORT=N make run`` gives ``load_demo`` the same.

The request is held in a context variable, not a thread-local: each ASGI request (and the threads Django runs its
sync code in) has its own context. Only the base URL is taken from it; tenancy never is.
"""

from __future__ import annotations

import contextvars

from django.conf import settings

_current_request: contextvars.ContextVar = contextvars.ContextVar("hirelens_link_request", default=None)


def site_url(*, request=None) -> str:
    """The base URL (scheme, host, port; no trailing slash) that links start with."""
    if settings.SITE_URL:
        return settings.SITE_URL
    request = request if request is not None else _current_request.get()
    if request is not None:
        return request.build_absolute_uri("/").rstrip("/")
    return settings.SITE_URL_FALLBACK


def absolute_url(path: str, *, request=None) -> str:
    """``path`` (from ``reverse``, starting with ``/``) as an absolute link; see the module docstring for the base."""
    if not path.startswith("/"):
        raise ValueError(f"expected an absolute path, got {path!r}")
    return site_url(request=request) + path


class LinkRequestMiddleware:
    """Makes the request being served the base of the links built while it is handled."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _current_request.set(request)
        try:
            return self.get_response(request)
        finally:
            _current_request.reset(token)
