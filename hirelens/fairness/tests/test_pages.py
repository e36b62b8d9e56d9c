"""The fairness report, audits and records through the HTTP pages, with hand-computed figures."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from .factories import fairness_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(org, hr_admin):
    return fairness_world(org, hr_admin)


def rows(html: str, table: str) -> dict[str, str]:
    """{category key: impact ratio text} of one table of the page."""
    part = html.split(f'data-testid="table-{table}"', 1)[1].split("</table>", 1)[0]
    return dict(re.findall(r'data-key="([^"]+)" data-ratio="([^"]+)"', part))


def test_report_page_matches_the_hand_computed_figures(client, hr_admin, world, django_assert_max_num_queries):
    client.force_login(hr_admin)
    url = reverse("fairness:report") + f"?position={world['position'].pk}&stage={world['stage'].key}"
    with django_assert_max_num_queries(30):
        response = client.get(url)
    html = response.content.decode()
    assert response.status_code == 200
    sex = rows(html, "selection-sex")
    assert sex == {"male": "1.000", "female": "0.500"}
    assert rows(html, "selection-intersection") == {"male|white": "1.000", "female|asian": "0.500"}
    assert rows(html, "scoring-sex") == {"male": "1.000", "female": "0.429"}
    assert 'data-testid="flag-count"' in html and "60.0%" in html and "30.0%" in html
    assert "0.575" in html  # the median score
    assert 'data-testid="small-sample"' in html and "Fisher" in html
    counts = html.split('data-testid="summary-counts">', 1)[1].split("</p>", 1)[0]
    # 23 decided (10 + 10 + 3 unknown); 1 waiting, 1 withdrew
    assert "23" in counts and "1 人、" in counts
    unknown = html.split('data-testid="table-selection-sex"', 1)[1].split('data-testid="unknown-row"', 1)[1].split("</tr>", 1)[0]
    assert re.findall(r">(\d+)</td>", unknown)[:2] == ["3", "2"]


def test_the_report_costs_the_same_number_of_queries_for_more_candidates(client, org, hr_admin, world, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(hr_admin)
    url = reverse("fairness:report") + f"?position={world['position'].pk}&stage={world['stage'].key}"
    client.get(url)
    with CaptureQueriesContext(connection) as before:
        client.get(url)
    fairness_world(org, hr_admin, title="另一个职位")  # more candidates in the organization, none on this position
    from hirelens.workflows import services as wf
    from hirelens.workflows.tests.factories import make_application

    for i in range(5):  # five more on this one
        application = make_application(world["position"], f"新候选人{i}")
        progress = wf.pipeline_start(actor=hr_admin, application=application)
        wf.pipeline_advance(actor=hr_admin, progress=progress, reason="好")
    with django_assert_num_queries(len(before.captured_queries)):
        client.get(url)


def test_ai_assisted_stages_and_the_two_percent_exclusion(client, hr_admin, world):
    client.force_login(hr_admin)
    base = reverse("fairness:report") + f"?position={world['position'].pk}&stage=ai"
    html = client.get(base).content.decode()
    # the sales process's AI stages: the AI video interview (where everyone was decided) and the live interview, which
    # nobody has reached yet: the same figures
    assert rows(html, "selection-sex") == {"male": "1.000", "female": "0.500"}
    html = client.get(base + "&exclude_small=1").content.decode()
    assert 'data-testid="exclusion-note"' not in html  # 10 of 20 each: nobody under 2 % (empty categories are not excluded)


def test_save_publish_unpublish_and_export(client, hr_admin, world):
    import io

    from pypdf import PdfReader

    client.force_login(hr_admin)
    response = client.post(reverse("fairness:audit_create"), {
        "position": world["position"].pk, "stage": world["stage"].key, "distribution_date": "2026-03-01",
        "data_source": "本公司 2026 年第一季度的招聘数据"})
    assert response.status_code == 302
    audit_url = response["Location"]
    html = client.get(audit_url).content.decode()
    assert "2026-03-01" in html and "本公司 2026 年第一季度的招聘数据" in html
    assert timezone.localdate().isoformat() in html  # the audit date
    pdf = client.get(audit_url + "pdf/")
    assert pdf["Content-Type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "0.500" in text and "2026-03-01" in text
    exported = client.get(audit_url + "?download=html")
    assert exported["Content-Disposition"].endswith('.html"') and b"0.500" in exported.content
    client.post(audit_url + "publish/")
    public_url = re.search(r'data-testid="public-url">([^<]+)<', client.get(audit_url).content.decode()).group(1)
    client.logout()
    public = client.get(public_url)
    assert public.status_code == 200 and b"0.500" in public.content and "候选人00".encode() not in public.content
    assert client.get(public_url + "?format=pdf")["Content-Type"] == "application/pdf"
    client.force_login(hr_admin)
    client.post(audit_url + "unpublish/")
    client.logout()
    assert client.get(public_url).status_code == 404


def test_records_are_versioned_exported_and_kept_three_years(client, org, hr_admin):
    from hirelens.fairness.models import PIAVersion

    client.force_login(hr_admin)
    page = client.get(reverse("fairness:records")).content.decode()
    assert "至少保存 3 年" in page and "faster-whisper" in page
    first = client.post(reverse("fairness:records"), {"note": "首次评估"})
    org.facial_analysis_enabled = not org.facial_analysis_enabled
    org.save()
    second = client.post(reverse("fairness:records"), {"note": "改了面部分析设置"})
    v1, v2 = PIAVersion.objects.order_by("number")
    assert (v1.number, v2.number) == (1, 2) and v1.content != v2.content  # each save a new version, the old one kept
    assert first["Location"].endswith(f"/fairness/records/{v1.pk}/") and second["Location"].endswith(f"/{v2.pk}/")
    assert (v1.keep_until - v1.created_at) >= timedelta(days=3 * 365)
    assert client.get(reverse("fairness:record_pdf", args=[v1.pk]))["Content-Type"] == "application/pdf"
    # saved by a Chinese reader, the same version reads in English for an English one
    client.cookies["django_language"] = "en"
    english = client.get(reverse("fairness:record", args=[v1.pk])).content.decode()
    assert "What personal information is processed" in english and "处理哪些个人信息" not in english
    del client.cookies["django_language"]
    assert b"<!doctype html>" in client.get(reverse("fairness:record", args=[v1.pk]) + "?download=html").content
    refused = client.post(reverse("fairness:record_delete", args=[v1.pk]), follow=True)
    assert "之前不能删除" in refused.content.decode() and PIAVersion.objects.count() == 2
    with pytest.raises(ValidationError):
        v1.delete()
    PIAVersion.objects.filter(pk=v1.pk).update(keep_until=timezone.now() - timedelta(days=1))  # three years on
    client.post(reverse("fairness:record_delete", args=[v1.pk]))
    assert list(PIAVersion.objects.values_list("number", flat=True)) == [2]


def test_no_scoring_or_evaluation_module_reads_self_identification():
    """S1/S6: the answers are never used by a score: nothing that measures, scores, ranks or decides imports the
    fairness app or names the self-identification."""
    root = Path(__file__).resolve().parents[3]
    scoring = [root / "analysis", *(root / "hirelens" / app for app in ("evaluations", "interviews", "live", "workflows",
                                                                        "analytics", "candidates", "feedback"))]
    pattern = re.compile(r"hirelens\.fairness|from \.\.?fairness|self_identification|SelfIdentification")
    offenders = [str(p.relative_to(root)) for base in scoring for p in base.rglob("*.py")
                 if "tests" not in p.parts and pattern.search(p.read_text(encoding="utf-8"))]
    assert offenders == []
    scanned = sum(1 for base in scoring for _ in base.rglob("*.py"))
    assert scanned > 50


def test_scoring_rate_from_submitted_scorecards(org, hr_admin, interviewer, hiring_manager):
    """A stage scored by scorecards (no stage result): each person's score is the mean of the submitted ratings as a
    fraction of the scale. Four people rated 9, 8, 5, 4 on every dimension (of 10): median (0.8 + 0.5) / 2 = 0.65;
    above it the two men (0.9, 0.8), not the two women -> women's scoring rate 0, impact ratio 0.0, flagged."""
    from hirelens.evaluations import services as evaluations
    from hirelens.evaluations.tests.factories import build, ratings
    from hirelens.fairness import services as fairness
    from hirelens.fairness.selectors import fairness_report
    from hirelens.portal.testing import portal_actor_for
    from hirelens.workflows import services as wf
    from hirelens.workflows.tests.factories import make_application

    ev = build(org, hr_admin, interviewer, hiring_manager, name="甲")
    people = [(ev["application"], "male", 9), (make_application(ev["position"], "乙"), "male", 8),
              (make_application(ev["position"], "丙"), "female", 5), (make_application(ev["position"], "丁"), "female", 4)]
    for application, sex, score in people:
        if application.pk != ev["application"].pk:
            wf.pipeline_start(actor=hr_admin, application=application)
        fairness.self_identification_save(actor=portal_actor_for(application.candidate), candidate=application.candidate,
                                          sex=sex, race="asian")
        evaluations.scorecard_submit(actor=interviewer, application=application, stage=ev["video"],
                                     ratings=ratings(score, score, score, score), recommendation="hire")
    report = fairness_report(actor=hr_admin, position=ev["position"], stage=ev["video"].key)
    assert report["scoring"]["median"] == pytest.approx(0.65) and report["scoring"]["n"] == 4
    sex = {r["key"]: r for r in report["scoring"]["sex"]["rows"]}
    assert (sex["male"]["n"], sex["male"]["selected"], sex["male"]["impact_ratio"]) == (2, 2, 1.0)
    assert (sex["female"]["n"], sex["female"]["selected"], sex["female"]["impact_ratio"], sex["female"]["flagged"]) == (2, 0, 0.0, True)
    assert report["pending"] == 4 and report["assessed"] == 0  # all still waiting on the stage: no selection rate yet


