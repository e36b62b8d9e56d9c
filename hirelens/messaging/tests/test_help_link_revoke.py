"""HR withdraws the help links of a ticket's person from the ticket page (services/help_links.py): every live link
of that candidate (or the visitor's thread link) stops opening, the withdrawal is audited in one entry, and the
candidate's pages mint a fresh link next time, so only the old address is cut off."""

from __future__ import annotations

import pytest
from django.test import Client

from hirelens.candidates.tests.factories import ApplicationFactory
from hirelens.core.models import AuditEvent
from hirelens.core.testing import assert_link_answers
from hirelens.messaging.models import HelpLink
from hirelens.messaging.services.helpdesk import help_link_token, ticket_open_web

pytestmark = pytest.mark.django_db


def _path(token: str) -> str:
    return f"/messaging/help/{token}/"


@pytest.fixture
def ticket_with_links(org):
    application = ApplicationFactory(candidate__organization=org, position__organization=org)
    candidate = application.candidate
    general = help_link_token(candidate=candidate)
    about = help_link_token(candidate=candidate, subject_type="scheduling.link", subject_id=3)
    ticket = ticket_open_web(organization_id=org.pk, body="视频传不上去", candidate=candidate)
    return ticket, candidate, [general, about]


def _client(user, language="zh-hans"):
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


def test_hr_revokes_the_candidates_help_links_from_the_ticket(ticket_with_links, hr_admin):
    ticket, candidate, old_tokens = ticket_with_links
    hr = _client(hr_admin)
    page = hr.get(f"/messaging/helpdesk/{ticket.pk}/").content.decode()
    assert "求助链接：2 个有效" in page and 'data-testid="revoke-help-links"' in page
    assert "撤销后，旧的求助链接将无法打开" in page  # the form asks first (data-confirm)
    english = _client(hr_admin, "en").get(f"/messaging/helpdesk/{ticket.pk}/").content.decode()
    assert "Help links: 2 active" in english and "Revoke help links" in english

    response = hr.post(f"/messaging/helpdesk/{ticket.pk}/help-links/revoke/", follow=True)
    assert response.status_code == 200
    after = response.content.decode()
    assert "已撤销 2 个求助链接" in after and "目前没有有效的链接" in after
    for token in old_tokens:
        assert_link_answers(Client(), _path(token), status=410, words=['data-status="revoked"'])
    entry = AuditEvent.objects.filter(action=AuditEvent.Action.UPDATE, object_type="messaging.helplink").get()
    assert sorted(entry.targets) == sorted(f"messaging.helplink:{link.pk}" for link in HelpLink.objects.filter(candidate=candidate))
    assert entry.fields == ["revoked_at"] and entry.actor_id == hr_admin.pk

    fresh = help_link_token(candidate=candidate)  # the candidate's next page: a working link again
    assert fresh not in old_tokens
    assert_link_answers(Client(), _path(fresh), status=200, words=['data-testid="help-form"'])
    # a second click finds nothing to withdraw but the fresh link, and says how many it took
    again = hr.post(f"/messaging/helpdesk/{ticket.pk}/help-links/revoke/", follow=True).content.decode()
    assert "已撤销 1 个求助链接" in again
    assert_link_answers(Client(), _path(fresh), status=410)


def test_a_visitors_ticket_revokes_only_its_thread_link(org, hr_admin, ticket_with_links):
    _ticket, _candidate, candidate_tokens = ticket_with_links
    visitor = ticket_open_web(organization_id=org.pk, body="链接打不开", contact="visitor@example.com")
    thread = help_link_token(ticket=visitor)
    _client(hr_admin).post(f"/messaging/helpdesk/{visitor.pk}/help-links/revoke/")
    assert_link_answers(Client(), _path(thread), status=410)
    for token in candidate_tokens:  # another person's links are untouched
        assert_link_answers(Client(), _path(token), status=200)


def test_only_the_help_desk_may_revoke_and_only_by_post(ticket_with_links, interviewer, outsider, hr_admin):
    ticket, _candidate, tokens_before = ticket_with_links
    url = f"/messaging/helpdesk/{ticket.pk}/help-links/revoke/"
    assert _client(hr_admin).get(url).status_code == 405
    assert _client(interviewer).post(url).status_code in (403, 404)
    assert _client(outsider).post(url).status_code == 404
    assert Client().post(url).status_code == 302  # to the sign-in page
    for token in tokens_before:
        assert_link_answers(Client(), _path(token), status=200)
