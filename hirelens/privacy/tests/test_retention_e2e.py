"""In Debian's Chromium, zh-Hans and English, at 1024 px (an HR page: no sideways scroll): the retention settings form
saves, 即将清除 / Due for purge names the candidates with their dates, and an extension with a reason moves the date;
axe on the settings page and the extension page."""

from __future__ import annotations

from datetime import timedelta

import pytest

from conftest import in_thread, staff_login
from tests.e2e.a11y import assert_accessible

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

NO_SIDEWAYS = "document.documentElement.scrollWidth <= window.innerWidth"


def _closed(org, name: str, days_ago: int):
    from django.utils import timezone

    from hirelens.candidates.models import Application, Candidate
    from hirelens.workflows.tests.factories import make_application, make_position

    application = make_application(make_position(org, title="销售代表"), name)
    Application.objects.filter(pk=application.pk).update(status="rejected", updated_at=timezone.now() - timedelta(days=days_ago))
    candidate = Candidate.objects.get(pk=application.candidate_id)
    return candidate.pk, timezone.localdate(Application.objects.get(pk=application.pk).updated_at)


def _dates(page, candidate_id: int) -> list[str]:
    return page.locator(f"[data-testid=due-row][data-candidate='{candidate_id}'] [data-testid=due-on]").all_inner_texts()


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_hr_admin_sets_limits_reads_due_names_and_extends(asgi_server, browser, org, hr_admin, language):
    from django.utils import timezone, translation

    from hirelens.core.models import AuditEvent, RetentionHold, RetentionPolicy

    (old_id, old_closed), (soon_id, soon_closed) = in_thread(lambda: (_closed(org, "林久远", 400), _closed(org, "周将到", 350)))
    base = asgi_server.base_url
    page = browser.new_context(locale="zh-CN", viewport={"width": 1024, "height": 800}).new_page()
    staff_login(page, base, hr_admin)
    if language == "en":
        page.click("[data-testid=lang-en]")
        page.wait_for_selector("html[lang=en]")

    page.goto(base + "/settings/retention/")
    rows = page.locator("[data-testid=due-row]")
    assert [rows.nth(i).locator("td a").first.inner_text() for i in range(rows.count())] == ["林久远", "周将到"]
    assert _dates(page, old_id) == [(old_closed + timedelta(days=365)).isoformat()]  # unsuccessful: 365 days by default
    assert _dates(page, soon_id) == [(soon_closed + timedelta(days=365)).isoformat()]
    assert page.evaluate(NO_SIDEWAYS)
    assert_accessible(page, f"retention settings and due list ({language})")

    page.fill("#id_candidates_days", "360")
    page.fill("#id_recordings_days", "90")
    page.click("[data-testid=retention-save]")
    page.wait_for_url("**/settings/retention/")
    with translation.override(language):
        saved = translation.gettext("保留期限已保存。")
    assert saved in page.inner_text("body")
    assert page.input_value("#id_candidates_days") == "360" and page.input_value("#id_recordings_days") == "90"
    policy = in_thread(lambda: RetentionPolicy.objects.get(organization=org, jurisdiction=""))
    assert (policy.candidates_days, policy.recordings_days, policy.analyses_days) == (360, 90, 180)
    assert _dates(page, soon_id) == [(soon_closed + timedelta(days=360)).isoformat()]  # the list follows the new limit

    page.locator(f"[data-testid=due-row][data-candidate='{old_id}'] [data-testid=retention-extend]").click()
    with translation.override(language):
        title = translation.gettext("延长 %(name)s 的保留期限") % {"name": "林久远"}
    assert page.locator("h1").inner_text() == title
    assert page.evaluate(NO_SIDEWAYS)
    assert_accessible(page, f"retention extension ({language})")
    until = timezone.localdate() + timedelta(days=20)
    page.fill("#id_until", until.isoformat())
    page.click("[data-testid=retention-extend-submit]")
    assert page.locator("#id_reason:invalid").count() == 1  # the reason is required: the browser keeps the form
    page.fill("#id_reason", "诉讼保全")
    page.click("[data-testid=retention-extend-submit]")
    page.wait_for_url("**/settings/retention/")
    with translation.override(language):
        done = translation.gettext("已延长 %(name)s 的保留期限。") % {"name": "林久远"}
    assert done in page.inner_text("body")
    assert _dates(page, old_id) == [until.isoformat()]  # was 35 days overdue, now due on the extension's date
    assert _dates(page, soon_id) == [(soon_closed + timedelta(days=360)).isoformat()]
    hold = in_thread(lambda: RetentionHold.objects.get(candidate_id=old_id))
    assert (hold.until, hold.reason) == (until, "诉讼保全")
    assert in_thread(lambda: list(AuditEvent.objects.filter(action="retention_extended").values_list("object_id", flat=True))) == [
        str(old_id)]
    page.context.close()


