"""An interview's and a slot's state rules live on the models (issue 23 §7): ``Interview.is_open`` is what the
reschedule, cancel and link services accept and what the interview page offers links for; ``InterviewSlot.is_open``
is what the position page offers to withdraw and what ``slot_cancel`` changes."""

import pytest
from django.core.exceptions import ValidationError

from hirelens.scheduling import services
from hirelens.scheduling.models import Interview, InterviewSlot

from .conftest import at


@pytest.mark.parametrize("status", Interview.Status.values)
def test_the_services_and_the_page_follow_interview_is_open(client, hr_admin, application, interviewer, status):
    interview = services.interview_schedule(actor=hr_admin, application=application, start=at(), end=at(hour=11),
                                            interviewers=[interviewer])
    Interview.objects.filter(pk=interview.pk).update(status=status)
    interview.refresh_from_db()
    assert interview.is_open == (status == Interview.Status.SCHEDULED)

    def accepts(call) -> bool:
        try:
            call()
        except ValidationError:
            return False
        return True

    fresh = lambda: Interview.objects.get(pk=interview.pk)  # noqa: E731
    client.force_login(hr_admin)
    page = client.get(f"/scheduling/interviews/{interview.pk}/").content.decode()
    assert ('data-testid="issue-links"' in page) == interview.is_open
    assert accepts(lambda: services.interview_links_issue(interview=fresh())) == interview.is_open
    assert accepts(lambda: services.interview_reschedule(actor=hr_admin, interview=fresh(), start=at(days=4),
                                                         end=at(days=4, hour=11))) == interview.is_open
    assert accepts(lambda: services.interview_cancel(actor=hr_admin, interview=fresh(), reason="候选人另有安排")) == interview.is_open


@pytest.mark.parametrize("status", InterviewSlot.Status.values)
def test_a_slot_is_withdrawn_only_while_open(client, hr_admin, position, interviewer, status):
    slot = services.slot_create(actor=hr_admin, position=position, start=at(), end=at(hour=11), interviewers=[interviewer])
    InterviewSlot.objects.filter(pk=slot.pk).update(status=status)
    slot.refresh_from_db()
    client.force_login(hr_admin)
    page = client.get(f"/scheduling/position/{position.pk}/").content.decode()
    assert (f"/slots/{slot.pk}/cancel/" in page) == slot.is_open == (status == InterviewSlot.Status.OPEN)
    expected = InterviewSlot.Status.CANCELLED if slot.is_open else status
    assert services.slot_cancel(actor=hr_admin, slot=slot).status == expected
