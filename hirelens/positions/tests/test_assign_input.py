"""Assigning a member reads its input through ``AssignForm`` (issue 23 §4): a malformed member id or an unknown role
is the position page again with the message at the field (400) and nothing written; permission comes first."""

from __future__ import annotations

import pytest

from hirelens.positions.models import PositionAssignment
from hirelens.positions.tests.factories import PositionAssignmentFactory, PositionFactory

pytestmark = pytest.mark.django_db


def test_malformed_member_or_role_is_a_field_error_and_nothing_is_written(org, recruiter, interviewer, client):
    position = PositionFactory(organization=org)
    client.force_login(recruiter)
    url = f"/positions/{position.pk}/assign/"
    response = client.post(url, {"user": "abc", "role": "interviewer"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "请选择成员。" in page and 'aria-invalid="true"' in page
    response = client.post(url, {"user": str(interviewer.pk), "role": "owner"})
    assert response.status_code == 400 and "无效的角色。" in response.content.decode()
    assert f'<option value="{interviewer.pk}" selected>' in response.content.decode()  # as chosen
    assert not PositionAssignment.objects.exists()
    assert client.post(url, {"user": "999999", "role": "interviewer"}).status_code == 404  # unknown: as a foreign one
    response = client.post(url, {"user": str(interviewer.pk), "role": "interviewer"})
    assert response.status_code == 302
    assert list(PositionAssignment.objects.values_list("user_id", "role")) == [(interviewer.pk, "interviewer")]


def test_permission_is_checked_before_the_input(org, interviewer, client):
    position = PositionFactory(organization=org)
    PositionAssignmentFactory(position=position, user=interviewer, role="interviewer")  # sees the position
    client.force_login(interviewer)
    assert client.post(f"/positions/{position.pk}/assign/", {"user": "abc"}).status_code == 403
    assert PositionAssignment.objects.count() == 1
