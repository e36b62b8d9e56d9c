"""In Debian's Chromium: a candidate answers the voluntary self-identification on a phone, from the portal, in
Chinese and in English; HR reads the fairness report, saves an audit, publishes its summary and unpublishes it.
Every new page is checked by axe (nothing serious or critical)."""

from __future__ import annotations

import json

import pytest

from conftest import in_thread, staff_login
from tests.e2e.a11y import assert_accessible

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

LOCALES = {"zh-hans": "zh-CN", "en": "en-US"}
TEXT = {"zh-hans": {"title": "自愿填写：性别与种族/族裔", "saved": "谢谢，已保存", "link": "自愿填写性别与种族/族裔"},
        "en": {"title": "Voluntary self-identification: sex and race/ethnicity", "saved": "Thank you, saved",
               "link": "Voluntary self-identification"}}


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_self_identification_on_a_phone(asgi_server, browser, org, hr_admin, language):
    from hirelens.portal.services import portal_link_create
    from hirelens.workflows.tests.factories import make_application, make_position

    def setup():
        application = make_application(make_position(org, title="销售代表"), "林思远")
        return application.candidate_id, portal_link_create(actor=hr_admin, candidate=application.candidate)[1]

    candidate_id, token = in_thread(setup)
    base = asgi_server.base_url
    context = browser.new_context(locale=LOCALES[language], viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    context.add_cookies([{"name": "django_language", "value": language, "url": base}])
    page = context.new_page()
    page.goto(f"{base}/portal/{token}/")
    page.get_by_test_id("self-identify-link").click()
    page.wait_for_url(f"**/self-id/p/{token}/")
    text = TEXT[language]
    assert page.get_by_test_id("selfid-title").inner_text() == text["title"]
    assert page.evaluate("document.documentElement.lang") == language
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")  # no sideways scrolling
    assert_accessible(page, f"self-identification [{language}]")
    page.get_by_test_id("sex-female").check()
    page.get_by_test_id("race-two_or_more").check()
    page.get_by_test_id("selfid-save").click()
    page.wait_for_selector("[data-testid=portal-message]")
    assert text["saved"] in page.get_by_test_id("portal-message").inner_text()
    assert page.get_by_test_id("sex-female").is_checked() and page.get_by_test_id("race-two_or_more").is_checked()
    assert_accessible(page, f"self-identification saved [{language}]")

    def stored():
        from hirelens.fairness.models import SelfIdentification

        return json.loads(SelfIdentification.objects.get(candidate_id=candidate_id).answers)

    assert in_thread(stored) == {"sex": "female", "race": "two_or_more"}
    page.get_by_test_id("selfid-withdraw").click()
    page.wait_for_selector("[data-testid=portal-message]")
    assert not page.get_by_test_id("sex-female").is_checked()
    context.close()


def test_hr_reads_the_report_publishes_and_unpublishes_the_summary(asgi_server, browser, org, hr_admin):
    from .factories import fairness_world

    world = in_thread(lambda: fairness_world(org, hr_admin))
    base = asgi_server.base_url
    for language in ("zh-hans", "en"):
        context = browser.new_context(locale=LOCALES[language], viewport={"width": 1280, "height": 1000})
        context.add_cookies([{"name": "django_language", "value": language, "url": base}])
        page = context.new_page()
        staff_login(page, base, hr_admin)
        page.goto(f"{base}/fairness/?position={world['position'].pk}&stage={world['stage'].key}")
        sex = page.get_by_test_id("table-selection-sex")
        assert sex.locator("[data-key=female]").get_attribute("data-ratio") == "0.500"
        assert sex.locator("[data-key=female]").get_attribute("data-flagged") == "1"
        assert page.get_by_test_id("flag-count").is_visible()
        label = "Female" if language == "en" else "女"
        assert sex.locator("[data-key=female] th").inner_text() == label
        assert_accessible(page, f"fairness report [{language}]")
        if language == "en":
            context.close()
            break
        page.get_by_test_id("distribution-date").fill("2026-03-01")
        page.get_by_test_id("save-audit").click()
        page.wait_for_url("**/fairness/audits/*/")
        assert page.get_by_test_id("distribution-date").inner_text() == "2026-03-01"
        assert_accessible(page, "saved audit")
        page.get_by_test_id("publish").click()
        page.get_by_test_id("public-url").wait_for()
        public_url = page.get_by_test_id("public-url").inner_text()
        visitor = browser.new_context(locale="en-US", viewport={"width": 390, "height": 844})
        visitor.add_cookies([{"name": "django_language", "value": "en", "url": base}])
        public = visitor.new_page()
        public.goto(public_url)
        assert public.get_by_test_id("table-selection-sex").locator("[data-key=female]").get_attribute("data-ratio") == "0.500"
        assert "Date of the audit" in public.content() and "林" not in public.content()
        assert_accessible(public, "public summary [en]")
        page.get_by_test_id("unpublish").click()
        page.get_by_test_id("publish").wait_for()
        assert public.goto(public_url).status == 404
        visitor.close()
        page.goto(f"{base}/fairness/records/")
        page.get_by_test_id("pia-save").click()
        page.wait_for_url("**/fairness/records/*/")
        from django.utils import timezone

        from hirelens.fairness.models import PIAVersion

        keep = in_thread(lambda: timezone.localtime(PIAVersion.objects.get().keep_until).date())
        assert keep.year == timezone.localdate().year + 3 and keep.isoformat() in page.get_by_test_id("keep-until").inner_text()
        assert_accessible(page, "impact assessment version")
        context.close()
