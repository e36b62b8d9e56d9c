"""Pages and access: tenants, roles, the blind rule over HTTP, PDF report."""

import pytest
from django.urls import reverse

from hirelens.accounts.tests.factories import UserFactory
from hirelens.core.models import AuditEvent
from hirelens.core.testing import assert_tenant_isolated
from hirelens.evaluations import services
from hirelens.evaluations.access import access_application_for_evaluation, access_scorecard
from hirelens.evaluations.models import Decision, Scorecard

from .factories import ratings

pytestmark = pytest.mark.django_db


def test_other_organization_sees_nothing(ev, interviewer, outsider, client):
    card = services.scorecard_submit(actor=interviewer, application=ev["application"], stage=ev["video"], ratings=ratings(8, 7, 6, 9))
    app = ev["application"]
    assert_tenant_isolated(outsider=outsider, objects=[card], access=access_scorecard, access_kwarg="scorecard_id")
    assert_tenant_isolated(outsider=outsider, objects=[app], access=access_application_for_evaluation, access_kwarg="application_id",
                           client=client, urls=[reverse("evaluations:application", args=[app.pk]),
                                                reverse("evaluations:report_pdf", args=[app.pk]),
                                                reverse("evaluations:scorecard", args=[app.pk, ev["video"].pk])])
    client.force_login(outsider)
    response = client.post(reverse("evaluations:decide", args=[app.pk]), {"outcome": "reject", "rationale": "跨组织操作尝试，应当失败"})
    assert response.status_code == 404 and not Decision.objects.exists()
    response = client.post(reverse("evaluations:amend", args=[card.pk]), {"dimension": "沟通能力", "score": 1, "reason": "x", "why": "y"})
    assert response.status_code == 404 and card.ratings.get(dimension="沟通能力").score == 8


def test_unassigned_interviewer_gets_404(ev, org, client):
    stranger = UserFactory(organization=org, role="interviewer", email="stranger@example.com")
    client.force_login(stranger)
    app = ev["application"]
    for url in (reverse("evaluations:application", args=[app.pk]), reverse("evaluations:scorecard", args=[app.pk, ev["video"].pk])):
        assert client.get(url).status_code == 404
    response = client.post(reverse("evaluations:scorecard", args=[app.pk, ev["video"].pk]), {"action": "submit"})
    assert response.status_code == 404 and not Scorecard.objects.exists()


def test_submit_through_the_page_then_see_profile(ev, interviewer, client):
    client.force_login(interviewer)
    app, stage = ev["application"], ev["video"]
    url = reverse("evaluations:scorecard", args=[app.pk, stage.pk])
    assert client.get(url).status_code == 200
    form = {"action": "submit", "score_0": "8", "reason_0": "表达清楚", "score_1": "11", "reason_1": "x",
            "score_2": "6", "reason_2": "一般", "score_3": "9", "reason_3": "学得快"}
    response = client.post(url, form)
    assert response.status_code == 400 and "1 到 10" in response.content.decode()
    assert not Scorecard.objects.filter(status="submitted").exists()
    form["score_1"] = "7"
    response = client.post(url, form)
    assert response.status_code == 302
    page = client.get(reverse("evaluations:application", args=[app.pk])).content.decode()
    assert "沟通能力强 (8)" in page and 'data-testid="profile-chart"' in page
    assert AuditEvent.objects.filter(action="read", object_type="candidates.candidate", object_id=str(app.candidate_id)).exists()


def test_blind_rule_over_http(ev, interviewer, client):
    services.scorecard_submit(actor=ev["second"], application=ev["application"], stage=ev["video"],
                              ratings=ratings(3, 3, 3, 3, reason="其他面试官的秘密理由"))
    client.force_login(interviewer)
    page = client.get(reverse("evaluations:application", args=[ev["application"].pk])).content.decode()
    assert "其他面试官的秘密理由" not in page and 'data-testid="blind-note"' in page
    services.scorecard_submit(actor=interviewer, application=ev["application"], stage=ev["video"], ratings=ratings(8, 8, 8, 8))
    page = client.get(reverse("evaluations:application", args=[ev["application"].pk])).content.decode()
    assert "其他面试官的秘密理由" in page


def test_interviewer_cannot_decide_over_http(ev, interviewer, client):
    client.force_login(interviewer)
    response = client.post(reverse("evaluations:decide", args=[ev["application"].pk]),
                           {"outcome": "reject", "rationale": "专业技能明显不足，无法胜任"})
    assert response.status_code == 403 and not Decision.objects.exists()


def test_pdf_report(ev, interviewer, hiring_manager, client):
    from io import BytesIO

    from pypdf import PdfReader

    services.scorecard_submit(actor=interviewer, application=ev["application"], stage=ev["video"], ratings=ratings(8, 7, 6, 9))
    client.force_login(hiring_manager)
    response = client.get(reverse("evaluations:report_pdf", args=[ev["application"].pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    reader = PdfReader(BytesIO(response.content))
    assert len(reader.pages) >= 1
    fonts = {str(f.get_object()["/BaseFont"]) for f in reader.pages[0]["/Resources"]["/Font"].values()}
    assert any("STSong-Light" in f for f in fonts)
    assert AuditEvent.objects.filter(action="export", object_type="candidates.candidate").exists()


def test_position_settings_page_roles(ev, hr_admin, interviewer, client):
    url = reverse("evaluations:position_settings", args=[ev["position"].pk])
    client.force_login(interviewer)
    assert client.get(url).status_code == 403
    client.force_login(hr_admin)
    response = client.post(url, {"scale_min": 1, "scale_max": 5, "shareable": ["沟通能力"]})
    assert response.status_code == 302
    response = client.post(url, {"action": "fit", "label": "销售", "conditions": "沟通能力=8\n团队协作=7"})
    from hirelens.evaluations.models import FitRule

    assert FitRule.objects.get().conditions == {"沟通能力": 8.0, "团队协作": 7.0}
