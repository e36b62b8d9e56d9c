"""Issue 3, item 6: a completed answer is analysed by a Huey task; HR sees the status; failures are shown."""

import hashlib
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from hirelens.interviews.analysis_bridge import answer_analyse
from hirelens.interviews.models import Answer
from hirelens.interviews.sample_media import speech_webm
from hirelens.interviews.tasks import answer_analyse_task

from .factories import InterviewSessionFactory
from .media import webm_bytes


def _speech_webm(tmp_path: Path) -> bytes:
    return speech_webm(tmp_path, "I enjoy teamwork. Our customers liked the teamwork of my group.")


def _answer(org, data: bytes, *, keywords=("teamwork",), **session_fields) -> Answer:
    session = InterviewSessionFactory(application__candidate__organization=org, state="submitted", **session_fields)
    session.application.position.keywords = list(keywords)
    session.application.position.save()
    answer = Answer(organization=org, session=session, question_index=0, kind="audio", mime_type="audio/webm",
                    status="complete", size=len(data), sha256=hashlib.sha256(data).hexdigest(), analysis_status="queued")
    answer.recording.save("a.webm", ContentFile(data), save=False)
    answer.save()
    for index in range(1, len(session.questions)):
        Answer.objects.create(organization=org, session=session, question_index=index, kind="text", text="文字作答", status="complete")
    return answer


def test_answer_is_analysed_and_stored(org, tmp_path, settings):
    answer = _answer(org, _speech_webm(tmp_path))
    answer_analyse_task(answer.pk)  # Huey runs it inline in tests
    answer.refresh_from_db()
    assert answer.analysis_status == "done", answer.analysis_error
    summary = answer.analysis["summary"]
    assert summary["speaking_time_s"] > 2.0 and summary["language"] == "en"
    assert summary["keywords"]["teamwork"] >= 1
    assert summary.get("smile_count") is None  # no biometric consent: no face analysis
    assert answer.session.state == "analysed"
    assert not list((Path(settings.VAR_DIR) / "tmp").glob("*"))  # the decrypted copy is gone


def test_unanalysable_recording_is_marked_failed_with_reason(org):
    answer = _answer(org, webm_bytes(1.0)[:300])  # truncated to a header: not analysable
    answer_analyse(answer_id=answer.pk)
    answer.refresh_from_db()
    assert (answer.analysis_status, answer.analysis_error_code) == ("failed", "corrupt") and answer.analysis_error
    from django.utils import translation

    from hirelens.interviews.analysis_display import analysis_error_text

    with translation.override("zh-hans"):
        assert analysis_error_text(answer) == "录像已损坏，无法读取。"  # HR reads words, not the library's English
    with translation.override("en"):
        assert analysis_error_text(answer) == "The recording is damaged and cannot be read."


def test_repeated_failures_end_visible_not_silent(org, monkeypatch):
    from hirelens.interviews import analysis_bridge, tasks

    answer = _answer(org, webm_bytes(1.0))

    def broken(*args, **kwargs):
        raise RuntimeError("model directory unreadable")

    monkeypatch.setattr("analysis.analyse", broken)
    with pytest.raises(RuntimeError):
        analysis_bridge.answer_analyse(answer_id=answer.pk)
    answer.refresh_from_db()
    assert answer.analysis_status == "queued" and "unreadable" in answer.analysis_error  # will be retried
    assert answer.analysis_error_code == "retrying"
    tasks._gave_up(answer.pk, error=RuntimeError("model directory unreadable"))
    answer.refresh_from_db()
    assert answer.analysis_status == "failed" and "unreadable" in answer.analysis_error
    assert answer.analysis_error_code == "failed"


def test_auto_threads_share_the_cores_among_running_analyses(org, settings, monkeypatch):
    from hirelens.interviews import analysis_bridge

    settings.ANALYSIS_THREADS = 0  # auto
    monkeypatch.setattr(analysis_bridge.os, "sched_getaffinity", lambda pid: {0, 1}, raising=False)
    live = timezone.now() + timedelta(seconds=60)
    first = _answer(org, webm_bytes(1.0))
    Answer.objects.filter(pk=first.pk).update(analysis_status="running", analysis_lease_until=live)
    assert analysis_bridge._threads() == 2  # alone: both cores
    second = _answer(org, webm_bytes(1.0))
    Answer.objects.filter(pk=second.pk).update(analysis_status="running", analysis_lease_until=live)
    assert analysis_bridge._threads() == 1  # two at once: one each
    assert analysis_bridge._options(first).threads == 1
    settings.ANALYSIS_THREADS = 3
    assert analysis_bridge._threads() == 3


