"""Notifications plug in through events delivered after commit — and never for a rolled-back change."""

import pytest
from django.db import transaction

from hirelens.core import events
from hirelens.scheduling import services

from .conftest import at


@pytest.fixture
def received():
    seen = []

    def handler(event):
        seen.append((event.name, event.payload()))

    names = (events.InterviewScheduled, events.InterviewRescheduled, events.InterviewCancelled)
    for name in names:
        events.subscribe(name, handler)
    yield seen
    for name in names:
        events.unsubscribe(name, handler)


def test_scheduled_moved_cancelled_events_after_commit(hr_admin, application, interviewer, received,
                                                       django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        interview = services.interview_schedule(actor=hr_admin, application=application, start=at(hour=10),
                                                end=at(hour=11), interviewers=[interviewer])
    with django_capture_on_commit_callbacks(execute=True):
        services.interview_reschedule(actor=hr_admin, interview=interview, start=at(hour=14), end=at(hour=15),
                                      reason="面试官冲突")
    with django_capture_on_commit_callbacks(execute=True):
        services.interview_cancel(actor=hr_admin, interview=interview, reason="职位暂停")
    assert [e for e, _p in received] == ["interview.scheduled", "interview.rescheduled", "interview.cancelled"]
    assert all(p["interview_id"] == interview.pk and p["application_id"] == application.pk for _e, p in received)
    assert "reason" not in received[1][1] and "reason" not in received[2][1]  # free text stays out of events
    assert received[0][1]["candidate_id"] == application.candidate_id
    interview.refresh_from_db()
    assert received[1][1]["start_at"] == interview.start_at.isoformat() and received[0][1]["start_at"] != received[1][1]["start_at"]


def test_no_event_when_the_transaction_rolls_back(hr_admin, application, interviewer, received,
                                                  django_capture_on_commit_callbacks):
    from hirelens.scheduling.models import Interview

    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError), transaction.atomic():
            services.interview_schedule(actor=hr_admin, application=application, start=at(hour=10), end=at(hour=11),
                                        interviewers=[interviewer])
            raise RuntimeError("boom")
    assert received == [] and not Interview.objects.exists()
