"""The AI evidence beside a scorecard follows the interview session's one access rule, stage permissions included."""

import pytest

from hirelens.evaluations.selectors import ai_evidence
from hirelens.interviews.models import Answer
from hirelens.interviews.tests.factories import InterviewSessionFactory
from hirelens.workflows.tests.factories import assign, make_application, make_position, published_process

pytestmark = pytest.mark.django_db


def test_evidence_of_a_stage_the_actor_may_not_see_is_left_out(org, hr_admin, interviewer, hiring_manager):
    position = make_position(org, title="后端工程师")
    assign(position, interviewer, "interviewer")
    assign(position, hiring_manager, "hiring_manager")
    _process, version = published_process(hr_admin, position, "technical")
    stage = version.stages.get(module="ai_video")
    stage.view_roles = ["hiring_manager"]
    stage.save(update_fields=["view_roles"])
    application = make_application(position)
    session = InterviewSessionFactory(application=application, stage=stage)
    Answer.objects.create(organization=org, session=session, question_index=0, status=Answer.Status.COMPLETE,
                          analysis_status=Answer.Analysis.DONE, analysis={"summary": {"words_per_min": 150}, "events": []})

    assert [(row["session"].pk, row["figures"]) for row in ai_evidence(actor=hiring_manager, application=application)] == [
        (session.pk, [("words_per_min", 150)])]
    assert [row["session"].pk for row in ai_evidence(actor=hr_admin, application=application)] == [session.pk]
    assert ai_evidence(actor=interviewer, application=application) == []
