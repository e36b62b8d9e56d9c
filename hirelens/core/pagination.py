"""The one shape of a keyset page that the staff lists share (candidates, scheduled interviews and slots, the
evaluations index); each list builds its own cursors on its own sort key and returns this.

The open API's pages are ``core.apitools.Page`` (``items`` and ``next``: the API's JSON shape), not this."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class KeysetPage:
    """One keyset page: ``rows`` in list order, opaque cursors to the neighbouring pages (``None`` at either end),
    the 1-based position of the first row, and, for the lists that count, the number of matches counted up to the
    list's cap (``count_capped`` when there are more; ``count`` is ``None`` for a list that does not count).
    ``notice`` names a link that could not be followed ("bad_cursor", "bad_page", "past_end"): the first page is
    shown instead."""

    rows: list
    next_cursor: str | None = None
    previous_cursor: str | None = None
    start: int = 1
    count: int | None = None
    count_capped: bool = False
    notice: str = ""

    def __iter__(self):
        return iter(self.rows)

    def __len__(self):
        return len(self.rows)

    @property
    def end(self) -> int:
        return self.start + len(self.rows) - 1
