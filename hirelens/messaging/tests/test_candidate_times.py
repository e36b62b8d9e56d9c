"""Times on the help desk's candidate pages in the candidate pages' one format (issue 19): the help thread's messages
and the date an expired link stopped working, zh and en."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from hirelens.candidates.tests.factories import ApplicationFactory
from hirelens.core.timezones import when_text
from hirelens.messaging.models import TicketMessage
from hirelens.messaging.services import ticket_open_web
from hirelens.messaging.services.helpdesk import help_url
from hirelens.portal.services import portal_link_create, portal_url

from .factories import CandidateFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_help_thread_writes_each_message_s_time_in_the_one_format(org, language):
    candidate = CandidateFactory(organization=org)
    ticket = ticket_open_web(organization_id=org.pk, candidate=candidate, body="链接打不开")
    message = TicketMessage.objects.get(ticket=ticket)
    client = Client()
    client.cookies["django_language"] = language
    html = client.get(help_url(candidate=candidate)).content.decode()
    expected = when_text(message.created_at, "Asia/Shanghai", language=language)
    assert f'<span class="muted" data-testid="help-message-time">{expected}</span>' in html
    assert ("北京时间" if language == "zh-hans" else "Beijing time") in expected


@pytest.mark.parametrize(("headers", "language"), [({}, "zh-hans"), ({"HTTP_ACCEPT_LANGUAGE": "en"}, "en")])
def test_an_expired_link_says_when_in_the_one_format(hr_admin, headers, language):
    application = ApplicationFactory(candidate__organization=hr_admin.organization, position__organization=hr_admin.organization)
    link, token = portal_link_create(actor=hr_admin, candidate=application.candidate)
    ended = timezone.now() - timedelta(hours=3)
    type(link).objects.filter(pk=link.pk).update(expires_at=ended)
    html = Client(**headers).get(portal_url(token, absolute=False)).content.decode()
    assert when_text(ended, "Asia/Shanghai", language=language) in html
    assert "（UTC+08:00）" not in html and "(UTC+08:00)" not in html
