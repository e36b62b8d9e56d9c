"""What feedback registers in lower apps (FeedbackConfig.ready): a help-desk ticket about a survey link names the
survey's position (messaging's subject titles), and the evaluation page's decisions carry what the candidate was told
(evaluations' decision extras)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from hirelens.candidates.tests.factories import ApplicationFactory
from hirelens.evaluations.decision_extras import decision_extras_attach
from hirelens.feedback.services import survey_send
from hirelens.messaging.services.deadlinks import subject_title

pytestmark = pytest.mark.django_db


def test_a_survey_subject_is_titled_by_its_position(hr_admin, other_org):
    application = ApplicationFactory(candidate__organization=hr_admin.organization, position__title="后端工程师",
                                     position__organization=hr_admin.organization)
    survey, _token = survey_send(application=application, now=timezone.now() - timedelta(days=30))
    assert subject_title("feedback.survey", survey.pk, organization_id=hr_admin.organization_id) == "后端工程师"
    assert subject_title("feedback.survey", survey.pk, organization_id=other_org.pk) == ""  # another tenant's: nothing


def test_decisions_carry_what_the_candidate_was_told(hr_admin):
    application = ApplicationFactory(candidate__organization=hr_admin.organization,
                                     position__organization=hr_admin.organization)

    class Row:  # a decision without a feedback case
        pk = -1

    rows = [Row()]
    decision_extras_attach(actor=hr_admin, application=application, decisions=rows)
    assert rows[0].feedback is None  # the attribute the page's template reads is set by feedback's provider
