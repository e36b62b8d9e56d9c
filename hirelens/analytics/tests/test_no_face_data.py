"""Issue 20, the face switch: analytics shows no face, expression or posture data when the organization's or the
position's switch is off. Analytics reads no AI-interview or live-room analysis at all; this test keeps it so, with face
data stored on an analysed answer and a live room of the position, in the page and in the Excel export."""

from __future__ import annotations

import zipfile
from io import BytesIO

import pytest

from hirelens.interviews.models import Answer
from hirelens.interviews.tests.factories import InterviewSessionFactory
from hirelens.interviews.tests.test_notice_choice import FACE_LABELS
from hirelens.positions.models import Position

pytestmark = pytest.mark.django_db

FACE_KEYS = ["smile", "frown", "look_away", "face_present", "posture", "shoulder", "gesture", "expression"]
FACE_LABELS_EN = ["Smile", "Frown", "Looking away", "Face", "Posture", "Shoulder", "Gesture", "Expression"]


@pytest.mark.parametrize("switch", ["organization_off", "position_off"])
def test_analytics_shows_no_face_data_when_the_switch_is_off(client, org, hr_admin, switch):
    org.facial_analysis_enabled = switch == "position_off"  # the position's own switch overrides the organization's
    org.save()
    session = InterviewSessionFactory(application__candidate__organization=org, state="analysed", biometric_allowed=True)
    if switch == "position_off":
        Position.objects.filter(pk=session.application.position_id).update(facial_analysis=Position.Facial.OFF)
    report = {"summary": {"duration_s": 4.0, "speaking_time_s": 3.0, "pause_count": 1, "face_present_ratio": 0.9, "smile_count": 2,
                          "frown_count": 1, "look_away_count": 1},
              "face": {"smile_time_s": 1.0}, "posture": {"shoulder_tilt_mean_deg": 2.0},
              "events": [{"type": "smile", "start_s": 1.0, "end_s": 2.0}], "transcript": {"text": "hello"}}
    Answer.objects.create(organization=org, session=session, question_index=0, kind="video", status="complete",
                          analysis_status="done", analysis=report)
    client.force_login(hr_admin)

    for language, labels in (("zh-hans", FACE_LABELS), ("en", FACE_LABELS_EN)):
        page = client.get("/analytics/", headers={"accept-language": language})
        assert page.status_code == 200
        html = page.content.decode()
        assert [label for label in labels if label in html] == []
        assert [key for key in FACE_KEYS if key in html.lower()] == []
    export = client.get("/analytics/export.xlsx")
    assert export.status_code == 200
    with zipfile.ZipFile(BytesIO(export.content)) as book:
        text = "".join(book.read(name).decode("utf-8", "replace") for name in book.namelist() if name.endswith(".xml"))
    assert [label for label in FACE_LABELS if label in text] == []
    assert [key for key in FACE_KEYS if key in text.lower()] == []
