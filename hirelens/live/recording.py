"""The live room's recording: stored encrypted like AI-interview answers, analysed after the interview.

``recording_store`` (called by ``media.room_media_end``) moves the file the server peer wrote under
``VAR_DIR/live-tmp/room-<id>/`` into ``room.recording`` (the default storage encrypts it) and queues
``tasks.room_recording_analyse`` after commit. Without the candidate's recording consent nothing is kept and the
analysis is "skipped". ``recordings_sweep`` (the worker's sweeper, every JOB_SWEEP_S) stores a file a killed
process left behind (nothing recorded is lost) and queues again analyses whose worker died.

The analysis claims the room with one conditional UPDATE (pending, or running with a stale ``updated_at``: the
lease, renewed by a heartbeat) and stores its result only while its attempt is still the latest, as
``interviews.analysis_bridge`` does for answers.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from hirelens.core.demo import demo_analysis
from hirelens.core.jobs import Heartbeat, queued_args
from hirelens.core.realtime import organization_group, publish

from .models import LiveRoom

logger = logging.getLogger(__name__)

_REC_NAME = re.compile(r"rec-(\d+)\.webm$")


def _publish(room: LiveRoom) -> None:
    """Tell the interview's open staff pages (scorecard, interview page) the recording's state."""
    publish(organization_group(room.organization_id), "live.recording", {
        "room": room.pk, "interview": room.interview_id, "analysis": room.analysis_status,
        "has_recording": bool(room.recording), "duration_s": room.recording_duration_s,
    }, audience={"interview": room.interview_id})


def _publish_on_commit(room_id: int) -> None:
    def send():
        room = LiveRoom.objects.filter(pk=room_id).first()
        if room is not None:
            _publish(room)

    transaction.on_commit(send)


def recording_store(*, room_id: int, path, duration_s: float | None, started_at: datetime | None, media: dict | None,
                    live_summary: dict | None) -> LiveRoom:
    """Store the finished recording of the room (encrypted) and queue its analysis; keep the live summary.
    Without recording consent, or with no file or an unreadable one, nothing is stored: analysis "skipped".
    A room that already has its recording keeps it (the file here is deleted): storing is done once."""
    from hirelens.interviews.media import NotMediaError, probe

    from .tasks import room_recording_analyse

    path = Path(path) if path else None
    facts = None
    with transaction.atomic():
        room = LiveRoom.objects.select_for_update().get(pk=room_id)
        fields = ["updated_at"]
        if live_summary is not None:
            room.live_summary = live_summary
            fields.append("live_summary")
        consent = bool((room.consents or {}).get("recording"))
        if path is not None and path.is_file() and consent and not room.recording:
            try:
                with open(path, "rb") as handle:
                    facts = probe(handle)
            except NotMediaError as exc:
                logger.warning("room %s: the recording %s cannot be read (%s); not stored", room_id, path.name, exc)
                facts = None
        if facts is not None and facts.get("audio_s", 0) > 0:  # a file the candidate never sent media to is not kept
            with open(path, "rb") as handle:
                room.recording.save(f"room-{room_id}.webm", File(handle), save=False)
            room.recording_size = path.stat().st_size
            room.recording_duration_s = facts["duration_s"] or duration_s
            room.recording_started_at = started_at
            room.recording_media = {**(media or {}), "format": facts["format"], "streams": facts["streams"],
                                    "has_video": facts["has_video"], "audio_s": facts["audio_s"]}
            analysed = bool((room.consents or {}).get("ai_analysis"))  # declined: kept for people, never analysed
            room.analysis_status = LiveRoom.Analysis.PENDING if analysed else LiveRoom.Analysis.SKIPPED
            room.analysis_error = ""
            room.analysis_attempts = 0
            fields += ["recording", "recording_size", "recording_duration_s", "recording_started_at", "recording_media",
                       "analysis_status", "analysis_error", "analysis_attempts"]
            if analysed:
                transaction.on_commit(lambda: room_recording_analyse(room_id))
            logger.info("room %s: recording stored (%.1f s)", room_id, room.recording_duration_s or 0)
        elif not room.recording and room.analysis_status == LiveRoom.Analysis.NONE:
            room.analysis_status = LiveRoom.Analysis.SKIPPED
            fields.append("analysis_status")
        room.save(update_fields=fields)
        _publish_on_commit(room_id)
    if path is not None:  # stored, or never to be kept (no consent, unreadable, a duplicate)
        path.unlink(missing_ok=True)
        _remove_empty(path.parent)
    return room


def _remove_empty(folder: Path) -> None:
    try:
        folder.rmdir()
    except OSError:
        pass


def _tmp_files(room_id: int) -> list[Path]:
    from .media import live_tmp_dir

    folder = live_tmp_dir(room_id)
    return sorted((p for p in folder.glob("rec-*.webm") if _REC_NAME.search(p.name)), key=lambda p: p.stat().st_size) if folder.is_dir() else []


def recording_adopt(*, room_id: int, min_idle_s: float = 0.0) -> LiveRoom | None:
    """Store what a server peer left in live-tmp for this room (its process was killed): the largest file, with
    its start time from the name. A file written to in the last ``min_idle_s`` is left alone (a live process is
    still finishing it and stores it itself). No file: as ``recording_store`` with none (analysis "skipped" unless
    a recording is stored already)."""
    import time

    files = _tmp_files(room_id)
    if not LiveRoom.objects.filter(pk=room_id).exists():
        return None
    if files and time.time() - max(p.stat().st_mtime for p in files) < min_idle_s:
        return None
    if not files:
        return recording_store(room_id=room_id, path=None, duration_s=None, started_at=None, media=None, live_summary=None)
    from .media import join_recordings, rec_start

    main, facts = files[-1], {"adopted": True}
    if len(files) > 1:  # pieces of processes killed one after the other: one recording, each at its own time
        first = min(rec_start(p) for p in files)
        joined = main.with_name(f"rec-{int(first * 1000)}-joined.webm")
        if join_recordings(files, joined):
            for piece in files:
                piece.unlink(missing_ok=True)
            main = main.with_name(f"rec-{int(first * 1000)}.webm")
            os.replace(joined, main)
            facts["joined_pieces"], files = len(files), [main]
        else:
            logger.warning("room %s: recording pieces could not be joined; the largest is stored", room_id)
    started = datetime.fromtimestamp(rec_start(main), UTC)
    room = recording_store(room_id=room_id, path=main, duration_s=None, started_at=started, media=facts, live_summary=None)
    for other in files:
        if other != main and other.exists():
            logger.warning("room %s: a recording piece %s (%d bytes) was not stored", room_id, other.name, other.stat().st_size)
    return room


# ---- analysis -------------------------------------------------------------------------------------------


def _stale(now):
    return Q(analysis_status=LiveRoom.Analysis.RUNNING, updated_at__lt=now - timedelta(seconds=settings.JOB_LEASE_S))


def _claim(room_id: int) -> int | None:
    now = timezone.now()
    claimable = LiveRoom.objects.filter(pk=room_id).exclude(recording="").filter(Q(analysis_status=LiveRoom.Analysis.PENDING) | _stale(now))
    attempts = claimable.values_list("analysis_attempts", flat=True).first()
    if attempts is None:
        return None
    if attempts >= settings.JOB_MAX_ATTEMPTS:
        _give_up(room_id, attempts=attempts, reason="")
        return None
    taken = claimable.filter(analysis_attempts=attempts).update(analysis_status=LiveRoom.Analysis.RUNNING, analysis_attempts=attempts + 1,
                                                                analysis_error="", updated_at=now)
    return attempts + 1 if taken else None


def _mine(room_id: int, attempt: int):
    return LiveRoom.objects.filter(pk=room_id, analysis_status=LiveRoom.Analysis.RUNNING, analysis_attempts=attempt)


def _settle(room_id: int, attempt: int, **fields) -> bool:
    if not _mine(room_id, attempt).update(updated_at=timezone.now(), **fields):
        logger.warning("room %s: analysis attempt %d lost its lease; its outcome is discarded", room_id, attempt)
        return False
    _publish(LiveRoom.objects.get(pk=room_id))
    return True


def _options(room: LiveRoom):
    from analysis.api import AnalysisOptions
    from hirelens.interviews.analysis_bridge import analysis_language, keyword_synonyms

    position = room.application.position
    consents = room.consents or {}
    face = bool(consents.get("biometric") and position.facial_enabled and (room.recording_media or {}).get("has_video"))
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    # one core analyses about 10x real time: the interview's own length leaves a tenfold margin
    limit = max(600.0, float(room.recording_duration_s or 0.0))
    return AnalysisOptions(language=analysis_language(room), keywords=list(position.keywords or []), keyword_synonyms=keyword_synonyms(position),
                           face=face, posture=face, time_limit_s=limit, threads=settings.ANALYSIS_THREADS or cores)


def recording_analyse(*, room_id: int) -> None:
    """Analyse the room's recording like an AI-interview answer (the candidate's audio is the file's first audio
    stream; the interviewers' are left out). Idempotent: a done analysis is not run again."""
    from hirelens.interviews.analysis_bridge import _one_at_a_time  # one analysis per worker process, answers included

    with _one_at_a_time:
        _analyse(room_id)


