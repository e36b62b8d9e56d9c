"""The one way a page view shows a service's ``ValidationError``: each message flashed as an error."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError


def flash_errors(request, exc: ValidationError) -> None:
    """Flash every message of ``exc`` (field errors included, in order) for the next page."""
    for message in exc.messages:
        messages.error(request, message)
