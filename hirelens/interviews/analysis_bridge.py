"""Runs the analysis library on a stored answer (issue 3, item 6).

The library works on file paths; the answer is stored encrypted, so it is decrypted into a private
temporary file (mode 0600, in HIRELENS_VAR_DIR/tmp) that is deleted as soon as the analysis returns.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import tempfile
import threading
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from hirelens.core.demo import demo_analysis
from hirelens.core.jobs import Heartbeat, lease_until, queued_args
from hirelens.core.realtime import organization_group, publish

from .models import Answer, InterviewSession

logger = logging.getLogger(__name__)


# One analysis at a time per worker process. Huey's default thread workers (two) would otherwise run two analyses
# in one process: two videos' frames, audio and encoder buffers at once, peak 1,192 MB against the 1 GB goal
# (docs/analysis.md, Speed and memory). The second waits here before it claims its answer, so _threads() counts
# only analyses really running and the one that runs gets this process's cores. It costs no message latency: while
# analyses are queued both Huey threads were busy with them anyway (one now waits instead of sharing the cores), and
# when one finishes its thread takes the next message in the queue as before. Process workers each have their own.
_one_at_a_time = threading.Lock()


def _wait_for_turn(answer_id: int) -> None:
    """Take the process's analysis lock. While waiting, keep the queued row fresh: the sweep re-queues a "queued"
    answer with no task in Huey's queue once its row is older than JOB_LEASE_S, and this task has left the queue."""
    if _one_at_a_time.acquire(blocking=False):
        return
    touch = lambda: Answer.objects.filter(pk=answer_id, analysis_status=Answer.Analysis.QUEUED).update(updated_at=timezone.now())  # noqa: E731
    touch()
    while not _one_at_a_time.acquire(timeout=max(1.0, settings.JOB_LEASE_S / 3)):
        touch()


