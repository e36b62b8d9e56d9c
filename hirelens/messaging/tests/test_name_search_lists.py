"""Every list that names people finds them by name (issue 16 §1): the outbox, the reminders, the help desk and
the evaluations list take the same keyed name search as the candidate list — characters, pinyin, initials or a
Latin prefix — and show only the rows about the people found."""

from datetime import timedelta

import pytest
from django.utils import timezone

from hirelens.candidates.services import candidate_create
from hirelens.messaging.services import message_send
from hirelens.messaging.services.helpdesk import ticket_open_web
from hirelens.messaging.services.reminders import reminders_plan

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(hr_admin):
    org = hr_admin.organization_id
    found = {}
    for name in ("周雨桐", "张伟", "Zoe Zhou"):
        candidate = candidate_create(actor=hr_admin, full_name=name, email=f"{abs(hash(name))}@example.com", allow_duplicate=True)
        message_send(organization_id=org, kind="invitation", candidate=candidate, enqueue=False,
                     variables={"position": "后端工程师", "starts_at": timezone.now().isoformat(), "time_zone": "Asia/Shanghai"})
        reminders_plan(organization_id=org, subject_type="scheduling.interview", subject_id=candidate.pk,
                       starts_at=timezone.now() + timedelta(days=3), candidate_id=candidate.pk)
        ticket_open_web(organization_id=org, body=f"{name} 的摄像头打不开", candidate=candidate)
        found[name] = candidate
    return found


@pytest.mark.parametrize("path", ["/messaging/", "/messaging/reminders/", "/messaging/helpdesk/"])
@pytest.mark.parametrize(("query", "expected"), [("zyt", {"周雨桐"}), ("zhou", {"周雨桐", "Zoe Zhou"}), ("伟", {"张伟"}),
                                                 ("Zo", {"Zoe Zhou"}), ("", {"周雨桐", "张伟", "Zoe Zhou"})])
def test_messaging_lists_find_people_by_name(people, hr_admin, client, path, query, expected):
    client.force_login(hr_admin)
    page = client.get(path, {"q": query}).content.decode()
    assert {name for name in people if name in page} == expected
    assert 'data-testid="name-search"' in page


def test_the_evaluations_list_finds_people_by_name(hr_admin, interviewer, hiring_manager, org, client):
    from hirelens.evaluations.tests.factories import build

    build(org, hr_admin, interviewer, hiring_manager, name="周雨桐")
    build(org, hr_admin, interviewer, hiring_manager, title="产品经理", name="张伟")
    from hirelens.candidates.models import Candidate
    from hirelens.candidates.services.records import candidate_reindex

    for candidate in Candidate.objects.all():  # the factory writes rows directly; the services index them
        candidate_reindex(candidate=candidate)
    client.force_login(hr_admin)
    page = client.get("/evaluations/", {"q": "zw"}).content.decode()
    assert "张伟" in page and "周雨桐" not in page
    page = client.get("/evaluations/").content.decode()
    assert "张伟" in page and "周雨桐" in page
