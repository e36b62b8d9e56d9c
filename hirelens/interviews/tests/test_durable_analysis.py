"""Issue 15, item 1: an analysis survives a worker killed at any moment and runs once in effect.

A worker claims the answer with a lease it renews while it works; a sweep queues an expired lease again
(or fails the answer, with a reason HR reads, once the attempts are spent); a task lost with its worker is
found (queued, but in neither the queue nor its schedule) and queued again.
"""

import hashlib
import os
import signal
import time
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from hirelens.interviews.analysis_bridge import answer_analyse, answers_sweep
from hirelens.interviews.models import Answer, InterviewSession
from hirelens.interviews.sample_media import speech_webm
from hirelens.interviews.tasks import answer_analyse_task

from .factories import InterviewSessionFactory
from .media import webm_bytes

pytestmark = pytest.mark.backend  # also in the SQLite run: the queue/channel backend matters (Makefile)

SPEECH = "I enjoy teamwork. Our customers liked the teamwork of my group. " * 3


def _answer(org, data: bytes, **fields) -> Answer:
    session = InterviewSessionFactory(application__candidate__organization=org, state="submitted")
    answer = Answer(organization=org, session=session, question_index=0, kind="audio", mime_type="audio/webm",
                    status="complete", size=len(data), sha256=hashlib.sha256(data).hexdigest(), analysis_status="queued",
                    completed_at=timezone.now(), **fields)
    answer.recording.save("a.webm", ContentFile(data), save=False)
    answer.save()
    for index in range(1, len(session.questions)):
        Answer.objects.create(organization=org, session=session, question_index=index, kind="text", text="文字作答", status="complete")
    return answer


def _queued_ids(queue) -> list:
    return sorted(task.args[0] for task in queue.pending() if task.name.endswith("answer_analyse_task"))


def test_sweep_queues_an_expired_lease_again(org, analysis_queue):
    answer = _answer(org, webm_bytes(1.0))
    Answer.objects.filter(pk=answer.pk).update(analysis_status="running", analysis_attempts=1,
                                               analysis_lease_until=timezone.now() - timedelta(seconds=1))
    live = _answer(org, webm_bytes(1.0))
    Answer.objects.filter(pk=live.pk).update(analysis_status="running", analysis_attempts=1,
                                             analysis_lease_until=timezone.now() + timedelta(seconds=60))
    assert answers_sweep() == {"requeued": 1, "failed": 0, "lost_tasks": 0, "sessions_finished": 0, "tmp_deleted": 0}
    answer.refresh_from_db()
    live.refresh_from_db()
    assert (answer.analysis_status, answer.analysis_attempts, answer.analysis_lease_until) == ("queued", 1, None)
    assert live.analysis_status == "running"  # its worker is alive: left alone
    assert _queued_ids(analysis_queue) == [answer.pk]
    assert answers_sweep() == {"requeued": 0, "failed": 0, "lost_tasks": 0, "sessions_finished": 0, "tmp_deleted": 0}  # its task is queued: nothing twice


def test_sweep_queues_an_answer_whose_task_was_lost(org, analysis_queue, settings):
    answer = _answer(org, webm_bytes(1.0))
    assert answers_sweep() == {"requeued": 0, "failed": 0, "lost_tasks": 0, "sessions_finished": 0, "tmp_deleted": 0}  # just queued: its task may be on the way
    long_ago = timezone.now() - timedelta(seconds=settings.JOB_LEASE_S + 1)
    Answer.objects.filter(pk=answer.pk).update(updated_at=long_ago)
    answer_analyse_task(answer.pk)  # the task is in the queue: not lost
    assert answers_sweep() == {"requeued": 0, "failed": 0, "lost_tasks": 0, "sessions_finished": 0, "tmp_deleted": 0}
    analysis_queue.storage.flush_all()  # a worker took it and died
    assert answers_sweep() == {"requeued": 0, "failed": 0, "lost_tasks": 1, "sessions_finished": 0, "tmp_deleted": 0}
    assert _queued_ids(analysis_queue) == [answer.pk]


