"""Integers read from a query string, bounded at the edge.

One behaviour everywhere: on a page, a filter or count that is not a whole number in its range is ignored (the page
shows as without it, like Django's ``Paginator.get_page`` does for a bad page number); in the API it is a 400 with a
problem-details body (ninja ``Query(..., ge=, le=)`` bounds, see ``config/api.py``). Path ids are bounded by the
``<id:…>`` converter (``converters.py``).
"""

from __future__ import annotations

from .converters import MAX_ID

MAX_OFFSET = 1_000_000  # no list is paged that deep; beyond this an offset is a mistake or a probe


def query_int(data, name: str, *, default: int | None = None, minimum: int = 1, maximum: int = MAX_ID) -> int | None:
    raw = (data.get(name) or "").strip()
    if not raw or len(raw) > 20 or not raw.lstrip("-").isdigit():
        return default
    value = int(raw)
    return value if minimum <= value <= maximum else default
