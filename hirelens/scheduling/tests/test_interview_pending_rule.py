"""One rule for "this interview is still to be held" (issue 23 §7): ``Interview.is_open`` / ``is_pending()`` in
Python and ``Interview.objects.open()`` / ``.pending()`` in SQL come from the same ``OPEN_STATUSES``; the portal's
interview list and "open" button, the help desk's resend check and link, and the messaging of interview events all
read them instead of comparing the status themselves."""

from datetime import timedelta

import pytest
from django.utils import timezone

from hirelens.candidates.tests.factories import ApplicationFactory
from hirelens.messaging.models import Ticket
from hirelens.messaging.services.helpdesk import ticket_can_resend
from hirelens.portal.selectors import portal_scheduled_interviews
from hirelens.portal.services import portal_link_create, portal_url
from hirelens.scheduling.models import Interview, InterviewLink

pytestmark = pytest.mark.django_db


def _interview(application, *, hours: float, status):
    start = timezone.now() + timedelta(hours=hours)
    return Interview.objects.create(organization=application.organization, application=application, title="复试",
                                    start_at=start, end_at=start + timedelta(hours=1), time_zone="Asia/Shanghai",
                                    status=status)


@pytest.mark.parametrize("hours", [-3, -0.5, 24])
@pytest.mark.parametrize("status", Interview.Status.values)
def test_python_and_sql_say_the_same(hr_admin, status, hours):
    application = ApplicationFactory(candidate__organization=hr_admin.organization,
                                     position__organization=hr_admin.organization)
    interview = _interview(application, hours=hours, status=status)
    assert interview.is_open == Interview.objects.open().filter(pk=interview.pk).exists() == (status == "scheduled")
    expected = status == "scheduled" and hours > -1
    assert interview.is_pending() == Interview.objects.pending().filter(pk=interview.pk).exists() == expected


def test_every_reader_follows_the_one_definition(client, hr_admin, monkeypatch):
    """Widen the definition to "completed" as well: the portal, its button and the help desk all follow it, so none
    of them keeps a copy of the rule."""
    application = ApplicationFactory(candidate__organization=hr_admin.organization,
                                     position__organization=hr_admin.organization)
    candidate = application.candidate
    interview = _interview(application, hours=-0.5, status=Interview.Status.COMPLETED)  # under way, marked completed
    ticket = Ticket(organization_id=candidate.organization_id, candidate=candidate, subject_type="scheduling.interview",
                    subject_id=interview.pk)
    _link, token = portal_link_create(actor=hr_admin, candidate=candidate)
    url = portal_url(token, absolute=False).rstrip("/")

    def readers():
        row = portal_scheduled_interviews(candidate=candidate, language="zh-hans")[0]
        client.post(f"{url}/interviews/{interview.pk}/open/")
        return row["open"], ticket_can_resend(ticket), InterviewLink.objects.filter(interview=interview).exists()

    assert readers() == (False, False, False)
    monkeypatch.setattr(Interview, "OPEN_STATUSES", (Interview.Status.SCHEDULED, Interview.Status.COMPLETED))
    assert readers() == (True, True, True)