def test_the_assessment_states_the_retention_limits_that_apply(client, org, hr_admin):
    """The purge applies the product's defaults when HR never saved a limit: the assessment says so, not "kept until
    deleted"; a jurisdiction's own row comes after the organization's default, by name."""
    from hirelens.core.models import RetentionPolicy
    from hirelens.privacy.retention import DEFAULTS

    client.force_login(hr_admin)
    page = client.get(reverse("fairness:records")).content.decode()
    assert "未设置保留期限" not in page
    assert f"默认：未录用候选人的数据 {DEFAULTS['candidates_days']} 天，录像 {DEFAULTS['recordings_days']} 天" in page
    RetentionPolicy.objects.create(organization=org, jurisdiction="us_nyc", candidates_days=400, recordings_days=30,
                                   analyses_days=30)
    page = client.get(reverse("fairness:records")).content.decode()
    nyc = RetentionPolicy(jurisdiction="us_nyc").get_jurisdiction_display()
    assert f"默认：未录用候选人的数据 {DEFAULTS['candidates_days']} 天" in page and f"{nyc}：未录用候选人的数据 400 天，录像 30 天" in page
    assert page.index("默认：未录用") < page.index(f"{nyc}：未录用")


def _add_people(position, hr, people) -> None:
    """More decided applications at the first stage: (sex, race, advanced?)."""
    from hirelens.fairness import services as fairness
    from hirelens.portal.testing import portal_actor_for
    from hirelens.workflows import services as wf
    from hirelens.workflows.tests.factories import make_application

    for index, (sex, race, advanced) in enumerate(people):
        application = make_application(position, f"补充{index:02d}")
        fairness.self_identification_save(actor=portal_actor_for(application.candidate), candidate=application.candidate,
                                          sex=sex, race=race)
        progress = wf.pipeline_start(actor=hr, application=application)
        if advanced:
            wf.pipeline_advance(actor=hr, progress=progress, reason="表现良好")
        else:
            wf.pipeline_reject(actor=hr, progress=progress, reason="未达到要求")


