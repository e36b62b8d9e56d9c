"""Help-desk links on the one link scheme (core/tokens.py, kind ``messaging.help``): one stored row per candidate and
subject, got or created on each candidate page render (the same link again, one query), hashed, revocable, expiring,
one dead-link answer; links signed before keep opening until their signature's max_age passes; erasure takes them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import signing
from django.test import Client, override_settings
from django.utils import timezone

from hirelens.candidates.tests.factories import ApplicationFactory
from hirelens.core import tokens
from hirelens.core.testing import assert_link_answers, assert_no_plaintext_token
from hirelens.messaging.models import HELP_LINK, HelpLink, Ticket
from hirelens.messaging.services.helpdesk import (
    HELP_LINK_MAX_AGE,
    HELP_LINK_SALT,
    HELP_LINK_TTL,
    help_link_token,
    help_url,
    ticket_open_web,
)

pytestmark = pytest.mark.django_db

ROTATED = "rotated-secret-key-" + "r" * 40


@pytest.fixture
def application(org):
    return ApplicationFactory(candidate__organization=org, position__organization=org)


def _path(token: str) -> str:
    return f"/messaging/help/{token}/"


def test_a_help_link_opens_and_dies_by_the_one_rule(application):
    candidate = application.candidate
    token = help_link_token(candidate=candidate)
    link = HelpLink.objects.get(candidate=candidate)
    assert (link.subject_type, link.subject_id, link.ticket_id) == ("", None, None)
    assert link.expires_at - timezone.now() > HELP_LINK_TTL - timedelta(minutes=1)
    assert_no_plaintext_token(link, token)
    page = assert_link_answers(Client(), _path(token), status=200, words=['data-testid="help-form"'])
    assert "告诉我们遇到了什么问题" in page
    with override_settings(SECRET_KEY=ROTATED):  # nothing in it depends on the key
        assert_link_answers(Client(), _path(token), status=200)

    HelpLink.objects.filter(pk=link.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    assert_link_answers(Client(), _path(token), status=410,
                        words=["链接已过期", "这条帮助页链接已于", 'data-status="expired"', 'data-kind="help"',
                               'data-testid="new-link-form"'])
    assert_link_answers(Client(), _path(token), status=410, words=["Link expired", "help page link"], language="en")

    HelpLink.objects.filter(pk=link.pk).update(expires_at=timezone.now() + timedelta(days=1))
    assert tokens.revoke(HELP_LINK, HelpLink.objects.get(pk=link.pk)) is True
    assert_link_answers(Client(), _path(token), status=410, words=["链接已被招聘方撤回", 'data-status="revoked"'])
    assert_link_answers(Client(), _path(token), status=410, words=["Link withdrawn by the company"], language="en")
    assert_link_answers(Client(), _path("no-such-help-link"), status=404, words=['data-status="unknown"'])


def test_a_dead_help_link_asks_for_a_new_one_as_a_ticket_about_that_link(application):
    candidate = application.candidate
    token = help_link_token(candidate=candidate)
    tokens.revoke(HELP_LINK, HelpLink.objects.get(candidate=candidate))
    response = Client().post(f"/messaging/new-link/help/{token}/", {"body": "帮助页打不开"})
    assert response.status_code == 200
    ticket = Ticket.objects.get(candidate=candidate)
    link = HelpLink.objects.get(candidate=candidate)
    assert (ticket.subject_type, ticket.subject_id, ticket.new_link_requested, ticket.step) == (
        "messaging.help", link.pk, True, "revoked")


def test_every_render_shows_the_same_link_and_a_withdrawn_one_is_issued_afresh(application):
    candidate = application.candidate
    about = {"subject_type": "interviews.session", "subject_id": 41}
    first = help_link_token(candidate=candidate, **about)
    assert help_link_token(candidate=candidate, **about) == first
    assert help_url(candidate=candidate, page="/i/secret-token/", step="question:2", **about).startswith(_path(first))
    general = help_link_token(candidate=candidate)
    # a subject the help desk does not know is the general link
    assert help_link_token(candidate=candidate, subject_type="candidates.application", subject_id=7) == general
    assert general != first
    assert sorted(HelpLink.objects.filter(candidate=candidate).values_list("subject_type", "subject_id")) == [
        ("", None), ("interviews.session", 41)]

    link = HelpLink.objects.get(candidate=candidate, subject_type="interviews.session")
    tokens.revoke(HELP_LINK, link)
    fresh = help_link_token(candidate=candidate, **about)  # the candidate's live page: a working link again
    assert fresh != first
    assert HelpLink.objects.filter(candidate=candidate).count() == 2
    assert_link_answers(Client(), _path(first), status=404)  # the withdrawn token opens nothing any more
    assert_link_answers(Client(), _path(fresh), status=200)

    # past half its life, a render renews the same link's expiry (no new token)
    HelpLink.objects.filter(pk=link.pk).update(expires_at=timezone.now() + timedelta(days=3))
    assert help_link_token(candidate=candidate, **about) == fresh
    assert HelpLink.objects.get(pk=link.pk).expires_at - timezone.now() > HELP_LINK_TTL - timedelta(minutes=1)


def test_a_visitors_thread_link_opens_only_their_ticket(org):
    ticket = ticket_open_web(organization_id=org.pk, body="链接打不开", contact="visitor@example.com")
    token = help_link_token(ticket=ticket)
    assert help_link_token(ticket=ticket) == token
    assert HelpLink.objects.get(ticket=ticket).candidate_id is None
    page = assert_link_answers(Client(), _path(token), status=200, words=["链接打不开"])
    assert 'data-testid="help-form"' not in page  # a visitor answers in their thread only
    HelpLink.objects.filter(ticket=ticket).update(expires_at=timezone.now() - timedelta(minutes=1))
    assert_link_answers(Client(), _path(token), status=410, words=['data-status="expired"'])


class _SignedDaysAgo(signing.TimestampSigner):
    days = 0

    def timestamp(self):
        return signing.b62_encode(int(timezone.now().timestamp()) - self.days * 86400)


def _legacy(data: dict, *, days_ago: int = 0) -> str:
    """A help link as the help desk signed them before the one scheme (``signing.dumps`` with its salt)."""
    signer = _SignedDaysAgo(salt=HELP_LINK_SALT)
    signer.days = days_ago
    return signer.sign_object(data, serializer=signing.JSONSerializer)


def test_a_help_link_signed_before_keeps_opening_until_its_max_age(application):
    candidate = application.candidate
    old = _legacy({"o": candidate.organization_id, "c": candidate.pk, "s": "interviews.session", "i": 5}, days_ago=30)
    assert signing.loads(old, salt=HELP_LINK_SALT, max_age=HELP_LINK_MAX_AGE)["c"] == candidate.pk
    assert_link_answers(Client(), _path(old), status=200, words=['data-testid="help-form"'])
    response = Client().post(_path(old), {"body": "摄像头打不开"})
    assert response.status_code == 302
    ticket = Ticket.objects.get(candidate=candidate)
    assert (ticket.subject_type, ticket.subject_id) == ("interviews.session", 5)
    assert not HelpLink.objects.exists()  # opening an old link mints nothing

    too_old = _legacy({"o": candidate.organization_id, "c": candidate.pk}, days_ago=HELP_LINK_MAX_AGE // 86400 + 1)
    assert_link_answers(Client(), _path(too_old), status=404)
    forged = _legacy({"o": candidate.organization_id, "c": candidate.pk})[:-2] + "xx"
    assert_link_answers(Client(), _path(forged), status=404)


def test_the_portal_page_shows_the_help_link_with_one_query_and_no_write(application, hr_admin,
                                                                        django_assert_max_num_queries):
    from hirelens.portal.services import portal_link_create, portal_url

    candidate = application.candidate
    _link, token = portal_link_create(actor=hr_admin, candidate=candidate)
    client = Client()
    first = client.get(portal_url(token, absolute=False))
    assert first.status_code == 200
    help_token = HelpLink.objects.get(candidate=candidate).token
    assert _path(help_token) in first.content.decode()

    with django_assert_max_num_queries(20) as captured:  # 14 today: the page's own; the help link's share is below
        again = client.get(portal_url(token, absolute=False))
    assert again.status_code == 200 and _path(help_token) in again.content.decode()
    on_links = [q["sql"] for q in captured.captured_queries if "messaging_helplink" in q["sql"]]
    assert len(on_links) == 1 and on_links[0].lstrip().upper().startswith("SELECT"), on_links
    assert HelpLink.objects.filter(candidate=candidate).count() == 1

    with django_assert_max_num_queries(1):
        assert help_link_token(candidate=candidate) == help_token


def test_erasure_takes_the_help_links_and_the_export_shows_them_without_token(application, hr_admin, org):
    from hirelens.core.erasure import erase_candidate
    from hirelens.messaging.privacy import export_candidate

    candidate = application.candidate
    token = help_link_token(candidate=candidate, subject_type="scheduling.link", subject_id=3)
    help_link_token(candidate=candidate)
    section = next(s for s in export_candidate(candidate) if s.name == "help_links")
    assert [(r["subject_type"], r["subject_id"]) for r in section.data] == [("scheduling.link", 3), ("", None)]
    assert not any(key in row for row in section.data for key in ("token", "token_hash"))
    assert token not in repr(section.data)

    erase_candidate(candidate=candidate, actor=hr_admin, reason="hr")
    assert not HelpLink.objects.filter(organization=org).exists()
    assert_link_answers(Client(), _path(token), status=404)