def test_spent_attempts_fail_the_answer_with_a_reason_hr_sees(org, hr_admin, client, settings):
    settings.JOB_MAX_ATTEMPTS = 3
    answer = _answer(org, webm_bytes(1.0))
    Answer.objects.filter(pk=answer.pk).update(analysis_status="running", analysis_attempts=3,
                                               analysis_lease_until=timezone.now() - timedelta(seconds=1))
    assert answers_sweep() == {"requeued": 0, "failed": 1, "lost_tasks": 0, "sessions_finished": 0, "tmp_deleted": 0}
    answer.refresh_from_db()
    reason = "分析多次中断或失败（共 3 次尝试），已停止。请让候选人重新作答或联系管理员。"
    assert (answer.analysis_status, answer.analysis_error, answer.analysis_error_code, answer.analysis_lease_until) == (
        "failed", reason, "gave_up", None)
    assert InterviewSession.objects.get(pk=answer.session_id).state == "analysed"  # the session is not held up
    client.force_login(hr_admin)
    page = client.get(f"/interviews/{answer.session_id}/").content.decode()
    assert f'data-testid="analysis-error" title="{reason}">{reason}</span>' in page
    # the reader's language chooses the words, whatever the organization's language was when it failed
    client.cookies["django_language"] = "en"
    page = client.get(f"/interviews/{answer.session_id}/").content.decode()
    assert ">Analysis was interrupted or failed too many times (3 attempts) and has stopped. " in page

    org.default_language = "en"
    org.save()
    english = _answer(org, webm_bytes(1.0))
    Answer.objects.filter(pk=english.pk).update(analysis_status="running", analysis_attempts=3, analysis_lease_until=None)
    answers_sweep()
    english.refresh_from_db()
    assert english.analysis_error == ("Analysis was interrupted or failed too many times (3 attempts) and has stopped. "
                                      "Ask the candidate to answer again or contact an administrator.")


def test_sweep_deletes_decrypted_copies_that_killed_workers_left(org, settings):
    from pathlib import Path

    dead = _answer(org, webm_bytes(1.0))
    Answer.objects.filter(pk=dead.pk).update(analysis_status="running", analysis_attempts=2,
                                             analysis_lease_until=timezone.now() + timedelta(seconds=60))
    folder = Path(settings.VAR_DIR) / "tmp"
    folder.mkdir(exist_ok=True)
    left = folder / f"answer-{dead.pk}-1-x1.webm"  # attempt 1's copy: its worker died, attempt 2 runs now
    live = folder / f"answer-{dead.pk}-2-x2.webm"
    other = folder / "unrelated.txt"
    for path in (left, live, other):
        path.write_bytes(b"plaintext")
    try:
        assert answers_sweep()["tmp_deleted"] == 1
        assert (left.exists(), live.exists(), other.exists()) == (False, True, True)
        Answer.objects.filter(pk=dead.pk).update(analysis_status="done", analysis_lease_until=None)
        assert answers_sweep()["tmp_deleted"] == 1
        assert not live.exists()
    finally:
        for path in (left, live, other):
            path.unlink(missing_ok=True)


def test_sweep_finishes_a_session_whose_worker_died_after_the_last_analysis(org, settings):
    answer = _answer(org, webm_bytes(1.0))
    Answer.objects.filter(pk=answer.pk).update(analysis_status="done", analysis={"summary": {}}, analysis_attempts=1)
    waiting = _answer(org, webm_bytes(1.0))  # another session, still being analysed: left alone
    long_ago = timezone.now() - timedelta(seconds=settings.JOB_LEASE_S + 1)
    InterviewSession.objects.filter(pk__in=[answer.session_id, waiting.session_id]).update(updated_at=long_ago)
    Answer.objects.filter(pk=waiting.pk).update(analysis_status="running", analysis_attempts=1,
                                                analysis_lease_until=timezone.now() + timedelta(seconds=60))
    assert answers_sweep()["sessions_finished"] == 1
    assert InterviewSession.objects.get(pk=answer.session_id).state == "analysed"
    assert InterviewSession.objects.get(pk=waiting.session_id).state == "submitted"
    assert answers_sweep()["sessions_finished"] == 0


