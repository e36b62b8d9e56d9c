"""``access.visible_rooms``: exactly the rooms of the interviews the actor may see (``visible_interviews``), checked per
room (a correlated EXISTS) so that one room or one page of rooms does not first list every visible interview."""

from __future__ import annotations

import re

import pytest

from hirelens.accounts.tests.factories import UserFactory
from hirelens.live.access import access_room, visible_rooms
from hirelens.live.models import LiveRoom
from hirelens.scheduling.access import visible_interviews
from hirelens.workflows.tests.factories import assign, make_application, make_position

from .test_review import make_room

pytestmark = pytest.mark.django_db


@pytest.fixture
def rooms(org, other_org, interviewer, hiring_manager):
    assigned = make_position(org, title="销售代表")
    assign(assigned, interviewer, "interviewer")
    assign(assigned, hiring_manager, "hiring_manager")
    other = make_position(org, title="财务经理")  # nobody of the panel is on it
    foreign = make_position(other_org, title="销售代表")
    return {"assigned": make_room(org, make_application(assigned, "孙悦"), None, [interviewer]),
            "assigned_no_panel": make_room(org, make_application(assigned, "李雷"), None, []),
            "other": make_room(org, make_application(other, "韩梅"), None, [interviewer]),
            "foreign": make_room(other_org, make_application(foreign, "王强"), None, [])}


def _ids(qs) -> set[int]:
    return set(qs.values_list("pk", flat=True))


def test_rooms_follow_the_interview_rule_for_every_role(rooms, hr_admin, recruiter, interviewer, hiring_manager, outsider, org):
    stranger = UserFactory(organization=org, role="interviewer", email="stranger@example.com")
    expected = {
        hr_admin: {"assigned", "assigned_no_panel", "other"},
        interviewer: {"assigned", "assigned_no_panel"},  # the assigned position's rooms, not the one they sit on elsewhere
        hiring_manager: {"assigned", "assigned_no_panel"},
        stranger: set(),
        outsider: {"foreign"},
    }
    for actor, names in expected.items():
        assert _ids(visible_rooms(actor=actor)) == {rooms[n].pk for n in names}, actor.email
    for actor in (*expected, recruiter):  # the same set as the interview rule gives, whatever the role
        interviews = set(visible_interviews(actor=actor).values_list("pk", flat=True))
        assert _ids(visible_rooms(actor=actor)) == {r.pk for r in LiveRoom.objects.all() if r.interview_id in interviews}
    from django.contrib.auth.models import AnonymousUser

    assert _ids(visible_rooms(actor=AnonymousUser())) == set()


def test_one_room_is_one_query_checked_per_room_not_by_listing_interviews(rooms, interviewer, django_assert_num_queries):
    sql = str(visible_rooms(actor=interviewer).query)
    assert "EXISTS" in sql and not re.search(r"interview_id\"? IN \(SELECT", sql)
    with django_assert_num_queries(1):
        assert access_room(actor=interviewer, room_id=rooms["assigned"].pk) == rooms["assigned"]
    from django.http import Http404

    for name in ("other", "foreign"):
        with pytest.raises(Http404):
            access_room(actor=interviewer, room_id=rooms[name].pk)
