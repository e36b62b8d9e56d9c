"""Erasure for live rooms (``hirelens.core.erasure``): rooms, their events, notes, questions, incidents and the stored
recording cascade from the candidate's interviews; here the recording pieces a server peer writes under
``VAR_DIR/live-tmp/room-<id>/``, decrypted copies in ``VAR_DIR/tmp``, queued analyses, and consent withdrawal."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.utils import timezone

from hirelens.core.biometrics import strip_biometrics

from .models import LiveRoom
from .panel_history import panel_history_clear

WITHDRAWN = "consent withdrawn"


def _leftovers(room_ids) -> list[Path]:
    var = Path(settings.VAR_DIR)
    found = [var / "live-tmp" / f"room-{pk}" for pk in room_ids if (var / "live-tmp" / f"room-{pk}").exists()]
    tmp = var / "tmp"
    if tmp.is_dir():
        found += [p for pk in room_ids for p in tmp.glob(f"liveroom-{pk}-*")]
    return found


def erase(ctx) -> None:
    rooms = ctx.ids("live.liveroom")
    for pk in rooms:  # what the AI panel said (transcript, face events) in the shared cache
        panel_history_clear(pk)
    for path in _leftovers(rooms):
        ctx.add_path(path)
    ctx.add_queue("room_recording_analyse", rooms)


def erase_derived(ctx, kind: str) -> None:
    rooms = LiveRoom.objects.filter(application__candidate_id=ctx.candidate.pk)
    now = timezone.now()
    for pk in rooms.values_list("pk", flat=True):
        panel_history_clear(pk)
    if kind == "ai_analysis":
        ctx.counts["live.liveroom.analysis"] += rooms.exclude(analysis__isnull=True, live_summary__isnull=True).count()
        rooms.exclude(analysis_status=LiveRoom.Analysis.NONE).update(
            analysis=None, live_summary=None, analysis_status=LiveRoom.Analysis.FAILED, analysis_error=WITHDRAWN,
            updated_at=now)
        rooms.filter(analysis_status=LiveRoom.Analysis.NONE).update(analysis=None, live_summary=None, updated_at=now)
    elif kind == "biometric":
        for room in rooms.only("pk", "analysis", "live_summary", "consents"):
            clean = strip_biometrics(room.analysis)
            consents = {**(room.consents or {}), "biometric": False}
            if clean != room.analysis:
                ctx.counts["live.liveroom.biometrics"] += 1
            LiveRoom.objects.filter(pk=room.pk).update(analysis=clean, consents=consents, updated_at=now)


def purge_recordings(ctx, application_ids) -> None:
    rooms = LiveRoom.objects.filter(application_id__in=application_ids).exclude(recording="")
    ctx.files |= set(rooms.values_list("recording", flat=True))
    for path in _leftovers(list(rooms.values_list("pk", flat=True))):
        ctx.add_path(path)
    ctx.counts["live.liveroom.recording"] += rooms.update(recording="", recording_size=0, updated_at=timezone.now())


def purge_analyses(ctx, application_ids) -> None:
    rooms = LiveRoom.objects.filter(application_id__in=application_ids).exclude(analysis__isnull=True, live_summary__isnull=True)
    ctx.counts["live.liveroom.analysis"] += rooms.update(analysis=None, live_summary=None, updated_at=timezone.now())
