"""The live-interview demo (load_demo): run twice, its two interviews and rooms exist once; the one under way can be
joined at once (the candidate's printed link opens the room, the interviewers enter from the interview page); the
ended one has a real recording that decrypts and decodes, notes by two interviewers, a question and its answer, an
incident, a live summary of the real Mandarin speech, and once the worker has analysed the recording the scorecard
page shows all of it."""

from __future__ import annotations

import io
import re
from io import StringIO

import av
import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from hirelens.accounts.models import User
from hirelens.live.demo import ENDED_UID, NOW_UID
from hirelens.live.models import LiveRoom
from hirelens.live.recording import recording_analyse
from hirelens.scheduling.models import InterviewLink

pytestmark = pytest.mark.django_db


def test_load_demo_twice_makes_the_live_interviews_once_and_the_review_shows_them():
    first = StringIO()
    call_command("load_demo", stdout=first)
    call_command("load_demo", stdout=StringIO())
    assert LiveRoom.objects.filter(interview__uid=ENDED_UID).count() == 1
    assert LiveRoom.objects.filter(interview__uid__startswith=NOW_UID).count() == 1

    # under way: began a few minutes ago, an hour long, two interviewers, a valid candidate link printed
    current = LiveRoom.objects.select_related("interview").get(interview__uid__startswith=NOW_UID)
    interview = current.interview
    now = timezone.now()
    assert interview.start_at < now < interview.end_at and (interview.end_at - interview.start_at).total_seconds() == 3600
    assert (now - interview.start_at).total_seconds() < 10 * 60
    assert sorted(u.email for u in interview.interviewers.all()) == ["interviewer@demo.hirelens.local", "manager@demo.hirelens.local"]
    assert current.application.candidate.full_name == "孙悦" and current.state == LiveRoom.State.WAITING
    assert InterviewLink.objects.filter(interview=interview, kind="candidate", revoked_at__isnull=True).count() == 1
    printed = first.getvalue()
    join = re.search(r"straight into the room: http://[^/]+(/live/join/[^/\s]+/)", printed)
    assert join, printed
    candidate = Client()
    candidate.cookies["django_language"] = "zh-hans"
    assert candidate.get(join.group(1)).status_code == 200
    assert current.pk in candidate.session["hirelens_live_rooms"]
    staff = Client()
    staff.force_login(User.objects.get(email="interviewer@demo.hirelens.local"))
    entered = staff.get(reverse("live:interview_room", args=[interview.pk]))
    assert entered.status_code == 302 and entered["Location"] == reverse("live:room", args=[current.pk])

    # ended: its recording (encrypted at rest) decodes with sound and picture, 23 s of the two real clips
    ended = LiveRoom.objects.select_related("application__candidate").get(interview__uid=ENDED_UID)
    assert ended.state == LiveRoom.State.ENDED and ended.recording
    with ended.recording.open("rb") as handle:
        data = handle.read()
    with ended.recording.storage.inner.open(ended.recording.name, "rb") as raw:
        assert b"webm" not in raw.read(4096)  # what lies in storage is encrypted, not the WebM
    assert b"webm" in data[:4096]
    with av.open(io.BytesIO(data)) as container:
        assert {s.type for s in container.streams} == {"audio", "video"}
    assert 22.0 < ended.recording_duration_s < 24.5
    assert {n.author.email for n in ended.notes.all()} == {"interviewer@demo.hirelens.local", "manager@demo.hirelens.local"}
    question = ended.questions.get()
    assert question.answer and question.answered_by.email == "interviewer@demo.hirelens.local"
    assert ended.incidents.count() == 1
    assert ended.live_summary["keywords"]["抗压"] >= 1  # 压力 and 挑战: the position's synonyms of 抗压
    assert ended.analysis_status == LiveRoom.Analysis.PENDING

    recording_analyse(room_id=ended.pk)  # what the worker does after commit
    ended.refresh_from_db()
    assert ended.analysis_status == LiveRoom.Analysis.DONE, ended.analysis_error
    assert ended.analysis["summary"]["keywords"]["抗压"] >= 1

    html = staff.get(reverse("evaluations:application", args=[ended.application_id])).content.decode()
    review = html[html.index('id="live-review"'):]
    assert "赵磊" in review
    for text in ("现场面试回放", ended.notes.first().text, question.text, question.answer, "面试官迟到：通知候选人",
                 reverse("live:room_recording", args=[ended.pk]), 'data-testid="live-analysis"', "抗压 × "):
        assert text in review, text
    for note in ended.notes.all():
        assert note.author.full_name in review
