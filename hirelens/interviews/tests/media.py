"""The tests' generated media (see hirelens.interviews.sample_media)."""

from hirelens.interviews.sample_media import speech_wav, webm_bytes, y4m_file

__all__ = ["speech_wav", "webm_bytes", "y4m_file"]