def _analyse(room_id: int) -> None:
    from analysis import analyse
    from analysis.errors import AnalysisError

    attempt = _claim(room_id)
    if attempt is None:
        return
    room = LiveRoom.objects.select_related("organization", "application__position").get(pk=room_id)
    _publish(room)
    tmp_dir = Path(settings.VAR_DIR) / "tmp"
    tmp_dir.mkdir(mode=0o700, exist_ok=True)
    fd, path = tempfile.mkstemp(prefix=f"liveroom-{room_id}-{attempt}-", suffix=".webm", dir=tmp_dir)
    renew = lambda: bool(_mine(room_id, attempt).update(updated_at=timezone.now()))  # noqa: E731
    try:
        with Heartbeat(renew):
            with os.fdopen(fd, "wb") as out, room.recording.open("rb") as source:
                shutil.copyfileobj(source, out, 1024 * 1024)
            options = _options(room)
            report = demo_analysis(path, options, lambda: analyse(path, options))  # the demo's own recording: kept
    except AnalysisError as exc:
        _settle(room_id, attempt, analysis_status=LiveRoom.Analysis.FAILED, analysis_error=str(exc)[:300])
        return
    except Exception as exc:
        reason = f"{type(exc).__name__}: {exc}"
        if attempt >= settings.JOB_MAX_ATTEMPTS:
            _give_up(room_id, attempts=attempt, reason=reason)
            return
        _settle(room_id, attempt, analysis_status=LiveRoom.Analysis.PENDING, analysis_error=reason[:300])
        raise  # retried with back-off by the task
    finally:
        Path(path).unlink(missing_ok=True)
    if _settle(room_id, attempt, analysis_status=LiveRoom.Analysis.DONE, analysis=report.to_dict(), analysis_error=""):
        logger.info("room %s: recording analysed (attempt %d)", room_id, attempt)