def test_hr_admin_adds_edits_and_removes_a_jurisdictions_limits_on_a_phone(asgi_server, browser, org, hr_admin):
    """zh-Hans at 390 px: 各法域的保留期限 lists the default with its positions; HR adds New York City's own limits,
    edits them, and removes them through the confirmation page; each step audited, the rows follow."""
    from hirelens.core.models import AuditEvent, RetentionPolicy
    from hirelens.workflows.tests.factories import make_position

    nyc_id = in_thread(lambda: make_position(org, title="纽约客户经理", jurisdiction="us_nyc").pk)
    soon_id, soon_closed = in_thread(lambda: _closed(org, "周将到", 350))
    base = asgi_server.base_url
    page = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}).new_page()
    staff_login(page, base, hr_admin)

    def row(code: str):
        return page.locator(f"[data-testid=limit-row][data-jurisdiction='{code}']")

    page.goto(base + "/settings/retention/")
    assert page.locator("[data-testid=limit-row]").count() == 1
    assert row("default").locator("[data-testid=limit-name]").inner_text() == "组织默认"
    assert "2 个职位" in row("default").locator("[data-testid=limit-positions]").inner_text()
    assert page.evaluate(NO_SIDEWAYS)

    page.click("[data-testid=limit-add]")
    page.wait_for_url("**/settings/retention/limits/new/")
    assert page.evaluate(NO_SIDEWAYS)
    assert_accessible(page, "add a jurisdiction's retention limits (zh-hans, 390 px)")
    assert "us_nyc" not in page.locator("#id_jurisdiction").inner_text()  # the names, never the codes
    page.select_option("#id_jurisdiction", label="美国纽约市")
    page.fill("#id_recordings_days", "0")
    page.click("[data-testid=limit-save]")
    assert page.locator("#id_recordings_days:invalid").count() == 1  # the same minimum as the default: the browser keeps the form
    page.fill("#id_recordings_days", "60")
    page.fill("#id_analyses_days", "90")
    page.click("[data-testid=limit-save]")
    page.wait_for_url("**/settings/retention/")
    assert "已添加美国纽约市的保留期限。" in page.inner_text("body")
    assert row("us_nyc").locator("[data-testid=limit-name]").inner_text() == "美国纽约市"
    assert row("us_nyc").locator("[data-testid=limit-recordings]").inner_text() == "60 天"
    assert "1 个职位" in row("us_nyc").locator("[data-testid=limit-positions]").inner_text()
    assert row("us_nyc").locator(f"a[href='/positions/{nyc_id}/']").inner_text() == "纽约客户经理"
    assert "1 个职位" in row("default").locator("[data-testid=limit-positions]").inner_text()  # 销售代表 only now
    assert page.evaluate(NO_SIDEWAYS)
    assert_accessible(page, "retention limits by jurisdiction (zh-hans, 390 px)")
    due = page.locator(f"[data-testid=due-row][data-candidate='{soon_id}'] [data-testid=due-limit]").inner_text()
    assert due.replace("\n", " ").startswith("组织默认 · 365 天")  # 销售代表 has no jurisdiction row: the default applied
    assert _dates(page, soon_id) == [(soon_closed + timedelta(days=365)).isoformat()]

    row("us_nyc").locator("[data-testid=limit-edit]").click()
    page.wait_for_url("**/settings/retention/limits/us_nyc/")
    assert page.locator("h1").inner_text() == "美国纽约市的保留期限"
    assert page.input_value("#id_recordings_days") == "60"
    page.fill("#id_recordings_days", "30")
    page.click("[data-testid=limit-save]")
    page.wait_for_url("**/settings/retention/")
    assert "美国纽约市的保留期限已保存。" in page.inner_text("body")
    assert row("us_nyc").locator("[data-testid=limit-recordings]").inner_text() == "30 天"

    row("us_nyc").locator("[data-testid=limit-remove]").click()
    page.wait_for_url("**/settings/retention/limits/us_nyc/remove/")
    assert "移除后，美国纽约市的职位将按组织默认期限保留" in page.inner_text("[data-testid=limit-fallback]")
    assert page.evaluate(NO_SIDEWAYS)
    assert_accessible(page, "remove a jurisdiction's retention limits (zh-hans, 390 px)")
    page.click("[data-testid=limit-remove-confirm]")
    page.wait_for_url("**/settings/retention/")
    assert "已移除美国纽约市的保留期限；其职位改按组织的默认期限保留。" in page.inner_text("body")
    assert page.locator("[data-testid=limit-row]").count() == 1
    assert "2 个职位" in row("default").locator("[data-testid=limit-positions]").inner_text()

    assert in_thread(lambda: list(RetentionPolicy.objects.filter(organization=org).values_list("jurisdiction", flat=True))) == []
    assert in_thread(lambda: list(AuditEvent.objects.filter(object_type="core.retentionpolicy").order_by("pk")
                                  .values_list("action", flat=True))) == ["create", "update", "delete"]
    page.context.close()