def test_an_excluded_category_is_named_with_its_share_and_the_audit_keeps_the_reason(client, hr_admin, world):
    # NYC DCWP rules § 5-301(d): a category under 2 % of the data may be left out of the impact ratios; the summary then
    # gives the auditor's justification and the category's number of applicants and rate.
    # 31 more White men (all advanced) and one Black woman (advanced): race table White 41, Asian 10, Black 1 of 52;
    # 1 / 52 = 1.9 % < 2 % -> Black or African American is excluded (it would otherwise be the reference: 1/1 = 100 %).
    _add_people(world["position"], hr_admin, [("male", "white", True)] * 31 + [("female", "black", True)])
    client.force_login(hr_admin)
    query = f"?position={world['position'].pk}&stage={world['stage'].key}&exclude_small=1"
    html = client.get(reverse("fairness:report") + query).content.decode()
    race = html.split('data-testid="table-selection-race"', 1)[1].split('data-testid="table-selection-intersection"', 1)[0]
    note = race.split('data-testid="exclusion-note">', 1)[1].split("</p>", 1)[0]
    assert "黑人或非裔美国人（1 人，占 1.9%）" in note
    black = race.split('data-key="black"', 1)[1].split("</tr>", 1)[0]
    assert 'data-testid="excluded"' in black and ">1</td>" in black and "100.0%" in black  # its applicants and rate
    assert rows(html, "selection-race")["white"] == "1.000"  # 37/41 is the reference, not Black's 1/1
    assert 'data-testid="exclusion-justification"' in html  # the audit form asks for the reason
    form = {"position": world["position"].pk, "stage": world["stage"].key, "exclude_small": "1",
            "distribution_date": "2026-03-01", "data_source": "本公司 2026 年第一季度的招聘数据"}
    from hirelens.fairness.models import FairnessAudit

    response = client.post(reverse("fairness:audit_create"), form | {"exclusion_justification": "  "})
    assert response.status_code == 302 and not FairnessAudit.objects.exists()
    assert "请写明排除的理由" in client.get(response["Location"]).content.decode()
    reason = "该类别只有 1 人（占 1.9%），比率由一个人的结果决定。"
    audit_url = client.post(reverse("fairness:audit_create"), form | {"exclusion_justification": reason})["Location"]
    assert FairnessAudit.objects.get().exclusion_justification == reason
    page = client.get(audit_url).content.decode()
    assert f'data-testid="exclusion-justification">{reason}</dd>' in page and "黑人或非裔美国人（1 人，占 1.9%）" in page
    client.post(audit_url + "publish/")
    public_url = re.search(r'data-testid="public-url">([^<]+)<', client.get(audit_url).content.decode()).group(1)
    client.logout()
    public = client.get(public_url).content.decode()
    assert reason in public and "黑人或非裔美国人（1 人，占 1.9%）" in public


