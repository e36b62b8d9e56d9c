"""Logging filters named in settings.LOGGING (kept free of models: logging is configured before apps load)."""

from __future__ import annotations

import logging


class QuietClientErrors(logging.Filter):
    """A refused request (403, 400, 404…) is a probe or a stale link, not a bug in our code: Django logs it with the
    exception's traceback, which buries real errors in the server log. Keep the one line, drop the traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "status_code", 500) < 500:
            record.exc_info = None
            record.exc_text = None
        return True
