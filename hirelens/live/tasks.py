"""Huey tasks of the live room: the recording's analysis after the interview, and the sweep's hooks."""

from django.conf import settings

from hirelens.core.jobs import backoff_task

from . import recording


def _gave_up(room_id: int, *, error: Exception):
    recording.recording_analysis_failed(room_id=room_id, reason=f"{type(error).__name__}: {error}")


@backoff_task(retries=settings.JOB_MAX_ATTEMPTS, on_give_up=_gave_up, queue="analysis")
def room_recording_analyse(room_id: int):
    """Analyse the room's stored recording like an AI-interview answer (``recording.recording_analyse``)."""
    recording.recording_analyse(room_id=room_id)


def sweep() -> dict:
    """Run by the worker's sweeper (hirelens.core.jobs): recordings a killed process left in live-tmp are stored,
    analyses a dead worker left behind are queued again."""
    return recording.recordings_sweep()


def stuck() -> dict:
    return recording.recordings_stuck()
