"""The demo's analysed interview shows a video answer with face analysis (the candidate consented)."""

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def test_demo_interview_has_a_video_answer_whose_face_is_analysed():
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
