"""Typed errors: a caller (CLI, Huey task) can tell a bad file from a bug or a missing model."""

from __future__ import annotations


class AnalysisError(Exception):
    """Base of every error the library raises on purpose. ``code`` is stable, for storage and i18n."""

    code = "analysis_error"

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message

    def to_dict(self) -> dict:
        return {"code": self.code, "message": self.message}


class MediaNotFoundError(AnalysisError):
    code = "not_found"


class EmptyMediaError(AnalysisError):
    """Zero bytes, or a container with nothing decodable in it."""

    code = "empty"


class UnsupportedMediaError(AnalysisError):
    """Not a media file at all, or a format PyAV cannot open."""

    code = "unsupported"


class CorruptMediaError(AnalysisError):
    """A media file whose data cannot be decoded (truncated before the first frame, damaged headers)."""

    code = "corrupt"


class NoStreamsError(AnalysisError):
    """Opened, but without audio or video (or only video while face analysis is not allowed)."""

    code = "no_streams"


class ModelNotFoundError(AnalysisError):
    """A model file or directory is missing; models are never downloaded at run time."""

    code = "model_missing"


class AnalysisTimeoutError(AnalysisError):
    """The per-file time limit ran out."""

    code = "timeout"
