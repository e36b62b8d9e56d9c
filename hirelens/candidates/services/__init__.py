"""Writes to the candidate record hub. Pages, the portal, imports and the API call these."""

from .files import document_open, document_review, document_upload, resume_attach
from .history import background_check_save, project_delete, project_save, work_delete, work_save
from .merge import candidate_merge, candidate_merge_undo, merge_snapshots_purge
from .records import (
    DuplicateCandidate,
    application_create,
    application_update,
    candidate_create,
    candidate_list_read,
    candidate_read,
    candidate_reindex,
    candidate_resume_open,
    candidate_update,
    publish_candidate_change,
)

__all__ = [
    "DuplicateCandidate", "application_create", "application_update", "background_check_save", "candidate_create",
    "candidate_list_read", "candidate_merge", "candidate_merge_undo", "candidate_read", "candidate_reindex", "candidate_resume_open", "candidate_update",
    "document_open", "document_review", "document_upload", "merge_snapshots_purge", "project_delete", "project_save", "publish_candidate_change",
    "resume_attach", "work_delete", "work_save",
]
