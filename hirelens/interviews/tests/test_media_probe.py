"""The bounded probe that finishing an answer uses (``media.probe_quick``, issue 22): the same facts as the full probe
(duration, streams, video or audio only), at a cost that does not grow with the recording: what it reads of a
3-minute answer is what it reads of a 1-minute one; the stored (encrypted) file is read from its end."""

from __future__ import annotations

import io
from functools import cache

import pytest

from hirelens.interviews.media import HEAD_AUDIO_S, probe, probe_quick
from hirelens.interviews.sample_media import interleaved_recording, live_webm, safari_mp4_bytes, webm_bytes


class Counting(io.BytesIO):
    """A file that counts the bytes read from it."""

    def __init__(self, data: bytes, *, seekable: bool = True):
        super().__init__(data)
        self.read_bytes, self._seekable = 0, seekable

    def seekable(self) -> bool:
        return self._seekable

    def read(self, size=-1):
        data = super().read(size)
        self.read_bytes += len(data)
        return data

    def readinto(self, buffer):
        count = super().readinto(buffer)
        self.read_bytes += count
        return count


@cache
def _twenty() -> bytes:
    return webm_bytes(20.0, fps=15)


@cache
def recording(name: str) -> bytes:
    """``live``: as MediaRecorder writes (no duration, no cues, clusters of unknown size), packets interleaved."""
    return {
        "4 s": lambda: webm_bytes(4.0),
        "1.5 s audio only": lambda: webm_bytes(1.5, video=False),
        "26 s": lambda: webm_bytes(26.0, fps=5),
        "cut off at 0.27 s": lambda: webm_bytes(4.0)[:3000],
        "live 60 s": lambda: live_webm(_twenty(), 3),
        "live 180 s": lambda: live_webm(_twenty(), 9),
        "live 60 s cut mid-piece": lambda: live_webm(_twenty(), 3)[:-700],
        "safari 4 s": lambda: safari_mp4_bytes(4.0),
        "safari 60 s": lambda: safari_mp4_bytes(60.0, fps=5),
        "safari 180 s": lambda: safari_mp4_bytes(180.0, fps=5),
        "safari 60 s cut mid-fragment": lambda: safari_mp4_bytes(60.0, fps=5)[:-700],
        "mp4 60 s, index at the end": lambda: interleaved_recording(60.0, fps=5, mp4=True, fragmented=False),
    }[name]()


def _same(full: dict, quick: dict, *, few_packets: bool = False) -> None:
    assert {k: v for k, v in quick.items() if k != "audio_s"} == {k: v for k, v in full.items() if k != "audio_s"}
    if full["format"].startswith("mov"):  # an MP4 fragment holds a second of video, then its audio: the head stops
        assert 0 < quick["audio_s"] <= full["audio_s"]  # on a video packet, with the first fragments' audio decoded
    elif few_packets:  # the first 50 packets only: some of the audio
        assert 0 < quick["audio_s"] < HEAD_AUDIO_S
    elif full["audio_s"] <= HEAD_AUDIO_S:
        assert quick["audio_s"] == full["audio_s"]  # a short answer: all its audio decoded
    else:
        assert HEAD_AUDIO_S <= quick["audio_s"] < full["audio_s"]


@pytest.mark.parametrize("name", ["4 s", "1.5 s audio only", "26 s", "cut off at 0.27 s", "live 60 s", "live 180 s",
                                  "live 60 s cut mid-piece", "safari 4 s", "safari 60 s", "safari 60 s cut mid-fragment",
                                  "mp4 60 s, index at the end"])
def test_the_bounded_probe_gives_the_full_probes_facts(name):
    data = recording(name)
    full = probe(io.BytesIO(data))
    _same(full, probe_quick(io.BytesIO(data)))
    # forced to find the last cluster in a small window that it widens (a long answer's end), and without seeking:
    # the remaining packets read for their timestamps only
    if name.startswith(("live", "safari 60")):
        _same(full, probe_quick(io.BytesIO(data), head_packets=50, tail_bytes=4096), few_packets=True)
    if "index at the end" not in name:  # read without seeking, such an MP4's packets cannot be found (as before)
        _same(full, probe_quick(Counting(data, seekable=False)))


@pytest.mark.parametrize("kind", ["live", "safari"])  # WebM (Chrome, Firefox) and fragmented MP4 (Safari)
def test_what_it_reads_does_not_grow_with_the_recording(kind):
    reads = {}
    for name in (f"{kind} 60 s", f"{kind} 180 s"):
        data = recording(name)
        full, quick = Counting(data), Counting(data)
        assert probe_quick(quick)["duration_s"] == probe(full)["duration_s"]
        assert full.read_bytes >= len(data)
        reads[name] = quick.read_bytes
    assert reads[f"{kind} 180 s"] < len(recording(f"{kind} 180 s")) / 2
    assert reads[f"{kind} 180 s"] <= reads[f"{kind} 60 s"] * 1.1, reads


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["live", "safari"])
def test_the_stored_encrypted_file_is_read_from_its_end(kind):
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    data = recording(f"{kind} 180 s")
    name = default_storage.save(f"answers/probe-test.{'mp4' if kind == 'safari' else 'webm'}", ContentFile(data))
    try:
        with default_storage.open(name, "rb") as handle:
            full = probe(handle)
        with default_storage.open(name, "rb") as handle:
            quick = probe_quick(handle, head_packets=50, tail_bytes=4096)
        assert full["duration_s"] == pytest.approx(180.0, abs=0.5)  # AAC adds its priming samples
        _same(full, quick, few_packets=True)
    finally:
        default_storage.delete(name)


def test_not_media_and_no_stream_are_refused_like_the_full_probe():
    from hirelens.interviews.media import NotMediaError

    for data in (b"this is not a recording" * 100, webm_bytes(4.0)[:300] + b"\0" * 2000):
        with pytest.raises(NotMediaError):
            probe(io.BytesIO(data))
        with pytest.raises(NotMediaError):
            probe_quick(io.BytesIO(data))
