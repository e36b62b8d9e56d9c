"""A booking is the candidate's act through their booking link (issue 23 §5): the service takes the link's verified
LinkActor, and the audit log names the candidate and that link, in words."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone, translation

from hirelens.candidates.models import TimelineEvent
from hirelens.core.models import AuditEvent
from hirelens.scheduling import services
from hirelens.scheduling.links import LinkError, link_actor, link_issue
from hirelens.scheduling.models import Interview, InterviewSlot
from hirelens.workflows.tests.factories import make_application

pytestmark = pytest.mark.django_db


def offered_slot(position, interviewer, days=3):
    start = (timezone.now() + timedelta(days=days)).replace(microsecond=0)
    slot = InterviewSlot.objects.create(organization=position.organization, position=position, start_at=start,
                                        end_at=start + timedelta(hours=1), time_zone="Asia/Shanghai")
    slot.interviewers.set([interviewer])
    return slot


def test_a_booking_through_the_page_is_audited_as_the_candidates_link(client, position, application, interviewer):
    slot = offered_slot(position, interviewer)
    link, token = link_issue(application=application, kind="booking")
    response = client.post(f"/scheduling/l/{token}/", {"slot": slot.pk})
    assert response.status_code == 302
    interview = Interview.objects.get(application=application)
    entry = AuditEvent.objects.get(action=AuditEvent.Action.CREATE, object_type="scheduling.interview", object_id=str(interview.pk))
    assert (entry.actor_id, entry.actor_label, entry.fields) == (None, f"link:scheduling.link:{link.pk}", ["booked_by_candidate"])
    assert entry.actor_text == "候选人本人（面试安排链接）"
    with translation.override("en"):
        assert entry.actor_text == "The candidate (interview scheduling link)"
    assert TimelineEvent.objects.get(candidate=application.candidate, kind="interview.scheduled").by_candidate is True


def test_a_link_acts_only_for_its_own_application_and_only_while_it_opens(position, application, interviewer):
    slot = offered_slot(position, interviewer)
    other = make_application(position, "孙悦")
    _link, others_token = link_issue(application=other, kind="booking")
    with pytest.raises(PermissionDenied):  # another candidate's booking link books nothing for this one
        services.interview_book_slot(actor=link_actor(others_token), application=application, slot_id=slot.pk)
    assert not Interview.objects.exists() and InterviewSlot.objects.get(pk=slot.pk).status == "open"

    link, token = link_issue(application=application, kind="booking")
    link.revoked_at = timezone.now()
    link.save(update_fields=["revoked_at"])
    with pytest.raises(LinkError) as exc:
        link_actor(token)
    assert exc.value.code == "revoked"
    with pytest.raises(LinkError) as exc:
        link_actor("no-such-token")
    assert exc.value.code == "invalid"
    _link, staff_token = link_issue(application=application, kind="interviewer", user=interviewer)
    with pytest.raises(LinkError) as exc:  # an interviewer's link is nobody's candidate link
        link_actor(staff_token)
    assert exc.value.code == "invalid"
