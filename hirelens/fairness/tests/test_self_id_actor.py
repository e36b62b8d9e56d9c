"""The voluntary self-identification is the candidate's own act (issue 23 §5): the page passes the actor of the link it
was opened by — the portal's PortalActor or the AI interview link's LinkActor — and the audit log names that link."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from hirelens.core.models import AuditEvent
from hirelens.fairness import services
from hirelens.fairness.models import SelfIdentification
from hirelens.interviews.services import _hash
from hirelens.interviews.tests.factories import InterviewSessionFactory
from hirelens.workflows.tests.factories import make_application, make_position

pytestmark = pytest.mark.django_db


def entries():
    return list(AuditEvent.objects.filter(object_type="fairness.selfidentification").order_by("seq")
                .values_list("action", "actor_id", "actor_label"))


def test_answers_through_the_interview_link_are_audited_as_that_link(client, org):
    application = make_application(make_position(org, title="销售代表"), "高博文")
    session = InterviewSessionFactory(application=application, token_hash=_hash("interview-secret"))
    url = reverse("fairness:self_identify", args=["i", "interview-secret"])
    assert client.post(url, {"sex": "female", "race": "asian"}).status_code == 302
    assert client.post(url, {"action": "withdraw"}).status_code == 302
    label = f"link:interviews.session:{session.pk}"
    assert entries() == [("update", None, label), ("delete", None, label)]
    assert AuditEvent.objects.filter(actor_label=label).first().actor_text == "候选人本人（AI视频面试链接）"


def test_answers_through_the_portal_are_audited_as_the_portal_link(client, org, hr_admin):
    from hirelens.portal.services import portal_link_create

    application = make_application(make_position(org, title="销售代表"), "王芳")
    link, token = portal_link_create(actor=hr_admin, candidate=application.candidate)
    assert client.post(reverse("fairness:self_identify", args=["p", token]), {"sex": "male", "race": "white"}).status_code == 302
    assert entries() == [("update", None, f"portal:link:{link.pk}")]


def test_no_one_else_answers_for_the_candidate(org, hr_admin, portal_actor):
    position = make_position(org, title="销售代表")
    candidate, other = make_application(position, "李雷").candidate, make_application(position, "韩梅梅").candidate
    with pytest.raises(PermissionDenied):
        services.self_identification_save(actor=hr_admin, candidate=candidate, sex="male", race="asian")  # staff never
    with pytest.raises(PermissionDenied):
        services.self_identification_save(actor=portal_actor(other), candidate=candidate, sex="male", race="asian")
    services.self_identification_save(actor=portal_actor(candidate), candidate=candidate, sex="male", race="asian")
    with pytest.raises(PermissionDenied):
        services.self_identification_withdraw(actor=portal_actor(other), candidate=candidate)
    assert SelfIdentification.objects.filter(candidate=candidate).count() == 1 and len(entries()) == 1