def _give_up(room_id: int, *, attempts: int, reason: str) -> None:
    room = LiveRoom.objects.select_related("organization").filter(pk=room_id).first()
    if room is None:
        return
    with translation.override(room.organization.default_language or settings.LANGUAGE_CODE):
        text = _("录像分析多次中断或失败（共 %(n)d 次尝试），已停止。请联系管理员。") % {"n": attempts}
    if reason:
        text = f"{text} {reason}"
    stopped = LiveRoom.objects.filter(pk=room_id, analysis_attempts=attempts).filter(
        analysis_status__in=[LiveRoom.Analysis.PENDING, LiveRoom.Analysis.RUNNING]).update(
        analysis_status=LiveRoom.Analysis.FAILED, analysis_error=text[:300], updated_at=timezone.now())
    if stopped:
        logger.error("room %s: recording analysis given up after %d attempts", room_id, attempts)
        _publish(LiveRoom.objects.get(pk=room_id))


def recording_analysis_failed(*, room_id: int, reason: str) -> None:
    """The task's last retry failed: unless analysed meanwhile, the analysis fails with the reason."""
    if LiveRoom.objects.filter(pk=room_id).exclude(analysis_status=LiveRoom.Analysis.DONE).update(
            analysis_status=LiveRoom.Analysis.FAILED, analysis_error=reason[:300], updated_at=timezone.now()):
        _publish(LiveRoom.objects.get(pk=room_id))


