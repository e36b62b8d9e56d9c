"""The demo's analysed interview shows a video answer with face analysis (the candidate consented)."""

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def test_demo_interview_has_a_video_answer_whose_face_is_analysed(client, settings):
    """...and whose speech is real Mandarin (a registry package's recording) that the analysis transcribes as Mandarin,
    with no model configured; the demo's English answer to the Chinese interview shows its Chinese keywords as not
    applicable. The whole demo path uncached: every recording synthesised, the live summary and these analyses run
    (the other tests that load the demo may read them from the var dir's demo cache, core/demo.py). Uncached on
    SQLite only: what is synthesised and analysed does not depend on the database, and the PostgreSQL suite, which runs
    after SQLite's in `make test`, reads it back and checks the same rows (about two minutes less)."""
    from django.db import connection

    settings.DEMO_CACHE = connection.vendor != "sqlite"
    from hirelens.accounts.models import User
    from hirelens.interviews.analysis_bridge import answer_analyse
    from hirelens.interviews.analysis_display import present
    from hirelens.interviews.models import Answer

    call_command("load_demo", verbosity=0)
    video = Answer.objects.get(kind=Answer.Kind.VIDEO, session__biometric_allowed=True, session__state="submitted")
    assert video.duration_s == pytest.approx(12.0, abs=0.2)
    answer_analyse(answer_id=video.pk)  # what the worker does after `make run` starts
    video.refresh_from_db()
    assert video.analysis_status == "done", video.analysis_error
    summary = video.analysis["summary"]
    assert summary["look_away_count"] == 1 and summary["smile_count"] >= 1
    assert 0.8 < summary["face_present_ratio"] < 0.95  # out of the picture for 1.5 of 12 s
    shown = present(video.analysis)
    assert shown["face"] and shown["posture"] and {"look_away", "face_absent", "smile"} <= {t for t, _ in shown["event_types"]}
    # Jay Chou's real words: 对我来讲是一种荣幸，但是也是压力蛮大的。不过我觉得是一种很好的一个挑战。
    text = video.analysis["transcript"]["text"]
    assert summary["language"] == "zh" and all(word in text for word in ("压力", "挑战", "我觉得")), text
    assert summary["keywords"]["抗压"] == 2  # the position's synonyms 压力 and 挑战

    english = Answer.objects.get(session__state="answering", question_index=0)
    answer_analyse(answer_id=english.pk)
    english.refresh_from_db()
    assert english.analysis["summary"]["language"] == "en" and "dream" in english.analysis["transcript"]["text"]
    assert set(english.analysis["summary"]["keywords_not_applicable"]) == {"数据库", "团队协作"}

    client.force_login(User.objects.filter(organization=video.organization, role="hr_admin").first())
    page = client.get(f"/interviews/{video.session_id}/").content.decode()
    assert "压力" in page and "转写语言" in page and "抗压 × 2" in page
    page = client.get(f"/interviews/{english.session_id}/").content.decode()
    assert "数据库：不适用" in page and "数据库 × 0" not in page


def test_demo_interviews_were_sent_with_their_delivery(client):
    from hirelens.accounts.models import User
    from hirelens.interviews.models import InterviewSession
    from hirelens.messaging.models import Message, Reminder

    call_command("load_demo", verbosity=0)
    invites = Message.objects.filter(kind="ai_interview.invite", subject_type="interviews.interviewsession")
    assert invites.count() == InterviewSession.objects.filter(invitations_sent=1).count() == 3
    assert set(invites.values_list("status", "channel")) == {("sent", "email")}
    invited = InterviewSession.objects.get(state="invited", revoked_at__isnull=True)  # the other one: a live interview instead
    assert invited.link_token and invited.materials and invited.language == "zh-hans"  # its questions are Chinese
    assert Reminder.objects.filter(subject_type="interviews.interviewsession", subject_id=str(invited.pk), status="planned").count() == 2
    submitted = InterviewSession.objects.get(state="submitted", invitations_sent=1)  # 孙悦 declined AI analysis, not invited by message
    assert not Reminder.objects.filter(subject_type="interviews.interviewsession", subject_id=str(submitted.pk), status="planned").exists()
    call_command("load_demo", verbosity=0)  # idempotent: nothing sent twice
    assert Message.objects.filter(kind="ai_interview.invite").count() == 3
    admin = User.objects.filter(organization=invited.organization, role="hr_admin").first()
    client.force_login(admin)
    page = client.get(f"/interviews/{invited.pk}/").content.decode()
    assert 'data-testid="delivery-row"' in page and "已发送" in page