def test_a_claimed_or_done_analysis_is_not_run_again(org, settings):
    answer = _answer(org, webm_bytes(1.0))
    lease = timezone.now() + timedelta(seconds=60)
    Answer.objects.filter(pk=answer.pk).update(analysis_status="running", analysis_attempts=1, analysis_lease_until=lease)
    answer_analyse(answer_id=answer.pk)  # another worker holds it
    answer.refresh_from_db()
    assert (answer.analysis_status, answer.analysis_attempts, answer.analysis_lease_until) == ("running", 1, lease)
    Answer.objects.filter(pk=answer.pk).update(analysis_status="done", analysis={"summary": {"marker": 1}}, analysis_lease_until=None)
    answer_analyse(answer_id=answer.pk)
    answer.refresh_from_db()
    assert (answer.analysis_status, answer.analysis, answer.analysis_attempts) == ("done", {"summary": {"marker": 1}}, 1)


def test_an_expired_lease_is_claimed_and_its_old_worker_cannot_store(org, tmp_path):
    """A worker that outlived its lease (it was paused, the sweep gave the answer away) finds its attempt
    superseded: its result is discarded, the new attempt's is kept."""
    answer = _answer(org, speech_webm(tmp_path, SPEECH))
    Answer.objects.filter(pk=answer.pk).update(analysis_status="running", analysis_attempts=1,
                                               analysis_lease_until=timezone.now() - timedelta(seconds=1))
    answer_analyse(answer_id=answer.pk)
    answer.refresh_from_db()
    assert (answer.analysis_status, answer.analysis_attempts, answer.analysis_lease_until) == ("done", 2, None)
    stored = answer.analysis
    from hirelens.interviews import analysis_bridge

    assert analysis_bridge._settle(answer.pk, 1, analysis_status="done", analysis={"stale": True}) is False
    answer.refresh_from_db()
    assert answer.analysis == stored


def _wait(predicate, timeout: float, what: str, worker=None):
    deadline = time.time() + timeout
    while not predicate():
        assert time.time() < deadline, f"timed out waiting for {what}" + ("\n" + worker.output() if worker else "")
        time.sleep(0.1)


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_worker_killed_mid_analysis_the_answer_still_reaches_done(org, analysis_queue, start_worker, tmp_path):
    answer = _answer(org, speech_webm(tmp_path, SPEECH * 3))
    fast = {"HIRELENS_JOB_LEASE_S": 3, "HIRELENS_JOB_SWEEP_S": 1}
    worker = start_worker(queue="analysis", **fast)
    answer_analyse_task(answer.pk)
    _wait(lambda: Answer.objects.filter(pk=answer.pk, analysis_status="running").exists(), 60, "the analysis to start", worker)
    time.sleep(0.5)  # in the middle of the analysis
    os.kill(worker.proc.pid, signal.SIGKILL)
    worker.proc.wait()
    killed_at = time.time()
    answer.refresh_from_db()
    assert (answer.analysis_status, answer.analysis_attempts) == ("running", 1)  # what the crash left
    assert _queued_ids(analysis_queue) == []  # the queue forgot the task when the worker took it
    second = start_worker(queue="analysis", **fast)
    _wait(lambda: InterviewSession.objects.filter(pk=answer.session_id, state="analysed").exists(), 180, "the analysis to finish",
          second)
    answer.refresh_from_db()
    assert answer.analysis_attempts == 2 and answer.analysis_lease_until is None
    assert answer.analysis_status == "done" and answer.analysis["summary"]["speaking_time_s"] > 5.0
    assert "analysis lease expired (attempt 1); queued again" in second.output()
    from pathlib import Path

    from django.conf import settings

    assert not list((Path(settings.VAR_DIR) / "tmp").glob(f"answer-{answer.pk}-*"))  # the killed worker's plaintext copy too
    assert time.time() - killed_at < 120
