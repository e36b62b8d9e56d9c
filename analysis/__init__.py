"""HireLens media analysis: speech, transcript and keywords, face and posture, as neutral evidence.

Plain Python (never imports Django). Entry point::

    from analysis import analyse, AnalysisOptions
    report = analyse("answer.webm", AnalysisOptions(language="en", keywords=["teamwork"], face=True))
    report.to_dict()["summary"]
"""

__version__ = "0.1.0"

from ._cpu import limit_malloc_arenas, tune_ctranslate2  # noqa: E402

tune_ctranslate2()  # before faster-whisper (CTranslate2) is first imported
limit_malloc_arenas()  # before the analysis threads exist: a worker's memory stays flat from answer to answer

from .api import AnalysisOptions, analyse  # noqa: E402
from .errors import (  # noqa: E402
    AnalysisError,
    AnalysisTimeoutError,
    CorruptMediaError,
    EmptyMediaError,
    MediaNotFoundError,
    ModelNotFoundError,
    NoStreamsError,
    UnsupportedMediaError,
)
from .report import SCHEMA_VERSION, Event, Report, Summary  # noqa: E402
from .speech import SpeechParams  # noqa: E402

__all__ = [
    "SCHEMA_VERSION",
    "AnalysisError",
    "AnalysisOptions",
    "AnalysisTimeoutError",
    "CorruptMediaError",
    "EmptyMediaError",
    "Event",
    "MediaNotFoundError",
    "ModelNotFoundError",
    "NoStreamsError",
    "Report",
    "SpeechParams",
    "Summary",
    "UnsupportedMediaError",
    "analyse",
]
