"""Scheduling links on the one link scheme (core/tokens.py): random token, hash only in the row, one dead-link answer;
links issued before (signed {id, secret}) keep opening, and no link depends on SECRET_KEY."""

from datetime import timedelta

import pytest
from django.core import signing
from django.test import Client, override_settings
from django.utils import timezone

from hirelens.candidates.tests.factories import ApplicationFactory
from hirelens.core.testing import assert_link_answers, assert_no_plaintext_token
from hirelens.core.tokens import token_hash
from hirelens.scheduling.links import link_issue, link_revoke, link_url
from hirelens.scheduling.models import InterviewLink

pytestmark = pytest.mark.django_db

ROTATED = "rotated-secret-key-" + "r" * 40


@pytest.fixture
def application(org):
    return ApplicationFactory(candidate__organization=org, position__organization=org, position__title="数据工程师")


def test_a_booking_link_opens_and_dies_by_the_one_rule(hr_admin, application):
    link, token = link_issue(application=application, kind=InterviewLink.Kind.BOOKING)
    path = link_url(token, absolute=False)
    assert_no_plaintext_token(link, token)
    assert_link_answers(Client(), path, status=200)
    with override_settings(SECRET_KEY=ROTATED):
        assert_link_answers(Client(), path, status=200)

    InterviewLink.objects.filter(pk=link.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    assert_link_answers(Client(), path, status=410, words=["链接已过期", 'data-status="expired"', "申请"])
    assert_link_answers(Client(), path + "calendar.ics", status=410, words=["This link has expired"], language="en")
    assert_link_answers(Client(), path, status=410, words=["Link expired"], language="en")

    InterviewLink.objects.filter(pk=link.pk).update(expires_at=timezone.now() + timedelta(days=1))
    link_revoke(actor=hr_admin, link=link)
    assert_link_answers(Client(), path, status=410, words=["链接已被招聘方撤回", 'data-status="revoked"'])
    assert_link_answers(Client(), path, status=410, words=["Link withdrawn by the company"], language="en")

    assert_link_answers(Client(), link_url("no-such-link", absolute=False), status=404, words=["Link not recognised"],
                        language="en")
    assert_link_answers(Client(), link_url("no-such-link", absolute=False) + "calendar.ics", status=404)


def test_a_link_issued_before_the_scheme_keeps_opening_after_a_key_rotation(application):
    secret = "secret-of-a-link-issued-last-week"
    link = InterviewLink.objects.create(organization=application.organization, application=application,
                                        kind=InterviewLink.Kind.BOOKING, token_hash=token_hash(secret),
                                        expires_at=timezone.now() + timedelta(days=3))
    old = signing.dumps({"l": link.pk, "s": secret}, salt="hirelens.scheduling.interview-link", compress=True)
    with override_settings(SECRET_KEY=ROTATED):
        assert_link_answers(Client(), link_url(old, absolute=False), status=200)
    forged = signing.dumps({"l": link.pk, "s": "guessed"}, salt="hirelens.scheduling.interview-link", compress=True)
    assert_link_answers(Client(), link_url(forged, absolute=False), status=404)
