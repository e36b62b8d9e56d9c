"""Runs the analysis library on a stored answer (issue 3, item 6).

The library works on file paths; the answer is stored encrypted, so it is decrypted into a private
temporary file (mode 0600, in HIRELENS_VAR_DIR/tmp) that is deleted as soon as the analysis returns.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from django.conf import settings
from django.db import transaction

from hirelens.core.realtime import organization_group, publish

from .models import Answer


def _threads() -> int:
    """Cores for this analysis: the setting, or (auto) this machine's cores shared among the analyses running
    now, this one included. A lone answer gets every core; a stale "running" row only makes it share more."""
    if settings.ANALYSIS_THREADS:
        return settings.ANALYSIS_THREADS
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    running = Answer.objects.filter(analysis_status=Answer.Analysis.RUNNING).count()
    return max(1, cores // max(1, running))


def _options(answer: Answer):
    from analysis.api import AnalysisOptions

    session = answer.session
    position = session.application.position
    language = "en" if session.language == "en" else "auto"
    face = bool(session.biometric_allowed and session.organization.facial_analysis_enabled and answer.kind == Answer.Kind.VIDEO)
    # Model folders come from HIRELENS_WHISPER_MODEL_DIR[_EN|_ZH], which the library reads itself.
    # Time limit: ten minutes, or the answer's own length if longer (one core analyses about 10x real time,
    # so this leaves a tenfold margin for a slower machine or a larger Whisper model).
    limit = max(600.0, float(answer.duration_s or 0.0))
    return AnalysisOptions(language=language, keywords=list(position.keywords or []), face=face, posture=face, time_limit_s=limit,
                           threads=_threads())


def _set(answer_id: int, **fields) -> Answer:
    with transaction.atomic():
        Answer.objects.filter(pk=answer_id).update(**fields)
        answer = Answer.objects.select_related("session").get(pk=answer_id)
    publish(organization_group(answer.organization_id), "interview.updated", {
        "session": answer.session_id, "state": answer.session.state, "answer": answer.pk,
        "question": answer.question_index, "status": answer.status, "analysis": answer.analysis_status,
    }, audience={"session": answer.session_id})
    return answer


def answer_analyse(*, answer_id: int) -> None:
    from analysis import analyse
    from analysis.errors import AnalysisError

    answer = Answer.objects.select_related("session__organization", "session__application__position").filter(pk=answer_id).first()
    if answer is None or answer.status != Answer.Status.COMPLETE or answer.analysis_status == Answer.Analysis.DONE:
        return
    _set(answer_id, analysis_status=Answer.Analysis.RUNNING, analysis_error="")
    tmp_dir = Path(settings.VAR_DIR) / "tmp"
    tmp_dir.mkdir(mode=0o700, exist_ok=True)
    fd, path = tempfile.mkstemp(suffix="." + answer.extension, dir=tmp_dir)
    try:
        with os.fdopen(fd, "wb") as out, answer.recording.open("rb") as source:
            shutil.copyfileobj(source, out, 1024 * 1024)
        report = analyse(path, _options(answer))
    except AnalysisError as exc:  # a file the library cannot analyse: a final, explained failure
        _set(answer_id, analysis_status=Answer.Analysis.FAILED, analysis_error=str(exc)[:300])
        _finish_session(answer.session_id)
        return
    except Exception as exc:
        _set(answer_id, analysis_status=Answer.Analysis.QUEUED, analysis_error=f"{type(exc).__name__}: {exc}"[:300])
        raise  # retried with back-off by the task
    finally:
        os.unlink(path)
    _set(answer_id, analysis_status=Answer.Analysis.DONE, analysis=report.to_dict(), analysis_error="")
    _finish_session(answer.session_id)


def answer_analysis_failed(*, answer_id: int, reason: str) -> None:
    _set(answer_id, analysis_status=Answer.Analysis.FAILED, analysis_error=reason[:300])


def _finish_session(session_id: int) -> None:
    from .services import session_mark_analysed_if_done

    session_mark_analysed_if_done(session_id=session_id)
