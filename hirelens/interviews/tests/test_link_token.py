"""AI interview links on the one link scheme (core/tokens.py): random token, hash in the row (the token itself only
encrypted, for re-sent invitations), one dead-link answer, nothing derived from SECRET_KEY."""

from datetime import timedelta

import pytest
from django.test import Client, override_settings
from django.utils import timezone

from hirelens.candidates.tests.factories import ApplicationFactory
from hirelens.core.testing import assert_link_answers, assert_no_plaintext_token
from hirelens.interviews.models import InterviewSession
from hirelens.interviews.services import session_create, session_revoke

pytestmark = pytest.mark.django_db


def test_an_interview_link_opens_and_dies_by_the_one_rule(hr_admin):
    application = ApplicationFactory(candidate__organization=hr_admin.organization, position__organization=hr_admin.organization,
                                     position__title="产品经理")
    session, token = session_create(actor=hr_admin, application=application, questions=[{"text": "请介绍一下自己。"}])
    path = f"/i/{token}/"
    assert_no_plaintext_token(session, token)
    assert_link_answers(Client(), path, status=200)
    with override_settings(SECRET_KEY="rotated-secret-key-" + "r" * 40):
        assert_link_answers(Client(), path, status=200)

    InterviewSession.objects.filter(pk=session.pk).update(expires_at=timezone.now() - timedelta(hours=1))
    assert_link_answers(Client(), path, status=410, words=["链接已过期", 'data-status="expired"', "北京时间"])
    english = Client()
    english.cookies["django_language"] = "en"  # the candidate chose English (the interview itself is in Chinese)
    assert_link_answers(english, path, status=410, words=["Link expired", "Beijing time"], language="en")
    InterviewSession.objects.filter(pk=session.pk).update(state=InterviewSession.State.SUBMITTED)
    assert_link_answers(Client(), path, status=200)  # a submitted interview's page stays readable after the deadline

    InterviewSession.objects.filter(pk=session.pk).update(state=InterviewSession.State.INVITED,
                                                           expires_at=timezone.now() + timedelta(days=1))
    session_revoke(actor=hr_admin, session=session)
    assert_link_answers(Client(), path, status=410, words=["链接已被招聘方撤回", 'data-status="revoked"'])
    assert_link_answers(english, path, status=410, words=["Link withdrawn by the company"], language="en")
    assert_link_answers(Client(), "/i/no-such-link/", status=404, words=["Link not recognised"], language="en")
