"""Survey links on the one link scheme (core/tokens.py): random token, hash only in the row, one-time; expired and used
410, unknown 404; nothing derived from SECRET_KEY. (A survey has no withdrawal: no one revokes it.)"""

from datetime import timedelta

import pytest
from django.test import Client, override_settings
from django.utils import timezone

from hirelens.candidates.tests.factories import ApplicationFactory
from hirelens.core.testing import assert_link_answers, assert_no_plaintext_token
from hirelens.feedback.models import Survey
from hirelens.feedback.services import survey_send

pytestmark = pytest.mark.django_db


def test_a_survey_link_opens_and_dies_by_the_one_rule(org):
    application = ApplicationFactory(candidate__organization=org, position__organization=org, position__title="测试工程师")
    survey, token = survey_send(application=application, now=timezone.now())
    path = f"/feedback/s/{token}/"
    assert_no_plaintext_token(survey, token)
    assert_link_answers(Client(), path, status=200)
    with override_settings(SECRET_KEY="rotated-secret-key-" + "r" * 40):
        assert_link_answers(Client(), path, status=200)

    Survey.objects.filter(pk=survey.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    assert_link_answers(Client(), path, status=410, words=["链接已过期", 'data-status="expired"', 'data-kind="survey"'])
    assert_link_answers(Client(), path, status=410, words=["Link expired"], language="en")

    Survey.objects.filter(pk=survey.pk).update(expires_at=timezone.now() + timedelta(days=1), answered=True)
    assert_link_answers(Client(), path, status=410, words=["这份调查已经提交过了"])
    assert_link_answers(Client(), path, status=410, words=["already submitted"], language="en")
    assert_link_answers(Client(), "/feedback/s/no-such-link/", status=404, words=["Link not recognised"], language="en")
