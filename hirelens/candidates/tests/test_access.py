import pytest
from django.http import Http404

from hirelens.candidates.access import access_candidate
from hirelens.candidates.selectors import candidate_list
from hirelens.candidates.services import candidate_create
from hirelens.candidates.tests.factories import ApplicationFactory
from hirelens.core.models import AuditEvent
from hirelens.core.testing import assert_tenant_isolated
from hirelens.positions.tests.factories import PositionAssignmentFactory


@pytest.fixture
def applications(org):
    return ApplicationFactory.create_batch(2, candidate__organization=org)


def test_other_organization_sees_nothing(applications, outsider, client):
    candidates = [a.candidate for a in applications]
    assert_tenant_isolated(
        outsider=outsider, objects=candidates, access=access_candidate, access_kwarg="candidate_id",
        selectors=[candidate_list], client=client,
        urls=[f"/candidates/{c.pk}/" for c in candidates] + [f"/candidates/{c.pk}/resume/" for c in candidates],
    )
    assert not AuditEvent.objects.filter(action="read").exists()  # a refused read is not a read


def test_interviewer_sees_only_candidates_of_assigned_positions(applications, interviewer, hiring_manager, client):
    PositionAssignmentFactory(position=applications[0].position, user=interviewer, role="interviewer")
    assert list(candidate_list(actor=interviewer)) == [applications[0].candidate]
    assert list(candidate_list(actor=hiring_manager)) == []
    with pytest.raises(Http404):
        access_candidate(actor=interviewer, candidate_id=applications[1].candidate.pk)
    client.force_login(interviewer)
    assert client.get(f"/candidates/{applications[0].candidate.pk}/").status_code == 200
    assert client.get(f"/candidates/{applications[1].candidate.pk}/").status_code == 404


def test_the_visible_count_is_the_visible_lists_length(applications, org, interviewer, hiring_manager, hr_admin, outsider):
    from hirelens.candidates.access import visible_candidate_count, visible_candidates

    PositionAssignmentFactory(position=applications[0].position, user=interviewer, role="interviewer")
    PositionAssignmentFactory(position=applications[1].position, user=interviewer, role="interviewer")
    ApplicationFactory(candidate=applications[0].candidate, position=applications[1].position)  # one person, two positions
    ApplicationFactory(candidate__organization=org)  # a position he is not on
    counts = {user.email: visible_candidate_count(actor=user) for user in (interviewer, hiring_manager, hr_admin, outsider)}
    assert counts == {user.email: visible_candidates(actor=user).count() for user in (interviewer, hiring_manager, hr_admin, outsider)}
    assert (counts[interviewer.email], counts[hiring_manager.email], counts[hr_admin.email], counts[outsider.email]) == (2, 0, 3, 0)


def test_lookup_by_contact_uses_blind_index(hr_admin, applications):
    candidate = applications[0].candidate
    assert list(candidate_list(actor=hr_admin, contact=candidate.email.upper())) == [candidate]
    assert list(candidate_list(actor=hr_admin, contact="+86 " + candidate.phone)) == [candidate]
    assert list(candidate_list(actor=hr_admin, contact="00000000000")) == []


def _full_width(text: str) -> str:
    return "".join(chr(ord(ch) + 0xFEE0) if "!" <= ch <= "~" else ch for ch in text)


def test_contact_typed_on_a_chinese_keyboard_finds_the_record(hr_admin, applications, client):
    """Full-width letters, digits and "＠" (a Chinese input method's default) find the same record by its blind index,
    in the selector and in the list page's search box; other scripts' digits are never taken for a phone number."""
    candidate = applications[0].candidate
    assert list(candidate_list(actor=hr_admin, contact=_full_width(candidate.email.upper()))) == [candidate]
    assert list(candidate_list(actor=hr_admin, contact=_full_width(candidate.phone))) == [candidate]
    arabic_indic = "".join(chr(0x0660 + int(d)) for d in candidate.phone if d.isdigit())
    assert list(candidate_list(actor=hr_admin, contact=arabic_indic)) != [candidate]
    client.force_login(hr_admin)
    page = client.get("/candidates/", {"q": _full_width(candidate.email)}).content.decode()
    assert candidate.full_name in page
    assert applications[1].candidate.full_name not in page


def test_duplicate_contact_is_refused_and_nothing_written(hr_admin, applications):
    from django.core.exceptions import ValidationError

    from hirelens.candidates.models import Candidate

    before = Candidate.objects.count(), AuditEvent.objects.count()
    with pytest.raises(ValidationError):
        candidate_create(actor=hr_admin, full_name="重复", phone=applications[0].candidate.phone)
    assert (Candidate.objects.count(), AuditEvent.objects.count()) == before


def test_interviewer_cannot_create_candidates(interviewer):
    from django.core.exceptions import PermissionDenied

    from hirelens.candidates.models import Candidate

    with pytest.raises(PermissionDenied):
        candidate_create(actor=interviewer, full_name="x")
    assert not Candidate.objects.exists()