def test_auto_threads_ignore_rows_a_killed_worker_left_running(org, settings, monkeypatch):
    from hirelens.interviews import analysis_bridge

    settings.ANALYSIS_THREADS = 0
    monkeypatch.setattr(analysis_bridge.os, "sched_getaffinity", lambda pid: {0, 1}, raising=False)
    for lease in (None, timezone.now() - timedelta(seconds=1)):  # from before leases; expired
        stale = _answer(org, webm_bytes(1.0))
        Answer.objects.filter(pk=stale.pk).update(analysis_status="running", analysis_lease_until=lease)
    assert Answer.objects.filter(analysis_status="running").count() == 2
    assert analysis_bridge._threads() == 2  # the stale rows take no core
    live = _answer(org, webm_bytes(1.0))
    Answer.objects.filter(pk=live.pk).update(analysis_status="running", analysis_lease_until=timezone.now() + timedelta(seconds=60))
    assert analysis_bridge._threads() == 2


def test_a_mandarin_answer_gets_a_mandarin_transcript_with_no_model_variable_set(org, tmp_path, monkeypatch):
    """Issue 17: a fresh install, nothing configured: the worker transcribes real Mandarin speech as Mandarin (the
    bundled multilingual model), and HR's synonyms count for their keyword."""
    from hirelens.interviews.sample_media import real_speech_webm

    for name in ("HIRELENS_WHISPER_MODEL_DIR", "HIRELENS_WHISPER_MODEL_DIR_ZH", "HIRELENS_WHISPER_MODEL_DIR_EN"):
        monkeypatch.delenv(name, raising=False)
    media = real_speech_webm(tmp_path / "jay.webm", "jay_0")  # Jay Chou, interviewed: 压力 ... 挑战
    assert media is not None, "requirements/sample-media.txt is not installed (make test installs it)"
    answer = _answer(org, media.read_bytes(), keywords=("抗压", "客户"), language="zh-hans")
    position = answer.session.application.position
    position.keyword_synonyms = {"抗压": ["压力", "挑战"]}
    position.save()
    answer_analyse_task(answer.pk)
    answer.refresh_from_db()
    assert answer.analysis_status == "done", answer.analysis_error
    transcript, summary = answer.analysis["transcript"], answer.analysis["summary"]
    assert summary["language"] == "zh" and transcript["language"] == "zh"
    assert "压力" in transcript["text"] and "挑战" in transcript["text"]
    assert summary["chars_per_min"] > 100 and summary["words_per_min"] is None
    assert summary["keywords"]["客户"] == 0
    assert summary["keywords"]["抗压"] == 2  # 压力 and 挑战, HR's synonyms
    assert not [w for w in answer.analysis["warnings"] if w["code"] in ("transcript_model_missing", "language_assumed")]


@pytest.mark.parametrize("answer_language, told", [("auto", "auto"), ("zh", "zh"), ("en", "en")])
def test_the_analysis_is_told_the_interviews_language_and_the_synonyms(org, answer_language, told):
    from hirelens.interviews import analysis_bridge

    answer = _answer(org, webm_bytes(1.0), keywords=("抗压", "Python"), answer_language=answer_language)
    position = answer.session.application.position
    position.keyword_synonyms = {"抗压": ["压力"], "removed": ["x"]}
    position.save()
    options = analysis_bridge._options(Answer.objects.get(pk=answer.pk))
    assert (options.language, options.keywords, options.keyword_synonyms) == (told, ["抗压", "Python"], {"抗压": ["压力"]})
    assert options.whisper_model_dirs is None  # the library's own resolution: bundled models, HIRELENS_WHISPER_MODEL_DIR*


@pytest.mark.django_db(transaction=True)
def test_one_worker_process_runs_one_analysis_at_a_time(org, tmp_path, monkeypatch):
    # Huey's thread workers: two answers' tasks at once in one process; the second waits for the first (memory)
    import threading

    from django.db import connection

    import analysis

    data = _speech_webm(tmp_path)
    answers = [_answer(org, data), _answer(org, data)]
    real, running, most, guard = analysis.analyse, [0], [0], threading.Lock()

    def counted(*args, **kwargs):
        with guard:
            running[0] += 1
            most[0] = max(most[0], running[0])
        try:
            return real(*args, **kwargs)
        finally:
            with guard:
                running[0] -= 1

    monkeypatch.setattr("analysis.analyse", counted)
    start = threading.Barrier(2)

    def work(pk):
        try:
            start.wait()
            answer_analyse(answer_id=pk)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(a.pk,)) for a in answers]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert most[0] == 1
    for a in answers:
        a.refresh_from_db()
        assert a.analysis_status == "done", a.analysis_error
