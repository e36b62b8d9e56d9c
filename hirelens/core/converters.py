"""Bounded integer path converters: every id in a URL fits the database's 64-bit key, so an out-of-range id is a
404 from URL resolution instead of an OverflowError (SQLite) or DataError (PostgreSQL) deep in a view.

``<id:…>`` is for primary keys (1 … 2^63-1), ``<index:…>`` for 0-based positions stored in a 32-bit column (a chunk's
index). Registered in ``CoreConfig.ready``, before any URL conf is read; the API's routes use them as ``{id:…}``.
"""

from __future__ import annotations

from django.urls import register_converter

MAX_ID = 2**63 - 1  # PostgreSQL bigint, SQLite INTEGER
MAX_INDEX = 2**31 - 1  # PostgreSQL integer (PositiveIntegerField)


class IdConverter:
    regex = "[0-9]{1,19}"

    def to_python(self, value: str) -> int:
        number = int(value)
        if not 1 <= number <= MAX_ID:
            raise ValueError(value)  # no match: the URL resolves to a 404
        return number

    def to_url(self, value) -> str:
        return str(int(value))


class IndexConverter(IdConverter):
    regex = "[0-9]{1,10}"

    def to_python(self, value: str) -> int:
        number = int(value)
        if not 0 <= number <= MAX_INDEX:
            raise ValueError(value)
        return number


def register() -> None:
    register_converter(IdConverter, "id")
    register_converter(IndexConverter, "index")
