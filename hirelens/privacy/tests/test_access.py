"""Tenant isolation, roles, and candidates seeing only their own requests; the HR list's query count."""

from __future__ import annotations

import pytest
from django.test import Client

from hirelens.core.testing import assert_tenant_isolated
from hirelens.privacy import services
from hirelens.privacy.access import access_privacy_request, visible_requests
from hirelens.privacy.models import PrivacyRequest
from hirelens.privacy.selectors import privacy_request_list

from .factories import candidate_in

pytestmark = pytest.mark.django_db


def test_another_organization_sees_nothing(client, org, hr_admin, outsider):
    pr = services.privacy_request_create(candidate=candidate_in(org), kind="delete", actor=hr_admin)
    assert_tenant_isolated(outsider=outsider, objects=[pr], access=access_privacy_request, access_kwarg="privacy_request_id",
                           selectors=[visible_requests, privacy_request_list], client=client,
                           urls=[f"/privacy/requests/{pr.pk}/", f"/privacy/requests/{pr.pk}/progress/",
                                 f"/privacy/candidates/{pr.candidate_id}/new/"])


def test_the_panel_gets_404_and_a_refused_write_changes_nothing(client, org, hr_admin, interviewer):
    pr = services.privacy_request_create(candidate=candidate_in(org), kind="access", actor=hr_admin)
    client.force_login(interviewer)
    assert client.get(f"/privacy/requests/{pr.pk}/").status_code == 404
    assert client.post(f"/privacy/requests/{pr.pk}/refuse/", {"reason": "no"}).status_code == 404
    assert client.get("/privacy/requests/").status_code == 403
    assert PrivacyRequest.objects.get(pk=pr.pk).status == "open"


def test_a_candidate_sees_only_their_own_requests_in_the_portal(org, hr_admin):
    from hirelens.portal.services import portal_link_create

    mine, theirs = candidate_in(org, full_name="韩梅梅"), candidate_in(org, full_name="李雷")
    services.privacy_request_create(candidate=theirs, kind="delete", actor=hr_admin, details="李雷的秘密")
    _link, token = portal_link_create(actor=hr_admin, candidate=mine)
    client = Client()
    page = client.get(f"/privacy/portal/{token}/")
    assert page.status_code == 200 and "您还没有提出过请求。" in page.content.decode()
    response = client.post(f"/privacy/portal/{token}/", {"kind": "export", "details": "请导出全部资料"})
    assert response.status_code == 302
    pr = PrivacyRequest.objects.get(candidate=mine)
    assert (pr.kind, pr.by_candidate, pr.details, pr.language) == ("export", True, "请导出全部资料", "zh-hans")
    text = client.get(f"/privacy/portal/{token}/").content.decode()
    assert text.count('data-testid="rights-request"') == 1 and "李雷" not in text
    assert client.get("/privacy/portal/not-a-token/").status_code == 404


def test_hr_list_query_count_does_not_grow_with_rows(client, org, hr_admin, django_assert_max_num_queries):
    for i in range(30):
        pr = services.privacy_request_create(candidate=candidate_in(org, full_name=f"候选人{i:02d}"), kind="access", actor=hr_admin)
        if i % 3 == 0:
            services.privacy_request_start(actor=hr_admin, privacy_request=pr)
    client.force_login(hr_admin)
    with django_assert_max_num_queries(16):
        page = client.get("/privacy/requests/")
    assert page.status_code == 200 and page.content.decode().count('data-testid="request-row"') == 25
    found = client.get("/privacy/requests/", {"q": "候选人07"}).content.decode()
    assert found.count('data-testid="request-row"') == 1 and "候选人07" in found
    started = client.get("/privacy/requests/", {"status": "in_progress"}).content.decode()
    assert started.count('data-testid="request-row"') == 10
