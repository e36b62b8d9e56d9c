"""Erasure for AI interviews (``hirelens.core.erasure``): sessions, answers, upload chunks and their files cascade from
the candidate; here the decrypted copies an analysis may have left in ``VAR_DIR/tmp``, the queued analysis tasks, and
consent withdrawal (transcripts and analyses, or their face/posture part)."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.utils import timezone

from hirelens.core.biometrics import strip_biometrics

from .models import Answer, InterviewSession

WITHDRAWN = "consent_withdrawn"  # analysis_error_code of an answer whose analysis consent was withdrawn


def _tmp_copies(answer_ids) -> list[Path]:
    folder = Path(settings.VAR_DIR) / "tmp"
    if not folder.is_dir() or not answer_ids:
        return []
    return [p for pk in answer_ids for p in folder.glob(f"answer-{pk}-*")]


def erase(ctx) -> None:
    answers = ctx.ids("interviews.answer")
    for path in _tmp_copies(answers):
        ctx.add_path(path)
    ctx.add_queue("answer_analyse_task", answers)


def erase_derived(ctx, kind: str) -> None:
    sessions = InterviewSession.objects.filter(application__candidate_id=ctx.candidate.pk)
    answers = Answer.objects.filter(session__in=sessions)
    now = timezone.now()
    if kind == "ai_analysis":
        analysed = answers.exclude(analysis__isnull=True)
        ctx.counts["interviews.answer.analysis"] += analysed.count()
        # a terminal state: the sweep never queues it again, and _claim refuses anything left queued
        n = answers.exclude(analysis_status=Answer.Analysis.NONE).update(
            analysis=None, analysis_status=Answer.Analysis.FAILED, analysis_error="", analysis_error_code=WITHDRAWN,
            analysis_lease_until=None, updated_at=now)
        n += answers.filter(analysis_status=Answer.Analysis.NONE).update(analysis=None, updated_at=now)
        if hasattr(InterviewSession, "ai_analysis"):  # the candidate's choice on the consent step, where it exists
            sessions.update(ai_analysis="declined", updated_at=now)
        for path in _tmp_copies(list(answers.values_list("pk", flat=True))):
            ctx.add_path(path)
    elif kind == "biometric":
        sessions.update(biometric_allowed=False, updated_at=now)
        for answer in answers.exclude(analysis__isnull=True).only("pk", "analysis"):
            clean = strip_biometrics(answer.analysis)
            if clean != answer.analysis:
                ctx.counts["interviews.answer.biometrics"] += 1
                Answer.objects.filter(pk=answer.pk).update(analysis=clean, updated_at=now)


def purge_recordings(ctx, application_ids) -> None:
    """Retention: the recordings (and their upload pieces) of these applications' answers; the answers stay."""
    from .models import UploadChunk

    answers = Answer.objects.filter(session__application_id__in=application_ids).exclude(recording="")
    for name in answers.values_list("recording", flat=True):
        ctx.files.add(name)
    chunks = UploadChunk.objects.filter(answer__session__application_id__in=application_ids)
    ctx.files |= {n for n in chunks.values_list("data", flat=True) if n}
    ctx.counts["interviews.uploadchunk"] += chunks.count()
    chunks.delete()
    ctx.counts["interviews.answer.recording"] += answers.update(recording="", updated_at=timezone.now())


def purge_analyses(ctx, application_ids) -> None:
    """Retention: the analyses (transcripts included) of these applications' answers."""
    answers = Answer.objects.filter(session__application_id__in=application_ids, analysis__isnull=False)
    ctx.counts["interviews.answer.analysis"] += answers.update(analysis=None, updated_at=timezone.now())


def refuse_if_withdrawn(answer_id: int) -> bool:
    """Called before an analysis claims an answer: when the candidate withdrew AI-analysis consent after the session
    was created, the answer is settled as refused (a terminal state the sweep leaves alone) and nothing is analysed."""
    from hirelens.core.erasure import analysis_refused

    row = (Answer.objects.filter(pk=answer_id)
           .values_list("session__application__candidate_id", "session__created_at").first())
    if row is None or not analysis_refused(candidate_id=row[0], session_created_at=row[1]):
        return False
    Answer.objects.filter(pk=answer_id).exclude(analysis_status=Answer.Analysis.NONE).update(
        analysis=None, analysis_status=Answer.Analysis.FAILED, analysis_error="", analysis_error_code=WITHDRAWN,
        analysis_lease_until=None, updated_at=timezone.now())
    return True
