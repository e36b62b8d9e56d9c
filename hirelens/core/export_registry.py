"""The export registry: each app that holds data about a candidate contributes one section of the archive.
In core (as the erasure registry) so that every app can contribute without importing the privacy app, which sits
above them (docs/architecture.md, "Module boundaries").

A collector is ``export_candidate(candidate) -> Section`` in ``hirelens/<app>/privacy.py``, listed in ``COLLECTORS``.
A section holds JSON-ready data (decrypted: the encrypted fields read as plaintext in Python) and the files to put
beside it (``ExportFile``: the archive path and the stored file, streamed decrypted). Separate from the erasure
registry (``hirelens/core/erasure.py``): exporting reads, erasing deletes, and each has its own list."""

from __future__ import annotations

import datetime
import decimal
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib import import_module

from django.db import models

COLLECTORS = (
    "hirelens.candidates.privacy",
    "hirelens.interviews.privacy",
    "hirelens.live.privacy",
    "hirelens.scheduling.privacy",
    "hirelens.evaluations.privacy",
    "hirelens.feedback.privacy",
    "hirelens.messaging.privacy",
    "hirelens.fairness.privacy",
    "hirelens.privacy.privacy",
)


@dataclass
class ExportFile:
    path: str  # inside the archive, e.g. "files/documents/12-degree.pdf"
    file: object  # a FieldFile (or anything with .open("rb")): read through the encrypted storage


@dataclass
class Section:
    name: str  # "record", "documents", ... : data.json key and <name>.json in the archive
    data: object
    files: list[ExportFile] = field(default_factory=list)


def collectors():
    return [import_module(name) for name in COLLECTORS]


def json_value(value):
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    return value


def row(obj: models.Model, *, exclude: Iterable[str] = (), files: Iterable[str] = ()) -> dict:
    """A model row as a dict of its concrete fields: choices with their label, foreign keys as ids, file fields
    named (their content goes into the archive beside it). ``exclude`` leaves out secrets and internals."""
    exclude = set(exclude) | {"organization"}
    out = {}
    for f in obj._meta.concrete_fields:
        if f.name in exclude:
            continue
        if isinstance(f, models.FileField):
            out[f.name] = bool(getattr(obj, f.name))
            continue
        value = getattr(obj, f.attname)
        out[f.name] = json_value(value)
        if f.choices and value not in (None, ""):
            out[f"{f.name}_label"] = str(getattr(obj, f"get_{f.name}_display")())
    return out


def safe_name(text: str, fallback: str) -> str:
    """A file name for the archive: no folders, no control characters."""
    name = "".join(ch for ch in (text or "") if ch.isprintable() and ch not in '/\\:*?"<>|').strip(". ")
    return name[:120] or fallback