def _threads() -> int:
    """Cores for this analysis: the setting, or (auto) this machine's cores shared among the analyses running
    now (a live lease), this one included. A lone answer gets every core; a row a killed worker left "running"
    does not count once its lease has expired. A worker process runs one analysis at a time (_one_at_a_time),
    so the others counted run in other processes."""
    if settings.ANALYSIS_THREADS:
        return settings.ANALYSIS_THREADS
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    running = Answer.objects.filter(analysis_status=Answer.Analysis.RUNNING, analysis_lease_until__gt=timezone.now()).count()
    return max(1, cores // max(1, running))


def analysis_language(session) -> str:
    """The language the analysis is told: the interview's answer language as HR set it — "zh" (Mandarin), "en" or
    "auto" (the default: each answer is detected, so Mandarin is transcribed as Mandarin with English terms inside
    it kept in Latin letters, and a candidate who answers a Chinese interview in English gets an English transcript
    instead of a forced Chinese one). Nothing here names a model: the library finds its bundled ones (Whisper base
    for Mandarin and detection, tiny.en for English) and honours HIRELENS_WHISPER_MODEL_DIR[_EN|_ZH]."""
    chosen = getattr(session, "answer_language", "") or "auto"
    return chosen if chosen in ("zh", "en", "auto") else "auto"


def keyword_synonyms(position) -> dict[str, list[str]]:
    """HR's synonyms for the position's current keywords (a synonym of a keyword removed since is not counted)."""
    synonyms = position.keyword_synonyms or {}
    return {k: list(synonyms[k]) for k in position.keywords or [] if synonyms.get(k)}


def _options(answer: Answer):
    from analysis.api import AnalysisOptions

    session = answer.session
    position = session.application.position
    # the position's face switch (its own, else the company's: issue 20) and the candidate's separate consent
    face = bool(session.biometric_allowed and position.facial_enabled and answer.kind == Answer.Kind.VIDEO)
    # Time limit: ten minutes, or the answer's own length if longer (one core analyses about 10x real time,
    # so this leaves a tenfold margin for a slower machine or a larger Whisper model).
    limit = max(600.0, float(answer.duration_s or 0.0))
    return AnalysisOptions(language=analysis_language(session), keywords=list(position.keywords or []),
                           keyword_synonyms=keyword_synonyms(position), face=face, posture=face, time_limit_s=limit, threads=_threads())


def _set(answer_id: int, **fields) -> Answer:
    """Update the answer (if fields are given) and tell HR's open pages its state."""
    with transaction.atomic():
        if fields:
            Answer.objects.filter(pk=answer_id).update(**fields)
        answer = Answer.objects.select_related("session").get(pk=answer_id)
    publish(organization_group(answer.organization_id), "interview.updated", {
        "session": answer.session_id, "state": answer.session.state, "answer": answer.pk,
        "question": answer.question_index, "status": answer.status, "analysis": answer.analysis_status,
    }, audience={"session": answer.session_id})
    return answer


def _expired(now):
    """A running analysis whose worker stopped renewing its lease (a NULL lease: one started before leases)."""
    return Q(analysis_status=Answer.Analysis.RUNNING) & (Q(analysis_lease_until__lt=now) | Q(analysis_lease_until__isnull=True))


def _claim(answer_id: int) -> int | None:
    """Take the answer for this worker: one conditional UPDATE, so two workers never analyse the same answer.
    Returns the attempt number, which fences the result (stored only while the attempt is still the latest)."""
    from .erasure import refuse_if_withdrawn

    if refuse_if_withdrawn(answer_id):  # the candidate withdrew AI-analysis consent (core.erasure.erase_derived)
        return None
    now = timezone.now()
    claimable = Answer.objects.filter(pk=answer_id, status=Answer.Status.COMPLETE).filter(
        Q(analysis_status=Answer.Analysis.QUEUED) | _expired(now)).exclude(
        session__ai_analysis=InterviewSession.AiAnalysis.DECLINED)  # the candidate declined AI analysis (issue 20)
    attempts = claimable.values_list("analysis_attempts", flat=True).first()
    if attempts is None:
        return None
    if attempts >= settings.JOB_MAX_ATTEMPTS:
        _give_up(answer_id, attempts=attempts, reason="")
        return None
    taken = claimable.filter(analysis_attempts=attempts).update(
        analysis_status=Answer.Analysis.RUNNING, analysis_lease_until=lease_until(now), analysis_attempts=attempts + 1,
        analysis_error="", analysis_error_code="", updated_at=now)
    return attempts + 1 if taken else None


def _mine(answer_id: int, attempt: int):
    return Answer.objects.filter(pk=answer_id, analysis_status=Answer.Analysis.RUNNING, analysis_attempts=attempt)


def _settle(answer_id: int, attempt: int, **fields) -> bool:
    """Write the outcome only if this attempt still holds the answer; publish it to HR's pages."""
    if not _mine(answer_id, attempt).update(analysis_lease_until=None, updated_at=timezone.now(), **fields):
        logger.warning("answer %s: attempt %d lost its lease; its outcome is discarded", answer_id, attempt)
        return False
    _set(answer_id)
    return True


def answer_analyse(*, answer_id: int) -> None:
    """Analyse a completed answer once in effect: re-running a done analysis is a no-op, a second worker finds
    it claimed, and a worker killed midway leaves a lease that expires so the sweep queues it again."""
    _wait_for_turn(answer_id)
    try:
        _analyse(answer_id)
    finally:
        _one_at_a_time.release()


def _analyse(answer_id: int) -> None:
    from analysis import analyse
    from analysis.errors import AnalysisError

    attempt = _claim(answer_id)
    if attempt is None:
        return
    answer = Answer.objects.select_related("session__organization", "session__application__position").get(pk=answer_id)
    _set(answer_id)
    tmp_dir = Path(settings.VAR_DIR) / "tmp"
    tmp_dir.mkdir(mode=0o700, exist_ok=True)
    # named by answer and attempt, so the sweep can delete a copy a killed worker left behind (_tmp_sweep)
    fd, path = tempfile.mkstemp(prefix=f"answer-{answer_id}-{attempt}-", suffix="." + answer.extension, dir=tmp_dir)
    renew = lambda: bool(_mine(answer_id, attempt).update(analysis_lease_until=lease_until()))  # noqa: E731
    try:
        with Heartbeat(renew):
            with os.fdopen(fd, "wb") as out, answer.recording.open("rb") as source:
                shutil.copyfileobj(source, out, 1024 * 1024)
            options = _options(answer)
            report = demo_analysis(path, options, lambda: analyse(path, options))  # the demo's own recordings: kept
    except AnalysisError as exc:  # a file the library cannot analyse: a final, explained failure
        if _settle(answer_id, attempt, analysis_status=Answer.Analysis.FAILED, analysis_error=str(exc)[:300],
                   analysis_error_code=exc.code[:32]):
            _finish_session(answer.session_id)
        return
    except Exception as exc:
        reason = f"{type(exc).__name__}: {exc}"
        if attempt >= settings.JOB_MAX_ATTEMPTS:
            _give_up(answer_id, attempts=attempt, reason=reason)
            return
        _settle(answer_id, attempt, analysis_status=Answer.Analysis.QUEUED, analysis_error=reason[:300], analysis_error_code="retrying")
        raise  # retried with back-off by the task
    finally:
        Path(path).unlink(missing_ok=True)  # the sweep may have deleted it if this attempt lost its lease
    if _settle(answer_id, attempt, analysis_status=Answer.Analysis.DONE, analysis=report.to_dict(), analysis_error="",
               analysis_error_code=""):
        logger.info("answer %s: analysis stored (attempt %d)", answer_id, attempt)
        _finish_session(answer.session_id)


def _give_up(answer_id: int, *, attempts: int, reason: str) -> None:
    """Too many interrupted or failed attempts: the answer fails with a reason HR reads in the organization's
    language, and the session can finish without it."""
    answer = Answer.objects.select_related("organization").filter(pk=answer_id).first()
    if answer is None:
        return
    with translation.override(answer.organization.default_language or settings.LANGUAGE_CODE):
        text = _("分析多次中断或失败（共 %(n)d 次尝试），已停止。请让候选人重新作答或联系管理员。") % {"n": attempts}
    if reason:
        text = f"{text} {reason}"
    stopped = Answer.objects.filter(pk=answer_id, analysis_attempts=attempts).filter(
        Q(analysis_status=Answer.Analysis.QUEUED) | Q(analysis_status=Answer.Analysis.RUNNING)).update(
        analysis_status=Answer.Analysis.FAILED, analysis_error=text[:300], analysis_error_code="gave_up", analysis_lease_until=None,
        updated_at=timezone.now())
    if stopped:
        logger.error("answer %s: analysis given up after %d attempts", answer_id, attempts)
        _set(answer_id)
        _finish_session(answer.session_id)


def answer_analysis_failed(*, answer_id: int, reason: str) -> None:
    """The task's last retry failed: unless the answer was analysed meanwhile, it fails with the reason."""
    updated = Answer.objects.filter(pk=answer_id).exclude(analysis_status=Answer.Analysis.DONE).update(
        analysis_status=Answer.Analysis.FAILED, analysis_error=reason[:300], analysis_error_code="failed", analysis_lease_until=None,
        updated_at=timezone.now())
    if updated:
        answer = _set(answer_id)
        _finish_session(answer.session_id)


def answers_sweep(*, now=None) -> dict:
    """Queue again what a dead worker left: expired leases (attempts left) or fail them (none left), and
    queued answers whose task is in neither the queue nor its schedule (lost when a worker took it and died)."""
    from .tasks import answer_analyse_task

    now = now or timezone.now()
    requeued = failed = lost = 0
    for pk, attempts in Answer.objects.filter(_expired(now), status=Answer.Status.COMPLETE).values_list("pk", "analysis_attempts")[:1000]:
        if attempts >= settings.JOB_MAX_ATTEMPTS:
            _give_up(pk, attempts=attempts, reason="")
            failed += 1
            continue
        if Answer.objects.filter(_expired(now), pk=pk, analysis_attempts=attempts).update(
                analysis_status=Answer.Analysis.QUEUED, analysis_lease_until=None, updated_at=now):
            logger.warning("answer %s: analysis lease expired (attempt %d); queued again", pk, attempts)
            answer_analyse_task(pk)
            requeued += 1
    waiting = Answer.objects.filter(status=Answer.Status.COMPLETE, analysis_status=Answer.Analysis.QUEUED,
                                    updated_at__lt=now - timedelta(seconds=settings.JOB_LEASE_S))
    candidates = list(waiting.values_list("pk", flat=True)[:1000])
    if candidates:
        in_queue = queued_args(answer_analyse_task)
        for pk in candidates:
            if pk not in in_queue and Answer.objects.filter(pk=pk, analysis_status=Answer.Analysis.QUEUED).update(updated_at=now):
                logger.warning("answer %s: queued for analysis with no task; queued again", pk)
                answer_analyse_task(pk)
                lost += 1
    return {"requeued": requeued, "failed": failed, "lost_tasks": lost, "sessions_finished": _sessions_sweep(now),
            "tmp_deleted": _tmp_sweep(now)}


def _sessions_sweep(now) -> int:
    """Submitted sessions with nothing left to analyse that are still not "analysed": the worker that stored the
    last analysis died before it marked the session."""
    from .models import InterviewSession

    waiting = (Answer.objects.filter(session=OuterRef("pk"), status=Answer.Status.COMPLETE, question_index__gte=0)
               .exclude(kind=Answer.Kind.TEXT).exclude(analysis_status__in=[Answer.Analysis.DONE, Answer.Analysis.FAILED]))
    stale = InterviewSession.objects.filter(state=InterviewSession.State.SUBMITTED,
                                            updated_at__lt=now - timedelta(seconds=settings.JOB_LEASE_S)).exclude(Exists(waiting))
    finished = 0
    for session_id in stale.values_list("pk", flat=True)[:500]:
        _finish_session(session_id)
        finished += 1
    return finished


_TMP_NAME = re.compile(r"answer-(\d+)-(\d+)-")


def _tmp_sweep(now) -> int:
    """Delete decrypted copies that workers killed mid-analysis left in VAR_DIR/tmp: every copy whose attempt no
    longer holds a live lease (a plaintext recording must not outlive its analysis)."""
    folder = Path(settings.VAR_DIR) / "tmp"
    copies = [(path, _TMP_NAME.match(path.name)) for path in folder.glob("answer-*")] if folder.is_dir() else []
    copies = [(path, int(match[1]), int(match[2])) for path, match in copies if match]
    if not copies:
        return 0
    live = set(Answer.objects.filter(pk__in={pk for _, pk, _ in copies}, analysis_status=Answer.Analysis.RUNNING,
                                     analysis_lease_until__gte=now).values_list("pk", "analysis_attempts"))
    deleted = 0
    for path, pk, attempt in copies:
        if (pk, attempt) not in live:
            path.unlink(missing_ok=True)
            deleted += 1
    return deleted


def answers_stuck(*, now=None) -> dict:
    """For /healthz: running analyses whose lease expired, and how long the oldest queued answer has waited."""
    now = now or timezone.now()
    expired = Answer.objects.filter(_expired(now), status=Answer.Status.COMPLETE).count()
    oldest = (Answer.objects.filter(status=Answer.Status.COMPLETE, analysis_status=Answer.Analysis.QUEUED)
              .order_by("completed_at").values_list("completed_at", flat=True).first())
    return {"expired_leases": expired, "oldest_queued_s": round((now - oldest).total_seconds(), 1) if oldest else None}


def _finish_session(session_id: int) -> None:
    from .services import session_mark_analysed_if_done

    session_mark_analysed_if_done(session_id=session_id)


def models_release() -> dict:
    """Run by an analysis worker idle for ANALYSIS_IDLE_UNLOAD_S (``manage.py run_worker --queue analysis``): the
    speech and face models, jieba's and the CMU dictionaries are freed; the next analysis loads them again."""
    from analysis.unload import models_unload

    return models_unload()
