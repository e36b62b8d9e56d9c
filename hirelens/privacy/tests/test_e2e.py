"""In Debian's Chromium, zh-Hans and English: the candidate asks for an export on the portal (phone), HR builds the
archive and completes the case, the candidate downloads the archive; axe on each new page."""

from __future__ import annotations

import io
import json
import zipfile

import pytest

from conftest import in_thread, staff_login
from tests.e2e.a11y import assert_accessible

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

WORDS = {
    "zh-hans": {"title": "我的数据与权利", "received": "我们已收到您的请求，会在截止时间前处理并通知您。", "export": "导出个人信息"},
    "en": {"title": "My data and rights", "received": "We have received your request; we will handle it before the deadline and let you know.",
           "export": "Export my personal data"},
}


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_candidate_asks_for_an_export_hr_builds_it_candidate_downloads(asgi_server, browser, page, hr_admin, language):
    from hirelens.portal.services import portal_link_create, portal_url
    from hirelens.privacy import services
    from hirelens.privacy.models import PrivacyExport, PrivacyRequest

    from .factories import application_in

    def setup():
        candidate = application_in(hr_admin.organization, candidate__full_name="陈晨").candidate
        return candidate, portal_link_create(actor=hr_admin, candidate=candidate)[1]

    candidate, token = in_thread(setup)
    words = WORDS[language]
    base = asgi_server.base_url

    page.goto(base + portal_url(token, absolute=False))
    if language == "en":
        page.click("[data-testid=lang-en]")
        page.wait_for_selector("html[lang=en]")
    page.click("[data-testid=portal-rights]")
    assert page.locator("[data-testid=rights-title]").inner_text() == words["title"]
    wide = page.evaluate("[...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > window.innerWidth + 1).map(e => e.tagName + '.' + e.className + '#' + e.id + ':' + Math.round(e.getBoundingClientRect().right)).slice(0, 8)")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), wide
    assert_accessible(page, f"rights page, empty ({language})")
    page.check("[data-testid=rights-kind-export]")
    page.fill("#id_details", "请导出全部资料")
    page.click("[data-testid=rights-submit]")
    page.wait_for_selector("[data-testid=portal-message]")
    assert page.locator("[data-testid=portal-message]").inner_text() == words["received"]
    row = page.locator("[data-testid=rights-request]")
    assert words["export"] in row.inner_text() and row.get_attribute("data-status") == "open"
    assert_accessible(page, f"rights page with a request ({language})")

    hr = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900}).new_page()
    staff_login(hr, base, hr_admin)
    hr.goto(base + "/privacy/requests/")
    assert_accessible(hr, "HR privacy requests list")
    hr.click("[data-testid=request-row] a")
    assert hr.locator("[data-testid=request-title]").inner_text() == "陈晨 · 导出个人信息"
    hr.click("[data-testid=export-build]")
    hr.wait_for_selector("[data-testid=export-building]")
    export_id = in_thread(lambda: PrivacyExport.objects.get(request__candidate=candidate).pk)
    in_thread(lambda: services.export_build(export_id=export_id))  # what the worker's task runs
    hr.wait_for_selector("[data-testid=export-ready]", timeout=15000)  # the progress line polls
    assert_accessible(hr, "HR privacy request with a ready archive")
    hr.click("[data-testid=request-complete]")
    hr.wait_for_selector("[data-testid=request][data-status=done]")
    assert in_thread(lambda: PrivacyRequest.objects.get(candidate=candidate).receipt_sent_at) is not None
    hr.context.close()

    page.reload()
    assert page.locator("[data-testid=rights-request]").get_attribute("data-status") == "done"
    assert_accessible(page, f"rights page with a download ({language})")
    with page.expect_download() as info:
        page.click("[data-testid=rights-download]")
    with open(info.value.path(), "rb") as handle:
        archive = zipfile.ZipFile(io.BytesIO(handle.read()))
    data = json.loads(archive.read("data.json"))
    assert data["record"]["full_name"] == "陈晨"
    assert data["privacy_requests"][0]["details"] == "请导出全部资料"