# ---- the sweep --------------------------------------------------------------------------------------------

_TMP_NAME = re.compile(r"liveroom-(\d+)-(\d+)-")
ABANDONED_S = 6 * 3600  # a piece of a room still open is stored only after this long untouched (the room may go on)


def recordings_sweep(*, now=None) -> dict:
    """Store recordings a killed process left in live-tmp (rooms ended over a minute ago, or rooms whose file has
    not grown for ABANDONED_S while the room stayed open: nobody ended it), queue again analyses
    whose worker died (stale running: attempts left) or whose task was lost (pending with no task in the
    queue), and delete decrypted copies left in VAR_DIR/tmp."""
    from .tasks import room_recording_analyse

    now = now or timezone.now()
    adopted = requeued = lost = failed = 0
    folder = Path(settings.VAR_DIR) / "live-tmp"
    for room_dir in folder.glob("room-*") if folder.is_dir() else []:
        try:
            room_id = int(room_dir.name.split("-", 1)[1])
        except ValueError:
            continue
        files = _tmp_files(room_id)
        if not files:
            _remove_empty(room_dir)
            continue
        room = LiveRoom.objects.filter(pk=room_id).first()
        newest = max(p.stat().st_mtime for p in files)
        idle_s = now.timestamp() - newest
        if room is None:
            continue
        ended_long_ago = room.state == LiveRoom.State.ENDED and room.ended_at and room.ended_at < now - timedelta(seconds=60) and idle_s > 30
        abandoned = idle_s > ABANDONED_S  # an open room nobody ended: its process is long gone
        if ended_long_ago or abandoned:
            logger.warning("room %s: storing a recording left in live-tmp by a process that did not finish it", room_id)
            recording_adopt(room_id=room_id)
            adopted += 1
    for pk, attempts in LiveRoom.objects.filter(_stale(now)).values_list("pk", "analysis_attempts")[:500]:
        if attempts >= settings.JOB_MAX_ATTEMPTS:
            _give_up(pk, attempts=attempts, reason="")
            failed += 1
        elif LiveRoom.objects.filter(_stale(now), pk=pk, analysis_attempts=attempts).update(analysis_status=LiveRoom.Analysis.PENDING, updated_at=now):
            room_recording_analyse(pk)
            requeued += 1
    waiting = list(LiveRoom.objects.filter(analysis_status=LiveRoom.Analysis.PENDING, updated_at__lt=now - timedelta(seconds=settings.JOB_LEASE_S))
                   .values_list("pk", flat=True)[:500])
    if waiting:
        in_queue = queued_args(room_recording_analyse)
        for pk in waiting:
            if pk not in in_queue and LiveRoom.objects.filter(pk=pk, analysis_status=LiveRoom.Analysis.PENDING).update(updated_at=now):
                room_recording_analyse(pk)
                lost += 1
    return {"adopted": adopted, "requeued": requeued, "lost_tasks": lost, "failed": failed, "tmp_deleted": _tmp_sweep(now)}


def _tmp_sweep(now) -> int:
    folder = Path(settings.VAR_DIR) / "tmp"
    copies = [(p, _TMP_NAME.match(p.name)) for p in folder.glob("liveroom-*")] if folder.is_dir() else []
    copies = [(p, int(m[1]), int(m[2])) for p, m in copies if m]
    if not copies:
        return 0
    live = set(LiveRoom.objects.filter(pk__in={pk for _, pk, _ in copies}, analysis_status=LiveRoom.Analysis.RUNNING,
                                       updated_at__gte=now - timedelta(seconds=settings.JOB_LEASE_S)).values_list("pk", "analysis_attempts"))
    deleted = 0
    for path, pk, attempt in copies:
        if (pk, attempt) not in live:
            path.unlink(missing_ok=True)
            deleted += 1
    return deleted


def recordings_stuck(*, now=None) -> dict:
    now = now or timezone.now()
    stale = LiveRoom.objects.filter(_stale(now)).count()
    oldest = (LiveRoom.objects.filter(analysis_status=LiveRoom.Analysis.PENDING).order_by("updated_at").values_list("updated_at", flat=True).first())
    return {"expired_leases": stale, "oldest_queued_s": round((now - oldest).total_seconds(), 1) if oldest else None}
