"""The report: typed dataclasses with a versioned, JSON-ready ``to_dict``.

``SCHEMA_VERSION`` changes its major number when a field of ``summary`` changes meaning or goes away;
fields are only ever added within a major version. Integrators rely on ``summary``; the other sections
carry the detail and the evidence (events with timestamps).
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from typing import Any

SCHEMA_VERSION = "1.0"

#: Event types. Neutral, observable signals only: never an emotion or a personality label.
EVENT_TYPES = (
    "speech",  # a stretch of speech
    "pause",  # silence between two stretches of speech
    "keyword",  # a keyword of the position was said
    "face_absent",  # no face visible
    "multiple_faces",  # more than one face visible
    "look_away",  # head turned away from the candidate's own median pose
    "smile",  # mouth-corner raise (blendshape mouthSmile)
    "frown",  # brow lowering (blendshape browDown)
    "gesture",  # hand movement
)


@dataclass
class Event:
    type: str
    start_s: float
    end_s: float
    strength: float | None = None
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass
class Warning_:
    code: str
    message: str


@dataclass
class ModelInfo:
    name: str
    version: str
    detail: str = ""


@dataclass
class MediaInfo:
    container: str = ""
    duration_s: float = 0.0
    has_audio: bool = False
    has_video: bool = False
    audio_codec: str | None = None
    video_codec: str | None = None
    width: int | None = None
    height: int | None = None
    fps: float | None = None
    size_bytes: int = 0
    video_frames_decoded: int = 0  # 0 whenever face analysis was not allowed


@dataclass
class Summary:
    """The stable top-level object of ``--json`` (see docs/analysis.md for each field's definition)."""

    duration_s: float
    speaking_time_s: float
    pause_count: int
    speech_rate_syll_per_s: float | None
    articulation_rate_syll_per_s: float | None
    words_per_min: float | None
    chars_per_min: float | None
    pitch_mean_hz: float | None
    pitch_sd_semitones: float | None
    language: str | None
    keywords: dict[str, int]
    face_present_ratio: float | None = None
    smile_count: int | None = None
    frown_count: int | None = None
    look_away_count: int | None = None
    # "transcript": the rates count the syllables of what was said; "acoustic": syllable nuclei in the sound
    # (no usable transcript). None when there was no speech to measure.
    speech_rate_source: str | None = None
    # keywords in a language the answer does not speak (a Chinese keyword on an English answer): not counted,
    # and absent from ``keywords`` (never "× 0")
    keywords_not_applicable: list[str] = field(default_factory=list)


@dataclass
class Report:
    schema_version: str
    analysis_version: str
    media: MediaInfo
    summary: Summary
    speech: dict[str, Any]
    transcript: dict[str, Any] | None
    keywords: dict[str, Any]
    face: dict[str, Any] | None
    posture: dict[str, Any] | None
    events: list[Event]
    models: list[ModelInfo]
    warnings: list[Warning_]
    timings_s: dict[str, float]

    def to_dict(self) -> dict[str, Any]:
        return _clean(dataclasses.asdict(self))

    def events_of(self, type_: str) -> list[Event]:
        return [e for e in self.events if e.type == type_]


def _clean(x: Any) -> Any:
    """JSON-safe: round floats, NaN/inf → None, tuples → lists."""
    if isinstance(x, dict):
        return {k: _clean(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_clean(v) for v in x]
    if isinstance(x, float):
        if math.isnan(x) or math.isinf(x):
            return None
        return round(x, 4)
    if hasattr(x, "item") and callable(x.item):  # numpy scalar
        return _clean(x.item())
    return x
