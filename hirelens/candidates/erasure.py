"""Erasure for candidate records (``hirelens.core.erasure``).

Everything of a record hangs off it by a foreign key and cascades: documents, work history, projects, education,
background checks, timeline, search tokens (``search.py``: keyed hashes of the name and resume words), merges (the
undo snapshot of a duplicate folded into it) and applications with all that hangs off them. The blind indexes
(``phone_index`` ...) are columns of the row. Files (resume, documents, background reports) are collected by the core
from the rows' file fields. Nothing is left for this module but the queue: candidates' tasks take no candidate id."""

from __future__ import annotations


def subjects():
    """The people an erasure removes: the core's erasure (``SUBJECT_MODULE``) reads them here and imports no app."""
    from .models import Candidate

    return Candidate.objects.all()


def erase(ctx) -> None:
    return None