def test_a_report_without_an_excluded_category_needs_no_reason_and_keeps_none(client, hr_admin, world):
    client.force_login(hr_admin)
    html = client.get(reverse("fairness:report") + f"?position={world['position'].pk}&stage={world['stage'].key}"
                      "&exclude_small=1").content.decode()
    assert 'data-testid="exclusion-justification"' not in html
    client.post(reverse("fairness:audit_create"), {
        "position": world["position"].pk, "stage": world["stage"].key, "exclude_small": "1", "data_source": "x",
        "exclusion_justification": "不相关的文字"})
    from hirelens.fairness.models import FairnessAudit

    assert FairnessAudit.objects.get().exclusion_justification == ""


def test_a_summary_is_published_only_with_the_distribution_date(client, hr_admin, world):
    # Local Law 144 publishes the summary with the tool's distribution date: an audit saved without one takes it when
    # it is published, and is not published without it
    from hirelens.fairness.models import FairnessAudit

    client.force_login(hr_admin)
    audit_url = client.post(reverse("fairness:audit_create"), {
        "position": world["position"].pk, "stage": world["stage"].key, "data_source": "x"})["Location"]
    page = client.get(audit_url).content.decode()
    assert 'data-testid="publish-distribution-date"' in page
    response = client.post(audit_url + "publish/", {"distribution_date": ""}, follow=True)
    assert "请填写" in response.content.decode() and not FairnessAudit.objects.get().is_published
    client.post(audit_url + "publish/", {"distribution_date": "2026-03-01"})
    audit = FairnessAudit.objects.get()
    assert audit.is_published and audit.distribution_date.isoformat() == "2026-03-01"
    client.logout()
    public = client.get(reverse("fairness:public", args=[audit.public_token])).content.decode()
    assert 'data-testid="distribution-date">2026-03-01</dd>' in public
