"""Portal links on the one link scheme (core/tokens.py): random token, hash only in the row, one dead-link answer;
links issued before (signed {id, secret}) keep opening, and no link depends on SECRET_KEY."""

from datetime import timedelta

import pytest
from django.core import signing
from django.test import Client, override_settings
from django.utils import timezone

from hirelens.candidates.tests.factories import ApplicationFactory
from hirelens.core.testing import assert_link_answers, assert_no_plaintext_token
from hirelens.core.tokens import token_hash
from hirelens.portal.models import PortalLink
from hirelens.portal.services import SALT, portal_link_create, portal_link_revoke, portal_url

pytestmark = pytest.mark.django_db

ROTATED = "rotated-secret-key-" + "r" * 40


@pytest.fixture
def candidate(hr_admin):
    return ApplicationFactory(candidate__organization=hr_admin.organization, position__organization=hr_admin.organization).candidate


def test_a_portal_link_opens_and_dies_by_the_one_rule(hr_admin, candidate):
    link, token = portal_link_create(actor=hr_admin, candidate=candidate, days=7)
    path = portal_url(token, absolute=False)
    assert_no_plaintext_token(link, token)
    assert_link_answers(Client(), path, status=200)
    with override_settings(SECRET_KEY=ROTATED):
        assert_link_answers(Client(), path, status=200)

    PortalLink.objects.filter(pk=link.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    assert_link_answers(Client(), path, status=410, words=["链接已过期", 'data-status="expired"', 'data-kind="portal"'])
    assert_link_answers(Client(), path, status=410, words=["Link expired"], language="en")

    PortalLink.objects.filter(pk=link.pk).update(expires_at=timezone.now() + timedelta(days=1))
    portal_link_revoke(actor=hr_admin, link=PortalLink.objects.get(pk=link.pk))
    assert_link_answers(Client(), path, status=410, words=["链接已被招聘方撤回", 'data-status="revoked"'])
    assert_link_answers(Client(), path, status=410, words=["Link withdrawn by the company"], language="en")
    assert_link_answers(Client(), "/portal/no-such-link/", status=404, words=["Link not recognised"], language="en")


def test_a_link_issued_before_the_scheme_keeps_opening_after_a_key_rotation(candidate):
    secret = "secret-of-a-portal-link-issued-last-week"
    link = PortalLink.objects.create(organization=candidate.organization, candidate=candidate, secret_hash=token_hash(secret),
                                     expires_at=timezone.now() + timedelta(days=3))
    old = signing.dumps({"l": link.pk, "s": secret}, salt=SALT, compress=True)
    with override_settings(SECRET_KEY=ROTATED):
        assert_link_answers(Client(), portal_url(old, absolute=False), status=200)
    PortalLink.objects.filter(pk=link.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    assert_link_answers(Client(), portal_url(old, absolute=False), status=410, words=['data-status="expired"'])
