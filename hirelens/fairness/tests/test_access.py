"""Who sees the bias audit and the records: HR admins of the organization only; evaluators are refused everything;
another organization gets 404; candidates reach only their own self-identification, by their link."""

from __future__ import annotations

import json
from datetime import date

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from hirelens.core.testing import assert_tenant_isolated
from hirelens.fairness import services
from hirelens.fairness.access import access_audit, access_pia_version
from hirelens.fairness.models import FairnessAudit, PIAVersion, SelfIdentification
from hirelens.fairness.selectors import audit_list, fairness_report, pia_version_list

from .factories import fairness_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def saved(org, hr_admin):
    world = fairness_world(org, hr_admin)
    report = fairness_report(actor=hr_admin, position=world["position"], stage=world["stage"].key)
    audit = services.audit_create(actor=hr_admin, report=report, stage_label="AI视频面试",
                                  distribution_date=date(2026, 3, 1), data_source="HireLens")
    services.audit_publish(actor=hr_admin, audit=audit)
    return world | {"audit": audit, "pia": services.pia_version_create(actor=hr_admin)}


def staff_urls(saved) -> list[str]:
    a, v = saved["audit"].pk, saved["pia"].pk
    return [reverse("fairness:report") + f"?position={saved['position'].pk}", reverse("fairness:audit", args=[a]),
            reverse("fairness:audit_pdf", args=[a]), reverse("fairness:records"), reverse("fairness:record", args=[v]),
            reverse("fairness:record_pdf", args=[v])]


@pytest.mark.parametrize("role", ["interviewer", "hiring_manager", "recruiter"])
def test_evaluators_and_recruiters_get_403_on_every_page_and_action(client, saved, role, request):
    user = request.getfixturevalue(role)
    user.full_name = "评估人员"
    client.force_login(user)
    for url in staff_urls(saved):
        assert client.get(url).status_code == 403, url
    before = (FairnessAudit.objects.get().published_at, PIAVersion.objects.count())
    for url in (reverse("fairness:audit_unpublish", args=[saved["audit"].pk]), reverse("fairness:records"),
                reverse("fairness:record_delete", args=[saved["pia"].pk]), reverse("fairness:audit_create")):
        assert client.post(url, {"position": saved["position"].pk, "stage": saved["stage"].key, "data_source": "x"}).status_code == 403
    assert (FairnessAudit.objects.get().published_at, PIAVersion.objects.count()) == before  # nothing changed
    for selector in (audit_list, pia_version_list):
        with pytest.raises(PermissionDenied):
            selector(actor=user)
    with pytest.raises(PermissionDenied):
        fairness_report(actor=user, position=saved["position"], stage=saved["stage"].key)
    # and the navigation does not offer it
    assert reverse("fairness:report") not in client.get("/").content.decode()


def test_tenant_isolation(client, saved, outsider):
    assert_tenant_isolated(outsider=outsider, objects=[saved["audit"]], access=access_audit, access_kwarg="audit_id",
                           selectors=[audit_list], client=client, urls=staff_urls(saved)[1:3])
    assert_tenant_isolated(outsider=outsider, objects=[saved["pia"]], access=access_pia_version, access_kwarg="version_id",
                           selectors=[pia_version_list], client=client, urls=staff_urls(saved)[4:])
    # the report of another organization's position: the same 404
    assert client.get(staff_urls(saved)[0]).status_code == 404
    assert client.post(reverse("fairness:audit_unpublish", args=[saved["audit"].pk])).status_code == 404
    assert FairnessAudit.objects.get().is_published


def test_no_staff_page_shows_one_persons_answers(client, saved, hr_admin):
    """Aggregates only: the report, the audit and the public summary name nobody."""
    client.force_login(hr_admin)
    for url in staff_urls(saved):
        body = client.get(url).content
        assert "候选人0".encode() not in body and "等待中".encode() not in body


def test_self_identification_is_stored_encrypted_and_only_by_the_candidates_link(client, org, hr_admin):
    from django.db import connection

    from hirelens.portal.services import portal_link_create
    from hirelens.workflows.tests.factories import make_application, make_position

    application = make_application(make_position(org, title="销售代表"), "王芳")
    _link, token = portal_link_create(actor=hr_admin, candidate=application.candidate)
    url = reverse("fairness:self_identify", args=["p", token])
    page = client.get(url)
    assert page.status_code == 200 and "完全自愿" in page.content.decode()
    client.post(url, {"sex": "female", "race": "asian"})
    record = SelfIdentification.objects.get(candidate=application.candidate)
    assert json.loads(record.answers) == {"sex": "female", "race": "asian"}
    with connection.cursor() as cursor:
        cursor.execute("SELECT answers FROM fairness_selfidentification")
        raw = cursor.fetchone()[0]
    assert raw.startswith("hl1:") and "asian" not in raw and "female" not in raw
    assert client.post(url, {"sex": "robot"}).status_code == 302 and json.loads(
        SelfIdentification.objects.get().answers)["sex"] == "female"  # a value outside the list is refused
    client.post(url, {"action": "withdraw"})
    assert not SelfIdentification.objects.exists()
    for bad in (reverse("fairness:self_identify", args=["p", "forged"]), reverse("fairness:self_identify", args=["x", token]),
                reverse("fairness:self_identify", args=["i", "forged"])):
        assert client.get(bad).status_code == 404


def test_the_ai_interviews_link_opens_the_page_for_its_candidate(client, org):
    from hirelens.interviews.services import _hash
    from hirelens.interviews.tests.factories import InterviewSessionFactory
    from hirelens.workflows.tests.factories import make_application, make_position

    application = make_application(make_position(org, title="销售代表"), "高博文")
    InterviewSessionFactory(application=application, token_hash=_hash("interview-secret"))
    url = reverse("fairness:self_identify", args=["i", "interview-secret"])
    page = client.get(url).content.decode()
    assert reverse("interviews:candidate", args=["interview-secret"]) in page  # back to the interview's page
    client.post(url, {"sex": "decline", "race": "black"})
    assert json.loads(SelfIdentification.objects.get(candidate=application.candidate).answers) == {"sex": "decline", "race": "black"}
