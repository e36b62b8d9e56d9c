import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from hirelens.core.access import require_perm
from hirelens.core.models import AuditEvent
from hirelens.core.roles import Perm, user_can
from hirelens.core.testing import assert_tenant_isolated
from hirelens.positions.access import access_position
from hirelens.positions.models import PositionAssignment
from hirelens.positions.selectors import position_list
from hirelens.positions.services import position_assign
from hirelens.positions.tests.factories import PositionAssignmentFactory, PositionFactory


@pytest.fixture
def positions(org):
    return PositionFactory.create_batch(3, organization=org)


def test_other_organization_sees_nothing(positions, outsider, client):
    assert_tenant_isolated(
        outsider=outsider, objects=positions, access=access_position, access_kwarg="position_id",
        selectors=[position_list], client=client, urls=[f"/positions/{p.pk}/" for p in positions],
    )


def test_interviewer_sees_only_assigned_positions(positions, interviewer, client):
    PositionAssignmentFactory(position=positions[0], user=interviewer, role="interviewer")
    assert [p.pk for p in position_list(actor=interviewer)] == [positions[0].pk]
    assert access_position(actor=interviewer, position_id=positions[0].pk) == positions[0]
    with pytest.raises(Http404):
        access_position(actor=interviewer, position_id=positions[1].pk)
    client.force_login(interviewer)
    assert client.get(f"/positions/{positions[1].pk}/").status_code == 404


def test_missing_and_malformed_ids_are_404(hr_admin):
    for bad in (999999, "abc", None):
        with pytest.raises(Http404):
            access_position(actor=hr_admin, position_id=bad)


def test_recruiter_assigns_and_interviewer_cannot(positions, recruiter, interviewer, client):
    client.force_login(recruiter)
    response = client.post(f"/positions/{positions[0].pk}/assign/", {"user": interviewer.pk, "role": "interviewer"})
    assert response.status_code == 302
    assert PositionAssignment.objects.filter(position=positions[0], user=interviewer).count() == 1
    assert AuditEvent.objects.filter(object_type="positions.position", fields=["assignment:interviewer"]).exists()
    client.force_login(interviewer)
    response = client.post(f"/positions/{positions[0].pk}/assign/", {"user": interviewer.pk, "role": "hiring_manager"})
    assert response.status_code == 403
    assert PositionAssignment.objects.filter(position=positions[0]).count() == 1  # nothing changed


def test_cannot_assign_a_member_of_another_organization(positions, hr_admin, outsider, client):
    with pytest.raises(ValidationError):
        position_assign(actor=hr_admin, position=positions[0], user=outsider, role="interviewer")
    client.force_login(hr_admin)
    response = client.post(f"/positions/{positions[0].pk}/assign/", {"user": outsider.pk, "role": "interviewer"})
    assert response.status_code == 404
    assert not PositionAssignment.objects.exists()


@pytest.mark.parametrize(
    ("role", "allowed"),
    [("hr_admin", {Perm.USERS_MANAGE, Perm.AUDIT_VIEW, Perm.POSITIONS_MANAGE}),
     ("recruiter", {Perm.POSITIONS_MANAGE, Perm.CANDIDATES_MANAGE}),
     ("interviewer", {Perm.EVALUATIONS_SCORE, Perm.CANDIDATES_VIEW_ASSIGNED}),
     ("hiring_manager", {Perm.DECISIONS_RECORD, Perm.EVALUATIONS_SCORE})],
)
def test_role_permissions(role, allowed, request):
    user = request.getfixturevalue(role)
    for perm in allowed:
        assert user_can(user, perm)
    if role != "hr_admin":
        assert not user_can(user, Perm.USERS_MANAGE) and not user_can(user, Perm.AUDIT_VIEW)
    if role in {"interviewer", "hiring_manager"}:
        assert not user_can(user, Perm.CANDIDATES_VIEW_ALL)
    if role != "hr_admin":
        with pytest.raises(PermissionDenied):
            require_perm(user, Perm.USERS_MANAGE)


def test_recruiter_creates_and_edits_a_position_interviewer_cannot(recruiter, interviewer, client):
    from hirelens.positions.models import Position

    data = {"title": "大客户经理", "department": "销售部", "location": "上海", "time_zone": "Asia/Shanghai", "status": "open",
            "keywords": "客户, 团队协作", "scorecard_dimensions": "沟通能力, 专业技能, 团队协作, 学习能力, 抗压能力",
            "description": "负责华东区大客户"}
    client.force_login(interviewer)
    assert client.post("/positions/new/", data).status_code == 403
    assert not Position.objects.exists()
    client.force_login(recruiter)
    response = client.post("/positions/new/", data)
    position = Position.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/positions/{position.pk}/"
    assert (position.keywords, position.scorecard_dimensions[-1], position.organization_id) == (
        ["客户", "团队协作"], "抗压能力", recruiter.organization_id)
    page = client.get(f"/positions/{position.pk}/").content.decode()
    assert "抗压能力" in page and f"/processes/position/{position.pk}/" in page
    client.force_login(interviewer)
    assert client.post(f"/positions/{position.pk}/edit/", {**data, "title": "改名"}).status_code == 404  # not assigned
    position.refresh_from_db()
    assert position.title == "大客户经理"
